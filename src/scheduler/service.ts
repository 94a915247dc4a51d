import type { Article } from '../core/article.ts';
import type { ChannelSender } from '../core/channel.ts';
import type { CommandChannel, Platform } from '../core/command.ts';
import { chooseDigest, composeDigest, emptyDigest } from '../core/digest.ts';
import type { DeliveryView, DigestService, PostNowResult, SubscriptionView } from '../core/digests.ts';
import type { Library } from '../core/library.ts';
import { type CommandSyntax, slot, syntaxOf } from '../core/syntax.ts';
import { unreachableReason } from '../store/index.ts';
import type { Delivery, Store, Subscription } from '../store/types.ts';
import { type CronSpec, nextSlot } from './cron.ts';
import type { DeliveryResult } from './deliver.ts';
import type { Sleep } from './rate-limit.ts';
import { describeCron, parseSchedule } from './when.ts';
import { formatInstant } from './zone.ts';

/** Subscriptions one channel may hold. */
export const MAX_SUBSCRIPTIONS_PER_CHANNEL = 10;

export interface ServiceDeps {
  store: Store;
  library: Library;
  senders: ReadonlyMap<Platform, ChannelSender>;
  config: { DEFAULT_TIMEZONE: string; DIGEST_EMPTY: 'skip' | 'post' };
  now: () => Date;
  sleep: Sleep;
  postNowWaitMs: number;
  specOf(sub: Subscription): CronSpec | undefined;
  postNow(request: { channel: CommandChannel }): Promise<{ delivery: Delivery; done: Promise<DeliveryResult> }>;
}

const PLATFORM_NAMES: Record<Platform, string> = { slack: 'Slack', discord: 'Discord', console: 'the terminal', cli: 'the command line' };

/**
 * Why `/digest now` cannot post here: this process has nothing to post with on that platform.
 * The terminal channel posts only into an interactive chat (main.ts starts no terminal sender
 * for piped input, which is a script, nor for `exec`).
 */
function noSender(platform: Platform, say: CommandSyntax): string {
  const preview = `${say.name('digest', 'preview')} shows what would be posted.`;
  if (platform === 'console' || platform === 'cli') {
    return `Digests are posted in the terminal only while the chat runs in an interactive terminal (npm start at a prompt); with piped input or briefing-bot exec there is nowhere to post one. ${preview}`;
  }
  return `Digests cannot be posted to ${PLATFORM_NAMES[platform]} from this bot process: it is not connected there. ${preview}`;
}

const OUTCOMES = { claimed: 'sending', delivered: 'delivered', empty: 'nothing-new', failed: 'failed', skipped: 'skipped' } as const;

function deliveryView(d: Delivery, zone: string): DeliveryView {
  return {
    slotIso: d.slot,
    slotLocal: formatInstant(new Date(d.slot), zone),
    outcome: OUTCOMES[d.status],
    late: d.late,
    recovered: d.recovered,
    attempts: d.attempts,
    articles: d.status === 'delivered' ? d.articleIds.length : 0,
    manual: d.kind === 'manual',
    ...(d.error ? { detail: d.error } : {}),
  };
}

/**
 * The channel's subscriptions that belong to the asking workspace. A Slack channel shared
 * between workspaces has the same id in each, and one workspace's moderators must neither see
 * nor change another's subscriptions. Subscriptions that record no workspace belong to all.
 */
async function channelSubscriptions(store: Store, channel: CommandChannel): Promise<Subscription[]> {
  const subs = await store.subscriptions.listForChannel(channel.platform, channel.id);
  return channel.workspaceId ? subs.filter((s) => !s.workspaceId || s.workspaceId === channel.workspaceId) : subs;
}

