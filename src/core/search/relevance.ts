/**
 * The relevance settings of the passage index (see score.ts for how they are used), and the
 * options a PassageIndex takes.
 */

/** Boosts by field id: text, alias (demonym places, acronyms), cited sources, scenario label. */
export const FIELD_BOOSTS = [1, 0.5, 0.35, 0.5] as const;

/**
 * Relevance knobs (see score.ts): alias, prefix and typo weights; key points rank a little
 * below passages, and the document about a briefing (its author) well below them, so it answers
 * questions about who wrote what without pushing passages down on other questions;
 * coverage and relative-score bars for a good match.
 */
export const RELEVANCE = {
  aliasWeight: 0.7,
  prefixWeight: 0.375,
  fuzzyWeight: 0.45,
  keyPointBoost: 0.85,
  aboutBoost: 0.5,
  minCoverage: 0.25,
  minRelativeScore: 0.2,
  noMatchCoverage: 0.25,
} as const;

/** Options of a PassageIndex. */
export interface PassageIndexOptions {
  /**
   * Queries whose postings lists hold at least this many entries may stop scoring early (exact
   * top hits, estimated total; see score.ts). Default PRUNE_MIN_POSTINGS; `Infinity` scores
   * every document.
   */
  pruneFrom?: number;
}
