// Binning: every feature becomes small integer bins, once per training frame.
//   numeric  quantile cut points from a seeded row sample (a map/reduce sketch);
//            bin(x) = the first i with x <= cuts[i], or cuts.length when x is above all
//   enum     one bin per level, or the nbins_cats − 1 most frequent levels plus one
//            shared bin for the rest
//   missing  its own bin, the last one
// The same specs bin a validation or scoring frame, so a split on bins is a split on
// values: bin(x) <= b exactly when x <= cuts[b].

import type { Chunk } from "../../core/chunk.ts";
import type { Chunked, Executor, Task } from "../../core/mr.ts";
import { rowUniform, seedState } from "../../core/rng.ts";
import { lowerBound, mergeSortedRuns, sortedConcat } from "../../core/sorted.ts";

/** Rows the quantile sketch aims to sample, whatever the frame size. */
const SKETCH_ROWS = 200_000;
/** The sketch's sampling seed: fixed, so cut points depend only on the data. */
const SKETCH_SEED = seedState(0x5ee7);

export interface FeatureSpec {
  readonly name: string;
  readonly kind: "numeric" | "enum";
  /** Numeric: ascending upper-inclusive cut points. */
  readonly cuts?: Float64Array;
  /** Enum: the bin of each training level (index = level code). */
  readonly levelToBin?: Int32Array;
  /** Enum: the training levels, to map a scoring frame's levels by name. */
  readonly domain?: readonly string[];
  /** Bins holding values; the missing bin is `valueBins`. */
  readonly valueBins: number;
}

export function totalBins(f: FeatureSpec): number {
  return f.valueBins + 1;
}

// The sketch's scratch of sampled rows, kept between chunks: a thread maps one chunk at a time.
let sketchRows = new Int32Array(0);

/**
 * Sorted samples of each requested numeric column, as sorted runs (a chunk's, or a worker's
 * merged: settle): the partial of the sketch task, merged once at the end (sketch). A sorted
 * merge is exact in any order once −0 is stored as 0 (the one pair of equal values with two
 * bit patterns), so the task is commutative: each worker sorts its own chunks' runs together
 * (sortedConcat). (Merging a chunk at a time on the main thread took half the sketch's time;
 * merging a chunk at a time into a worker's sample made a hundred megabytes of garbage.)
 */
export const SketchTask: Task<{ cols: readonly number[]; rate: number }, Float64Array[][]> = {
  name: "ml.tree.sketch",
  commutative: true,
  map(chunk, { cols, rate }) {
    // The sampled rows are the same for every column: drawn once (a hash a row), not a column at a time.
    if (sketchRows.length < chunk.rows) sketchRows = new Int32Array(chunk.rows);
    const rows = sketchRows;
    let m = 0;
    for (let i = 0; i < chunk.rows; i++) {
      rows[m] = i;
      m += rowUniform(SKETCH_SEED, chunk.start + i) < rate ? 1 : 0;
    }
    return cols.map((c) => {
      const vec = chunk.vecs[c];
      if (vec.kind !== "f64") return [];
      const v = vec.values;
      const out = new Float64Array(m);
      let kept = 0;
      for (let j = 0; j < m; j++) {
        const x = v[rows[j]] + 0;
        out[kept] = x;
        kept += x === x ? 1 : 0;
      }
      return [out.subarray(0, kept).sort()];
    });
  },
  reduce: (a, b) => a.map((runs, k) => runs.concat(b[k])),
  empty: ({ cols }) => cols.map(() => []),
  settle(acc) {
    for (const runs of acc) if (runs.length > 1) runs.splice(0, runs.length, sortedConcat(runs));
  },
};

/** The sorted sample of each of `cols` (numeric columns of `frame`) at `rate`, NaN left out. */
export async function sketch(executor: Executor, frame: Chunked<Chunk>, cols: readonly number[], rate: number): Promise<Float64Array[]> {
  const runs = await executor.run(SketchTask, frame, { cols, rate });
  return runs.map(mergeSortedRuns);
}

/** Sampling rate that gives the sketch about SKETCH_ROWS rows. */
export function sketchRate(rows: number): number {
  return Math.min(1, SKETCH_ROWS / Math.max(1, rows));
}

/**
 * At most nbins − 1 cut points, so at most `nbins` value bins, from a sorted sample:
 * every distinct value but the largest when there are few, else quantiles (deduplicated).
 */
export function cutPoints(sorted: Float64Array, nbins: number): Float64Array {
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  if (distinct.length <= nbins) return Float64Array.from(distinct.slice(0, -1));
  const cuts: number[] = [];
  for (let j = 1; j < nbins; j++) {
    const x = sorted[Math.floor((j * sorted.length) / nbins) - 1];
    if (cuts.length === 0 || x > cuts[cuts.length - 1]) cuts.push(x);
  }
  return Float64Array.from(cuts);
}

