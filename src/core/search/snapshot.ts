import { createHash } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Article } from '../article.ts';
import { sourceFingerprint } from '../source-fingerprint.ts';
import type { AcronymDefinition } from './acronyms.ts';
import { type BuildFrozen, buildFrozen } from './bulk-build.ts';
import { articleHash } from './documents.ts';
import { FIELDS } from './engine.ts';
import type { Frontier, FrozenData } from './frozen.ts';
import { COMMON_ACRONYMS, DEMONYMS, STOP_WORDS } from './lexicon.ts';
import { PassageIndex } from './passage-index.ts';

/**
 * A binary snapshot of the compacted passage index, so a restart with unchanged content loads
 * in about a second instead of re-analyzing every passage. Beside the data it stores an
 * options hash (fields, analyzer version, word lists) and a content hash (every article's
 * fingerprint); either one changing means rebuild. MiniSearch's own JSON form is not used: its
 * parse and object rebuilding made loading slow (PLATFORM.md: 9.6 s at 10k articles), while
 * these typed arrays are used in place.
 *
 * Layout: `BBIX`, u32 header length, header JSON, padding to 4 bytes, then the blocks the
 * header names (offsets relative to the end of the header): ids and terms as newline-joined
 * UTF-8, lengths as f32, postings pointers and documents as u32, term frequencies as u16,
 * and each list's frontier (see FrozenSegment.listFrontier) as f32 and u16, so loading does not
 * walk every posting to work it out again.
 */

/** Bump when analysis or document building changes in a way the word lists do not show. */
export const ANALYZER_VERSION = 3;
const MAGIC = 'BBIX';
const FORMAT = 3;

interface Block {
  offset: number;
  length: number;
}

interface Header {
  format: number;
  optionsHash: string;
  contentHash: string;
  articles: { id: string; hash: string; acronyms: AcronymDefinition[] }[];
  docCount: number;
  termCount: number;
  blocks: Record<'docIds' | 'lengths' | 'terms' | 'ptr' | 'docs' | 'tfs' | 'minLen' | 'maxTf', Block>;
}

/** The code that turns articles into the stored arrays (analysis, documents, the builder). */
const indexCode = sourceFingerprint([new URL('./documents.ts', import.meta.url), new URL('./bulk-build.ts', import.meta.url)], 'unknown');

/**
 * Fingerprint of everything that shapes the stored index apart from the articles: the options
 * and word lists, and the source of the code that analyzes articles and builds the arrays (so
 * a change to it discards old snapshots even when nobody bumped ANALYZER_VERSION).
 */
export function optionsHash(): string {
  return createHash('sha1')
    .update(JSON.stringify({ ANALYZER_VERSION, FORMAT, FIELDS, STOP_WORDS: [...STOP_WORDS], DEMONYMS, COMMON_ACRONYMS, indexCode }))
    .digest('hex');
}

/** Fingerprint of a set of articles (order does not matter). */
export function contentHash(articles: readonly Article[]): string {
  const h = createHash('sha1');
  for (const line of articles.map((a) => `${a.id}:${articleHash(a)}`).sort()) h.update(`${line}\n`);
  return h.digest('hex');
}

