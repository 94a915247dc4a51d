import type { Article } from '../article.ts';
import { type AcronymDefinition, articleAcronyms } from './acronyms.ts';
import { COMMON_LEXICON, Lexicon, termOf } from './analyze.ts';
import { articleHash, articleLexicon, buildDocuments, documentIds, documentText, parseDocId } from './documents.ts';
import { Engine } from './engine.ts';
import { type AnalyzedQuery, analyzeQuery, MAX_QUERY_TERMS, type QueryGroup } from './query.ts';
import { groupWeights, idf, type ScoreParams, type Scored, Scratch, scoreAll, topK, variantsOf } from './score.ts';
import { tokenize } from './text.ts';
import type { PassageSearch, SearchHit, SearchOptions, SearchResult } from './types.ts';

/** Boosts by field id: text, alias, sources, context. Part of the snapshot's options hash. */
export const FIELD_BOOSTS = [1, 0.5, 0.35, 0.5] as const;

/**
 * Relevance knobs. A document is a good match when it covers at least `minCoverage` of the
 * question's weight (and at least half of what the best document covers) and scores at least
 * `minRelativeScore` of the best; when even the best covers less than `noMatchCoverage`,
 * nothing matched well and the result carries suggestions instead.
 */
export const RELEVANCE = {
  aliasWeight: 0.7,
  prefixWeight: 0.375,
  fuzzyWeight: 0.45,
  keyPointBoost: 0.85,
  minCoverage: 0.3,
  minRelativeScore: 0.2,
  noMatchCoverage: 0.35,
} as const;

interface IndexedArticle {
  article: Article;
  hash: string;
  ordinal: number;
  acronyms: AcronymDefinition[];
}

/**
 * The MiniSearch-backed passage index: documents are body passages and key points, added and
 * removed an article at a time while the bot runs.
 *
 * @example
 * const index = new PassageIndex();
 * index.addArticle(article);
 * index.search('What did Japarov call for?', { limit: 3 }).hits[0].id // 'china-…#p13'
 */
export class PassageIndex implements PassageSearch {
  #engine: Engine;
  readonly #articles = new Map<string, IndexedArticle>();
  readonly #ordinals: string[] = [];
  /** short id -> article ordinal (-1 once discarded) */
  readonly #docArticle: number[] = [];
  /** short id -> 1 for key points */
  readonly #docKeyPoint: number[] = [];
  readonly #queryLexicon = new Lexicon(COMMON_LEXICON);
  readonly #scratch = new Scratch();
  readonly #params: ScoreParams;

  constructor(engine: Engine = new Engine()) {
    this.#engine = engine;
    this.#params = {
      fieldBoosts: FIELD_BOOSTS,
      aliasWeight: RELEVANCE.aliasWeight,
      prefixWeight: RELEVANCE.prefixWeight,
      fuzzyWeight: RELEVANCE.fuzzyWeight,
      docBoost: (doc) => (this.#docKeyPoint[doc] ? RELEVANCE.keyPointBoost : 1),
    };
  }

  /** Number of indexed documents (passages and key points). */
  get documentCount(): number {
    return this.#engine.documentCount;
  }

