// Binomial metrics with H2O's names: logloss, AUC, pr_auc, Gini, mean_per_class_error,
// the confusion matrix at the max-F1 threshold, and the thresholds table. AUC is exact:
// the partial holds the sorted probabilities of the positive and of the negative rows, a
// run of each for every worker (or node) that mapped chunks, merged once at the end. A
// worker gathers its chunks' probabilities unsorted and sorts them once when it settles
// its partial (the engine's sort of a typed array): merging 37 sorted runs a class on the
// main thread took 100 ms of a flights GBM's 130 ms of metrics there. Sorted lists merge
// exactly in any order, so AUC does not depend on chunking or threads; logloss and squared
// error are float sums kept a chunk at a time and added in chunk order at the end, so that
// they are the same bits on any number of threads. (Row weights count as present or
// absent: w > 0 is a row.)

import type { Task } from "../../core/mr.ts";
import { mergeSortedRuns, sortedConcat } from "../../core/sorted.ts";
import { LOGLOSS_EPS, type ScoredChunk } from "./scored.ts";

export interface SortedScores {
  /** Sorted runs (ascending) of the probabilities of class 1 of the positive rows. */
  readonly pos: Float64Array[];
  /** Sorted runs of the probabilities of class 1 of the negative rows. */
  readonly neg: Float64Array[];
  /** Per chunk mapped: its index, Σ logloss and Σ squared error over its rows. */
  readonly sums: number[];
}

/** A worker's probabilities of the chunks it mapped into a partial, not yet sorted (they never travel). */
const unsortedOf = new WeakMap<SortedScores, { pos: Float64Array[]; neg: Float64Array[] }>();

function settleScores(acc: SortedScores): void {
  const unsorted = unsortedOf.get(acc);
  if (!unsorted) return;
  unsortedOf.delete(acc);
  acc.pos.push(sortedConcat(unsorted.pos));
  acc.neg.push(sortedConcat(unsorted.neg));
}

export const BinomialScoresTask: Task<Record<string, never>, SortedScores, ScoredChunk> = {
  name: "ml.metrics.binomial",
  commutative: true,
  map(c, a) {
    const acc = BinomialScoresTask.empty(a);
    BinomialScoresTask.mapInto?.(acc, c, a);
    settleScores(acc);
    return acc;
  },
  mapInto(acc, c) {
    let np = 0;
    let nn = 0;
    for (let i = 0; i < c.rows; i++) {
      if (c.y[i] !== c.y[i] || (c.w && !(c.w[i] > 0))) continue;
      if (c.y[i] === 1) np++;
      else nn++;
    }
    const pos = new Float64Array(np);
    const neg = new Float64Array(nn);
    let logloss = 0;
    let sse = 0;
    np = 0;
    nn = 0;
    for (let i = 0; i < c.rows; i++) {
      if (c.y[i] !== c.y[i] || (c.w && !(c.w[i] > 0))) continue;
      const p = c.p[i];
      const q = Math.min(Math.max(p, LOGLOSS_EPS), 1 - LOGLOSS_EPS);
      if (c.y[i] === 1) {
        pos[np++] = p;
        logloss -= Math.log(q);
        sse += (1 - p) * (1 - p);
      } else {
        neg[nn++] = p;
        logloss -= Math.log(1 - q);
        sse += p * p;
      }
    }
    let unsorted = unsortedOf.get(acc);
    if (!unsorted) {
      unsorted = { pos: [], neg: [] };
      unsortedOf.set(acc, unsorted);
    }
    unsorted.pos.push(pos);
    unsorted.neg.push(neg);
    acc.sums.push(c.index, logloss, sse);
  },
  settle: settleScores,
  reduce: (a, b) => ({ pos: a.pos.concat(b.pos), neg: a.neg.concat(b.neg), sums: a.sums.concat(b.sums) }),
  mergeInto(acc, b) {
    acc.pos.push(...b.pos);
    acc.neg.push(...b.neg);
    // Three numbers a chunk: a frame of many chunks would pass too many arguments to one push.
    for (const x of b.sums) acc.sums.push(x);
  },
  empty: () => ({ pos: [], neg: [], sums: [] }),
};