const bytesOf = (a: Float32Array | Uint32Array | Uint16Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * Compacts the index if needed and writes it to `path` atomically (temporary file, rename).
 * Returns the size in bytes.
 */
export async function saveSnapshot(index: PassageIndex, path: string): Promise<number> {
  index.compact();
  const frozen = index.frozen;
  const frontier = frozen.data.frontier as Frontier;
  const parts: Buffer[] = [];
  let offset = 0;
  const block = (buf: Buffer): Block => {
    const b = { offset, length: buf.length };
    const pad = (4 - (buf.length % 4)) % 4;
    parts.push(buf, Buffer.alloc(pad));
    offset += buf.length + pad;
    return b;
  };
  const blocks = {
    docIds: block(Buffer.from(frozen.docIds.join('\n'), 'utf8')),
    lengths: block(bytesOf(frozen.lengths)),
    terms: block(Buffer.from(frozen.terms.join('\n'), 'utf8')),
    ptr: block(bytesOf(frozen.ptr)),
    docs: block(bytesOf(frozen.docs)),
    tfs: block(bytesOf(frozen.tfs)),
    minLen: block(bytesOf(frontier.minLen)),
    maxTf: block(bytesOf(frontier.maxTf)),
  };
  const articles = [...index.entries()].map((e) => e.article);
  const header: Header = {
    format: FORMAT,
    optionsHash: optionsHash(),
    contentHash: contentHash(articles),
    articles: [...index.entries()].map((e) => ({ id: e.article.id, hash: e.hash, acronyms: e.acronyms })),
    docCount: frozen.size,
    termCount: frozen.terms.length,
    blocks,
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(head.length, 4);
  const headPad = Buffer.alloc((4 - ((8 + head.length) % 4)) % 4);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  // Written part by part: one buffer of the whole snapshot would double its memory while saving.
  const out = await open(tmp, 'w');
  let size = 0;
  try {
    for (const part of [prefix, head, headPad, ...parts]) {
      await out.write(part);
      size += part.length;
    }
  } finally {
    await out.close();
  }
  await rename(tmp, path);
  return size;
}

/** Why a snapshot was not used. */
export type SnapshotMiss = 'missing' | 'unreadable' | 'options-changed';

function readHeader(buf: Buffer): { header: Header; base: number } | undefined {
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) return undefined;
  const len = buf.readUInt32LE(4);
  if (8 + len > buf.length) return undefined;
  const header = JSON.parse(buf.toString('utf8', 8, 8 + len)) as Header;
  return { header, base: 8 + len + ((4 - ((8 + len) % 4)) % 4) };
}

async function readShared(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const buf = Buffer.from(new SharedArrayBuffer(size));
    let got = 0;
    while (got < size) {
      const { bytesRead } = await file.read(buf, got, size - got, got);
      if (bytesRead === 0) return buf.subarray(0, got);
      got += bytesRead;
    }
    return buf;
  } finally {
    await file.close();
  }
}

/** A snapshot loaded for a set of articles. */
export interface LoadedSnapshot {
  /** Holds every article the snapshot has in the same version; nothing else. */
  index: PassageIndex;
  /** Articles the snapshot does not have (new, or changed since): add them to the index. */
  missing: Article[];
  /** Documents of the snapshot no longer wanted (articles changed or gone), tombstoned. */
  dropped: number;
}

/**
 * Restores an index from a snapshot made with the current options. Articles the snapshot holds
 * in the same version (same id and fingerprint) are attached by reference, with no text
 * analyzed; the documents of the others are tombstoned, and the articles the snapshot lacks
 * come back in `missing`.
 */
export async function loadSnapshot(path: string, articles: readonly Article[]): Promise<LoadedSnapshot | { miss: SnapshotMiss }> {
  // Read straight onto a SharedArrayBuffer (aligned, and search workers share the arrays instead of copying them).
  let buf: Buffer;
  try {
    buf = await readShared(path);
  } catch {
    return { miss: 'missing' };
  }
  let parsed: ReturnType<typeof readHeader>;
  try {
    parsed = readHeader(buf);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.header.format !== FORMAT) return { miss: 'unreadable' };
  const { header, base } = parsed;
  if (header.optionsHash !== optionsHash()) return { miss: 'options-changed' };
  const { blocks } = header;
  if (Object.values(blocks).some((b) => base + b.offset + b.length > buf.length)) return { miss: 'unreadable' };
  const at = (b: Block): number => buf.byteOffset + base + b.offset;
  const text = (b: Block): string => buf.toString('utf8', base + b.offset, base + b.offset + b.length);
  const data: FrozenData = {
    docIds: header.docCount ? text(blocks.docIds).split('\n') : [],
    lengths: new Float32Array(buf.buffer, at(blocks.lengths), blocks.lengths.length / 4),
    terms: header.termCount ? text(blocks.terms).split('\n') : [],
    ptr: new Uint32Array(buf.buffer, at(blocks.ptr), blocks.ptr.length / 4),
    docs: new Uint32Array(buf.buffer, at(blocks.docs), blocks.docs.length / 4),
    tfs: new Uint16Array(buf.buffer, at(blocks.tfs), blocks.tfs.length / 2),
    frontier: {
      minLen: new Float32Array(buf.buffer, at(blocks.minLen), blocks.minLen.length / 4),
      maxTf: new Uint16Array(buf.buffer, at(blocks.maxTf), blocks.maxTf.length / 2),
    },
  };
  if (data.docIds.length !== header.docCount || data.terms.length !== header.termCount) return { miss: 'unreadable' };
  const byId = new Map(articles.map((a) => [a.id, a]));
  const kept = new Set<string>();
  const entries = header.articles.flatMap((a) => {
    const article = byId.get(a.id);
    if (!article || articleHash(article) !== a.hash) return [];
    kept.add(a.id);
    return [{ article, hash: a.hash, acronyms: a.acronyms }];
  });
  const index = PassageIndex.fromFrozen(data, entries);
  const missing = [...byId.values()].filter((a) => !kept.has(a.id));
  return { index, missing, dropped: index.frozen.size - index.frozen.liveCount };
}