  /** Ids of the indexed articles. */
  get articleIds(): string[] {
    return [...this.#articles.keys()];
  }

  /** The MiniSearch store (for snapshots). */
  get engine(): Engine {
    return this.#engine;
  }

  /** The article object indexed under an id. */
  article(articleId: string): Article | undefined {
    return this.#articles.get(articleId)?.article;
  }

  /** Content fingerprint of an indexed article. */
  articleHash(articleId: string): string | undefined {
    return this.#articles.get(articleId)?.hash;
  }

  /**
   * Adds an article's passages and key points. Adding an article whose content is already
   * indexed (after a snapshot load) only attaches the object; a changed article with the same
   * id replaces the old documents.
   */
  addArticle(article: Article): void {
    const hash = articleHash(article);
    const existing = this.#articles.get(article.id);
    if (existing?.hash === hash) {
      existing.article = article;
      return;
    }
    if (existing) this.removeArticle(article.id);
    const lexicon = articleLexicon(article);
    const docs = buildDocuments(article, lexicon);
    const ordinal = this.#ordinal(article.id);
    for (const doc of docs) {
      this.#engine.add(doc);
      this.#track(this.#engine.shortId(doc.id) as number, doc.id, ordinal);
    }
    this.#register(article, hash, articleAcronyms(article));
  }

  /** Removes an article's documents (MiniSearch `discard`, so changed texts cannot corrupt the index). */
  removeArticle(articleId: string): void {
    const entry = this.#articles.get(articleId);
    if (!entry) return;
    for (const id of documentIds(entry.article)) {
      const shortId = this.#engine.shortId(id);
      if (shortId === undefined) continue;
      this.#engine.discard(id);
      this.#docArticle[shortId] = -1;
    }
    for (const d of entry.acronyms) this.#queryLexicon.delete(d.longForm, d.acronym);
    this.#articles.delete(articleId);
  }

  /**
   * Registers an article whose documents are already in the engine (snapshot load).
   * @internal
   */
  attach(article: Article, hash: string, acronyms: AcronymDefinition[]): void {
    this.#ordinal(article.id);
    this.#register(article, hash, acronyms);
  }

  /**
   * Rebuilds the short id -> article table from the engine's live documents (snapshot load).
   * @internal
   */
  reindexDocuments(): void {
    for (const [shortId, id] of this.#engine.liveDocuments()) this.#track(shortId, id, this.#ordinal(parseDocId(id).articleId));
  }

  #register(article: Article, hash: string, acronyms: AcronymDefinition[]): void {
    const ordinal = this.#ordinal(article.id);
    this.#articles.set(article.id, { article, hash, ordinal, acronyms });
    for (const d of acronyms) this.#queryLexicon.add(d.longForm, d.acronym);
  }

  #ordinal(articleId: string): number {
    const known = this.#articles.get(articleId)?.ordinal;
    if (known !== undefined) return known;
    let i = this.#ordinals.indexOf(articleId);
    if (i < 0) i = this.#ordinals.push(articleId) - 1;
    return i;
  }

