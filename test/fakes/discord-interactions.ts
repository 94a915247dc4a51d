import { messageObject, nextId } from './discord.ts';

/**
 * Builders for the INTERACTION_CREATE payloads the fake gateway pushes: slash commands,
 * autocomplete and button clicks, as a guild member with chosen permissions and roles.
 */

export const GUILD_ID = '1200000000000000100';
export const CHANNEL_ID = '1200000000000000001';
export const MANAGE_GUILD = 1n << 5n;
/** A member's usual permissions: view channel, send messages, use application commands. */
export const MEMBER_PERMISSIONS = (1n << 10n) | (1n << 11n) | (1n << 31n);

/** Who clicks or types: a guild member by default. */
export interface Actor {
  userId?: string;
  username?: string;
  permissions?: bigint;
  roles?: string[];
  /** No guild: a direct message to the bot. */
  dm?: boolean;
}

export interface FakeAttachment {
  filename: string;
  url: string;
  contentType?: string;
  size: number;
}

export type OptionValue = string | number | boolean | FakeAttachment;

interface Built {
  id: string;
  token: string;
  payload: Record<string, unknown>;
}

function base(applicationId: string, type: number, data: unknown, actor: Actor = {}): Built {
  const id = nextId();
  const token = `token-${id}`;
  const user = {
    id: actor.userId ?? '1300000000000000001',
    username: actor.username ?? 'ayse',
    discriminator: '0',
    avatar: null,
    global_name: actor.username ?? 'Ayşe',
  };
  const where = actor.dm
    ? { user, channel: { id: CHANNEL_ID, type: 1 }, context: 1 }
    : {
        guild_id: GUILD_ID,
        channel: { id: CHANNEL_ID, type: 0, guild_id: GUILD_ID, name: 'briefings' },
        member: {
          user,
          roles: actor.roles ?? [],
          permissions: String(actor.permissions ?? MEMBER_PERMISSIONS),
          joined_at: '2025-01-01T00:00:00.000Z',
          deaf: false,
          mute: false,
          flags: 0,
        },
        context: 0,
      };
  return {
    id,
    token,
    payload: {
      id,
      token,
      type,
      application_id: applicationId,
      data,
      channel_id: CHANNEL_ID,
      version: 1,
      app_permissions: '2248473465835073',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': GUILD_ID },
      attachment_size_limit: 10_485_760,
      ...where,
    },
  };
}

function toOptions(values: Record<string, OptionValue>, focused?: string) {
  const resolved: Record<string, unknown> = {};
  const options = Object.entries(values).map(([name, value]) => {
    if (typeof value === 'object') {
      const id = nextId();
      resolved[id] = {
        id,
        filename: value.filename,
        size: value.size,
        url: value.url,
        proxy_url: value.url,
        content_type: value.contentType,
      };
      return { name, type: 11, value: id };
    }
    const type = typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : typeof value === 'boolean' ? 5 : 3;
    return { name, type, value, ...(name === focused ? { focused: true } : {}) };
  });
  return { options, resolved };
}

/** A slash command; `subcommand` nests the options under it. */
export function chatInput(
  applicationId: string,
  name: string,
  values: Record<string, OptionValue> = {},
  opts: { subcommand?: string; actor?: Actor } = {},
): Built {
  const { options, resolved } = toOptions(values);
  const data = {
    id: nextId(),
    name,
    type: 1,
    options: opts.subcommand ? [{ name: opts.subcommand, type: 1, options }] : options,
    ...(Object.keys(resolved).length ? { resolved: { attachments: resolved } } : {}),
  };
  return base(applicationId, 2, data, opts.actor);
}

/** Autocomplete while the user types `focused` (its current text is `values[focused]`). */
export function autocomplete(
  applicationId: string,
  name: string,
  values: Record<string, OptionValue>,
  focused: string,
  opts: { subcommand?: string; actor?: Actor } = {},
): Built {
  const { options } = toOptions(values, focused);
  const data = { id: nextId(), name, type: 1, options: opts.subcommand ? [{ name: opts.subcommand, type: 1, options }] : options };
  return base(applicationId, 4, data, opts.actor);
}

/** A click on a button with `customId` on a message the bot sent (ephemeral by default; `messageId` to click one message twice). */
export function buttonClick(
  applicationId: string,
  customId: string,
  opts: { actor?: Actor; messageFlags?: number; messageId?: string } = {},
): Built {
  const data = { custom_id: customId, component_type: 2 };
  const built = base(applicationId, 3, data, opts.actor);
  built.payload.message = messageObject({
    id: opts.messageId ?? nextId(),
    type: 20,
    channel_id: CHANNEL_ID,
    author: { id: '1100000000000000002', username: 'briefing-bot', discriminator: '0', avatar: null, bot: true },
    flags: opts.messageFlags ?? 64,
  });
  return built;
}
