// How k-means sees a row: p values, one per trained column, in the space where
// distances are measured. As in H2O (GenModel.Kmeans_preprocessData):
//   numeric  missing → the training mean; then (v − mean) / sd when standardizing
//            (sd 0 → scale 1); the grand center of the column is the encoded mean. The
//            mean and sd are the rollups' rounded to single precision (see encodingOf).
//   enum     the level's code; missing (or a level unseen in training) → the training
//            mode. Distance to a center counts 1 for a different level, 0 for the same
//            (H2O's mismatch distance), and a cluster's center is its most frequent level.
// Numeric values are then rounded to a grid of 2^-Q (Q per column, from the rows and the
// column's range) so that every sum of them over the training rows is exact: cluster
// sums, hence centers and assignments, are the same bits whatever the chunking, thread
// count or merge order. The grid is about 2^-30 of a standard deviation for a million
// rows, far below anything that moves a cluster. Squared distances are summed the same
// way on their own grid (distanceScale).

import type { Chunk } from "../../core/chunk.ts";
import type { Frame } from "../../core/frame.ts";
import type { BoundColumn } from "../bind.ts";

export interface Encoding {
  /** Value that replaces a missing one: the column mean, or the mode's code for enums. */
  readonly impute: Float64Array;
  /** Subtracted before scaling: the mean when standardizing, else 0 (0 for enums). */
  readonly sub: Float64Array;
  /** Multiplier after subtracting: 1/sd when standardizing, else 1. */
  readonly mul: Float64Array;
  /** Grid of numeric values: encoded values are integer multiples of 1/grid (0: enum). */
  readonly grid: Float64Array;
  /** 1 for an enum column. */
  readonly isCat: Uint8Array;
  /** Squared distances are summed as integers of 1/distanceScale. */
  readonly distanceScale: number;
}

/** 2^q with q the largest integer such that n·bound·2^q stays below 2^51. */
function gridFor(n: number, bound: number): number {
  const b = bound > 0 && Number.isFinite(bound) ? bound : 1;
  return 2 ** Math.floor(51 - Math.log2(Math.max(1, n) * b));
}

/**
 * The encoding of columns `cols` of a training frame with rollups (numeric or enum
 * columns, each with at least one value present).
 */
export function encodingOf(frame: Frame, cols: readonly number[], standardize: boolean): Encoding {
  const p = cols.length;
  const enc = {
    impute: new Float64Array(p),
    sub: new Float64Array(p),
    mul: new Float64Array(p).fill(1),
    grid: new Float64Array(p),
    isCat: new Uint8Array(p),
    distanceScale: 1,
  };
  const n = frame.rows;
  let maxDistance = 0;
  cols.forEach((c, j) => {
    const r = frame.rollups?.[c];
    if (frame.columns[c].type === "enum") {
      const counts = r?.levelCounts ?? [];
      let mode = 0;
      for (let l = 1; l < counts.length; l++) if (counts[l] > counts[mode]) mode = l;
      enc.impute[j] = mode;
      enc.isCat[j] = 1;
      maxDistance += 1;
      return;
    }
    // Rollup means and sds may differ in their last bits with the chunking (their merges
    // are floating point); rounded to single precision they agree, so the encoding does.
    const mean = Math.fround(r?.mean ?? 0);
    const sd = Math.fround(r?.sd ?? 0);
    enc.impute[j] = mean;
    if (standardize) {
      enc.sub[j] = mean;
      enc.mul[j] = sd > 0 ? 1 / sd : 1;
    }
    const lo = ((r?.min ?? 0) - enc.sub[j]) * enc.mul[j];
    const hi = ((r?.max ?? 0) - enc.sub[j]) * enc.mul[j];
    const bound = Math.max(Math.abs(lo), Math.abs(hi)) * (1 + 1e-9);
    enc.grid[j] = gridFor(n, bound);
    maxDistance += 4 * bound * bound;
  });
  enc.distanceScale = gridFor(n, maxDistance * (1 + 1e-9));
  return enc;
}

