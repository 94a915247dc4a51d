import type { Article } from '../article.ts';
import type { AcronymDefinition } from './acronyms.ts';
import { articleAcronyms } from './acronyms.ts';
import { articleHash } from './article-hash.ts';
import { articleLexicon, buildDocuments } from './documents.ts';
import { FIELDS } from './engine.ts';
import type { FrozenData } from './frozen.ts';

/**
 * Builds the frozen segment's arrays straight from articles, without going through MiniSearch:
 * the same documents, terms, field lengths and term frequencies that adding every article to
 * the engine and compacting would give (MiniSearch's field length is the number of distinct
 * terms), at a fraction of the time and memory. MiniSearch's per-term maps of per-document
 * frequencies are what made a large first build slow and big; here postings go into three
 * flat typed arrays and are put in term order by one counting sort. MiniSearch stays for what
 * it is good at: articles added and removed while the bot runs.
 */

const NF = FIELDS.length;

/** An article as the built segment knows it. */
export interface BuiltArticle {
  article: Article;
  hash: string;
  acronyms: AcronymDefinition[];
}

/** Postings as they are found: (term and field, document, frequency), in fixed-size chunks (no copying as they grow). */
class Postings {
  static readonly CHUNK = 1 << 20;
  readonly keys: Uint32Array[] = [];
  readonly docs: Uint32Array[] = [];
  readonly tfs: Uint16Array[] = [];
  length = 0;
  #at = Postings.CHUNK;

