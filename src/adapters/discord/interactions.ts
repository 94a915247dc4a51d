import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  MessageFlags,
  type RepliableInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { AnyCommand } from '../../core/command.ts';
import { findCommand, liftFlags, permissionFor, runCommand } from '../../core/dispatch.ts';
import type { Invocation, Reply } from '../../core/reply.ts';
import { type ButtonState, decodeButton, replyButtons, type ShareRecord } from './components.ts';
import { type ContextDeps, contextFor, rawOptions, shareableOptions } from './context.ts';
import { cut, escapeFit, plainSafe } from './escape.ts';
import { type DiscordMessage, LIMITS } from './limits.ts';
import { renderError, renderReply } from './render.ts';

/**
 * Answers slash commands, autocomplete and button presses. Answers are private (ephemeral)
 * unless shared; anything not ready within `deferAfterMs` is deferred and then edited, so
 * Discord's 3-second deadline is always met.
 */

export interface InteractionDeps extends ContextDeps {
  commands: readonly AnyCommand[];
  logger: Logger;
  /** Invocations behind long buttons and who shared what, in the store's shared keys. */
  buttons: ButtonState;
  /** How long to wait for a command before deferring (Discord allows 3 s for the first answer). */
  deferAfterMs: number;
}

interface Presentation {
  public: boolean;
  invocation?: Invocation;
  sharedBy?: string;
}

export function createInteractionHandler(deps: InteractionDeps): (interaction: Interaction) => Promise<void> {
  return async (interaction) => {
    try {
      if (interaction.isChatInputCommand()) await onCommand(interaction, deps);
      else if (interaction.isAutocomplete()) await onAutocomplete(interaction, deps);
      else if (interaction.isButton()) await onButton(interaction, deps);
    } catch (err) {
      deps.logger.error({ err, interactionId: interaction.id, type: interaction.type }, 'discord interaction failed');
      if (interaction.isRepliable())
        await tellPrivately(interaction, 'Something went wrong on our side; the error was logged. Try again in a moment.');
    }
  };
}

async function onCommand(interaction: ChatInputCommandInteraction, deps: InteractionDeps): Promise<void> {
  const found = findCommand(deps.commands, interaction.commandName, deps.syntax);
  if (!('run' in found)) return send(interaction, [{ content: renderError(found.ok ? '' : found.error.message), embeds: [] }], false);
  // `--article central` typed into the question is read as the article option, as in text form.
  const raw = liftFlags(found, rawOptions(interaction.options.data));
  const ctx = contextFor(interaction, deps);
  const options = shareableOptions(raw);
  const presentation: Presentation = { public: false, ...(options ? { invocation: { command: found.name, options } } : {}) };
  await answer(interaction, () => runCommand(found, raw, ctx, deps.logger), presentation, deps);
}

async function onButton(interaction: ButtonInteraction, deps: InteractionDeps): Promise<void> {
  const guildId = interaction.guildId ?? undefined;
  const decoded = await decodeButton(interaction.customId, deps.buttons.stash(guildId));
  if (!decoded) return;
  if ('expired' in decoded) {
    return tellPrivately(interaction, 'This button has expired (buttons with long questions last 15 minutes). Run the command again.');
  }
  const { invocation } = decoded;
  const found = findCommand(deps.commands, invocation.command, deps.syntax);
  if (!('run' in found)) return tellPrivately(interaction, found.ok ? 'Unknown command.' : found.error.message);
  const ctx = contextFor(interaction, deps);
  if (decoded.kind !== 'share') {
    await answer(interaction, () => runCommand(found, { ...invocation.options }, ctx, deps.logger), { public: false, invocation }, deps);
    return;
  }
  // A share runs the command again in public. Moderator commands offer no Share (they change
  // things or show moderators' records); a Share on an answer from an older version is refused.
  if (permissionFor(found, invocation.options) === 'moderator') {
    return tellPrivately(interaction, `Answers of /${found.name} cannot be shared in the channel.`);
  }
  // One post per answer, whichever replica each click reaches: the first click claims the share.
  const messageId = interaction.message.id;
  let claim: Awaited<ReturnType<ButtonState['claimShare']>>;
  try {
    claim = await deps.buttons.claimShare(guildId, messageId, interaction.user.id);
  } catch (err) {
    deps.logger.warn({ err, interactionId: interaction.id }, 'could not record a share');
    return tellPrivately(interaction, 'Sharing is unavailable right now (the bot cannot reach its store). Try again in a moment.');
  }
  if (!claim.first) return notePrivately(interaction, alreadyShared(claim.shared));
  let posted = false;
  try {
    posted = await answer(
      interaction,
      () => runCommand(found, { ...invocation.options }, ctx, deps.logger),
      { public: true, invocation, sharedBy: interaction.user.id },
      deps,
    );
  } finally {
    if (!posted)
      await deps.buttons.releaseShare(guildId, messageId).catch((err: unknown) => deps.logger.warn({ err }, 'could not release a share'));
  }
}

/** `Already shared in the channel by @ayse 2 minutes ago.` (the mention pings no one: mentions are off). */
export function alreadyShared(shared: ShareRecord): string {
  const who = /^\d{1,20}$/.test(shared.by) ? ` by <@${shared.by}>` : '';
  const seconds = Math.floor(Date.parse(shared.at) / 1000);
  const when = Number.isFinite(seconds) ? ` <t:${seconds}:R> (<t:${seconds}:f>)` : '';
  return `This answer was already shared in the channel${who}${when}.`;
}