/** The encoded value of v in numeric column j (v may be NaN: imputed). */
export function encodeNumber(enc: Encoding, j: number, v: number): number {
  const x = v === v ? v : enc.impute[j];
  const g = enc.grid[j];
  return Math.round((x - enc.sub[j]) * enc.mul[j] * g) / g;
}

/** Encoded grand center: each column's mean (numeric) or mode (enum), length p. */
export function grandCenter(enc: Encoding): Float64Array {
  const p = enc.impute.length;
  const g = new Float64Array(p);
  for (let j = 0; j < p; j++) g[j] = enc.isCat[j] ? enc.impute[j] : encodeNumber(enc, j, Number.NaN);
  return g;
}

/**
 * Writes the encoded rows of `chunk` into `out` (rows × p, row-major). `bound[j]` says
 * where column j is in the chunk (−1: absent, all imputed) and how enum codes map to
 * training codes.
 */
export function encodeChunk(chunk: Chunk, bound: readonly BoundColumn[], enc: Encoding, out: Float64Array): void {
  const p = bound.length;
  const n = chunk.rows;
  for (let j = 0; j < p; j++) {
    const { col, recode } = bound[j];
    const vec = col < 0 ? null : chunk.vecs[col];
    if (enc.isCat[j]) {
      const mode = enc.impute[j];
      const codes = vec?.kind === "codes" ? vec.codes : null;
      for (let i = 0; i < n; i++) {
        let c = codes ? codes[i] : -1;
        if (c >= 0 && recode) c = recode[c];
        out[i * p + j] = c >= 0 ? c : mode;
      }
      continue;
    }
    const values = vec?.kind === "f64" ? vec.values : null;
    const impute = enc.impute[j];
    const sub = enc.sub[j];
    const mul = enc.mul[j];
    const g = enc.grid[j];
    for (let i = 0; i < n; i++) {
      const v = values ? values[i] : Number.NaN;
      out[i * p + j] = Math.round(((v === v ? v : impute) - sub) * mul * g) / g;
    }
  }
}

/**
 * Hamerly's bounds (local.ts, LloydTask) are trusted only by this relative margin, so that
 * a row they keep on its center has that center strictly nearest, as a full scan finds it.
 */
export const BOUND_MARGIN = 1 - 1e-9;

/** Squared distance between row `x[xo..xo+p)` and center `c[co..co+p)` (enums: mismatch counts 1). */
export function distance(x: Float64Array, xo: number, c: Float64Array, co: number, p: number, isCat: Uint8Array): number {
  let d = 0;
  for (let j = 0; j < p; j++) {
    if (isCat[j]) {
      if (x[xo + j] !== c[co + j]) d += 1;
    } else {
      const t = x[xo + j] - c[co + j];
      d += t * t;
    }
  }
  return d;
}

/**
 * The nearest of the k centers (k × p, row-major) to row `x[xo..xo+p)`, lowest index on
 * ties; its squared distance goes to out[0], the second nearest's to out[1] (Infinity
 * when k = 1). `hasCat` false takes the all-numeric path.
 */
export function nearest(x: Float64Array, xo: number, centers: Float64Array, k: number, p: number, isCat: Uint8Array, hasCat: boolean, out: Float64Array): number {
  let best = 0;
  let bestD = Infinity;
  let secondD = Infinity;
  for (let c = 0; c < k; c++) {
    const co = c * p;
    let d = 0;
    if (hasCat) d = distance(x, xo, centers, co, p, isCat);
    else {
      for (let j = 0; j < p; j++) {
        const t = x[xo + j] - centers[co + j];
        d += t * t;
      }
    }
    if (d < bestD) {
      secondD = bestD;
      bestD = d;
      best = c;
    } else if (d < secondD) secondD = d;
  }
  out[0] = bestD;
  out[1] = secondD;
  return best;
}