/** Σ logloss and Σ squared error of the chunks, added in chunk order (ties: in the order given). */
function chunkSums(sums: readonly number[]): { logloss: number; sse: number } {
  const chunks = Array.from({ length: sums.length / 3 }, (_, j) => j).sort((a, b) => sums[3 * a] - sums[3 * b] || a - b);
  let logloss = 0;
  let sse = 0;
  for (const j of chunks) {
    logloss += sums[3 * j + 1];
    sse += sums[3 * j + 2];
  }
  return { logloss, sse };
}

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

/** F-beta of a threshold's precision and recall (0 when both are 0). */
function fbetaOf(b: number, precision: number, recall: number): number {
  return precision + recall > 0 ? ((1 + b * b) * precision * recall) / (b * b * precision + recall) : 0;
}

function thresholdRow(t: number, tp: number, fp: number, P: number, N: number): ThresholdRow {
  const fn = P - tp;
  const tn = N - fp;
  const precision = tp + fp > 0 ? tp / (tp + fp) : 1;
  const recall = P > 0 ? tp / P : 0;
  const specificity = N > 0 ? tn / N : 0;
  const fbeta = (b: number) => fbetaOf(b, precision, recall);
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

/** Distinct values of two ascending arrays together. */
function distinctValues(a: Float64Array, b: Float64Array): number {
  let count = 0;
  let i = 0;
  let j = 0;
  let last = Number.NaN;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (v !== last) count++;
    last = v;
  }
  return count;
}

export function binomialMetrics(partial: SortedScores): BinomialMetrics {
  const s = { pos: mergeSortedRuns(partial.pos), neg: mergeSortedRuns(partial.neg), ...chunkSums(partial.sums) };
  const P = s.pos.length;
  const N = s.neg.length;
  // The table keeps every step-th threshold (and the best): only those rows are kept, not a
  // row a distinct score (millions of objects for a forest's averaged scores).
  const step = Math.max(1, Math.ceil(distinctValues(s.pos, s.neg) / MAX_THRESHOLD_ROWS));
  // Walk the distinct thresholds from the highest: (fp, tp) after each group of ties.
  const table: ThresholdRow[] = [];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  let prAuc = 0;
  let prevRecall = 0;
  let prevPrecision = 1;
  // The best F1's threshold and counts: its row is made once the walk is done.
  let bestF1 = 0;
  let bestAt = -1;
  let bestT = 0;
  let bestTp = 0;
  let bestFp = 0;
  let i = P - 1;
  let j = N - 1;
  for (let k = 0; i >= 0 || j >= 0; k++) {
    const t = Math.max(i >= 0 ? s.pos[i] : Number.NEGATIVE_INFINITY, j >= 0 ? s.neg[j] : Number.NEGATIVE_INFINITY);
    const tp0 = tp;
    const fp0 = fp;
    while (i >= 0 && s.pos[i] === t) {
      tp++;
      i--;
    }
    while (j >= 0 && s.neg[j] === t) {
      fp++;
      j--;
    }
    auc += ((fp - fp0) * (tp + tp0)) / 2; // trapezoid in (fp, tp) counts
    // Precision, recall and F1 as thresholdRow computes them, without a row object a
    // distinct score: garbage the collector lets grow as large as the live training data.
    const precision = tp + fp > 0 ? tp / (tp + fp) : 1;
    const recall = P > 0 ? tp / P : 0;
    prAuc += ((recall - prevRecall) * (precision + prevPrecision)) / 2;
    prevRecall = recall;
    prevPrecision = precision;
    if (k % step === 0) table.push(thresholdRow(t, tp, fp, P, N));
    const f1 = fbetaOf(1, precision, recall);
    if (bestAt < 0 || f1 > bestF1) {
      bestF1 = f1;
      bestAt = k;
      bestT = t;
      bestTp = tp;
      bestFp = fp;
    }
  }
  const best = bestAt >= 0 ? thresholdRow(bestT, bestTp, bestFp, P, N) : undefined;
  // The best row in its place among the kept ones, when the step skipped it.
  if (best && bestAt % step !== 0) table.splice(Math.floor(bestAt / step) + 1, 0, best);
  const AUC = P > 0 && N > 0 ? auc / (P * N) : Number.NaN;
  const top = best ?? thresholdRow(1, 0, 0, P, N);
  const errorRate0 = N > 0 ? top.fps / N : 0;
  const errorRate1 = P > 0 ? top.fns / P : 0;
  return {
    nobs: P + N,
    MSE: s.sse / (P + N),
    RMSE: Math.sqrt(s.sse / (P + N)),
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
