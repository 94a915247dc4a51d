import { termOf } from './analyze.ts';
import type { QueryGroup } from './query.ts';
import type { Segments } from './score.ts';
import { tokenize } from './text.ts';

/**
 * Words to suggest when a question matches nothing well: index words one or two typos away
 * from the question's words, or sharing their first four letters, most frequent first, shown
 * as they are written in a passage (`japarov` -> `Japarov`).
 */

/** What suggestions need from the index: which documents count and their texts. */
export interface SuggestContext {
  seg: Segments;
  /** Whether a global document number is live (and in the searched article, if any). */
  accept(doc: number): boolean;
  /** The text of a global document number. */
  textOf(doc: number): string | undefined;
}

/** Up to `limit` documents (global numbers) holding `term` in the text field, that `accept` allows. */
function docsWith(ctx: SuggestContext, term: string, limit: number): number[] {
  const { frozen, engine } = ctx.seg;
  const out: number[] = [];
  const ford = frozen.term(term);
  if (ford !== undefined) {
    for (let i = frozen.start(ford, 0), end = frozen.end(ford, 0); i < end && out.length < limit; i++) {
      const doc = frozen.docs[i] as number;
      if (ctx.accept(doc)) out.push(doc);
    }
  }
  const live = engine.postings(term)?.get(0);
  if (live) {
    for (const sid of live.keys()) {
      if (out.length >= limit) break;
      if (ctx.accept(frozen.size + sid)) out.push(frozen.size + sid);
    }
  }
  return out;
}

/** A word as written in some passage whose index term is `term`. */
export function surfaceForm(ctx: SuggestContext, term: string): string | undefined {
  for (const doc of docsWith(ctx, term, 5)) {
    const text = ctx.textOf(doc);
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

export function suggestWords(ctx: SuggestContext, groups: readonly QueryGroup[], max = 5): string[] {
  const { frozen, engine } = ctx.seg;
  const candidates = new Map<string, number>();
  const consider = (term: string, weight: number): void => {
    if (candidates.has(term) && (candidates.get(term) as number) >= weight) return;
    const df = docsWith(ctx, term, 200).length;
    if (df > 0) candidates.set(term, df * weight);
  };
  for (const g of groups.slice(0, 8)) {
    if (/^\d/.test(g.term) || g.term.length < 3) continue;
    for (const [term] of frozen.near1(g.term)) consider(term, 0.5);
    for (const [term, [, d]] of engine.near(g.term, g.term.length >= 5 ? 2 : 1)) consider(term, d === 0 ? 1e6 : 1 / (1 + d));
    if (frozen.term(g.term) !== undefined) consider(g.term, 1e6);
    if (g.term.length >= 4) {
      const head = g.term.slice(0, 4);
      let seen = 0;
      for (const [term] of frozen.prefixed(head, 100)) if (++seen <= 100) consider(term, 1 / 3);
      seen = 0;
      for (const [term] of engine.withPrefix(head)) {
        if (++seen > 100) break;
        consider(term, 1 / 3);
      }
    }
  }
  const out: string[] = [];
  for (const [term] of [...candidates].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const word = surfaceForm(ctx, term);
    if (word && !out.some((w) => w.toLowerCase() === word.toLowerCase())) out.push(word);
    if (out.length >= max) break;
  }
  return out;
}
