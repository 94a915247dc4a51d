import type { ImportIssue, ImportResult } from '../article.ts';
import { buildArticle, type Draft } from './build.ts';
import { readMarkdown } from './markdown.ts';
import { normalizeText } from './text.ts';
import { readWeb } from './web.ts';

export { exportMarkdown } from './export-markdown.ts';
export { type DetectedScenario, detectScenarios, findScenario } from './scenarios.ts';
export { citationsIn, parseDate, parseUrl } from './sources.ts';

/** Options for {@link importArticle}. */
export interface ImportOptions {
  /** File name; `.md`/`.markdown` selects the Markdown importer. */
  filename?: string;
  /** Forces a format instead of detecting it. */
  format?: 'web' | 'markdown';
  /** Article id to use instead of the slug of the title. */
  id?: string;
}

/** Which importer reads this text: the option, else the file extension, else leading `---` front matter. */
export function detectFormat(text: string, options: ImportOptions = {}): 'web' | 'markdown' {
  if (options.format) return options.format;
  if (options.filename && /\.(?:md|markdown)$/i.test(options.filename)) return 'markdown';
  if (options.filename && /\.[a-z0-9]+$/i.test(options.filename)) return 'web';
  return /^\uFEFF?\s*---[ \t]*\r?\n/.test(text) ? 'markdown' : 'web';
}

/**
 * Imports an article from pasted web text or Markdown with YAML front matter. Never throws:
 * problems come back as errors (`empty`, `no-title`, `no-body`, …) and warnings
 * (`missing-source`, `uncited-source`, `duplicate-source`, `bad-url`, `bad-date`, …), each
 * with its 1-based line and a message naming the bad value.
 *
 * Passage text is kept as printed, footnote markers included ("…relations.[6]"); the markers
 * are also parsed into `passage.citations`. Renderers and the search index may strip them.
 * @example
 * const result = importArticle(text, { filename: 'briefing.txt' });
 * if (result.ok) console.log(result.article.sources.length); // 9
 */
export function importArticle(text: string, options: ImportOptions = {}): ImportResult {
  try {
    if (typeof text !== 'string' || text.trim() === '') {
      return {
        ok: false,
        errors: [{ code: 'empty', line: 1, message: 'the article is empty: paste its title, then its paragraphs' }],
        warnings: [],
      };
    }
    const normalized = normalizeText(text);
    const draft: Draft = detectFormat(text, options) === 'markdown' ? readMarkdown(normalized) : readWeb(normalized);
    return buildArticle(draft, { id: options.id });
  } catch (cause) {
    const issue: ImportIssue = {
      code: 'unreadable',
      message: `the article could not be read: ${cause instanceof Error ? cause.message : String(cause)}`,
    };
    return { ok: false, errors: [issue], warnings: [] };
  }
}
