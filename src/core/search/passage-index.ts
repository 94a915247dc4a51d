import { existsSync } from 'node:fs';
import type { Article } from '../article.ts';
import { lazyArticle, type StoredArticle, storedArticle } from '../lazy-article.ts';
import { type AcronymDefinition, articleAcronyms } from './acronyms.ts';
import { COMMON_LEXICON, Lexicon } from './analyze.ts';
import { compact } from './compact.ts';
import { articleHash, articleLexicon, buildDocuments, type DocKind, documentIds, documentText, parseDocId } from './documents.ts';
import { Engine } from './engine.ts';
import { type FrozenData, FrozenSegment } from './frozen.ts';
import { variantReaches } from './postings.ts';
import { type AnalyzedQuery, analyzeQuery, MAX_QUERY_TERMS, type QueryGroup } from './query.ts';
import { FIELD_BOOSTS, type PassageIndexOptions, RELEVANCE } from './relevance.ts';
import {
  groupWeights,
  idf,
  type ScoreParams,
  Scratch,
  type Segments,
  score,
  type Variant,
  variantDf,
  variantHas,
  variantsOf,
} from './score.ts';
import type { LoadOrBuildOptions, LoadOrBuildResult } from './snapshot.ts';
import { suggestWords } from './suggest.ts';
import type { PassageSearch, SearchHit, SearchOptions, SearchResult } from './types.ts';

export { FIELD_BOOSTS, type PassageIndexOptions, RELEVANCE } from './relevance.ts';

/** A document's class for its score multiplier (see DocBoost): its index in CLASS_FACTORS. */
const DOC_CLASS = { passage: 0, keyPoint: 1, about: 2 } as const satisfies Record<DocKind, number>;
/** Multipliers by class, as 32-bit floats, as the boost used to be stored per document (same scores). */
const CLASS_FACTORS = Float64Array.of(1, Math.fround(RELEVANCE.keyPointBoost), Math.fround(RELEVANCE.aboutBoost));
/** The class of a document id by the character after its `#` (`k`, `a`). */
const CLASS_BY_MARK = new Map<number, number>([
  [107, DOC_CLASS.keyPoint],
  [97, DOC_CLASS.about],
]);

/** An article as the index knows it. */
export interface IndexedArticle {
  article: Article;
  hash: string;
  ordinal: number;
  acronyms: AcronymDefinition[];
  /** `[start, end)` document numbers in the frozen segment, when it lives there. */
  frozen?: [number, number];
}

/**
 * Everything another copy of an index is built from (a search worker's, say): the frozen
 * arrays, the articles whose documents live there, and the articles added since (which the
 * copy indexes again). Structured-clone safe; typed arrays on a SharedArrayBuffer are shared,
 * not copied.
 */
export interface IndexState {
  frozen: FrozenData;
  /** Lazy articles travel in their stored form (see lazy-article.ts), so their bodies stay unread. */
  frozenArticles: (({ article: Article } | { stored: StoredArticle }) & { hash: string; acronyms: AcronymDefinition[] })[];
  liveArticles: Article[];
  pruneFrom?: number;
}

/**
 * The passage index: documents are body passages (`<articleId>#p<n>`), key points
 * (`<articleId>#k<n>`) and one about each article, its author (`<articleId>#a`). Articles added while the bot runs go into MiniSearch (added and
 * discarded live); a snapshot load or `compact()` moves everything into a compact frozen
 * segment, from which removals are tombstones.
 *
 * @example
 * const index = new PassageIndex();
 * index.addArticle(article);
 * index.search('What did Japarov call for?', { limit: 3 }).hits[0]?.id // '…#p12'
 */
