import { z } from 'zod';
import type { Choice, CommandChannel, CommandContext } from '../src/core/command.ts';
import { defineCommand } from '../src/core/command.ts';
import { type DeliveryView, type DigestService, digestService, type SubscriptionView } from '../src/core/digests.ts';
import { BotError } from '../src/core/errors.ts';
import { errorReply, okReply, type Reply, type ReplyItem } from '../src/core/reply.ts';
import { type CommandSyntax, slot, syntaxOf } from '../src/core/syntax.ts';

const SUBCOMMANDS = ['subscribe', 'unsubscribe', 'status', 'preview', 'now'] as const;
const EXAMPLE = { when: 'daily 09:00', timezone: 'Europe/Istanbul' };

const OUTCOME_WORDS: Record<DeliveryView['outcome'], string> = {
  sending: 'being sent',
  delivered: 'delivered',
  'nothing-new': 'nothing new, not posted',
  failed: 'failed',
  skipped: 'skipped',
};

/** "delivered — Mon 2 Jun 2025, 09:00 (Europe/Istanbul), 2 briefings, late (caught up after a restart)" */
function describeDelivery(d: DeliveryView, say: CommandSyntax): string {
  const parts = [`${OUTCOME_WORDS[d.outcome]} — ${d.manual ? `${say.name('digest', 'now')} at ` : ''}${d.slotLocal}`];
  if (d.outcome === 'delivered') parts.push(`${d.articles} ${d.articles === 1 ? 'briefing' : 'briefings'}`);
  if (d.late) parts.push('late (caught up after a restart)');
  if (d.recovered) parts.push('retried after a restart');
  if (d.detail) parts.push(d.detail);
  return parts.join(', ');
}

/** The next run in the subscription's zone, and in UTC when that reads differently. */
function describeNextRun(next: NonNullable<SubscriptionView['nextRun']>): string {
  return next.local === next.utc ? next.local : `${next.local} · ${next.utc}`;
}

function describeSubscription(s: SubscriptionView, say: CommandSyntax): string {
  const lines = [`${s.schedule} ${s.timeZone} — ${s.description}`];
  if (s.status === 'paused') {
    lines.push(`Paused${s.pausedAt ? ` since ${s.pausedAt}` : ''}: ${s.pausedReason ?? 'no reason recorded'}.`);
    lines.push(`Once that is fixed, run ${say.mention('digest', { when: s.schedule, timezone: s.timeZone }, 'subscribe')} to resume.`);
  } else if (s.nextRun) {
    lines.push(`Next: ${describeNextRun(s.nextRun)}`);
  }
  lines.push(s.lastDelivery ? `Last: ${describeDelivery(s.lastDelivery, say)}` : 'Last: none yet');
  return lines.join('\n');
}

/** What cannot be done while the store is unreachable, per subcommand. */
const UNREACHABLE: Record<(typeof SUBCOMMANDS)[number], string> = {
  status: 'Digest status cannot be read:',
  subscribe: 'The subscription was not added:',
  unsubscribe: 'The subscription was not removed:',
  preview: 'No preview:',
  now: 'No digest was posted:',
};
const WAITING = 'Scheduled digests wait until it is back; slots missed meanwhile are posted late, within the catch-up window.';

const POPULAR_ZONES = ['Europe/Istanbul', 'UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo'];

/** Time zones containing what was typed (Discord autocomplete; the service still validates). */
function zoneChoices(_ctx: CommandContext, partial: string): Choice[] {
  const wanted = partial.trim().toLowerCase().replace(/\s+/g, '_');
  const zones = wanted ? ['UTC', ...Intl.supportedValuesOf('timeZone')].filter((z) => z.toLowerCase().includes(wanted)) : POPULAR_ZONES;
  return zones.slice(0, 25).map((z) => ({ name: z, value: z }));
}

