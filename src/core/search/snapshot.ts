import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Article } from '../article.ts';
import type { AcronymDefinition } from './acronyms.ts';
import { articleHash } from './documents.ts';
import { FIELDS } from './engine.ts';
import type { FrozenData } from './frozen.ts';
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
 * UTF-8, lengths as f32, postings pointers and documents as u32, term frequencies as u16.
 */

/** Bump when analysis or document building changes in a way the word lists do not show. */
export const ANALYZER_VERSION = 2;
const MAGIC = 'BBIX';
const FORMAT = 2;

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
  blocks: Record<'docIds' | 'lengths' | 'terms' | 'ptr' | 'docs' | 'tfs', Block>;
}

/** Fingerprint of everything that shapes the stored index apart from the articles. */
export function optionsHash(): string {
  return createHash('sha1')
    .update(JSON.stringify({ ANALYZER_VERSION, FORMAT, FIELDS, STOP_WORDS: [...STOP_WORDS], DEMONYMS, COMMON_ACRONYMS }))
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
  const body = Buffer.concat([prefix, head, headPad, ...parts]);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, body);
  await rename(tmp, path);
  return body.length;
}

/** Why a snapshot was not used. */
export type SnapshotMiss = 'missing' | 'unreadable' | 'options-changed' | 'content-changed';

function readHeader(buf: Buffer): { header: Header; base: number } | undefined {
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) return undefined;
  const len = buf.readUInt32LE(4);
  if (8 + len > buf.length) return undefined;
  const header = JSON.parse(buf.toString('utf8', 8, 8 + len)) as Header;
  return { header, base: 8 + len + ((4 - ((8 + len) % 4)) % 4) };
}

/**
 * Restores an index from a snapshot if its hashes match `articles` and the current options.
 * The articles are attached by reference; no text is analyzed.
 */
export async function loadSnapshot(path: string, articles: readonly Article[]): Promise<{ index: PassageIndex } | { miss: SnapshotMiss }> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch {
    return { miss: 'missing' };
  }
  // On a SharedArrayBuffer (aligned, and search workers share the arrays instead of copying them).
  const buf = Buffer.from(new SharedArrayBuffer(file.length));
  file.copy(buf);
  let parsed: ReturnType<typeof readHeader>;
  try {
    parsed = readHeader(buf);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.header.format !== FORMAT) return { miss: 'unreadable' };
  const { header, base } = parsed;
  if (header.optionsHash !== optionsHash()) return { miss: 'options-changed' };
  if (header.contentHash !== contentHash(articles)) return { miss: 'content-changed' };
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
  };
  if (data.docIds.length !== header.docCount || data.terms.length !== header.termCount) return { miss: 'unreadable' };
  const byId = new Map(articles.map((a) => [a.id, a]));
  const entries = header.articles.flatMap((a) => {
    const article = byId.get(a.id);
    return article ? [{ article, hash: a.hash, acronyms: a.acronyms }] : [];
  });
  return { index: PassageIndex.fromFrozen(data, entries) };
}

/** Options for {@link loadOrBuild}. */
export interface LoadOrBuildOptions {
  articles: readonly Article[];
  /** Where the snapshot lives; omitted means build in memory only. */
  snapshotPath?: string;
  /** Write a new snapshot after building (default true). */
  save?: boolean;
}

/** What {@link loadOrBuild} did. */
export interface LoadOrBuildResult {
  index: PassageIndex;
  from: 'snapshot' | 'built';
  /** Why the snapshot was not used, when built. */
  reason?: SnapshotMiss | 'no-path';
  /** Present when writing the snapshot failed (the index itself is fine). */
  saveError?: Error;
}

/**
 * Loads the index from a snapshot when it matches the articles and options; otherwise builds
 * it, compacts it and saves a fresh snapshot. Adding the same articles to a Library afterwards
 * is cheap: `addArticle` recognises content that is already indexed.
 *
 * @example
 * const { index, from } = await loadOrBuild({ articles, snapshotPath: 'data/index.bin' });
 * const library = new Library(index);
 */
export async function loadOrBuild(options: LoadOrBuildOptions): Promise<LoadOrBuildResult> {
  const { articles, snapshotPath } = options;
  let reason: LoadOrBuildResult['reason'] = 'no-path';
  if (snapshotPath) {
    const loaded = await loadSnapshot(snapshotPath, articles);
    if ('index' in loaded) return { index: loaded.index, from: 'snapshot' };
    reason = loaded.miss;
  }
  const index = new PassageIndex();
  for (const a of articles) index.addArticle(a);
  index.compact();
  if (snapshotPath && options.save !== false) {
    try {
      await saveSnapshot(index, snapshotPath);
    } catch (cause) {
      return { index, from: 'built', reason, saveError: cause instanceof Error ? cause : new Error(String(cause)) };
    }
  }
  return { index, from: 'built', reason };
}
