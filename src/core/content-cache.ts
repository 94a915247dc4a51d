import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { Article, ImportIssue, ImportResult } from './article.ts';
import { importArticle } from './import/index.ts';
import { type ArticleBody, type ArticleHead, type BodyRef, lazyArticle, splitArticle } from './lazy-article.ts';
import { articleHash } from './search/article-hash.ts';
import { sourceFingerprint } from './source-fingerprint.ts';

/**
 * What the content folder parses to, kept in the data folder so a restart does not parse
 * unchanged files again. Entries are keyed by the hash of what the importer reads (the file's
 * name and bytes), so a changed file misses and is parsed, and an unchanged one is not,
 * whatever its modification time says. The whole cache is discarded when the code that parses
 * (or fingerprints) articles changes.
 *
 * Layout of the cache folder: `index.json` (format, code fingerprint, body file names, and per
 * key the article's head, where its body is, its fingerprint and warnings, or the errors of a
 * file that did not import) and write-once `bodies-*.bin` files of concatenated body JSON,
 * one per start that parsed something. `index.json` is replaced atomically; body files are
 * merged when there are many or when most of their bytes are no longer used.
 */

const FORMAT = 1;
const INDEX = 'index.json';
/** More body files than this are merged into one on save. */
const MAX_BODY_FILES = 8;
/** Body files no index names are deleted once they are this old (another process may be writing one). */
const ORPHAN_AGE_MS = 10 * 60_000;

/** Fingerprint of the code whose output the cache holds: the importer and the article fingerprint. */
export function contentCodeFingerprint(): string {
  return sourceFingerprint(
    [new URL('./import/index.ts', import.meta.url), new URL('./search/article-hash.ts', import.meta.url), new URL(import.meta.url)],
    `format-${FORMAT}`,
  );
}

type Entry =
  | { ok: true; head: ArticleHead; body: [file: number, offset: number, length: number]; hash: string; warnings: ImportIssue[] }
  | { ok: false; errors: ImportIssue[]; warnings: ImportIssue[] };

/** What a file looked like when its key was worked out: device, inode, size, mtime, ctime, and the key. */
type Stamp = [dev: number, ino: number, size: number, mtimeMs: number, ctimeMs: number, key: string];

interface IndexFile {
  format: number;
  fingerprint: string;
  bodies: string[];
  entries: Record<string, Entry>;
  /** Keys of files by path, trusted while the file's stamp is unchanged (see `knownKey`). */
  stamps?: Record<string, Stamp>;
}

/** The parts of a file's stat a stamp compares. */
export type FileStat = Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>;

/**
 * A file changed this long before a load started is stamped then: a later change gets a later
 * ctime (the kernel sets it on every write), even on a file system with coarse timestamps.
 */
const STAMP_MARGIN_MS = 2_000;

/** Why an existing cache was not used. */
export type CacheMiss = 'options-changed' | 'unreadable';

/**
 * A content file parsed into what the cache stores: the article's head, its body as JSON and
 * its fingerprint, or the import's errors. Plain data, so it can be made on another thread.
 */
export type ParsedContent =
  | { ok: true; head: ArticleHead; body: string; hash: string; warnings: ImportIssue[] }
  | { ok: false; errors: ImportIssue[]; warnings: ImportIssue[] };

/** Imports a content file (as `importArticle` with its name) into the form the cache stores. */
export function parseContent(name: string, bytes: Uint8Array): ParsedContent {
  const result = importArticle(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), { filename: name });
  if (!result.ok) return result;
  const { head, body } = splitArticle(result.article);
  return { ok: true, head, body: JSON.stringify(body), hash: articleHash(result.article), warnings: result.warnings };
}

/** The cache key of a content file: what the importer reads, its name and its bytes. */
export function contentKey(name: string, bytes: Uint8Array): string {
  return createHash('sha1').update(name).update('\u0000').update(bytes).digest('hex');
}

/** A content cache opened for one load of a content folder. */
export class ContentCache {
  readonly #dir: string;
  readonly #fingerprint: string;
  readonly #old: IndexFile | undefined;
  readonly #used = new Map<string, Entry>();
  /** Body files the used entries point into (index = position in the new index). */
  readonly #bodies: string[] = [];
  #changed = false;
  #writer: { fd: number; name: string; file: string; size: number } | undefined;
  /** Body files this load wrote (deleted on save when no longer named). */
  readonly #created = new Set<string>();
  readonly #stamps = new Map<string, Stamp>();
  readonly #startedAt: number;