/** `/digest` backed by the store and the scheduler's ledger. */
export function createDigestService(deps: ServiceDeps): DigestService {
  const { store } = deps;
  const view = async (sub: Subscription): Promise<SubscriptionView> => {
    const spec = deps.specOf(sub);
    const next = sub.status === 'active' && spec ? nextSlot(spec, sub.timeZone, deps.now()) : undefined;
    const [last] = await store.deliveries.recentForSubscription(sub.id, 1);
    return {
      id: sub.id,
      schedule: sub.schedule,
      cron: sub.cron,
      timeZone: sub.timeZone,
      description: describeCron(sub.cron),
      status: sub.status,
      ...(sub.pausedReason ? { pausedReason: sub.pausedReason } : {}),
      ...(sub.pausedAt ? { pausedAt: formatInstant(new Date(sub.pausedAt), sub.timeZone) } : {}),
      ...(next ? { nextRun: { iso: next.toISOString(), local: formatInstant(next, sub.timeZone), utc: formatInstant(next, 'UTC') } } : {}),
      ...(last ? { lastDelivery: deliveryView(last, sub.timeZone) } : {}),
      createdBy: sub.createdBy,
    };
  };
  const digestFor = (articleIds: string[], omitted: number, first: boolean, syntax: CommandSyntax) => {
    const articles = articleIds.map((id) => deps.library.get(id)?.article).filter((a): a is Article => a !== undefined);
    return articles.length ? composeDigest({ articles, omitted, first, visibility: 'private', syntax }) : undefined;
  };

  return {
    async subscribe({ channel, user, when, timeZone, syntax }) {
      const say = syntax ?? syntaxOf({});
      const parsed = parseSchedule(when, timeZone, deps.config.DEFAULT_TIMEZONE, deps.now());
      if (!parsed.ok) return parsed;
      const { schedule, spec, timeZone: zone } = parsed.value;
      const existing = await channelSubscriptions(store, channel);
      const same = existing.find((s) => s.cron === spec.expression && s.timeZone === zone);
      const at = deps.now().toISOString();
      const audit = {
        at,
        actor: user.id,
        ...(user.name ? { actorName: user.name } : {}),
        platform: channel.platform,
        ...(channel.workspaceId ? { workspaceId: channel.workspaceId } : {}),
        channelId: channel.id,
      };
      if (same?.status === 'paused') {
        await store.subscriptions.resume(same.id, at, { ...audit, action: 'digest.resume', target: `subscription:${same.id}` });
        return { ok: true, resumed: true, subscription: await view((await store.subscriptions.get(same.id)) as Subscription) };
      }
      if (same) {
        return {
          ok: false,
          code: 'already-subscribed',
          message: `This channel already gets "${same.schedule}" digests in ${same.timeZone} (subscription ${same.id}). See ${say.name('digest', 'status')}.`,
        };
      }
      if (existing.length >= MAX_SUBSCRIPTIONS_PER_CHANNEL) {
        return {
          ok: false,
          code: 'too-many-subscriptions',
          message: `This channel has ${existing.length} digest subscriptions, the most allowed; remove one first: ${say.mention('digest', { id: slot('id') }, 'unsubscribe')}.`,
        };
      }
      const created = await store.subscriptions.create(
        {
          platform: channel.platform,
          channelId: channel.id,
          ...(channel.name ? { channelName: channel.name } : {}),
          ...(channel.workspaceId ? { workspaceId: channel.workspaceId } : {}),
          schedule,
          cron: spec.expression,
          timeZone: zone,
          createdBy: user.id,
          createdAt: at,
        },
        { ...audit, action: 'digest.subscribe', detail: { schedule, timeZone: zone } },
      );
      return { ok: true, resumed: false, subscription: await view(created) };
    },

    async unsubscribe({ channel, user, id, syntax }) {
      const say = syntax ?? syntaxOf({});
      const subs = await channelSubscriptions(store, channel);
      const list = subs.map((s) => `${s.id} (${s.schedule} ${s.timeZone})`).join(', ');
      if (!subs.length) return { ok: false, code: 'no-subscription', message: 'This channel has no digest subscription.' };
      let target: Subscription | undefined;
      if (id === undefined) {
        if (subs.length > 1) {
          return {
            ok: false,
            code: 'which-subscription',
            message: `This channel has ${subs.length} digest subscriptions: ${list}. Say which one: ${say.mention('digest', { id: subs[0]?.id ?? 1 }, 'unsubscribe')}`,
          };
        }
        target = subs[0];
      } else {
        target = subs.find((s) => s.id === id);
        if (!target)
          return {
            ok: false,
            code: 'unknown-subscription',
            message: `There is no digest subscription ${id} in this channel; it has ${list}.`,
          };
      }
      const sub = target as Subscription;
      const at = deps.now().toISOString();
      await store.subscriptions.cancel(sub.id, user.id, at, {
        at,
        actor: user.id,
        ...(user.name ? { actorName: user.name } : {}),
        platform: channel.platform,
        ...(channel.workspaceId ? { workspaceId: channel.workspaceId } : {}),
        channelId: channel.id,
        action: 'digest.unsubscribe',
        target: `subscription:${sub.id}`,
      });
      return { ok: true, removed: await view({ ...sub, status: 'cancelled' }) };
    },

    async status(channel) {
      const subs = await channelSubscriptions(store, channel);
      const [last] = await store.deliveries.recentForChannel(channel.platform, channel.id, 1);
      const zone = subs[0]?.timeZone ?? deps.config.DEFAULT_TIMEZONE;
      // Read fine, but maybe not writable (a lock another process keeps): then no slot can be claimed.
      const storeProblem = await store.ping().then(() => undefined, unreachableReason);
      return {
        subscriptions: await Promise.all(subs.map(view)),
        ...(last ? { lastDelivery: deliveryView(last, zone) } : {}),
        defaultTimeZone: deps.config.DEFAULT_TIMEZONE,
        ...(storeProblem ? { storeProblem } : {}),
      };
    },

    async preview(channel, syntax) {
      const say = syntax ?? syntaxOf({});
      const previous = await store.deliveries.previousDigest(channel.platform, channel.id);
      const choice = chooseDigest(deps.library.list(), previous, deps.now());
      const reply = digestFor(choice.articleIds, choice.omitted, choice.first, say);
      if (reply) return { ...reply, title: `Preview — ${reply.title}`, actions: reply.actions ?? [] };
      const note = emptyDigest(previous?.cutoff, 'private', say);
      const posts = deps.config.DIGEST_EMPTY === 'post' ? 'this note would be posted' : 'nothing would be posted (DIGEST_EMPTY=skip)';
      return { ...note, title: `Preview — ${note.title}`, footer: `Right now ${posts}.` };
    },

    async postNow({ channel, syntax }): Promise<({ ok: true } & PostNowResult) | { ok: false; code: string; message: string }> {
      if (!deps.senders.has(channel.platform))
        return { ok: false, code: 'no-sender', message: noSender(channel.platform, syntax ?? syntaxOf({})) };
      const { delivery, done } = await deps.postNow({ channel });
      const timeout = new AbortController();
      const waited = await Promise.race([done, deps.sleep(deps.postNowWaitMs, timeout.signal).then(() => 'waiting' as const)]);
      timeout.abort();
      const finished = await store.deliveries.get(delivery.key);
      const articles = delivery.articleIds.length;
      if (waited === 'waiting' || !finished || finished.status === 'claimed') return { ok: true, outcome: 'sending', articles };
      if (finished.status === 'delivered') return { ok: true, outcome: 'delivered', articles };
      if (finished.status === 'empty') return { ok: true, outcome: 'nothing-new', articles: 0 };
      return { ok: true, outcome: 'failed', articles, ...(finished.error ? { detail: finished.error } : {}) };
    },
  };
}
