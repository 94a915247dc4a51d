import { randomUUID } from 'node:crypto';
import { signSlackRequest } from '../../src/adapters/slack/signature.ts';

/**
 * Builds and sends requests the way Slack does: form-encoded slash commands and interactive
 * payloads, JSON events, each signed with the signing secret (or deliberately not).
 */

export interface SignedPostOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Overrides the computed signature (for forgeries). */
  signature?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface PostResult {
  status: number;
  text: string;
  json: () => Record<string, unknown>;
  /** Milliseconds from sending to the full response. */
  ms: number;
}

export async function signedPost(url: string, secret: string, body: string, options: SignedPostOptions = {}): Promise<PostResult> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? signSlackRequest(secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown>, ms: performance.now() - started };
}

export interface SlashFields {
  command: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  response_url: string;
  trigger_id?: string;
  /** Enterprise Grid: the organisation of the workspace. */
  enterprise_id?: string;
  /** Enterprise Grid: the app is installed organisation-wide. */
  is_enterprise_install?: boolean;
}

/** A slash command body, form-encoded with every field Slack sends. */
export function slashBody(fields: SlashFields): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: fields.team_id ?? 'T0FAKE',
    team_domain: 'fake',
    channel_id: fields.channel_id ?? 'C0GENERAL',
    channel_name: fields.channel_name ?? 'general',
    user_id: fields.user_id ?? 'U0ALICE',
    user_name: fields.user_name ?? 'alice',
    command: fields.command,
    text: fields.text ?? '',
    api_app_id: 'AFAKE',
    ...(fields.enterprise_id ? { enterprise_id: fields.enterprise_id } : {}),
    is_enterprise_install: fields.is_enterprise_install ? 'true' : 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? `trigger-${randomUUID()}`,
  }).toString();
}

/** A block_actions payload for a button click on a message. */
export function buttonPayload(options: {
  actionId: string;
  value: string;
  responseUrl: string;
  userId?: string;
  channelId?: string;
  triggerId?: string;
  messageTs?: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: options.userId ?? 'U0ALICE', username: 'alice', name: 'alice', team_id: 'T0FAKE' },
    api_app_id: 'AFAKE',
    token: 'legacy-verification-token',
    container: {
      type: 'message',
      message_ts: options.messageTs ?? `1700000000.${randomUUID().slice(0, 6)}`,
      channel_id: options.channelId ?? 'C0GENERAL',
      is_ephemeral: true,
    },
    trigger_id: options.triggerId ?? `trigger-${randomUUID()}`,
    team: { id: 'T0FAKE', domain: 'fake' },
    channel: { id: options.channelId ?? 'C0GENERAL', name: 'general' },
    response_url: options.responseUrl,
    actions: [
      {
        action_id: options.actionId,
        block_id: 'actions',
        text: { type: 'plain_text', text: 'Button', emoji: true },
        value: options.value,
        type: 'button',
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

export function interactiveBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** An Events API callback (JSON). */
export function eventCallback(event: Record<string, unknown>, eventId = `Ev${randomUUID().slice(0, 8)}`): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: 'T0FAKE',
    api_app_id: 'AFAKE',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0FAKE', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
  };
}