function channelOf(ctx: CommandContext): CommandChannel | undefined {
  if (ctx.channel) return ctx.channel;
  return ctx.platform === 'console' || ctx.platform === 'cli' ? { platform: 'console', id: 'terminal', name: 'terminal' } : undefined;
}

async function run(
  sub: (typeof SUBCOMMANDS)[number],
  input: { when?: string; timezone?: string; id?: number },
  service: DigestService,
  ctx: CommandContext,
  channel: CommandChannel,
): Promise<Reply> {
  const say = syntaxOf(ctx);
  const example = say.mention('digest', EXAMPLE, 'subscribe');
  switch (sub) {
    case 'subscribe': {
      if (!input.when)
        return errorReply(
          'digest',
          'invalid-schedule',
          `Say when to post, e.g. ${example} or ${say.mention('digest', { when: 'weekdays 08:30' }, 'subscribe')}.`,
        );
      const r = await service.subscribe({
        channel,
        user: ctx.user,
        when: input.when,
        ...(input.timezone ? { timeZone: input.timezone } : {}),
        syntax: say,
      });
      if (!r.ok) return errorReply('digest', r.code, r.message);
      const s = r.subscription;
      return okReply('digest', r.resumed ? `Digest subscription ${s.id} resumed` : `Digest subscription ${s.id} added`, {
        text: `${s.schedule} ${s.timeZone} — ${s.description}.${s.nextRun ? ` Next digest: ${describeNextRun(s.nextRun)}.` : ''}`,
        footer: `See ${say.name('digest', 'status')} · preview with ${say.name('digest', 'preview')} · remove with ${say.mention('digest', { id: s.id }, 'unsubscribe')}`,
      });
    }
    case 'unsubscribe': {
      const r = await service.unsubscribe({ channel, user: ctx.user, ...(input.id !== undefined ? { id: input.id } : {}), syntax: say });
      if (!r.ok) return errorReply('digest', r.code, r.message);
      return okReply('digest', `Digest subscription ${r.removed.id} removed`, {
        text: `This channel no longer gets "${r.removed.schedule}" digests (${r.removed.timeZone}).`,
      });
    }
    case 'status': {
      const st = await service.status(channel);
      const warning = st.storeProblem
        ? `The bot's data store cannot be written to right now (${st.storeProblem}): ${WAITING.charAt(0).toLowerCase()}${WAITING.slice(1)}`
        : undefined;
      const lead = (text: string | undefined) => [warning, text].filter(Boolean).join('\n\n') || undefined;
      if (!st.subscriptions.length) {
        const text = lead(`A moderator can add one: ${example} (time zone optional, default ${st.defaultTimeZone}).`);
        return okReply('digest', 'No digest subscriptions here', {
          ...(text ? { text } : {}),
          ...(st.lastDelivery ? { footer: `Last digest: ${describeDelivery(st.lastDelivery, say)}` } : {}),
        });
      }
      const items: ReplyItem[] = st.subscriptions.map((s) => ({
        label: `Subscription ${s.id}${s.status === 'paused' ? ' (paused)' : ''}`,
        text: describeSubscription(s, say),
      }));
      const text = lead(st.lastDelivery ? `Last digest in this channel: ${describeDelivery(st.lastDelivery, say)}.` : undefined);
      return okReply('digest', `Digest subscriptions here: ${st.subscriptions.length}`, {
        items,
        ...(text ? { text } : {}),
        footer: `Preview the next digest: ${say.name('digest', 'preview')} · moderators: ${say.name('digest', 'now')}, ${say.mention('digest', { id: slot('id') }, 'unsubscribe')}`,
      });
    }
    case 'preview':
      return { ...(await service.preview(channel, say)), visibility: 'private' };
    case 'now': {
      const r = await service.postNow({ channel, user: ctx.user, syntax: say });
      if (!r.ok) return errorReply('digest', r.code, r.message);
      const texts: Record<typeof r.outcome, string> = {
        delivered: `Posted a digest of ${r.articles} ${r.articles === 1 ? 'briefing' : 'briefings'} in this channel.`,
        'nothing-new': 'Nothing new since the last digest, so nothing was posted (DIGEST_EMPTY=skip).',
        sending: `The digest is being sent (the platform is slowing us down); ${say.name('digest', 'status')} shows when it arrives.`,
        failed: `The digest could not be posted: ${r.detail ?? 'unknown reason'}.`,
      };
      if (r.outcome === 'failed') return errorReply('digest', 'delivery-failed', texts.failed);
      return okReply('digest', r.outcome === 'delivered' ? 'Digest posted' : 'Digest', { text: texts[r.outcome] });
    }
  }
}

