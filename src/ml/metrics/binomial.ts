// Binomial metrics with H2O's names: logloss, AUC, pr_auc, Gini, mean_per_class_error,
// the confusion matrix at the max-F1 threshold, and the thresholds table. AUC is exact:
// the partial of a chunk is its (probability, label) pairs sorted by probability, and
// partials merge as sorted lists, so the result does not depend on chunking.

import type { Task } from "../../core/mr.ts";
import { LOGLOSS_EPS, type ScoredChunk } from "./scored.ts";

export interface SortedScores {
  /** Probabilities of class 1, descending. */
  readonly p: Float64Array;
  /** Labels (0/1) in the same order. */
  readonly y: Uint8Array;
  readonly w: Float64Array;
  /** Σ w·logloss over the rows. */
  readonly logloss: number;
}

export const BinomialScoresTask: Task<Record<string, never>, SortedScores, ScoredChunk> = {
  name: "ml.metrics.binomial",
  map(c) {
    const order: number[] = [];
    let logloss = 0;
    for (let i = 0; i < c.rows; i++) {
      const w = c.w ? c.w[i] : 1;
      if (c.y[i] !== c.y[i] || w === 0) continue;
      order.push(i);
      const q = Math.min(Math.max(c.p[i], LOGLOSS_EPS), 1 - LOGLOSS_EPS);
      logloss -= w * (c.y[i] === 1 ? Math.log(q) : Math.log(1 - q));
    }
    order.sort((a, b) => c.p[b] - c.p[a]);
    return {
      p: Float64Array.from(order, (i) => c.p[i]),
      y: Uint8Array.from(order, (i) => c.y[i]),
      w: Float64Array.from(order, (i) => (c.w ? c.w[i] : 1)),
      logloss,
    };
  },
  reduce(a, b) {
    const n = a.p.length + b.p.length;
    const p = new Float64Array(n);
    const y = new Uint8Array(n);
    const w = new Float64Array(n);
    let i = 0;
    let j = 0;
    for (let k = 0; k < n; k++) {
      // Ties take a's row first: the merge is stable, whatever the chunking.
      const fromA = j >= b.p.length || (i < a.p.length && a.p[i] >= b.p[j]);
      const src = fromA ? a : b;
      const at = fromA ? i++ : j++;
      p[k] = src.p[at];
      y[k] = src.y[at];
      w[k] = src.w[at];
    }
    return { p, y, w, logloss: a.logloss + b.logloss };
  },
  empty: () => ({ p: new Float64Array(0), y: new Uint8Array(0), w: new Float64Array(0), logloss: 0 }),
};

export interface ThresholdRow {
  readonly threshold: number;
  readonly f1: number;
  readonly f2: number;
  readonly f0point5: number;
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly specificity: number;
  readonly absolute_mcc: number;
  readonly min_per_class_accuracy: number;
  readonly mean_per_class_accuracy: number;
  readonly tns: number;
  readonly fns: number;
  readonly fps: number;
  readonly tps: number;
}

export interface BinomialMetrics {
  readonly nobs: number;
  readonly MSE: number;
  readonly RMSE: number;
  readonly logloss: number;
  readonly AUC: number;
  readonly pr_auc: number;
  readonly Gini: number;
  readonly mean_per_class_error: number;
  /** The threshold of maximum F1, which the confusion matrix and class predictions use. */
  readonly max_f1_threshold: number;
  /** [[tn, fp], [fn, tp]]: rows actual 0/1, columns predicted 0/1. */
  readonly confusion_matrix: readonly (readonly number[])[];
  readonly thresholds_and_metric_scores: readonly ThresholdRow[];
}

/** Most rows the thresholds table keeps (evenly spaced over the distinct thresholds). */
const MAX_THRESHOLD_ROWS = 400;

function thresholdRow(t: number, tp: number, fp: number, P: number, N: number): ThresholdRow {
  const fn = P - tp;
  const tn = N - fp;
  const precision = tp + fp > 0 ? tp / (tp + fp) : 1;
  const recall = P > 0 ? tp / P : 0;
  const specificity = N > 0 ? tn / N : 0;
  const fbeta = (b: number) => (precision + recall > 0 ? ((1 + b * b) * precision * recall) / (b * b * precision + recall) : 0);
  const mccDen = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  return {
    threshold: t,
    f1: fbeta(1),
    f2: fbeta(2),
    f0point5: fbeta(0.5),
    accuracy: (tp + tn) / (P + N),
    precision,
    recall,
    specificity,
    absolute_mcc: mccDen > 0 ? Math.abs((tp * tn - fp * fn) / mccDen) : 0,
    min_per_class_accuracy: Math.min(recall, specificity),
    mean_per_class_accuracy: (recall + specificity) / 2,
    tns: tn,
    fns: fn,
    fps: fp,
    tps: tp,
  };
}

export function binomialMetrics(s: SortedScores): BinomialMetrics {
  const n = s.p.length;
  let P = 0;
  let N = 0;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const w = s.w[i];
    if (s.y[i] === 1) P += w;
    else N += w;
    const e = s.p[i] - s.y[i];
    sse += w * e * e;
  }
  // Walk the distinct thresholds from the highest: (fp, tp) after each group of ties.
  const rows: ThresholdRow[] = [];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  let prAuc = 0;
  let prevRecall = 0;
  let prevPrecision = 1;
  let best: ThresholdRow | undefined;
  for (let i = 0; i < n; ) {
    const t = s.p[i];
    const tp0 = tp;
    const fp0 = fp;
    for (; i < n && s.p[i] === t; i++) {
      if (s.y[i] === 1) tp += s.w[i];
      else fp += s.w[i];
    }
    auc += ((fp - fp0) * (tp + tp0)) / 2; // trapezoid in (fp, tp) counts
    const row = thresholdRow(t, tp, fp, P, N);
    prAuc += ((row.recall - prevRecall) * (row.precision + prevPrecision)) / 2;
    prevRecall = row.recall;
    prevPrecision = row.precision;
    rows.push(row);
    if (!best || row.f1 > best.f1) best = row;
  }
  const AUC = P > 0 && N > 0 ? auc / (P * N) : Number.NaN;
  const top = best ?? thresholdRow(1, 0, 0, P, N);
  const step = Math.max(1, Math.ceil(rows.length / MAX_THRESHOLD_ROWS));
  const table = rows.filter((r, k) => k % step === 0 || r === best);
  const errorRate0 = N > 0 ? top.fps / N : 0;
  const errorRate1 = P > 0 ? top.fns / P : 0;
  return {
    nobs: P + N,
    MSE: sse / (P + N),
    RMSE: Math.sqrt(sse / (P + N)),
    logloss: s.logloss / (P + N),
    AUC,
    pr_auc: prAuc,
    Gini: 2 * AUC - 1,
    mean_per_class_error: (errorRate0 + errorRate1) / 2,
    max_f1_threshold: top.threshold,
    confusion_matrix: [
      [top.tns, top.fps],
      [top.fns, top.tps],
    ],
    thresholds_and_metric_scores: table,
  };
}
