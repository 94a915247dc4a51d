import { z } from 'zod';
import type { CommandContext } from '../src/core/command.ts';
import { defineCommand } from '../src/core/command.ts';
import { truncate, utcMinute } from '../src/core/command-kit.ts';
import {
  type PublishedBriefing,
  type RegistrationPreview,
  type RegistrationSource,
  type RegistryActor,
  registryOf,
} from '../src/core/registry.ts';
import { errorReply, type OkReply, okReply, type Reply, type ReplyItem } from '../src/core/reply.ts';
import { type CommandSyntax, slot, syntaxOf } from '../src/core/syntax.ts';

const FORMAT_NAMES = { web: 'pasted web text', markdown: 'Markdown', html: 'HTML page' } as const;

const attachmentSchema = z.object({
  name: z.string().trim().min(1).max(300),
  url: z.string().trim().min(1).max(4000),
  contentType: z.string().max(200).optional(),
  size: z.number().int().min(0).optional(),
});

const flag = z.union([z.boolean(), z.string()]).optional();

export { utcMinute };

function actorOf(ctx: CommandContext): RegistryActor {
  return { user: ctx.user, platform: ctx.platform, ...(ctx.channel ? { channel: ctx.channel } : {}), syntax: syntaxOf(ctx) };
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** What publishing will do, in one sentence. */
function consequence(preview: RegistrationPreview): string {
  const { existing, article } = preview;
  if (!existing) return `Publishing adds it as “${article.id}”.`;
  if (existing.origin === 'content')
    return `Publishing replaces the shipped briefing “${existing.articleId}” (same ${existing.matchedBy === 'id' ? 'id' : 'title and author'}) with registered revision 1.`;
  const why = existing.matchedBy === 'id' ? 'same id' : 'same title and author';
  const same = existing.identical ? `; the text is identical to revision ${existing.revision}` : '';
  const back = existing.hidden ? '; it is unregistered now and publishing restores it' : '';
  return `Publishing makes revision ${existing.revision + 1} of “${existing.articleId}” (${why}${same}${back}).`;
}

function warningItems(preview: RegistrationPreview): ReplyItem[] {
  const of = preview.linesOf === 'extracted' ? ' of the extracted text' : '';
  return preview.warnings.map((w) => ({ label: w.line !== undefined ? `Warning, line ${w.line}${of}` : 'Warning', text: w.message }));
}

/** The preview a moderator checks before publishing, with Publish and Cancel buttons. */
export function previewReply(preview: RegistrationPreview): OkReply {
  const a = preview.article;
  const byline = [a.kicker, a.author ? `by ${a.author.name}` : 'no author given', a.date].filter(Boolean).join(' · ');
  const scenarios = a.scenarios.length
    ? `${plural(a.scenarios.length, 'scenario')} (${a.scenarios.map((s) => s.label).join('; ')})`
    : 'no scenarios found';
  const counts = `${plural(a.passages.length, 'passage')}, ${plural(a.sources.length, 'source')}, ${scenarios}`;
  const warned = preview.warnings.length ? `${plural(preview.warnings.length, 'warning')} below.` : 'No warnings.';
  return okReply('register', `Preview: ${truncate(a.title, 230)}`, {
    text: `${byline}.\nFrom ${truncate(preview.sourceLabel, 200)} (${FORMAT_NAMES[a.format]}): ${counts}.\n${consequence(preview)} ${warned}`,
    items: [...a.keyPoints.map((text) => ({ label: 'Key point', text })), ...warningItems(preview)],
    footer: `Nothing is stored until you publish. This preview expires at ${utcMinute(preview.expiresAt)}.`,
    actions: [
      { type: 'run', label: 'Publish', invoke: { command: 'register', options: { confirm: preview.pendingId } } },
      { type: 'run', label: 'Cancel', invoke: { command: 'register', options: { cancel: preview.pendingId } } },
    ],
  });
}

/** The answer once a briefing is live. */
export function publishedReply(published: PublishedBriefing, say: CommandSyntax, preview?: RegistrationPreview): OkReply {
  const p = published;
  const replaced = p.replaced ? ' It replaces the earlier version everywhere.' : '';
  return okReply('register', `Registered: ${truncate(p.title, 230)}`, {
    text: `“${p.articleId}” revision ${p.revision} is live: ${say.name('articles')} lists it and ${say.name('ask')} searches its ${plural(p.passages, 'passage')} and ${plural(p.sources, 'source')} on every platform.${replaced}`,
    items: [
      { label: 'id', text: p.articleId },
      { label: 'revision', text: String(p.revision) },
      { label: 'registered', text: utcMinute(p.registeredAt) },
      ...(preview ? warningItems(preview) : []),
    ],
    footer: `${say.mention('unregister', { id: p.articleId })} hides it again; ${say.name('audit')} shows who did what.`,
    actions: [{ type: 'run', label: 'Summary', invoke: { command: 'brief', options: { article: p.articleId } } }],
  });
}

function isTrue(value: boolean | string | undefined): boolean {
  return value === true || (typeof value === 'string' && /^(?:true|yes|1)$/i.test(value));
}

/** Reads where the briefing comes from; on the terminal and CLI a plain path is a local file. */
function sourceOf(
  url: string | undefined,
  file: z.infer<typeof attachmentSchema> | undefined,
  ctx: CommandContext,
): RegistrationSource | Reply {
  if (file) return { kind: 'attachment', attachment: file, ...(ctx.download ? { download: ctx.download } : {}) };
  if (!url) {
    const say = syntaxOf(ctx);
    return errorReply(
      'register',
      'missing-source',
      `${say.name('register')} needs a briefing: give its web address (${say.mention('register', { url: 'https://…' })}) or attach a .txt, .md or .html file${ctx.platform === 'discord' ? ` (${say.mention('register', { file: slot('file') })})` : ''}.`,
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return { kind: 'url', url };
  if (ctx.platform === 'cli' || ctx.platform === 'console') return { kind: 'file', path: url };
  return errorReply(
    'register',
    'bad-url',
    `"${truncate(url, 80)}" is not a web address: give one starting with https://, or attach the file.`,
  );
}

export default defineCommand({
  name: 'register',
  description: 'Register a briefing from a file or web address (moderators)',
  usage: '<url> | [file]',
  examples: [{ options: { url: 'https://example.org/analysis/briefing' } }, { options: { file: slot('a .txt, .md or .html file') } }],
  options: [
    { name: 'url', type: 'string', description: 'Web address of the briefing (terminal: or a file path)', maxLength: 2000 },
    { name: 'file', type: 'attachment', description: 'The briefing as a .txt, .md or .html file' },
  ],
  schema: z.object({
    url: z.string().trim().min(1).max(2000, { error: 'is too long for a web address' }).optional(),
    file: attachmentSchema.optional(),
    /** A pending registration to publish (the Publish button). */
    confirm: z.string().trim().min(1).max(64).optional(),
    /** A pending registration to drop (the Cancel button). */
    cancel: z.string().trim().min(1).max(64).optional(),
    /** Publish without a preview (`--yes`). */
    yes: flag,
  }),
  permission: 'moderator',
  async run({ url, file, confirm, cancel, yes }, ctx) {
    const registry = registryOf(ctx.services);
    if (!registry)
      return errorReply(
        'register',
        'unavailable',
        'Registering briefings is not available: this bot runs without its data store (STORE=off).',
      );
    const actor = actorOf(ctx);
    if (confirm) {
      const result = await registry.publish(confirm, actor);
      return result.ok ? publishedReply(result.published, syntaxOf(ctx)) : errorReply('register', result.code, result.message);
    }
    if (cancel) {
      const result = await registry.cancel(cancel, actor);
      return result.ok
        ? okReply('register', 'Registration cancelled', {
            text: `“${truncate(result.title, 200)}” was not registered; nothing was stored.`,
          })
        : errorReply('register', result.code, result.message);
    }
    // `/register --yes https://…` in text form reads the address as the flag's value.
    const target = url ?? (typeof yes === 'string' && !isTrue(yes) && !/^(?:false|no|0)$/i.test(yes) ? yes : undefined);
    const source = sourceOf(target, file, ctx);
    if ('ok' in source) return source;
    const prepared = await registry.prepare(source, actor);
    if (!prepared.ok) return errorReply('register', prepared.code, prepared.message);
    if (!isTrue(yes) && !(typeof yes === 'string' && target === yes)) return previewReply(prepared.preview);
    const result = await registry.publish(prepared.preview.pendingId, actor);
    return result.ok
      ? publishedReply(result.published, syntaxOf(ctx), prepared.preview)
      : errorReply('register', result.code, result.message);
  },
});
