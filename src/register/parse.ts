import { createHash } from 'node:crypto';
import type { Article, ImportIssue } from '../core/article.ts';
import { importArticle } from '../core/import/index.ts';
import { decodeInput, type RawInput } from './decode.ts';
import { extractHtml } from './html.ts';

/** A briefing read from registration bytes, not yet stored. */
export interface ParsedBriefing {
  ok: true;
  article: Article;
  warnings: ImportIssue[];
  /** The text the importer read (for HTML, the Markdown extracted from the page). */
  text: string;
  /** sha256 of the raw bytes, to spot re-registrations of the same text. */
  rawSha256: string;
  linesOf: 'file' | 'extracted';
  /** Re-imports the same text under another id (a new revision of a briefing matched by title and author). */
  withId(id: string): ParsedBriefing | ParseRefusal;
}

export interface ParseRefusal {
  ok: false;
  code: string;
  message: string;
  errors?: ImportIssue[];
}

function describeErrors(label: string, errors: ImportIssue[], linesOf: 'file' | 'extracted'): string {
  const where = (e: ImportIssue) =>
    e.line !== undefined ? `line ${e.line}${linesOf === 'extracted' ? ' of the extracted text' : ''}: ` : '';
  return `${label} cannot be registered: ${errors.map((e) => `${where(e)}${e.message}`).join('; ')}`;
}

/**
 * What a briefing lacks that a moderator should know before publishing: numbered sources (its
 * answers would cite nothing) and an author (no byline anywhere).
 */
function missingParts(article: Article): ImportIssue[] {
  const out: ImportIssue[] = [];
  if (article.sources.length === 0) {
    out.push({
      code: 'no-sources',
      message:
        'no numbered sources were found, so answers from this briefing will cite nothing (expected a list of "[1] Author, “Title”, Outlet, URL, (Access Date: DD.MM.YYYY)." after the text)',
    });
  }
  if (!article.author) {
    out.push({
      code: 'no-author',
      message:
        'no author was found, so no byline will be shown (expected the author’s name line and bio after the sources, or author: in Markdown front matter)',
    });
  }
  return out;
}

/**
 * Checks and parses registration bytes: the byte-level checks of {@link decodeInput}, HTML
 * extraction for pages, then the importer. Nothing is stored. Never throws.
 */
export function parseBriefing(input: RawInput, maxBytes: number): ParsedBriefing | ParseRefusal {
  const decoded = decodeInput(input, maxBytes);
  if (!decoded.ok) return decoded;
  let text = decoded.text;
  let format: 'web' | 'markdown' = decoded.kind === 'web' ? 'web' : 'markdown';
  const linesOf = decoded.kind === 'html' ? 'extracted' : 'file';
  if (decoded.kind === 'html') {
    const page = extractHtml(decoded.text, input.label);
    if (!page.ok) return page;
    text = page.markdown;
    format = 'markdown';
  }
  const rawSha256 = createHash('sha256').update(input.bytes).digest('hex');
  const run = (id?: string): ParsedBriefing | ParseRefusal => {
    const result = importArticle(text, { format, ...(id ? { id } : {}) });
    if (!result.ok) {
      const first = result.errors[0];
      return {
        ok: false,
        code: first?.code ?? 'unreadable',
        message: describeErrors(input.label, result.errors, linesOf),
        errors: result.errors,
      };
    }
    const article: Article = decoded.kind === 'html' ? { ...result.article, format: 'html' } : result.article;
    const warnings = [...result.warnings, ...missingParts(article)];
    return { ok: true, article, warnings, text, rawSha256, linesOf, withId: (other) => run(other) };
  };
  return run();
}
