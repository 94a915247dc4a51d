import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Article } from '../../src/core/article.ts';
import type { ChannelSender } from '../../src/core/channel.ts';
import type { CommandContext, Platform } from '../../src/core/command.ts';
import type { Library } from '../../src/core/library.ts';
import type { OkReply } from '../../src/core/reply.ts';
import type { SchedulerLog } from '../../src/scheduler/deliver.ts';
import type { DigestConfig } from '../../src/scheduler/types.ts';

/** A fresh directory under the OS temp dir; call the returned cleanup in afterEach. */
export function tempDataDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'briefing-digest-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface SentDigest {
  channelId: string;
  reply: OkReply;
  idempotencyKey: string;
  /** The subscription's workspace, which the sender posts as. */
  workspaceId?: string;
  at: string;
}

/** What a send should do: return message ids, or throw (a DeliveryError to test failures). */
export type SendBehaviour = (call: SentDigest, attempt: number) => Promise<{ messageIds: string[] }> | { messageIds: string[] };

/** A ChannelSender that records every attempt and delivery, with a pluggable behaviour. */
export class RecordingSender implements ChannelSender {
  readonly platform: Platform;
  readonly attempts: SentDigest[] = [];
  readonly delivered: SentDigest[] = [];
  behaviour: SendBehaviour | undefined;

  constructor(platform: Platform, behaviour?: SendBehaviour) {
    this.platform = platform;
    this.behaviour = behaviour;
  }

  async send(
    channelId: string,
    reply: OkReply,
    options: { idempotencyKey: string; workspaceId?: string },
  ): Promise<{ messageIds: string[] }> {
    const call = {
      channelId,
      reply,
      idempotencyKey: options.idempotencyKey,
      ...(options.workspaceId ? { workspaceId: options.workspaceId } : {}),
      at: new Date().toISOString(),
    };
    this.attempts.push(call);
    const result = this.behaviour ? await this.behaviour(call, this.attempts.length) : { messageIds: [`m${this.attempts.length}`] };
    this.delivered.push(call);
    return result;
  }
}

export const silentLog: SchedulerLog = { info() {}, warn() {}, error() {}, debug() {} };

/** A log that keeps entries, to assert that nothing failed silently. */
export function memoryLog(): SchedulerLog & { entries: { level: string; msg: string; obj: Record<string, unknown> }[] } {
  const entries: { level: string; msg: string; obj: Record<string, unknown> }[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => entries.push({ level, msg, obj });
  return { entries, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

export const DIGEST_CONFIG: DigestConfig = { DIGEST_EMPTY: 'skip', DIGEST_CATCHUP_HOURS: 6, DEFAULT_TIMEZONE: 'Europe/Istanbul' };

/** A command context in a chat channel, moderator unless told otherwise. */
export function channelContext(
  library: Library,
  services: CommandContext['services'],
  options: { platform?: Platform; channelId?: string; moderator?: boolean } = {},
): CommandContext {
  const platform = options.platform ?? 'slack';
  return {
    library,
    user: { id: 'U-mod', name: 'moderator', isModerator: options.moderator ?? true },
    platform,
    channel: { platform, id: options.channelId ?? 'C-digest', name: 'briefings', workspaceId: 'T1' },
    now: () => new Date(),
    services,
  };
}

/** A copy of an article under another id and title (passage ids follow), to add "new" briefings. */
export function renamed(article: Article, id: string, title: string, changes: Partial<Article> = {}): Article {
  const pid = (old: string) => old.replace(`${article.id}#`, `${id}#`);
  return {
    ...article,
    id,
    title,
    passages: article.passages.map((p) => ({ ...p, id: pid(p.id), articleId: id })),
    scenarios: article.scenarios.map((s) => ({ ...s, passageIds: s.passageIds.map(pid) })),
    ...changes,
  };
}