export class PassageIndex implements PassageSearch {
  #frozen = FrozenSegment.empty();
  #engine = new Engine();
  readonly #articles = new Map<string, IndexedArticle>();
  readonly #ordinals = new Map<string, number>();
  /** global document number -> article ordinal (-1 when gone) */
  #docArticle = new Int32Array(1024).fill(-1);
  /** Kind per global document number (see DOC_CLASS): key points and the documents about an article score less. */
  #docClass = new Uint8Array(1024);
  /** Bit per global document number whose class is not a passage's (see DocBoost). */
  #boosted = new Int32Array(1024 >>> 5);
  readonly #queryLexicon = new Lexicon(COMMON_LEXICON);
  readonly #scratch = new Scratch();
  readonly #params: ScoreParams = {
    fieldBoosts: FIELD_BOOSTS,
    aliasWeight: RELEVANCE.aliasWeight,
    prefixWeight: RELEVANCE.prefixWeight,
    fuzzyWeight: RELEVANCE.fuzzyWeight,
    minCoverage: RELEVANCE.minCoverage,
    minRelativeScore: RELEVANCE.minRelativeScore,
    noMatchCoverage: RELEVANCE.noMatchCoverage,
  };

  /** `options.pruneFrom`: see {@link PassageIndexOptions}. */
  constructor(options: PassageIndexOptions = {}) {
    if (options.pruneFrom !== undefined) this.#params.pruneFrom = options.pruneFrom;
  }

  /**
   * Loads the index from a snapshot when it matches the articles and options, else builds,
   * compacts and saves it. Same as `loadOrBuild` in snapshot.ts.
   * @example const { index, from } = await PassageIndex.loadOrBuild({ articles, snapshotPath: 'data/index.snapshot' });
   */
  static async loadOrBuild(options: LoadOrBuildOptions): Promise<LoadOrBuildResult> {
    const { loadOrBuild } = await import('./snapshot.ts');
    return loadOrBuild(options);
  }

  /** An index whose documents all come from frozen arrays (snapshot load). */
  static fromFrozen(
    data: FrozenData,
    articles: readonly { article: Article; hash: string; acronyms: AcronymDefinition[] }[],
  ): PassageIndex {
    const index = new PassageIndex();
    index.#adopt(new FrozenSegment(data), articles);
    return index;
  }

  /** An index equal to the one whose `exportState()` this is. */
  static fromState(state: IndexState): PassageIndex {
    const index = new PassageIndex(state.pruneFrom === undefined ? {} : { pruneFrom: state.pruneFrom });
    const frozenArticles = state.frozenArticles.map((e) => ({
      article: 'stored' in e ? lazyArticle(e.stored) : e.article,
      hash: e.hash,
      acronyms: e.acronyms,
    }));
    index.#adopt(new FrozenSegment(state.frozen), frozenArticles);
    for (const article of state.liveArticles) index.addArticle(article);
    return index;
  }

  /**
   * This index's state, for `PassageIndex.fromState` (on another thread). The frozen arrays
   * are handed over as they are: load them on a SharedArrayBuffer (snapshots are) and every
   * copy shares one set.
   */
  exportState(): IndexState {
    const frozenArticles: IndexState['frozenArticles'] = [];
    const liveArticles: Article[] = [];
    // Another process may have merged a body file away since this one opened it (it still reads
    // it through the open file): such articles travel whole, as another thread cannot open it.
    const present = new Map<string, boolean>();
    const readable = (file: string) => {
      const known = present.get(file);
      if (known !== undefined) return known;
      const there = existsSync(file);
      present.set(file, there);
      return there;
    };
    for (const e of this.#articles.values()) {
      if (e.frozen) {
        const stored = storedArticle(e.article);
        const form = stored && readable(stored.body.file) ? { stored } : { article: stored ? { ...e.article } : e.article };
        frozenArticles.push({ ...form, hash: e.hash, acronyms: e.acronyms });
      } else liveArticles.push(e.article);
    }
    return {
      frozen: this.#frozen.data,
      frozenArticles,
      liveArticles,
      ...(this.#params.pruneFrom === undefined ? {} : { pruneFrom: this.#params.pruneFrom }),
    };
  }

  /** Number of indexed documents (passages and key points). */
  get documentCount(): number {
    return this.#frozen.liveCount + this.#engine.documentCount;
  }

  /** Ids of the indexed articles, in the order they were added. */
  get articleIds(): string[] {
    return [...this.#articles.keys()];
  }

  /** The indexed articles with their fingerprints. */
  entries(): IterableIterator<IndexedArticle> {
    return this.#articles.values();
  }

  /** The frozen segment (for snapshots; compact first so it holds everything). */
  get frozen(): FrozenSegment {
    return this.#frozen;
  }

  /** Whether every document lives in the frozen segment with no tombstones. */
  get isCompact(): boolean {
    return this.#engine.documentCount === 0 && this.#frozen.liveCount === this.#frozen.size;
  }

  article(articleId: string): Article | undefined {
    return this.#articles.get(articleId)?.article;
  }

  /** The acronyms an indexed article defines (as found when it was indexed). */
  acronymsOf(articleId: string): readonly AcronymDefinition[] | undefined {
    return this.#articles.get(articleId)?.acronyms;
  }

  /**
   * Adds an article's passages and key points. Content already indexed (after a snapshot
   * load) is only attached; a changed article with the same id replaces the old documents.
   */
  addArticle(article: Article): void {
    const hash = articleHash(article);
    const existing = this.#articles.get(article.id);
    if (existing?.hash === hash) {
      existing.article = article;
      return;
    }
    if (existing) this.removeArticle(article.id);
    const ordinal = this.#ordinal(article.id);
    const base = this.#frozen.size;
    for (const doc of buildDocuments(article, articleLexicon(article))) {
      this.#engine.add(doc);
      this.#track(base + (this.#engine.shortId(doc.id) as number), doc.id, ordinal);
    }
    this.#register({ article, hash, ordinal, acronyms: articleAcronyms(article) });
  }

  /** Removes an article: tombstones in the frozen segment, MiniSearch `discard` in the engine. */
  removeArticle(articleId: string): void {
    const entry = this.#articles.get(articleId);
    if (!entry) return;
    if (entry.frozen) {
      for (let d = entry.frozen[0]; d < entry.frozen[1]; d++) {
        this.#frozen.kill(d);
        this.#docArticle[d] = -1;
      }
    }
    const base = this.#frozen.size;
    for (const id of documentIds(entry.article)) {
      const shortId = this.#engine.shortId(id);
      if (shortId === undefined) continue;
      this.#engine.discard(id);
      this.#docArticle[base + shortId] = -1;
    }
    for (const d of entry.acronyms) this.#queryLexicon.delete(d.longForm, d.acronym);
    this.#articles.delete(articleId);
  }

  /**
   * Moves every live document into a new frozen segment (article by article) and empties the
   * engine: smaller heap, faster queries, and the form snapshots store.
   */
  compact(): void {
    if (this.isCompact) return;
    const order: string[] = [];
    for (const entry of this.#articles.values()) order.push(...documentIds(entry.article));
    const { data } = compact(this.#frozen, this.#engine, order);
    const entries = [...this.#articles.values()];
    this.#engine = new Engine();
    this.#adopt(new FrozenSegment(data), entries);
  }

  #adopt(frozen: FrozenSegment, entries: readonly { article: Article; hash: string; acronyms: AcronymDefinition[] }[]): void {
    this.#frozen = frozen;
    this.#docArticle = new Int32Array(Math.max(1024, frozen.size * 1.25)).fill(-1);
    this.#docClass = new Uint8Array(this.#docArticle.length);
    this.#boosted = new Int32Array((this.#docArticle.length >>> 5) + 1);
    const byId = new Map(entries.map((e) => [e.article.id, e]));
    const ranges = new Map<string, [number, number]>();
    // An article's documents are consecutive: its id is parsed once, not for every document.
    let article = '';
    let range: [number, number] = [0, 0];
    let ordinal = -1;
    for (let d = 0; d < frozen.size; d++) {
      const id = frozen.docIds[d] as string;
      const same = d > 0 && id.length > article.length && id.charCodeAt(article.length) === 35 && id.startsWith(article);
      if (!same) {
        article = parseDocId(id).articleId;
        range = ranges.get(article) ?? [d, d];
        ranges.set(article, range);
        ordinal = byId.has(article) ? this.#ordinal(article) : -1;
      }
      range[1] = d + 1;
      // `<articleId>#k<n>` is a key point, `<articleId>#a` the document about the article.
      if (ordinal >= 0) this.#setDoc(d, ordinal, CLASS_BY_MARK.get(id.charCodeAt(article.length + 1)) ?? DOC_CLASS.passage);
      else frozen.kill(d);
    }
    for (const entry of this.#articles.values()) for (const d of entry.acronyms) this.#queryLexicon.delete(d.longForm, d.acronym);
    this.#articles.clear();
    for (const e of entries) {
      const range = ranges.get(e.article.id);
      const entry: IndexedArticle = { article: e.article, hash: e.hash, acronyms: e.acronyms, ordinal: this.#ordinal(e.article.id) };
      if (range) entry.frozen = range;
      this.#register(entry);
    }
  }

  #register(entry: IndexedArticle): void {
    this.#articles.set(entry.article.id, entry);
    for (const d of entry.acronyms) this.#queryLexicon.add(d.longForm, d.acronym);
  }

  #ordinal(articleId: string): number {
    let i = this.#ordinals.get(articleId);
    if (i === undefined) {
      i = this.#ordinals.size;
      this.#ordinals.set(articleId, i);
    }
    return i;
  }

  #track(doc: number, id: string, ordinal: number): void {
    this.#setDoc(doc, ordinal, DOC_CLASS[parseDocId(id).kind]);
  }

  #setDoc(doc: number, ordinal: number, docClass: number): void {
    if (doc >= this.#docArticle.length) {
      const size = Math.max(doc + 1, this.#docArticle.length * 2);
      const articles = new Int32Array(size).fill(-1);
      articles.set(this.#docArticle);
      this.#docArticle = articles;
      const classes = new Uint8Array(size);
      classes.set(this.#docClass);
      this.#docClass = classes;
      const boosted = new Int32Array((size >>> 5) + 1);
      boosted.set(this.#boosted);
      this.#boosted = boosted;
    }
    this.#docArticle[doc] = ordinal;
    this.#docClass[doc] = docClass;
    const bit = 1 << (doc & 31);
    if (docClass !== DOC_CLASS.passage) this.#boosted[doc >>> 5] = (this.#boosted[doc >>> 5] as number) | bit;
    else this.#boosted[doc >>> 5] = (this.#boosted[doc >>> 5] as number) & ~bit;
  }

  get #segments(): Segments {
    return { frozen: this.#frozen, engine: this.#engine };
  }

  #externalId(doc: number): string | undefined {
    const base = this.#frozen.size;
    return doc < base ? this.#frozen.docIds[doc] : this.#engine.externalId(doc - base);
  }

  /** Analyzes a question with the acronyms of every loaded article. */
  analyze(question: string): AnalyzedQuery {
    return analyzeQuery(question, this.#queryLexicon);
  }

  /**
   * Ranks passages and key points for a question. Only good matches count (see RELEVANCE);
   * when there are none, `suggestions` offers index words close to the question's words.
   */
  search(query: string, options: SearchOptions = {}): SearchResult {
    const limit = Math.max(0, options.limit ?? 5);
    const offset = Math.max(0, options.offset ?? 0);
    const { groups, capped } = this.#cap(this.analyze(query));
    const base = { terms: groups.map((g) => g.term), words: groups.map((g) => g.word.toLowerCase()), ...(capped ? { capped } : {}) };
    if (groups.length === 0) return { ...base, hits: [], total: 0, suggestions: [] };
    const entry = options.articleId === undefined ? undefined : this.#articles.get(options.articleId);
    const ordinal = options.articleId === undefined ? undefined : (entry?.ordinal ?? -2);
    const params: ScoreParams = {
      ...this.#params,
      docBoost: { bits: this.#boosted, classes: this.#docClass, factors: CLASS_FACTORS },
      // An article's frozen documents are one range (none once it was re-added live).
      ...(ordinal === undefined ? {} : { filter: { docArticle: this.#docArticle, article: ordinal, range: entry?.frozen ?? [0, 0] } }),
    };
    const seg = this.#segments;
    const { searched, variants, unmatched } = this.#reachable(groups, variantsOf(seg, groups, params), params);
    const missing = unmatched.length > 0 ? { unmatched } : {};
    if (searched.length === 0) return { ...base, ...missing, hits: [], total: 0, suggestions: this.suggest(groups, options.articleId) };
    const weights = groupWeights(seg, searched, variants);
    const { top, good, estimated } = score(seg, searched.length, variants, weights, params, this.#scratch, offset + limit);
    const hits: SearchHit[] = top.slice(offset).map((s) => {
      const id = this.#externalId(s.shortId) as string;
      const { articleId, kind } = parseDocId(id);
      const matched = variants.filter((v) => variantHas(seg, v, s.shortId)).map((v) => v.term);
      const queryTerms = searched.filter((_, i) => s.mask & (1 << i)).map((g) => g.term);
      return { id, articleId, kind, score: s.score, terms: [...new Set(matched)], queryTerms };
    });
    return {
      ...base,
      ...missing,
      hits,
      total: good,
      suggestions: good === 0 ? this.suggest(groups, options.articleId) : [],
      ...(estimated ? { estimated } : {}),
    };
  }

  /**
   * The groups that can match a document the search may return, their variants renumbered to
   * match, and the words of the others. A word no passage holds in any form says nothing about
   * which passages answer best: scored, it would only lower every passage's coverage, so that
   * "China xylophone" found nothing although "China" is everywhere.
   */
  #reachable(
    groups: readonly QueryGroup[],
    variants: Variant[],
    params: ScoreParams,
  ): { searched: QueryGroup[]; variants: Variant[]; unmatched: string[] } {
    const seg = this.#segments;
    const reached = groups.map(() => false);
    for (const v of variants) if (!reached[v.group] && variantReaches(seg, v, params.filter)) reached[v.group] = true;
    if (reached.every(Boolean)) return { searched: [...groups], variants, unmatched: [] };
    const renumbered: number[] = [];
    const searched: QueryGroup[] = [];
    const unmatched: string[] = [];
    groups.forEach((g, i) => {
      renumbered[i] = searched.length;
      if (reached[i]) searched.push(g);
      else unmatched.push(g.word);
    });
    const kept: Variant[] = [];
    for (const v of variants) if (reached[v.group]) kept.push({ ...v, group: renumbered[v.group] as number });
    return { searched, variants: kept, unmatched };
  }

  /** Keeps the most specific (rarest) groups when a question has too many words, in question order. */
  #cap(query: AnalyzedQuery): { groups: QueryGroup[]; capped: boolean } {
    if (query.groups.length <= MAX_QUERY_TERMS) return query;
    const seg = this.#segments;
    const n = Math.max(this.documentCount, 1);
    const rarity = query.groups.map((g, i) => {
      const df = variantDf(seg, { ford: seg.frozen.term(g.term), live: seg.engine.postings(g.term) });
      return { i, w: df === 0 ? -1 : idf(df, n) };
    });
    rarity.sort((a, b) => b.w - a.w || a.i - b.i);
    const keep = new Set(rarity.slice(0, MAX_QUERY_TERMS).map((r) => r.i));
    return { groups: query.groups.filter((_, i) => keep.has(i)), capped: true };
  }

  /** Index words close to the question's words, as written in the passages. */
  suggest(groups: readonly QueryGroup[], articleId?: string, max = 5): string[] {
    const ordinal = articleId === undefined ? undefined : this.#articles.get(articleId)?.ordinal;
    return suggestWords(
      {
        seg: this.#segments,
        accept: (doc) => {
          const a = this.#docArticle[doc];
          return a !== undefined && a >= 0 && (ordinal === undefined || a === ordinal);
        },
        textOf: (doc) => {
          const id = this.#externalId(doc);
          const entry = id ? this.#articles.get(parseDocId(id).articleId) : undefined;
          return entry && id ? documentText(entry.article, id) : undefined;
        },
      },
      groups,
      max,
    );
  }
}
