import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { truncate } from '../src/core/command-kit.ts';
import { type AuditRecord, registryOf } from '../src/core/registry.ts';
import { errorReply, okReply, type ReplyItem } from '../src/core/reply.ts';

const PER_PAGE = 20;

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** One audit entry as a sentence: "registered second-briefing revision 2 (“Title” from file.md)". */
export function describeEntry(e: AuditRecord): string {
  const d = e.detail ?? {};
  const target = e.target ?? '';
  switch (e.action) {
    case 'article.register': {
      const from = text(d.source) ? ` from ${truncate(text(d.source) as string, 120)}` : '';
      const title = text(d.title) ? ` (“${truncate(text(d.title) as string, 120)}”${from})` : from;
      return `registered ${target}${text(d.revision) ? ` revision ${text(d.revision)}` : ''}${title}`;
    }
    case 'article.unregister':
      return `unregistered ${target}${text(d.revisions) ? ` (${text(d.revisions) === '1' ? '1 revision' : `${text(d.revisions)} revisions`} kept)` : ''}`;
    default: {
      const extra = Object.entries(d)
        .filter(([, v]) => text(v) !== undefined)
        .slice(0, 4)
        .map(([k, v]) => `${k} ${truncate(text(v) as string, 60)}`)
        .join(', ');
      return `${e.action.replace(/\./g, ' ')}${target ? ` ${target}` : ''}${extra ? ` (${extra})` : ''}`;
    }
  }
}

export default defineCommand({
  name: 'audit',
  description: 'Who registered, unregistered or changed what, newest first (moderators)',
  usage: '[--article id]',
  examples: [{}, { options: { article: 'second-briefing' } }],
  options: [
    { name: 'article', type: 'string', description: 'Only entries about this briefing id', maxLength: 200, flag: true, placeholder: 'id' },
  ],
  schema: z.object({
    article: z.string().trim().min(1).max(200).optional(),
    /** Entries older than this id (the "Older entries" button). */
    before: z.coerce.number({ error: 'must be an entry number' }).int().min(1).optional(),
  }),
  permission: 'moderator',
  async run({ article, before }, ctx) {
    const registry = registryOf(ctx.services);
    if (!registry)
      return errorReply('audit', 'unavailable', 'The audit log is not available: this bot runs without its data store (STORE=off).');
    // The terminal and the CLI are the operator's: they see every workspace's entries.
    const chat = ctx.platform === 'slack' || ctx.platform === 'discord';
    const entries = await registry.audit({
      limit: PER_PAGE + 1,
      ...(article ? { target: article } : {}),
      ...(before ? { beforeId: before } : {}),
      ...(chat
        ? { visibleTo: { platform: ctx.platform, ...(ctx.channel?.workspaceId ? { workspaceId: ctx.channel.workspaceId } : {}) } }
        : {}),
    });
    const shown = entries.slice(0, PER_PAGE);
    const about = article ? ` about ${article}` : '';
    if (shown.length === 0)
      return okReply('audit', `Audit log${about}`, { text: before ? 'No older entries.' : `Nothing recorded yet${about}.` });
    const items: ReplyItem[] = shown.map((e) => ({
      label: `${e.at.slice(0, 10)} ${e.at.slice(11, 16)} UTC · ${e.actorName ?? e.actor}${e.platform ? ` (${e.platform})` : ''}`,
      text: describeEntry(e),
    }));
    const last = shown.at(-1) as AuditRecord;
    return okReply('audit', `Audit log${about}`, {
      text: `${shown.length} ${shown.length === 1 ? 'entry' : 'entries'}, newest first.`,
      items,
      ...(entries.length > PER_PAGE
        ? {
            actions: [
              {
                type: 'run' as const,
                label: 'Older entries',
                invoke: { command: 'audit', options: { before: last.id, ...(article ? { article } : {}) } },
              },
            ],
          }
        : {}),
    });
  },
});
