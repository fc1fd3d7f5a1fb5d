// Multinomial metrics with H2O's names: logloss, mean_per_class_error, the confusion
// matrix (actual × predicted, predicted = the most probable class) and hit ratios
// (the share of rows whose class is among the k most probable, k = 1..min(10, K)).

import type { Task } from "../../core/mr.ts";
import { LOGLOSS_EPS, type ScoredChunk } from "./scored.ts";

export interface MultinomialArgs {
  readonly classes: number;
}

/** Partial: K×K confusion counts, then K hit counts, then Σ w·logloss, Σ w·squared error. */
export const MultinomialMetricsTask: Task<MultinomialArgs, Float64Array, ScoredChunk> = {
  name: "ml.metrics.multinomial",
  map(c, { classes: K }) {
    const s = new Float64Array(K * K + K + 2);
    const hitsAt = K * K;
    for (let i = 0; i < c.rows; i++) {
      const y = c.y[i];
      const w = c.w ? c.w[i] : 1;
      if (y !== y || w === 0) continue;
      const base = i * K;
      let arg = 0;
      for (let k = 1; k < K; k++) if (c.p[base + k] > c.p[base + arg]) arg = k;
      s[y * K + arg] += w;
      // Rank of the actual class: classes ahead of it, ties broken by class order as argmax does.
      const py = c.p[base + y];
      let rank = 0;
      for (let k = 0; k < K; k++) if (c.p[base + k] > py || (c.p[base + k] === py && k < y)) rank++;
      s[hitsAt + rank] += w;
      s[hitsAt + K] -= w * Math.log(Math.min(Math.max(py, LOGLOSS_EPS), 1 - LOGLOSS_EPS));
      // H2O's MSE for classifiers: the squared miss of the actual class's probability.
      s[hitsAt + K + 1] += w * (1 - py) * (1 - py);
    }
    return s;
  },
  reduce(a, b) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
    return out;
  },
  empty: ({ classes: K }) => new Float64Array(K * K + K + 2),
};

export interface MultinomialMetrics {
  readonly nobs: number;
  readonly MSE: number;
  readonly RMSE: number;
  readonly logloss: number;
  readonly mean_per_class_error: number;
  /** Rows actual class, columns predicted class. */
  readonly confusion_matrix: readonly (readonly number[])[];
  /** hit_ratios[k-1]: share of rows whose class is among the k most probable. */
  readonly hit_ratios: readonly number[];
}

export function multinomialMetrics(s: Float64Array, K: number): MultinomialMetrics {
  const cm = Array.from({ length: K }, (_, a) => Array.from(s.subarray(a * K, (a + 1) * K)));
  const n = cm.reduce((t, row) => t + row.reduce((u, x) => u + x, 0), 0);
  let errSum = 0;
  let present = 0;
  for (let a = 0; a < K; a++) {
    const total = cm[a].reduce((u, x) => u + x, 0);
    if (total === 0) continue;
    errSum += 1 - cm[a][a] / total;
    present++;
  }
  const hits: number[] = [];
  let cumulative = 0;
  for (let k = 0; k < Math.min(10, K); k++) {
    cumulative += s[K * K + k];
    hits.push(cumulative / n);
  }
  const mse = s[K * K + K + 1] / n;
  return {
    nobs: n,
    MSE: mse,
    RMSE: Math.sqrt(mse),
    logloss: s[K * K + K] / n,
    mean_per_class_error: errSum / present,
    confusion_matrix: cm,
    hit_ratios: hits,
  };
}
