// A node's sums as the split finder reads them (split.ts's FeatureBins: the non-empty
// bins of one feature), from either form a level pass gives them: a dense histogram
// block, or the records of the node's rows (nodes with fewer rows than bins), summed here
// into the bins they touch. Sums of integers, so both forms give the same bits.

import { FloeError } from "../../core/errors.ts";
import type { LevelPartial } from "./histogram.ts";
import type { NodeStats } from "./split.ts";
import { type FeatureBins, featureBins } from "./split.ts";

/**
 * A node's sums: a dense block (feature `features[j]` at bin `at[j]` of `data`), its rows'
 * records in a level partial, or a detached node's records.
 */
export type NodeHistogram = DenseHistogram | { readonly kind: "rows"; readonly part: LevelPartial; readonly slot: number; readonly features: readonly number[] } | DetachedHistogram;

/**
 * Records of rows, a record's fields side by side, so that reading a node's records or
 * partitioning them into its children's streams through memory (a record a cache line, not
 * a line a field): record r is words [r·stride, (r + 1)·stride) of `words`: its quantized g
 * and h, its global row id, then a Uint16 bin for every feature of the tree (recordBins).
 */
export interface RecordStore {
  readonly words: Int32Array;
  readonly stride: number;
}

/** Words a record of `width` features takes: g, h, row and the bins two to a word. */
export function recordStride(width: number): number {
  return 3 + ((width + 1) >> 1);
}

/** Where a record's bins start, in Uint16s from the record's first word (recordBins). */
export const RECORD_BINS_AT = 6;

/** The store's words as Uint16s: tree feature column c of record r is bin 2·r·stride + RECORD_BINS_AT + c. */
export function recordBins(store: RecordStore): Uint16Array {
  return new Uint16Array(store.words.buffer, store.words.byteOffset, 2 * store.words.length);
}

/**
 * A detached node: its rows left the view's partition as records of every tree feature, so
 * its subtree grows without level passes, on a worker that reads its records and partitions them
 * into its children's where they are (subtree-task.ts). Its records are those of `store` from `at`.
 */
export interface DetachedHistogram {
  readonly kind: "detached";
  readonly store: RecordStore;
  readonly at: number;
}

export interface DenseHistogram {
  readonly kind: "dense";
  readonly data: Float64Array;
  readonly at: Int32Array;
  readonly features: readonly number[];
}

/** Reads nodes' non-empty bins into one reused list; `maxBins` is the most bins a feature has. */
export class NodeBinsReader {
  private readonly list: FeatureBins;
  /** g, h, count a bin, zero between reads. */
  private readonly acc: Float64Array;

  constructor(maxBins: number) {
    this.list = featureBins(maxBins);
    this.acc = new Float64Array(maxBins * 3);
  }

  /** Feature `features[j]`'s non-empty bins (it has `bins` bins); valid until the next read. */
  read(h: NodeHistogram, j: number, bins: number): FeatureBins {
    if (h.kind === "detached") throw new FloeError("internal", "a detached node's subtree grows where its records are (subtree-task.ts)");
    return h.kind === "dense" ? this.readDense(h.data, h.at[j], bins) : this.readRows(h.part, h.slot, j);
  }

  /** The non-empty bins of `rows` records of a store from record `at`, their bins in column `column` of `bins` (its recordBins). */
  readRecords(store: RecordStore, bins: Uint16Array, at: number, rows: number, column: number): FeatureBins {
    const out = this.list;
    let m = 0;
    const acc = this.acc;
    const { words, stride } = store;
    for (let w = at * stride, end = w + rows * stride; w < end; w += stride) {
      const bin = bins[2 * w + column];
      const b = bin * 3;
      if (acc[b + 2] === 0) out.bin[m++] = bin;
      acc[b] += words[w];
      acc[b + 1] += words[w + 1];
      acc[b + 2] += 1;
    }
    return this.finish(m);
  }

