import { readFileSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Article, ImportIssue } from './article.ts';
import { type CacheMiss, ContentCache, contentKey } from './content-cache.ts';
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

/** Options for {@link loadContentDir}. */
export interface LoadContentOptions {
  /** A missing folder is no problem (loads nothing). */
  missingOk?: boolean;
  /**
   * A folder for the content cache (see content-cache.ts): files parsed before are not parsed
   * again, and articles come back lazy (their bodies read from the cache on first use).
   */
  cacheDir?: string;
  /** The cache's code fingerprint (default: worked out from the importer's sources). */
  cacheFingerprint?: string;
}

/** What the content cache did during a load. */
export interface ContentCacheReport {
  /** Files whose result came from the cache. */
  reused: number;
  /** Files parsed this time (none were cached, or they changed). */
  parsed: string[];
  /** Why the existing cache was set aside. */
  discarded?: CacheMiss;
  /** Whether the cache's index was written. */
  saved: boolean;
  /** Present when the cache could not be written (the load itself is fine). */
  saveError?: Error;
}

/** Yields to the event loop this often while loading, so a bot's probes keep answering. */
const SLICE_MS = 50;

/**
 * Imports every `.txt`, `.md` and `.markdown` file of a folder (not recursive), in file-name
 * order. Other files are skipped. A file that cannot be read or imported, or that repeats an
 * article id already loaded from an earlier file, becomes a problem; it never stops the rest.
 * A missing folder is a single `missing-dir` problem, or nothing with `missingOk`.
 * With `cacheDir`, unchanged files are not parsed again (`cache` reports what happened).
 * @example
 * const { entries, problems } = await loadContentDir('./content');
 */
export async function loadContentDir(
  dir: string,
  options: LoadContentOptions = {},
): Promise<{ entries: ContentEntry[]; problems: ContentProblem[]; cache?: ContentCacheReport }> {
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
  const opened = options.cacheDir ? ContentCache.open(options.cacheDir, options.cacheFingerprint) : undefined;
  const cache = opened?.cache;
  const report: ContentCacheReport | undefined = opened
    ? { reused: 0, parsed: [], saved: false, ...(opened.miss ? { discarded: opened.miss } : {}) }
    : undefined;
  const seen = new Map<string, string>();
  let slice = performance.now();
  for (const name of names) {
    if (performance.now() - slice > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    const file = join(dir, name);
    let bytes: Buffer;
    let mtime: string;
    try {
      const info = statSync(file);
      if (!info.isFile()) continue;
      mtime = info.mtime.toISOString();
      bytes = readFileSync(file);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
      problems.push({ file, errors: [{ code: 'unreadable', message: `${file} cannot be read (${code})` }] });
      continue;
    }
    const key = cache ? contentKey(name, bytes) : '';
    let result = cache?.lookup(key);
    if (result) (report as ContentCacheReport).reused++;
    else {
      result = importArticle(bytes.toString('utf8'), { filename: name });
      if (cache) {
        result = cache.store(key, result);
        (report as ContentCacheReport).parsed.push(file);
      }
    }
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
  if (cache && report) {
    try {
      report.saved = cache.save().written;
    } catch (cause) {
      report.saveError = cause instanceof Error ? cause : new Error(String(cause));
    }
  }
  return { entries, problems, ...(report ? { cache: report } : {}) };
}
