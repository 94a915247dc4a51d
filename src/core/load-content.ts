import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Article, ImportIssue } from './article.ts';
import { importArticle } from './import/index.ts';

/** File extensions read as articles: `.txt` (pasted web format), `.md` / `.markdown`. */
export const CONTENT_EXTENSIONS = ['.txt', '.md', '.markdown'] as const;

/** An article read from a content folder. */
export interface ContentEntry {
  article: Article;
  /** Path of the file: `dir` joined with its name. */
  file: string;
  /** The file's modification time, ISO 8601. */
  mtime: string;
  warnings: ImportIssue[];
}

/** A file that could not be imported, with why. */
export interface ContentProblem {
  file: string;
  errors: ImportIssue[];
}

/**
 * Imports every `.txt`, `.md` and `.markdown` file of a folder (not recursive), in file-name
 * order. Other files are skipped. A file that cannot be read or imported, or that repeats an
 * article id already loaded from an earlier file, becomes a problem; it never stops the rest.
 * A missing folder is a single `missing-dir` problem, or nothing with `missingOk`.
 * @example
 * const { entries, problems } = await loadContentDir('./content');
 */
export async function loadContentDir(
  dir: string,
  options: { missingOk?: boolean } = {},
): Promise<{ entries: ContentEntry[]; problems: ContentProblem[] }> {
  const entries: ContentEntry[] = [];
  const problems: ContentProblem[] = [];
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isFile() || d.isSymbolicLink())
      .map((d) => d.name)
      .filter((n) => !n.startsWith('.') && (CONTENT_EXTENSIONS as readonly string[]).includes(extname(n).toLowerCase()))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.missingOk) return { entries, problems };
    const message =
      code === 'ENOENT' ? `content folder "${dir}" does not exist` : `content folder "${dir}" cannot be read (${code ?? String(cause)})`;
    problems.push({ file: dir, errors: [{ code: code === 'ENOENT' ? 'missing-dir' : 'unreadable', message }] });
    return { entries, problems };
  }
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    let mtime: string;
    try {
      const info = await stat(file);
      if (!info.isFile()) continue;
      mtime = info.mtime.toISOString();
      text = await readFile(file, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
      problems.push({ file, errors: [{ code: 'unreadable', message: `${file} cannot be read (${code})` }] });
      continue;
    }
    const result = importArticle(text, { filename: name });
    if (!result.ok) {
      problems.push({ file, errors: result.errors });
      continue;
    }
    const earlier = seen.get(result.article.id);
    if (earlier) {
      problems.push({
        file,
        errors: [
          { code: 'duplicate-id', message: `article id "${result.article.id}" is already used by ${earlier}: give one of them another id` },
        ],
      });
      continue;
    }
    seen.set(result.article.id, file);
    entries.push({ article: result.article, file, mtime, warnings: result.warnings });
  }
  return { entries, problems };
}