  /** The non-empty bins of a dense block of `bins` bins from bin `at` of `data`. */
  readDense(data: Float64Array, at: number, bins: number): FeatureBins {
    const out = this.list;
    let m = 0;
    const from = at * 3;
    for (let b = 0; b < bins; b++) {
      const t = from + b * 3;
      if (data[t + 2] === 0) continue;
      out.bin[m] = b;
      out.g[m] = data[t];
      out.h[m] = data[t + 1];
      out.n[m] = data[t + 2];
      m++;
    }
    out.count = m;
    return out;
  }

  /** The non-empty bins of the j-th feature of row slot `slot`'s records in `part`. */
  readRows(part: LevelPartial, slot: number, j: number): FeatureBins {
    const out = this.list;
    let m = 0;
    const r0 = part.recordStart[slot];
    const w = part.width[slot];
    const acc = this.acc;
    for (const block of part.blocks) {
      const { recordBin, qg, qh } = block;
      const rows = block.filled[slot];
      for (let r = 0, rb = part.binStart[slot] + j; r < rows; r++, rb += w) {
        const t = recordBin[rb] * 3;
        if (acc[t + 2] === 0) out.bin[m++] = recordBin[rb];
        acc[t] += qg[r0 + r];
        acc[t + 1] += qh[r0 + r];
        acc[t + 2] += 1;
      }
    }
    return this.finish(m);
  }

  /** The list of the m bins touched (in `list.bin`), ascending, with their sums moved from the accumulator. */
  private finish(m: number): FeatureBins {
    const out = this.list;
    const acc = this.acc;
    sortAscending(out.bin, m);
    for (let q = 0; q < m; q++) {
      const t = out.bin[q] * 3;
      out.g[q] = acc[t];
      out.h[q] = acc[t + 1];
      out.n[q] = acc[t + 2];
      acc[t] = 0;
      acc[t + 1] = 0;
      acc[t + 2] = 0;
    }
    out.count = m;
    return out;
  }
}

/** Sorts a[0, m) ascending: insertion sort for the few bins a small node touches. */
function sortAscending(a: Int32Array, m: number): void {
  if (m > 64) {
    a.subarray(0, m).sort();
    return;
  }
  for (let i = 1; i < m; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

/** A dense node's totals in quantized units (g, h) and rows: every row falls in one bin of a feature. */
export function quantizedTotals(h: DenseHistogram, firstFeatureBins: number): NodeStats {
  let g = 0;
  let hh = 0;
  let n = 0;
  const from = h.at[0] * 3;
  for (let b = 0; b < firstFeatureBins; b++) {
    g += h.data[from + b * 3];
    hh += h.data[from + b * 3 + 1];
    n += h.data[from + b * 3 + 2];
  }
  return { g, h: hh, n };
}

/** Subtracts a child's sums from its parent's dense histogram in place (same features, same order). */
export function subtractInto(parent: DenseHistogram, child: NodeHistogram): void {
  const data = parent.data;
  if (child.kind === "dense") {
    const sub = child.data;
    for (let i = 0; i < data.length; i++) data[i] -= sub[i];
    return;
  }
  if (child.kind === "detached") throw new FloeError("internal", "a detached node's sums are not subtracted (both children of its parent are searched)");
  const { part, slot } = child;
  const r0 = part.recordStart[slot];
  const w = part.width[slot];
  const at = parent.at;
  for (const block of part.blocks) {
    const { recordBin, qg, qh } = block;
    const rows = block.filled[slot];
    for (let r = 0, rb = part.binStart[slot]; r < rows; r++) {
      const g = qg[r0 + r];
      const h = qh[r0 + r];
      for (let j = 0; j < w; j++, rb++) {
        const t = (at[j] + recordBin[rb]) * 3;
        data[t] -= g;
        data[t + 1] -= h;
        data[t + 2] -= 1;
      }
    }
  }
}