  #track(shortId: number, id: string, ordinal: number): void {
    this.#docArticle[shortId] = ordinal;
    this.#docKeyPoint[shortId] = parseDocId(id).kind === 'keyPoint' ? 1 : 0;
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
    const analyzed = this.analyze(query);
    const { groups, capped } = this.#cap(analyzed);
    const terms = groups.map((g) => g.term);
    const base = { terms, words: groups.map((g) => g.word.toLowerCase()), ...(capped ? { capped } : {}) };
    if (groups.length === 0) return { ...base, hits: [], total: 0, suggestions: [] };
    const filterOrdinal = options.articleId === undefined ? undefined : (this.#articles.get(options.articleId)?.ordinal ?? -2);
    const params: ScoreParams =
      filterOrdinal === undefined ? this.#params : { ...this.#params, accept: (doc) => this.#docArticle[doc] === filterOrdinal };
    const variants = variantsOf(this.#engine, groups, params);
    const weights = groupWeights(this.#engine, groups, variants);
    const scored = scoreAll(this.#engine, groups.length, variants, weights, params, this.#scratch);
    let bestScore = 0;
    let bestCoverage = 0;
    for (const s of scored) {
      if (s.score > bestScore) bestScore = s.score;
      if (s.coverage > bestCoverage) bestCoverage = s.coverage;
    }
    const good: Scored[] =
      bestCoverage < RELEVANCE.noMatchCoverage
        ? []
        : scored.filter(
            (s) =>
              s.coverage >= Math.max(RELEVANCE.minCoverage, bestCoverage / 2) && s.score >= bestScore * RELEVANCE.minRelativeScore,
          );
    const page = topK(good, offset + limit).slice(offset);
    const hits: SearchHit[] = page.map((s) => {
      const id = this.#engine.externalId(s.shortId) as string;
      const { articleId, kind } = parseDocId(id);
      const matched = variants.filter((v) => [...v.data.values()].some((m) => m.has(s.shortId))).map((v) => v.term);
      const queryTerms = groups.filter((_, i) => s.mask & (1 << i)).map((g) => g.term);
      return { id, articleId, kind, score: s.score, terms: [...new Set(matched)], queryTerms };
    });
    const suggestions = good.length === 0 ? this.suggest(groups, options.articleId) : [];
    return { ...base, hits, total: good.length, suggestions };
  }

  /** Keeps the most specific (rarest) groups when a question has too many words, in question order. */
  #cap(query: AnalyzedQuery): { groups: QueryGroup[]; capped: boolean } {
    if (query.groups.length <= MAX_QUERY_TERMS) return query;
    const n = Math.max(this.#engine.documentCount, 1);
    const rarity = query.groups.map((g, i) => {
      let df = 0;
      for (const m of this.#engine.postings(g.term)?.values() ?? []) df = Math.max(df, m.size);
      return { i, w: df === 0 ? -1 : idf(df, n) };
    });
    const keep = new Set(
      rarity
        .sort((a, b) => b.w - a.w || a.i - b.i)
        .slice(0, MAX_QUERY_TERMS)
        .map((r) => r.i),
    );
    return { groups: query.groups.filter((_, i) => keep.has(i)), capped: true };
  }

  /**
   * Index words close to the question's words (one or two typos, or a shared beginning),
   * most frequent first, as they are written in the passages.
   */
  suggest(groups: readonly QueryGroup[], articleId?: string, max = 5): string[] {
    const candidates = new Map<string, number>();
    for (const g of groups.slice(0, 8)) {
      if (/^\d/.test(g.term) || g.term.length < 3) continue;
      const distance = g.term.length >= 5 ? 2 : 1;
      for (const [term, [data, d]] of this.#engine.near(g.term, distance)) {
        const df = this.#liveCount(data, articleId);
        if (df > 0) candidates.set(term, Math.max(candidates.get(term) ?? 0, df / (1 + d) + (d === 0 ? 1e6 : 0)));
      }
      if (g.term.length >= 4) {
        let seen = 0;
        for (const [term, data] of this.#engine.withPrefix(g.term.slice(0, 4))) {
          if (++seen > 200) break;
          const df = this.#liveCount(data, articleId);
          if (df > 0) candidates.set(term, Math.max(candidates.get(term) ?? 0, df / 3));
        }
      }
    }
    const out: string[] = [];
    for (const [term] of [...candidates].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
      const word = this.surfaceForm(term, articleId);
      if (word && !out.some((w) => w.toLowerCase() === word.toLowerCase())) out.push(word);
      if (out.length >= max) break;
    }
    return out;
  }

  #liveCount(data: Map<number, Map<number, number>>, articleId?: string): number {
    const postings = data.get(0);
    if (!postings) return 0;
    const ordinal = articleId === undefined ? undefined : this.#articles.get(articleId)?.ordinal;
    let n = 0;
    for (const doc of postings.keys()) {
      const a = this.#docArticle[doc];
      if (a === undefined || a < 0 || (ordinal !== undefined && a !== ordinal)) continue;
      if (++n >= 1000) break;
    }
    return n;
  }

  /** A word as written in some passage whose index term is `term` (`japarov` -> `Japarov`). */
  surfaceForm(term: string, articleId?: string): string | undefined {
    const postings = this.#engine.postings(term)?.get(0);
    if (!postings) return undefined;
    const ordinal = articleId === undefined ? undefined : this.#articles.get(articleId)?.ordinal;
    let tries = 0;
    for (const doc of postings.keys()) {
      const a = this.#docArticle[doc];
      if (a === undefined || a < 0 || (ordinal !== undefined && a !== ordinal)) continue;
      if (++tries > 5) break;
      const id = this.#engine.externalId(doc);
      const entry = id ? this.#articles.get(parseDocId(id).articleId) : undefined;
      const text = entry && id ? documentText(entry.article, id) : undefined;
      if (!text) continue;
      for (const t of tokenize(text)) {
        if (t.kind !== 'number' && termOf(t.norm) === term) {
          const raw = text.slice(t.start, t.end).replace(/['’]s$/, '');
          return t.capitalized && !t.sentenceStart ? raw : raw.toLowerCase();
        }
      }
    }
    return undefined;
  }
}
