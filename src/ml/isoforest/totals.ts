// The training rows' scores of an isolation forest, from one pass: an isolation tree's path
// length is a whole number, so the total over the trees is one too, and the pass counts the
// training rows per total (a commutative, exact partial). From those counts come H2O's
// min/max_path_length (which normalize every score), the training metrics, the score
// histogram and the contamination threshold, H2O's quantile of the training scores at
// 1 − contamination (linear interpolation between order statistics, its default).

import type { Task } from "../../core/mr.ts";
import { type AnomalyMetrics, anomalyMetrics } from "../metrics/anomaly.ts";
import { totalPathLength } from "./forest.ts";
import { type Normalizer, normalizedScore, SCORE_BINS, type ScoreArgs, scoreBin } from "./model.ts";
import { readRows } from "./rows.ts";

export interface TotalsArgs extends ScoreArgs {
  /** Largest possible total + 1: the partial's length. */
  readonly size: number;
}

/** Partial: training rows per total path length (index = total). */
export const PathTotalsTask: Task<TotalsArgs, Float64Array> = {
  name: "ml.isoforest.totals",
  commutative: true,
  map(chunk, { bound, forest, size }) {
    const p = bound.length;
    const x = new Float64Array(chunk.rows * p);
    readRows(chunk, bound, x);
    const counts = new Float64Array(size);
    for (let i = 0; i < chunk.rows; i++) counts[totalPathLength(forest, x, i * p, p)]++;
    return counts;
  },
  reduce(a, b) {
    const out = new Float64Array(a.length);
    for (let k = 0; k < a.length; k++) out[k] = a[k] + b[k];
    return out;
  },
  empty: ({ size }) => new Float64Array(size),
};

export interface TrainingScores {
  readonly min: number;
  readonly max: number;
  readonly metrics: AnomalyMetrics;
  readonly histogram: number[];
  /** The normalized score at quantile q of the training rows' scores. */
  quantile(q: number): number;
}

/** What the counts per total say of the training rows' scores (`trees` in the forest). */
export function trainingScores(counts: Float64Array, trees: number): TrainingScores {
  let min = -1;
  let max = -1;
  let n = 0;
  for (let k = 0; k < counts.length; k++) {
    if (counts[k] === 0) continue;
    if (min < 0) min = k;
    max = k;
    n += counts[k];
  }
  const norm: Normalizer = { trees, min, max, c: 0 };
  const histogram = new Array<number>(SCORE_BINS).fill(0);
  let sumMean = 0;
  let sumScore = 0;
  for (let k = min; k <= max; k++) {
    if (counts[k] === 0) continue;
    const s = normalizedScore(k, norm);
    sumMean += (counts[k] * k) / trees;
    sumScore += counts[k] * s;
    histogram[scoreBin(s)] += counts[k];
  }
  // The r-th smallest score (from 0) is the score of the r-th largest total.
  const orderStat = (r: number): number => {
    let seen = 0;
    for (let k = max; k >= min; k--) {
      seen += counts[k];
      if (seen > r) return normalizedScore(k, norm);
    }
    return normalizedScore(min, norm);
  };
  return {
    min,
    max,
    metrics: anomalyMetrics(n, sumMean, sumScore),
    histogram,
    quantile(q) {
      const h = q * (n - 1);
      const lo = Math.floor(h);
      const a = orderStat(lo);
      return lo + 1 < n ? a + (h - lo) * (orderStat(lo + 1) - a) : a;
    },
  };
}