  push(key: number, doc: number, tf: number): void {
    if (this.#at === Postings.CHUNK) {
      this.keys.push(new Uint32Array(Postings.CHUNK));
      this.docs.push(new Uint32Array(Postings.CHUNK));
      this.tfs.push(new Uint16Array(Postings.CHUNK));
      this.#at = 0;
    }
    const c = this.keys.length - 1;
    (this.keys[c] as Uint32Array)[this.#at] = key;
    (this.docs[c] as Uint32Array)[this.#at] = doc;
    (this.tfs[c] as Uint16Array)[this.#at] = tf;
    this.#at++;
    this.length++;
  }
}

/** Typed arrays on shared memory, so search workers use them without a copy. */
const sharedU32 = (n: number) => new Uint32Array(new SharedArrayBuffer(n * 4));

/** Builds frozen arrays for articles (in order): {@link buildFrozen}, or the same on other threads. */
export type BuildFrozen = (articles: readonly Article[]) => Promise<{ data: FrozenData; articles: BuiltArticle[] }>;

/** Options for {@link buildFrozen}. */
export interface BuildFrozenOptions {
  /** Hand the event loop back this often (ms), so a starting bot still answers its probes. */
  sliceMs?: number;
}

/**
 * The frozen arrays for `articles`, documents numbered article by article in the given order
 * (an article id given twice keeps its last version, at the place of the last). Throws on a
 * document id used twice, as MiniSearch would.
 * @example const { data, articles } = await buildFrozen(corpus); PassageIndex.fromFrozen(data, articles);
 */
export async function buildFrozen(
  input: Iterable<Article>,
  options: BuildFrozenOptions = {},
): Promise<{ data: FrozenData; articles: BuiltArticle[] }> {
  const sliceMs = options.sliceMs ?? 50;
  const latest = lastOfEachId(input);
  const termIds = new Map<string, number>();
  const terms: string[] = [];
  const postings = new Postings();
  const lengths: number[] = [];
  const docIds: string[] = [];
  const built: BuiltArticle[] = [];
  // Frequency per term id within one field of one document, and the ids seen there.
  let tf = new Uint32Array(1 << 16);
  const touched: number[] = [];
  let slice = performance.now();
  for (const article of latest) {
    if (performance.now() - slice > sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    const acronyms = articleAcronyms(article);
    built.push({ article, hash: articleHash(article), acronyms });
    // Document ids are the article's id and a suffix, and article ids are unique here: a
    // document id can only repeat within one article.
    const seenIds = new Set<string>();
    for (const doc of buildDocuments(article, articleLexicon(article, acronyms))) {
      if (seenIds.has(doc.id)) throw new Error(`MiniSearch: duplicate ID ${doc.id}`);
      seenIds.add(doc.id);
      const d = docIds.length;
      docIds.push(doc.id);
      for (let f = 0; f < NF; f++) {
        const text = doc[FIELDS[f] as (typeof FIELDS)[number]];
        // MiniSearch counts distinct tokens as the field length, an empty one (two spaces) included.
        let empty = 0;
        if (text) {
          for (const term of text.split(' ')) {
            if (!term) {
              empty = 1;
              continue;
            }
            let t = termIds.get(term);
            if (t === undefined) {
              t = terms.length;
              termIds.set(term, t);
              terms.push(term);
              if (t === tf.length) {
                const bigger = new Uint32Array(tf.length * 2);
                bigger.set(tf);
                tf = bigger;
              }
            }
            const seen = tf[t] as number;
            tf[t] = seen + 1;
            if (seen === 0) touched.push(t);
          }
        }
        lengths.push(touched.length + empty);
        for (const t of touched) {
          postings.push(t * NF + f, d, Math.min(tf[t] as number, 65535));
          tf[t] = 0;
        }
        touched.length = 0;
      }
    }
  }
  termIds.clear();
  const lengthArray = new Float32Array(new SharedArrayBuffer(lengths.length * 4));
  lengthArray.set(lengths);
  return { data: sortPostings(terms, postings, docIds, lengthArray), articles: built };
}

/** The articles with each id once: its last version, at the place of the last. */
export function lastOfEachId(articles: Iterable<Article>): Article[] {
  const latest = new Map<string, Article>();
  for (const a of articles) {
    latest.delete(a.id);
    latest.set(a.id, a);
  }
  return [...latest.values()];
}

/** Puts postings in (term, field) order, documents ascending within each list (counting sort, stable). */
function sortPostings(terms: string[], postings: Postings, docIds: string[], lengths: Float32Array): FrozenData {
  const order = Array.from(terms.keys()).sort((a, b) => ((terms[a] as string) < (terms[b] as string) ? -1 : 1));
  const rank = new Uint32Array(terms.length);
  for (let i = 0; i < order.length; i++) rank[order[i] as number] = i;
  const ptr = sharedU32(terms.length * NF + 1);
  const n = postings.length;
  const chunk = Postings.CHUNK;
  // Keys become list numbers in term order; count each list's postings.
  for (let i = 0; i < n; i++) {
    const keys = postings.keys[(i / chunk) | 0] as Uint32Array;
    const key = keys[i % chunk] as number;
    const at = (rank[(key / NF) | 0] as number) * NF + (key % NF);
    keys[i % chunk] = at;
    ptr[at + 1] = (ptr[at + 1] as number) + 1;
  }
  for (let i = 1; i < ptr.length; i++) ptr[i] = (ptr[i] as number) + (ptr[i - 1] as number);
  const next = ptr.slice(0, ptr.length - 1);
  const docs = sharedU32(n);
  const tfs = new Uint16Array(new SharedArrayBuffer(n * 2));
  for (let c = 0; c < postings.keys.length; c++) {
    const keys = postings.keys[c] as Uint32Array;
    const cdocs = postings.docs[c] as Uint32Array;
    const ctfs = postings.tfs[c] as Uint16Array;
    const m = Math.min(chunk, n - c * chunk);
    for (let i = 0; i < m; i++) {
      const at = keys[i] as number;
      const pos = next[at] as number;
      next[at] = pos + 1;
      docs[pos] = cdocs[i] as number;
      tfs[pos] = ctfs[i] as number;
    }
    // Each chunk is done with once copied: let it go before the next.
    postings.keys[c] = new Uint32Array(0);
    postings.docs[c] = new Uint32Array(0);
    postings.tfs[c] = new Uint16Array(0);
  }
  return { docIds, lengths, terms: order.map((t) => terms[t] as string), ptr, docs, tfs };
}

/**
 * One segment's arrays from segments built over consecutive runs of articles (in that order),
 * as if built in one go: documents renumbered after those of earlier parts, terms merged.
 * Search workers build parts in parallel and the bot merges them (src/workers/build-pool.ts).
 */
export function mergeFrozen(parts: readonly FrozenData[]): FrozenData {
  if (parts.length === 1) return parts[0] as FrozenData;
  const docIds = parts.flatMap((p) => p.docIds);
  const lengths = new Float32Array(new SharedArrayBuffer(parts.reduce((n, p) => n + p.lengths.length, 0) * 4));
  const base: number[] = [];
  let docs = 0;
  let lengthAt = 0;
  for (const p of parts) {
    base.push(docs);
    docs += p.docIds.length;
    lengths.set(p.lengths, lengthAt);
    lengthAt += p.lengths.length;
  }
  const terms = [...new Set(parts.flatMap((p) => p.terms))].sort();
  // Per part, the ordinal of each merged term (-1 where the part lacks it): both lists are sorted.
  const ords = parts.map((p) => {
    const out = new Int32Array(terms.length).fill(-1);
    for (let i = 0, j = 0; i < terms.length && j < p.terms.length; i++) {
      if (terms[i] === p.terms[j]) out[i] = j++;
    }
    return out;
  });
  const ptr = sharedU32(terms.length * NF + 1);
  for (let t = 0; t < terms.length; t++) {
    for (let f = 0; f < NF; f++) {
      let n = 0;
      parts.forEach((p, k) => {
        const o = (ords[k] as Int32Array)[t] as number;
        if (o >= 0) n += (p.ptr[o * NF + f + 1] as number) - (p.ptr[o * NF + f] as number);
      });
      ptr[t * NF + f + 1] = (ptr[t * NF + f] as number) + n;
    }
  }
  const total = ptr[terms.length * NF] as number;
  const outDocs = sharedU32(total);
  const outTfs = new Uint16Array(new SharedArrayBuffer(total * 2));
  let at = 0;
  for (let t = 0; t < terms.length; t++) {
    for (let f = 0; f < NF; f++) {
      parts.forEach((p, k) => {
        const o = (ords[k] as Int32Array)[t] as number;
        if (o < 0) return;
        const from = p.ptr[o * NF + f] as number;
        const to = p.ptr[o * NF + f + 1] as number;
        const shift = base[k] as number;
        for (let i = from; i < to; i++) outDocs[at + i - from] = (p.docs[i] as number) + shift;
        outTfs.set(p.tfs.subarray(from, to), at);
        at += to - from;
      });
    }
  }
  return { docIds, lengths, terms, ptr, docs: outDocs, tfs: outTfs };
}
