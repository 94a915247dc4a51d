import type { SlackBlock, SlackLimits } from './block-types.ts';

/**
 * Packs rendered blocks into messages within Slack's limits. A unit (one excerpt, one list
 * section) carries the footnotes it cites; every message holding any part of a unit also holds
 * those footnotes' source blocks, placed after the unit blocks.
 */

export interface Unit {
  blocks: SlackBlock[];
  /** Keys of the source blocks that must travel with this unit (see `sourceKey`). */
  sources: string[];
}

export interface PackInput {
  /** Blocks opening the first message (the header). */
  head: SlackBlock[];
  units: Unit[];
  /** Rendered source blocks by key, in the order they are shown. */
  sourceBlocks: ReadonlyMap<string, SlackBlock>;
  /** Blocks closing the last message (footer, buttons). */
  tail: SlackBlock[];
  limits: SlackLimits;
  /** Room kept free in every message (for the "continued" marker added afterwards). */
  reserve: { blocks: number; chars: number };
}

/** Identifies a source across briefings: `[6]` of one briefing is not `[6]` of another. */
export function sourceKey(articleId: string, n: number): string {
  return `${articleId}#${n}`;
}

/** Serialised size of one block, as it counts toward the message limit. */
export function blockSize(block: SlackBlock): number {
  return JSON.stringify(block).length;
}

class Draft {
  readonly body: SlackBlock[] = [];
  readonly sources = new Set<string>();
  units = 0;
  #chars: number;
  readonly #input: PackInput;

  constructor(input: PackInput, head: SlackBlock[]) {
    this.#input = input;
    this.body.push(...head);
    this.#chars = head.reduce((sum, b) => sum + blockSize(b) + 1, 0);
  }

  #sourceCost(sources: readonly string[]): { blocks: number; chars: number } {
    let blocks = 0;
    let chars = 0;
    for (const n of new Set(sources)) {
      const block = this.#input.sourceBlocks.get(n);
      if (!block || this.sources.has(n)) continue;
      blocks += 1;
      chars += blockSize(block) + 1;
    }
    return { blocks, chars };
  }

  #sourceChars(): number {
    let chars = 0;
    for (const n of this.sources) chars += blockSize(this.#input.sourceBlocks.get(n) as SlackBlock) + 1;
    return chars;
  }

  fits(blocks: readonly SlackBlock[], sources: readonly string[]): boolean {
    const { limits, reserve } = this.#input;
    const extra = this.#sourceCost(sources);
    const count = this.body.length + this.sources.size + blocks.length + extra.blocks + reserve.blocks;
    const chars = 2 + this.#chars + this.#sourceChars() + blocks.reduce((s, b) => s + blockSize(b) + 1, 0) + extra.chars + reserve.chars;
    return count <= limits.blocks && chars <= limits.messageChars;
  }

  add(blocks: readonly SlackBlock[], sources: readonly string[]): void {
    for (const b of blocks) {
      this.body.push(b);
      this.#chars += blockSize(b) + 1;
    }
    for (const n of sources) if (this.#input.sourceBlocks.has(n)) this.sources.add(n);
  }

  /** Adds what fits of `sources`, returning those that did not. */
  addSourcesWhileFitting(sources: readonly string[]): string[] {
    const left: string[] = [];
    for (const n of sources) {
      if (!this.#input.sourceBlocks.has(n) || this.sources.has(n)) continue;
      if (this.fits([], [n])) this.sources.add(n);
      else left.push(n);
    }
    return left;
  }

  get empty(): boolean {
    return this.units === 0 && this.sources.size === 0;
  }

  finish(): SlackBlock[] {
    const footnotes = [...this.#input.sourceBlocks].filter(([key]) => this.sources.has(key)).map(([, block]) => block);
    return [...this.body, ...footnotes];
  }
}

/**
 * Splits into as few messages as fit. A unit too large for one message is split between its
 * blocks, each part keeping the unit's footnotes; only footnotes that cannot fit beside even a
 * single block of their unit spill into the next message.
 */
export function pack(input: PackInput): SlackBlock[][] {
  const messages: SlackBlock[][] = [];
  let draft = new Draft(input, input.head);
  const next = () => {
    messages.push(draft.finish());
    draft = new Draft(input, []);
  };

  const place = (blocks: SlackBlock[], sources: string[]): boolean => {
    if (draft.fits(blocks, sources)) {
      draft.add(blocks, sources);
      draft.units += 1;
      return true;
    }
    if (!draft.empty) {
      next();
      if (draft.fits(blocks, sources)) {
        draft.add(blocks, sources);
        draft.units += 1;
        return true;
      }
    }
    return false;
  };

  for (const unit of input.units) {
    if (place(unit.blocks, unit.sources)) continue;
    for (const block of unit.blocks) {
      if (place([block], unit.sources)) continue;
      // Not even one block with all its footnotes fits an empty message: keep the block and
      // as many footnotes as fit, and carry the rest over.
      draft.add([block], []);
      draft.units += 1;
      let left = draft.addSourcesWhileFitting(unit.sources);
      while (left.length) {
        next();
        const before = left.length;
        left = draft.addSourcesWhileFitting(left);
        if (left.length === before) left = left.slice(1);
      }
    }
  }
  let tail: SlackBlock[] = [];
  if (input.tail.length) {
    if (!draft.fits(input.tail, [])) next();
    tail = input.tail;
  }
  const last = [...draft.finish(), ...tail];
  if (last.length || messages.length === 0) messages.push(last);
  return messages;
}