/** Options for {@link loadOrBuild}. */
export interface LoadOrBuildOptions {
  articles: readonly Article[];
  /** Where the snapshot lives; omitted means build in memory only. */
  snapshotPath?: string;
  /** Write a new snapshot after building (default true). */
  save?: boolean;
  /**
   * Rewrite a loaded snapshot once the documents it no longer matches (changed or removed
   * articles, and the articles added on top of it) exceed this share of it (default 0.02).
   * Below that, each start adds the few changed articles to the snapshot's index instead.
   */
  refreshShare?: number;
  /** Builds the frozen arrays from scratch (default `buildFrozen` on this thread; see build-pool.ts for workers). */
  build?: BuildFrozen;
}

/** What {@link loadOrBuild} did. */
export interface LoadOrBuildResult {
  index: PassageIndex;
  from: 'snapshot' | 'built';
  /** Why the snapshot was not used, when built. */
  reason?: SnapshotMiss | 'no-path';
  /** From a snapshot: articles added on top of it (new or changed since), and its documents dropped. */
  added?: number;
  dropped?: number;
  /** Whether a snapshot was written. */
  saved?: boolean;
  /** Present when writing the snapshot failed (the index itself is fine). */
  saveError?: Error;
}

/** Builds a compact index from scratch (see bulk-build.ts), here or with `build` (on other threads). */
export async function buildIndex(articles: readonly Article[], build: BuildFrozen = (a) => buildFrozen(a)): Promise<PassageIndex> {
  const { data, articles: built } = await build(articles);
  return PassageIndex.fromFrozen(data, built);
}

/**
 * Loads the index from a snapshot made with the current options, adding the articles that are
 * new or changed since (so one changed file costs about that file); otherwise builds it and
 * saves a fresh snapshot. Once a loaded snapshot differs from the articles by more than
 * `refreshShare` of its documents, the index is compacted and the snapshot rewritten. Adding
 * the same articles to a Library afterwards is cheap: `addArticle` recognises content that is
 * already indexed.
 *
 * @example
 * const { index, from } = await loadOrBuild({ articles, snapshotPath: 'data/index.bin' });
 * const library = new Library(index);
 */
export async function loadOrBuild(options: LoadOrBuildOptions): Promise<LoadOrBuildResult> {
  const { articles, snapshotPath } = options;
  const save = async (index: PassageIndex): Promise<Error | undefined> => {
    if (!snapshotPath || options.save === false) return undefined;
    try {
      await saveSnapshot(index, snapshotPath);
      return undefined;
    } catch (cause) {
      return cause instanceof Error ? cause : new Error(String(cause));
    }
  };
  let reason: LoadOrBuildResult['reason'] = 'no-path';
  if (snapshotPath) {
    const loaded = await loadSnapshot(snapshotPath, articles);
    if ('index' in loaded) {
      const { index, missing, dropped } = loaded;
      for (const a of missing) index.addArticle(a);
      const added = missing.length;
      const stale = dropped + (index.documentCount - index.frozen.liveCount);
      if (stale === 0 || stale <= (options.refreshShare ?? 0.02) * Math.max(1, index.frozen.size)) {
        return { index, from: 'snapshot', added, dropped, saved: false };
      }
      index.compact();
      const saveError = await save(index);
      return { index, from: 'snapshot', added, dropped, saved: !saveError && options.save !== false, ...(saveError ? { saveError } : {}) };
    }
    reason = loaded.miss;
  }
  const index = await buildIndex(articles, options.build);
  const saveError = await save(index);
  const saved = Boolean(snapshotPath) && options.save !== false && !saveError;
  return { index, from: 'built', reason, saved, ...(saveError ? { saveError } : {}) };
}