/** Bin of x for cut points `cuts` (binary search); NaN goes to `missingBin`. */
export function numericBin(cuts: Float64Array, x: number, missingBin: number): number {
  return x !== x ? missingBin : lowerBound(cuts, x);
}

/** Buckets of equal width a cut point, over the cuts' range, that start binValues' searches. */
const HINT_BUCKETS_PER_CUT = 4;
/** Fewer cuts than this are searched whole (a few steps, no table to build). */
const HINTED_MIN_CUTS = 16;

/**
 * numericBin of each of `values[0, rows)` into `out`. With many cuts, a value's search starts
 * from the cuts of its equal-width bucket (one or two, where a search over all took eight
 * unpredictable steps: binning a column of 250 cuts went from 46 to a few ns a value).
 * The bucket is only a hint (rounding, or values beyond the cuts, may put a value one
 * bucket off): the search then steps to the first cut at or above the value, so the bins
 * are numericBin's exactly.
 */
export function binValues(cuts: Float64Array, values: Float64Array, rows: number, missing: number, out: Uint16Array): void {
  const n = cuts.length;
  const lo = n > 0 ? cuts[0] : 0;
  const span = n > 0 ? cuts[n - 1] - lo : 0;
  if (n < HINTED_MIN_CUTS || !(span > 0 && span < Number.POSITIVE_INFINITY)) {
    for (let i = 0; i < rows; i++) out[i] = numericBin(cuts, values[i], missing);
    return;
  }
  const buckets = HINT_BUCKETS_PER_CUT * n;
  const scale = buckets / span;
  const first = new Int32Array(buckets + 1);
  for (let b = 0; b < buckets; b++) first[b] = lowerBound(cuts, lo + b / scale);
  first[buckets] = n;
  for (let i = 0; i < rows; i++) {
    const x = values[i];
    if (x !== x) {
      out[i] = missing;
      continue;
    }
    const t = (x - lo) * scale;
    const b = t >= 0 ? (t < buckets ? t | 0 : buckets - 1) : 0;
    let a = first[b];
    let e = first[b + 1];
    if (e - a > 2) {
      while (a < e) {
        const mid = (a + e) >> 1;
        if (cuts[mid] < x) a = mid + 1;
        else e = mid;
      }
    } else if (a < e) a += cuts[a] < x ? 1 : 0;
    while (a > 0 && cuts[a - 1] >= x) a--;
    while (a < n && cuts[a] < x) a++;
    out[i] = a;
  }
}

/** Enum levels to bins: all levels when they fit, else the most frequent share. */
export function enumBins(levelCounts: readonly number[], nbinsCats: number): { levelToBin: Int32Array; valueBins: number } {
  const n = levelCounts.length;
  const levelToBin = new Int32Array(n);
  if (n <= nbinsCats) {
    for (let l = 0; l < n; l++) levelToBin[l] = l;
    return { levelToBin, valueBins: Math.max(n, 1) };
  }
  const byCount = Array.from({ length: n }, (_, l) => l).sort((a, b) => levelCounts[b] - levelCounts[a] || a - b);
  const kept = nbinsCats - 1;
  levelToBin.fill(kept);
  byCount.slice(0, kept).forEach((l, bin) => {
    levelToBin[l] = bin;
  });
  return { levelToBin, valueBins: nbinsCats };
}

/** A feature spec and where its values sit in a frame's chunks. */
export interface BinColumn {
  /** Column index in the frame; −1 when the frame lacks it (all missing). */
  readonly col: number;
  readonly spec: FeatureSpec;
  /** For enum columns of a frame other than the training one: its codes to training codes (−1 unknown). */
  readonly recode?: Int32Array;
}

/**
 * Bins of one feature for rows [0, rows) of a chunk. Always Uint16, even where bytes would
 * do: one array type keeps the per-row loops that read several features monomorphic
 * (bench/tree-phases: a depth-20 forest's level passes 1.38x faster than with mixed types).
 */
export function binColumn(chunk: Chunk, b: BinColumn): Uint16Array {
  const { spec } = b;
  const missing = spec.valueBins;
  const out = new Uint16Array(new SharedArrayBuffer(chunk.rows * 2));
  const vec = b.col >= 0 ? chunk.vecs[b.col] : undefined;
  if (spec.kind === "numeric" && vec?.kind === "f64") {
    binValues(spec.cuts as Float64Array, vec.values, chunk.rows, missing, out);
  } else if (spec.kind === "enum" && vec?.kind === "codes") {
    const levelToBin = spec.levelToBin as Int32Array;
    const recode = b.recode;
    const codes = vec.codes;
    for (let i = 0; i < chunk.rows; i++) {
      let c = codes[i];
      if (recode && c >= 0) c = recode[c];
      out[i] = c < 0 ? missing : levelToBin[c];
    }
  } else {
    out.fill(missing);
  }
  return out;
}
