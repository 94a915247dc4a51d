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

/** A growable typed array. */
class Column<T extends Uint32Array | Uint16Array | Float32Array> {
  data: T;
  length = 0;
  readonly #make: (n: number) => T;

  constructor(make: (n: number) => T, initial = 1 << 16) {
    this.#make = make;
    this.data = make(initial);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.#make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
}

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
  const latest = new Map<string, Article>();
  for (const a of input) {
    latest.delete(a.id);
    latest.set(a.id, a);
  }
  const termIds = new Map<string, number>();
  const terms: string[] = [];
  const keys = new Column((n) => new Uint32Array(n));
  const docs = new Column((n) => new Uint32Array(n));
  const tfs = new Column((n) => new Uint16Array(n));
  const lengths = new Column((n) => new Float32Array(n));
  const docIds: string[] = [];
  const seenIds = new Set<string>();
  const built: BuiltArticle[] = [];
  const counts = new Map<string, number>();
  let slice = performance.now();
  for (const article of latest.values()) {
    if (performance.now() - slice > sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    const acronyms = articleAcronyms(article);
    built.push({ article, hash: articleHash(article), acronyms });
    for (const doc of buildDocuments(article, articleLexicon(article, acronyms))) {
      if (seenIds.has(doc.id)) throw new Error(`MiniSearch: duplicate ID ${doc.id}`);
      seenIds.add(doc.id);
      const d = docIds.length;
      docIds.push(doc.id);
      for (let f = 0; f < NF; f++) {
        const text = doc[FIELDS[f] as (typeof FIELDS)[number]];
        counts.clear();
        if (text) {
          for (const term of text.split(' ')) counts.set(term, (counts.get(term) ?? 0) + 1);
        }
        lengths.push(counts.size);
        for (const [term, tf] of counts) {
          if (!term) continue;
          let t = termIds.get(term);
          if (t === undefined) {
            t = terms.length;
            termIds.set(term, t);
            terms.push(term);
          }
          keys.push(t * NF + f);
          docs.push(d);
          tfs.push(Math.min(tf, 65535));
        }
      }
    }
  }
  termIds.clear();
  seenIds.clear();
  return { data: sortPostings(terms, keys, docs, tfs, docIds, lengths.data.slice(0, lengths.length)), articles: built };
}

/** Puts postings in (term, field) order, documents ascending within each list (counting sort, stable). */
function sortPostings(
  terms: string[],
  keys: Column<Uint32Array>,
  docs: Column<Uint32Array>,
  tfs: Column<Uint16Array>,
  docIds: string[],
  lengths: Float32Array,
): FrozenData {
  const order = Array.from(terms.keys()).sort((a, b) => ((terms[a] as string) < (terms[b] as string) ? -1 : 1));
  const rank = new Uint32Array(terms.length);
  for (let i = 0; i < order.length; i++) rank[order[i] as number] = i;
  const ptr = new Uint32Array(terms.length * NF + 1);
  const n = keys.length;
  const k = keys.data;
  for (let i = 0; i < n; i++) {
    const key = k[i] as number;
    const at = (rank[(key / NF) | 0] as number) * NF + (key % NF);
    k[i] = at;
    ptr[at + 1] = (ptr[at + 1] as number) + 1;
  }
  for (let i = 1; i < ptr.length; i++) ptr[i] = (ptr[i] as number) + (ptr[i - 1] as number);
  const next = ptr.slice(0, ptr.length - 1);
  const outDocs = new Uint32Array(n);
  const outTfs = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const at = k[i] as number;
    const pos = next[at] as number;
    next[at] = pos + 1;
    outDocs[pos] = docs.data[i] as number;
    outTfs[pos] = tfs.data[i] as number;
  }
  return { docIds, lengths, terms: order.map((t) => terms[t] as string), ptr, docs: outDocs, tfs: outTfs };
}