export default defineCommand({
  name: 'digest',
  description: 'Scheduled briefing digests for this channel',
  usage: 'subscribe <when> [time zone] | unsubscribe [id] | status | preview | now',
  examples: [
    { subcommand: 'subscribe', options: EXAMPLE },
    { subcommand: 'subscribe', options: { when: 'weekly mon 09:00' } },
    { subcommand: 'subscribe', options: { when: '30 8 * * 1-5', timezone: 'America/New_York' } },
    { subcommand: 'status' },
    { subcommand: 'unsubscribe', options: { id: 2 } },
  ],
  options: [],
  subcommands: [
    {
      name: 'subscribe',
      description: 'Post digests here on a schedule (moderators)',
      permission: 'moderator',
      options: [
        {
          name: 'when',
          type: 'string',
          description: 'daily 09:00, weekdays 08:30, weekly mon 09:00, or a cron expression',
          required: true,
          rest: true,
          maxLength: 200,
        },
        {
          name: 'timezone',
          type: 'string',
          description: 'IANA time zone, e.g. Europe/Istanbul',
          maxLength: 64,
          placeholder: 'time zone',
          autocomplete: zoneChoices,
        },
      ],
    },
    {
      name: 'unsubscribe',
      description: 'Stop a digest subscription here (moderators)',
      permission: 'moderator',
      options: [{ name: 'id', type: 'integer', description: 'Subscription id from /digest status', min: 1 }],
    },
    { name: 'status', description: 'Schedules, next runs and the last digest here', permission: 'everyone', options: [] },
    { name: 'preview', description: 'What the next digest would say (only you see it)', permission: 'everyone', options: [] },
    { name: 'now', description: 'Post a digest here now (moderators)', permission: 'moderator', options: [] },
  ],
  schema: z.object({
    subcommand: z.enum(SUBCOMMANDS, { error: `must be one of ${SUBCOMMANDS.join(', ')}` }).default('status'),
    when: z.string().trim().max(200, { error: 'is too long for a schedule' }).optional(),
    timezone: z.string().trim().max(64, { error: 'is too long for a time zone' }).optional(),
    id: z.coerce
      .number({ error: 'must be a subscription id such as 2' })
      .int({ error: 'must be a subscription id such as 2' })
      .min(1, { error: 'must be a subscription id such as 2' })
      .optional(),
  }),
  permission: 'everyone',
  async run({ subcommand, when, timezone, id }, ctx) {
    const service = digestService(ctx.services);
    if (!service) return errorReply('digest', 'digests-unavailable', 'Digests are off: this bot runs without its data store (STORE=off).');
    const channel = channelOf(ctx);
    if (!channel)
      return errorReply('digest', 'no-channel', `${syntaxOf(ctx).name('digest')} works in a channel: run it where the digests should go.`);
    try {
      return await run(
        subcommand,
        { ...(when ? { when } : {}), ...(timezone ? { timezone } : {}), ...(id !== undefined ? { id } : {}) },
        service,
        ctx,
        channel,
      );
    } catch (error) {
      if (!(error instanceof BotError) || error.code !== 'store-unavailable') throw error;
      return errorReply(
        'digest',
        'store-unavailable',
        `${UNREACHABLE[subcommand]} ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)} ${WAITING}`,
      );
    }
  },
});