  private constructor(dir: string, fingerprint: string, old: IndexFile | undefined, changed: boolean, now: number) {
    this.#dir = dir;
    this.#fingerprint = fingerprint;
    this.#old = old;
    this.#changed = changed;
    this.#startedAt = now;
  }

  /**
   * The key of a file whose stamp (device, inode, size, modification and change times) is the
   * one recorded with its key, so an unchanged file is not even read again. Any write to a file
   * changes its ctime, which no tool can set back; files changed just before their key was
   * worked out were not stamped (see STAMP_MARGIN_MS) and are read and hashed.
   */
  knownKey(file: string, stat: FileStat): string | undefined {
    // By absolute path: the same folder named relatively or absolutely is the same files.
    const s = this.#old?.stamps?.[resolve(file)];
    if (!s || s[0] !== stat.dev || s[1] !== stat.ino || s[2] !== stat.size || s[3] !== stat.mtimeMs || s[4] !== stat.ctimeMs)
      return undefined;
    return s[5];
  }

  /** Records the key of a file as read now, stamped when it has not changed for a while. */
  noteKey(file: string, stat: FileStat, key: string): void {
    if (stat.ctimeMs >= this.#startedAt - STAMP_MARGIN_MS) return;
    const stamp: Stamp = [stat.dev, stat.ino, stat.size, stat.mtimeMs, stat.ctimeMs, key];
    const path = resolve(file);
    this.#stamps.set(path, stamp);
    const old = this.#old?.stamps?.[path];
    if (!old || old.some((v, i) => v !== stamp[i])) this.#changed = true;
  }

  /**
   * Opens the cache in `dir` (created when missing). A cache made by other code, or one that
   * cannot be read, is set aside (`miss` says why) and replaced on save.
   */
  static open(dir: string, fingerprint = contentCodeFingerprint(), now = Date.now()): { cache: ContentCache; miss?: CacheMiss } {
    let old: IndexFile | undefined;
    let miss: CacheMiss | undefined;
    try {
      old = JSON.parse(readFileSync(join(dir, INDEX), 'utf8')) as IndexFile;
      if (old.format !== FORMAT || typeof old.entries !== 'object' || !Array.isArray(old.bodies)) {
        old = undefined;
        miss = 'unreadable';
      } else if (old.fingerprint !== fingerprint) {
        old = undefined;
        miss = 'options-changed';
      }
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') miss = 'unreadable';
      old = undefined;
    }
    return { cache: new ContentCache(dir, fingerprint, old, miss !== undefined, now), ...(miss ? { miss } : {}) };
  }

  /** The cached import result for a key, with a lazy article; undefined when not cached. */
  lookup(key: string): ImportResult | undefined {
    const entry = this.#old?.entries[key];
    if (!entry) return undefined;
    if (!entry.ok) {
      this.#used.set(key, entry);
      return { ok: false, errors: entry.errors, warnings: entry.warnings };
    }
    const file = this.#old?.bodies[entry.body[0]];
    if (!file) return undefined;
    let article: Article;
    try {
      article = lazyArticle({ head: entry.head, body: this.#ref(file, entry.body), hash: entry.hash });
    } catch {
      // Its body file is gone (another process merged it away): parse the file again.
      return undefined;
    }
    this.#used.set(key, { ...entry, body: [this.#bodyIndex(file), entry.body[1], entry.body[2]] });
    return { ok: true, article, warnings: entry.warnings };
  }

  /**
   * Records a freshly parsed file (see {@link parseContent}). A parsed article's body is written
   * to this start's body file at once and a lazy article reading it comes back, so nothing of
   * it stays in memory. When the body cannot be written, the article comes back whole (and is
   * not cached).
   */
  store(key: string, parsed: ParsedContent): ImportResult {
    this.#changed = true;
    if (!parsed.ok) {
      this.#used.set(key, parsed);
      return parsed;
    }
    let at: [number, number, number];
    try {
      at = this.#append(Buffer.from(parsed.body, 'utf8'));
    } catch {
      return { ok: true, article: { ...parsed.head, ...(JSON.parse(parsed.body) as ArticleBody) }, warnings: parsed.warnings };
    }
    const { head, hash, warnings } = parsed;
    const file = this.#bodies[at[0]] as string;
    this.#used.set(key, { ok: true, head, body: at, hash, warnings });
    return { ok: true, article: lazyArticle({ head, body: this.#ref(file, at), hash }), warnings };
  }

  #ref(file: string, at: readonly [number, number, number]): BodyRef {
    return { file: join(this.#dir, file), offset: at[1], length: at[2] };
  }

  #bodyIndex(file: string): number {
    let i = this.#bodies.indexOf(file);
    if (i < 0) i = this.#bodies.push(file) - 1;
    return i;
  }

  #append(bytes: Buffer): [number, number, number] {
    if (!this.#writer) {
      mkdirSync(this.#dir, { recursive: true });
      const name = `bodies-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.bin`;
      const file = join(this.#dir, name);
      this.#writer = { fd: openSync(file, 'wx'), name, file, size: 0 };
      this.#created.add(name);
    }
    const w = this.#writer;
    let done = 0;
    while (done < bytes.length) done += writeSync(w.fd, bytes, done, bytes.length - done, w.size + done);
    const at: [number, number, number] = [this.#bodyIndex(w.name), w.size, bytes.length];
    w.size += bytes.length;
    return at;
  }

  /**
   * Writes the index of the entries used by this load (unless nothing changed), merging body
   * files when there are too many or they are mostly unused, and deletes old body files no
   * index names. Throws when the cache cannot be written; the articles already returned stay
   * readable either way.
   */
  save(): { written: boolean } {
    if (this.#writer) {
      closeSync(this.#writer.fd);
      this.#writer = undefined;
    }
    const dropped = Object.keys(this.#old?.entries ?? {}).length - [...this.#used.keys()].filter((k) => this.#old?.entries[k]).length;
    const unstamped = Object.keys(this.#old?.stamps ?? {}).length - this.#stamps.size;
    if (!this.#changed && dropped === 0 && unstamped === 0) return { written: false };
    const index: IndexFile = {
      format: FORMAT,
      fingerprint: this.#fingerprint,
      bodies: [...this.#bodies],
      entries: Object.fromEntries(this.#used),
      stamps: Object.fromEntries(this.#stamps),
    };
    this.#compactBodies(index);
    mkdirSync(this.#dir, { recursive: true });
    const tmp = join(this.#dir, `${INDEX}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(index));
    renameSync(tmp, join(this.#dir, INDEX));
    this.#deleteOrphans(new Set(index.bodies));
    return { written: true };
  }

  /** Copies the used bodies into one new file when the body files are many or mostly unused. */
  #compactBodies(index: IndexFile): void {
    const sizes = index.bodies.map((name) => statSync(join(this.#dir, name)).size);
    const total = sizes.reduce((a, b) => a + b, 0);
    let used = 0;
    for (const e of Object.values(index.entries)) if (e.ok) used += e.body[2];
    if (index.bodies.length <= MAX_BODY_FILES && used >= total / 2) return;
    const fds = index.bodies.map((name) => openSync(join(this.#dir, name), 'r'));
    try {
      const next = new ContentCache(this.#dir, this.#fingerprint, undefined, true, this.#startedAt);
      for (const e of Object.values(index.entries)) {
        if (!e.ok) continue;
        const buf = Buffer.allocUnsafe(e.body[2]);
        let got = 0;
        while (got < buf.length) {
          const n = readSync(fds[e.body[0]] as number, buf, got, buf.length - got, e.body[1] + got);
          if (n === 0) throw new Error(`content cache: ${index.bodies[e.body[0]]} is shorter than its index says`);
          got += n;
        }
        e.body = next.#append(buf);
      }
      if (next.#writer) closeSync(next.#writer.fd);
      for (const name of next.#created) this.#created.add(name);
      index.bodies = next.#bodies;
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  }

  #deleteOrphans(keep: Set<string>): void {
    const now = Date.now();
    for (const name of readdirSync(this.#dir)) {
      if (!name.startsWith('bodies-') || keep.has(name)) continue;
      const file = join(this.#dir, name);
      try {
        const ours = this.#created.has(name) || this.#old?.bodies.includes(name);
        if (ours || now - statSync(file).mtimeMs > ORPHAN_AGE_MS) unlinkSync(file);
      } catch {
        // Gone already, or not ours to delete: the next save tries again.
      }
    }
  }
}
