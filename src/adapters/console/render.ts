import { type Excerpt, mergeRanges, type Reply, type SourceRef } from '../../core/reply.ts';

export interface TextRenderOptions {
  /** ANSI bold/dim for a terminal; off for pipes and files. */
  color?: boolean;
  /** Wrap width in columns (default 100). */
  width?: number;
}

const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Removes terminal control sequences and control characters from untrusted text. */
export function sanitize(text: string): string {
  return text
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[\]P^_][\s\S]*?(?:\x07|\x1b\\)/g, '')
    .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '');
}

function wrap(text: string, width: number, indent: string): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const visible = line.replace(/\x1b\[[0-9;]*m/g, '').length;
      if (visible > 0 && visible + 1 + word.replace(/\x1b\[[0-9;]*m/g, '').length > width - indent.length) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(indent + line);
  }
  return out.join('\n');
}

/** Excerpt text with highlights in bold and any citation the text lacks appended as `[n]`. */
export function excerptText(excerpt: Excerpt, color: boolean): string {
  let text = '';
  let at = 0;
  for (const [start, end] of mergeRanges(excerpt.highlights, excerpt.text.length)) {
    text += sanitize(excerpt.text.slice(at, start));
    const word = sanitize(excerpt.text.slice(start, end));
    text += color ? `${BOLD}${word}${RESET}` : word;
    at = end;
  }
  text += sanitize(excerpt.text.slice(at));
  const missing = excerpt.citations.filter((n) => !excerpt.text.includes(`[${n}]`));
  if (missing.length) text += ` ${missing.map((n) => `[${n}]`).join('')}`;
  return text;
}

export function sourceLine(s: SourceRef): string {
  const by = s.author ? `${sanitize(s.author)}, ` : '';
  const outlet = s.outlet ? ` — ${sanitize(s.outlet)}` : '';
  return `[${s.n}] ${by}“${sanitize(s.title)}”${outlet}`;
}

/**
 * Renders a reply as readable terminal text.
 * @example renderText(reply, { color: process.stdout.isTTY })
 */
export function renderText(reply: Reply, options: TextRenderOptions = {}): string {
  const color = options.color ?? false;
  const width = Math.max(40, options.width ?? 100);
  const bold = (s: string) => (color ? `${BOLD}${s}${RESET}` : s);
  const dim = (s: string) => (color ? `${DIM}${s}${RESET}` : s);
  if (!reply.ok) return `✖ ${sanitize(reply.error.message)}`;
  const lines: string[] = [bold(sanitize(reply.title))];
  if (reply.text) lines.push(wrap(sanitize(reply.text), width, ''));
  for (const item of reply.items ?? []) {
    const label = item.label ? `${sanitize(item.label)}: ` : '';
    lines.push(wrap(`• ${label}${sanitize(item.text)}`, width, '  ').replace(/^ {2}/, ''));
  }
  for (const e of reply.excerpts) {
    lines.push('');
    if (e.label && e.label !== reply.title) lines.push(bold(sanitize(e.label)));
    lines.push(wrap(excerptText(e, color), width, '  '));
    lines.push(dim(`  — ${e.passageId}`));
  }
  if (reply.sources.length) {
    lines.push('', bold('Sources'));
    for (const s of reply.sources) {
      lines.push(wrap(sourceLine(s), width, '  '));
      const where = [s.url ? sanitize(s.url) : undefined, s.accessed ? `accessed ${s.accessed}` : undefined].filter(Boolean).join(' · ');
      if (where) lines.push(`      ${where}`);
    }
  }
  if (reply.footer) lines.push('', dim(sanitize(reply.footer)));
  return lines.join('\n');
}