async function onAutocomplete(interaction: AutocompleteInteraction, deps: InteractionDeps): Promise<void> {
  const command = deps.commands.find((c) => c.name === interaction.commandName);
  const focused = interaction.options.getFocused(true);
  const raw = rawOptions(interaction.options.data);
  const declared = raw.subcommand ? command?.subcommands?.find((s) => s.name === raw.subcommand)?.options : command?.options;
  const option = declared?.find((o) => o.name === focused.name);
  if (!option?.autocomplete) return interaction.respond([]);
  const { [focused.name]: _typed, ...others } = raw;
  let choices: { name: string; value: string | number }[] = [];
  try {
    choices = option.autocomplete(contextFor(interaction, deps), String(focused.value ?? ''), others);
  } catch (err) {
    deps.logger.warn({ err, command: interaction.commandName, option: focused.name }, 'autocomplete failed');
  }
  const valid = choices
    .map((c) => ({
      name: cut(plainSafe(c.name.replace(/\s+/g, ' ').trim()), LIMITS.choiceName) || String(c.value),
      value: option.type === 'integer' ? Number(c.value) : cut(String(c.value), LIMITS.choiceValue),
    }))
    .filter((c) => (typeof c.value === 'number' ? Number.isInteger(c.value) : c.value.length > 0))
    .slice(0, LIMITS.choices);
  await interaction.respond(valid);
}

/**
 * Runs `work`, deferring when it is slow, then sends the rendered reply (split if long).
 * Resolves true when the answer went out publicly.
 */
async function answer(
  interaction: RepliableInteraction,
  work: () => Promise<Reply>,
  how: Presentation,
  deps: InteractionDeps,
): Promise<boolean> {
  const defer = () => interaction.deferReply(how.public ? {} : { flags: MessageFlags.Ephemeral });
  // Discord's 3 s run from the interaction's creation, not from when we got to it: time spent
  // queued behind other work counts. An age outside 0-3 s means clock skew, so it is ignored.
  const age = Date.now() - interaction.createdTimestamp;
  const budget = deps.deferAfterMs - (age > 0 && age < 3_000 ? age : 0);
  if (budget <= 0) await defer();
  const pending = work();
  pending.catch(() => {}); // a failure surfaces at `await pending` below
  if (!interaction.deferred) {
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), budget);
    });
    const first = await Promise.race([pending.then(() => 'done' as const), slow]);
    clearTimeout(timer);
    if (first === 'slow') await defer();
  }
  const reply = await pending;
  const messages = await present(reply, how, interaction.guildId ?? undefined, deps);
  const isPublic = reply.ok && (how.public || reply.visibility === 'public');
  if (isPublic && interaction.deferred && interaction.ephemeral) {
    // Deferred privately before we knew the answer was public: post it, then say so privately.
    await send(interaction, messages, true, { asFollowUps: true });
    await interaction.editReply({ content: 'Posted in the channel.', embeds: [], components: [] });
    return true;
  }
  await send(interaction, messages, isPublic);
  return isPublic;
}

/** The messages for a reply: the shared-by line, embeds, and buttons under the last message. */
async function present(reply: Reply, how: Presentation, guildId: string | undefined, deps: InteractionDeps): Promise<DiscordMessage[]> {
  const messages = renderReply(reply);
  if (!reply.ok) return messages;
  const last = messages.at(-1) as DiscordMessage;
  const rows = await replyButtons(reply, {
    shareable: !how.public,
    stash: deps.buttons.stash(guildId),
    // Without the store, a button whose invocation needs it is left out; the answer still goes.
    onError: (err) => deps.logger.warn({ err }, 'a button could not be stored; it is left out'),
    ...(how.invocation ? { invocation: how.invocation } : {}),
  });
  if (rows.length) last.components = rows;
  if (how.sharedBy && how.invocation) {
    const first = messages[0] as DiscordMessage;
    first.content = `<@${how.sharedBy}> shared ${escapeFit(describeInvocation(how.invocation), 300)}`;
  }
  return messages;
}

/** `/ask question:What did Japarov call for?` */
export function describeInvocation(invocation: Invocation): string {
  const { subcommand, ...rest } = invocation.options;
  const parts = [`/${invocation.command}`];
  if (subcommand !== undefined) parts.push(String(subcommand));
  for (const [key, value] of Object.entries(rest)) parts.push(`${key}:${String(value)}`);
  return parts.join(' ');
}

/** Sends the first message as the interaction's answer (or edits the deferred one), the rest as followups. */
async function send(
  interaction: RepliableInteraction,
  messages: DiscordMessage[],
  isPublic: boolean,
  options: { asFollowUps?: boolean } = {},
): Promise<void> {
  const flags = isPublic ? {} : { flags: MessageFlags.Ephemeral as const };
  const [first, ...rest] = messages;
  if (!first) return;
  if (options.asFollowUps) await interaction.followUp({ ...first, ...flags });
  else if (interaction.deferred) await interaction.editReply(first);
  else await interaction.reply({ ...first, ...flags });
  for (const message of rest) await interaction.followUp({ ...message, ...flags });
}

async function tellPrivately(interaction: RepliableInteraction, text: string): Promise<void> {
  await sayPrivately(interaction, renderError(text));
}

/** A private note in the bot's own words (not escaped: it may carry mentions and timestamps). */
async function notePrivately(interaction: RepliableInteraction, text: string): Promise<void> {
  await sayPrivately(interaction, `ℹ️ ${text}`);
}

async function sayPrivately(interaction: RepliableInteraction, content: string): Promise<void> {
  const message = { content, flags: MessageFlags.Ephemeral as const };
  try {
    if (interaction.deferred || interaction.replied) await interaction.followUp(message);
    else await interaction.reply(message);
  } catch {
    // The interaction token may have expired; the failure is already logged.
  }
}
