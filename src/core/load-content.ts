import { closeSync, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Article, ImportIssue, ImportResult } from './article.ts';
import { type CacheMiss, ContentCache, contentKey, type ParsedContent, parseContent } from './content-cache.ts';
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
  /**
   * Use the cache without changing it (another process, a running bot, owns it): files it lacks
   * are parsed here and not added, and nothing is written. For checks such as `doctor`.
   */
  cacheReadOnly?: boolean;
  /** The clock (ms), for the cache's file stamps (default `Date.now`). */
  now?: () => number;
  /**
   * Parses files elsewhere (worker threads), answering in the order given; used with
   * `cacheDir` for the files the cache does not have. Default: on this thread.
   */
  parseFiles?: ParseFiles;
}

/** Parses content files into the content cache's form, in order (see `parseContent`). */
export type ParseFiles = (files: readonly { name: string; bytes: Uint8Array }[]) => Promise<ParsedContent[]>;

/** What the content cache did during a load. */
export interface ContentCacheReport {
  /** Files whose result came from the cache. */
  reused: number;
  /**
   * Files read and hashed: new or changed ones, and those changed shortly before the cache
   * last saw them (the others are known unchanged by their stamp; see `ContentCache.knownKey`).
   */
  read: number;
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
/** Fewer files to parse than this are parsed here even when `parseFiles` is given (threads take time to start). */
const PARALLEL_FROM = 64;

/** A function to await in long loops: it yields to the event loop once every SLICE_MS. */
function slicer(): () => Promise<void> {
  let slice = performance.now();
  return async () => {
    if (performance.now() - slice < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    slice = performance.now();
  };
}

function unreadable(file: string, cause: unknown): ImportIssue {
  const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
  return { code: 'unreadable', message: `${file} cannot be read (${code})` };
}

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
  const opened = options.cacheDir ? ContentCache.open(options.cacheDir, options.cacheFingerprint, (options.now ?? Date.now)()) : undefined;
  const cache = opened?.cache;
  const report: ContentCacheReport | undefined = opened
    ? { reused: 0, read: 0, parsed: [], saved: false, ...(opened.miss ? { discarded: opened.miss } : {}) }
    : undefined;
  // Files in name order; a file the cache lacks gets its result in a second pass.
  const slots: { file: string; name: string; mtime: string; result?: ImportResult }[] = [];
  const misses: (typeof slots)[number][] = [];
  // One buffer for every file read (grown as needed), instead of a new one per file that
  // would only be garbage once hashed: a large folder is read with little memory churn.
  let buffer: Buffer = Buffer.allocUnsafe(1 << 16);
  const read = (file: string): { bytes: Buffer; stat: Stats } | undefined => {
    const got = readInto(file, buffer);
    if (got) buffer = got.buffer;
    return got;
  };
  const tick = slicer();
  for (const name of names) {
    await tick();
    const file = join(dir, name);
    let got: ReturnType<typeof read>;
    try {
      // A file the cache knows unchanged by its stamp is not read at all.
      const stat = cache ? statSync(file) : undefined;
      if (stat && !stat.isFile()) continue;
      const known = stat && cache?.knownKey(file, stat);
      const cached = known ? cache?.lookup(known) : undefined;
      if (stat && known && cached && cache && report) {
        cache.noteKey(file, stat, known);
        report.reused++;
        slots.push({ file, name, mtime: stat.mtime.toISOString(), result: cached });
        continue;
      }
      got = read(file);
      if (!got) continue;
    } catch (cause) {
      problems.push({ file, errors: [unreadable(file, cause)] });
      continue;
    }
    const slot: (typeof slots)[number] = { file, name, mtime: got.stat.mtime.toISOString() };
    slots.push(slot);
    if (!cache || !report) slot.result = importArticle(got.bytes.toString('utf8'), { filename: name });
    else {
      report.read++;
      const key = contentKey(name, got.bytes);
      slot.result = cache.lookup(key);
      if (!slot.result && options.cacheReadOnly) {
        report.parsed.push(file);
        slot.result = importArticle(got.bytes.toString('utf8'), { filename: name });
      } else if (!slot.result) misses.push(slot);
      else {
        report.reused++;
        cache.noteKey(file, got.stat, key);
      }
    }
  }
  if (cache && report) {
    // The files the cache lacks, read again and parsed: on other threads when there are many.
    const parser = options.parseFiles && misses.length >= PARALLEL_FROM ? new BatchParser(cache, options.parseFiles) : undefined;
    for (const slot of misses) {
      await tick();
      let got: ReturnType<typeof read>;
      try {
        got = read(slot.file);
      } catch (cause) {
        got = undefined;
        slot.result = { ok: false, errors: [unreadable(slot.file, cause)], warnings: [] };
      }
      if (!got) continue;
      report.parsed.push(slot.file);
      const key = contentKey(slot.name, got.bytes);
      cache.noteKey(slot.file, got.stat, key);
      if (parser) await parser.add(key, slot.name, got.bytes, slot);
      else slot.result = cache.store(key, parseContent(slot.name, got.bytes));
    }
    await parser?.finish();
  }
  const seen = new Map<string, string>();
  for (const { file, mtime, result } of slots) {
    if (!result) continue;
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
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (cache && report && !options.cacheReadOnly) {
    try {
      report.saved = cache.save().written;
    } catch (cause) {
      report.saveError = cause instanceof Error ? cause : new Error(String(cause));
    }
  }
  return { entries, problems, ...(report ? { cache: report } : {}) };
}

/** Files to parse on other threads, sent in batches; each result goes into the cache as it arrives. */
class BatchParser {
  static readonly BATCH_FILES = 32;
  /** Batches parsing at once (more would only hold more file contents in memory). */
  static readonly IN_FLIGHT = 8;
  readonly #cache: ContentCache;
  readonly #parse: ParseFiles;
  #batch: { key: string; name: string; bytes: Uint8Array; slot: { result?: ImportResult } }[] = [];
  readonly #inFlight: Promise<void>[] = [];

  constructor(cache: ContentCache, parse: ParseFiles) {
    this.#cache = cache;
    this.#parse = parse;
  }

  async add(key: string, name: string, bytes: Uint8Array, slot: { result?: ImportResult }): Promise<void> {
    // A copy: the loader reuses its read buffer.
    this.#batch.push({ key, name, bytes: new Uint8Array(bytes), slot });
    if (this.#batch.length >= BatchParser.BATCH_FILES) await this.#send();
  }

  async finish(): Promise<void> {
    await this.#send();
    await Promise.all(this.#inFlight.splice(0));
  }

  async #send(): Promise<void> {
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    this.#inFlight.push(
      this.#parse(batch.map(({ name, bytes }) => ({ name, bytes }))).then((parsed) => {
        batch.forEach((job, i) => {
          job.slot.result = this.#cache.store(job.key, parsed[i] ?? missingResult(job.name));
        });
      }),
    );
    if (this.#inFlight.length >= BatchParser.IN_FLIGHT) await this.#inFlight.shift();
  }
}

const missingResult = (name: string): ParsedContent => ({
  ok: false,
  errors: [{ code: 'unreadable', message: `${name} was not parsed (the parser returned no result for it)` }],
  warnings: [],
});

/** Reads a regular file into `buffer` (or a larger one), or undefined for anything else. */
function readInto(file: string, buffer: Buffer): { buffer: Buffer; bytes: Buffer; stat: Stats } | undefined {
  const fd = openSync(file, 'r');
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return undefined;
    let buf = buffer;
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, info.size + 1));
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return { buffer: buf, bytes: buf.subarray(0, length), stat: info };
  } finally {
    closeSync(fd);
  }
}
