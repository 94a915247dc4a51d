import { type Engine, FIELDS } from './engine.ts';
import type { FrozenData, FrozenSegment } from './frozen.ts';

/**
 * Merges the live documents of a frozen segment and of the MiniSearch engine into the arrays
 * of a new frozen segment, numbering documents in the order given (article by article, so an
 * article's documents are one contiguous range). Tombstoned and discarded documents vanish.
 */

const NF = FIELDS.length;

/** A growable typed array. */
class Grow<T extends Uint32Array | Uint16Array> {
  data: T;
  length = 0;
  readonly #make: (n: number) => T;

  constructor(make: (n: number) => T) {
    this.#make = make;
    this.data = make(1 << 16);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.#make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  /** The values on shared memory (search workers use them without a copy). */
  done(): T {
    const Type = this.data.constructor as new (buffer: SharedArrayBuffer) => T;
    const out = new Type(new SharedArrayBuffer(this.length * this.data.BYTES_PER_ELEMENT));
    out.set(this.data.subarray(0, this.length));
    return out;
  }
}

/**
 * Builds frozen arrays from both segments. `order` lists the external ids to keep, in their
 * new order; ids found in neither segment are skipped.
 */
export function compact(frozen: FrozenSegment, engine: Engine, order: readonly string[]): { data: FrozenData; kept: string[] } {
  const base = frozen.size;
  const newId = new Int32Array(base + engine.nextShortId + 1).fill(-1);
  const docIds: string[] = [];
  const lengths = new Float32Array(order.length * NF);
  const engineLengths = engine.lengthTable;
  for (const id of order) {
    const local = frozen.localId(id);
    if (local !== undefined && frozen.live[local] === 1) {
      newId[local] = docIds.length;
      lengths.set(frozen.lengths.subarray(local * NF, local * NF + NF), docIds.length * NF);
    } else {
      const sid = engine.shortId(id);
      if (sid === undefined) continue;
      newId[base + sid] = docIds.length;
      lengths.set(engineLengths.subarray(sid * NF, sid * NF + NF), docIds.length * NF);
    }
    docIds.push(id);
  }
  const termSet = new Set<string>(frozen.terms);
  for (const [term] of engine.allTerms()) termSet.add(term);
  const sorted = [...termSet].sort();
  termSet.clear();
  const ptr = new Uint32Array(sorted.length * NF + 1);
  const docs = new Grow((n) => new Uint32Array(n));
  const tfs = new Grow((n) => new Uint16Array(n));
  const pack = new Float64Array(Math.max(1, docIds.length));
  const terms: string[] = [];
  for (const term of sorted) {
    const ford = frozen.term(term);
    const edata = engine.postings(term);
    const at = terms.length * NF;
    const first = docs.length;
    for (let f = 0; f < NF; f++) {
      ptr[at + f] = docs.length;
      let n = 0;
      if (ford !== undefined) {
        for (let i = frozen.start(ford, f), end = frozen.end(ford, f); i < end; i++) {
          const nid = newId[frozen.docs[i] as number] as number;
          if (nid >= 0) pack[n++] = nid * 65536 + (frozen.tfs[i] as number);
        }
      }
      edata?.get(f)?.forEach((tf, sid) => {
        const nid = newId[base + sid] as number;
        if (nid >= 0) pack[n++] = nid * 65536 + Math.min(tf, 65535);
      });
      const slice = pack.subarray(0, n).sort();
      for (let i = 0; i < n; i++) {
        const v = slice[i] as number;
        docs.push(Math.floor(v / 65536));
        tfs.push(v % 65536);
      }
    }
    if (docs.length > first) terms.push(term);
  }
  ptr[terms.length * NF] = docs.length;
  return {
    data: {
      docIds,
      lengths: onShared(lengths.subarray(0, docIds.length * NF)),
      terms,
      ptr: onShared(ptr.subarray(0, terms.length * NF + 1)),
      docs: docs.done(),
      tfs: tfs.done(),
    },
    kept: docIds,
  };
}

/** A copy of typed values on shared memory. */
function onShared<T extends Float32Array | Uint32Array>(values: T): T {
  const Type = values.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Type(new SharedArrayBuffer(values.byteLength));
  out.set(values);
  return out;
}
