// A fitted isolation forest (either kind) and how it scores a frame. A row's raw score is its
// mean path length over the trees (`mean_length`); the normalized anomaly score is, as H2O
// computes it,
//   isolation forest  (max − total) / (max − min), total = Σ path lengths, min and max the
//                     smallest and largest totals over the training rows (1 when equal);
//   extended forest   2^(−mean_length / c(sample size)), the sample size min(sample_size, rows).
// Columns are matched by name and enum levels by label (bind.ts), so a loaded model scores a
// frame from another file as the trained one did, bit for bit.

import type { Frame } from "../../core/frame.ts";
import type { Executor, Task } from "../../core/mr.ts";
import { type BoundColumn, bindColumns, type ResponseColumn, readResponse, type TrainedColumn } from "../bind.ts";
import { type AnomalyMetrics, anomalyMetrics } from "../metrics/anomaly.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import type { ModelCommon } from "../model.ts";
import { averagePathLength, type Forest, totalPathLength } from "./forest.ts";
import { readRows } from "./rows.ts";

/** Bins of the training score histogram, equal widths over [0, 1]. */
export const SCORE_BINS = 20;

interface ForestModelBase extends ModelCommon {
  readonly response: null;
  readonly category: "AnomalyDetection";
  /** Trained columns in order; `domain` holds an enum column's levels. */
  readonly columns: readonly TrainedColumn[];
  readonly forest: Forest;
  /** Rows each tree was grown on (mean over the trees; the extended forest's exact sample size, which normalizes its scores). */
  readonly mean_sample_rows: number;
  /** Isolation forest: smallest and largest total path length over the training rows (H2O's min/max_path_length); null for the extended forest. */
  readonly min_path_length: number | null;
  readonly max_path_length: number | null;
  /** Scores at or above it are flagged as anomalies (contamination or a labelled validation frame); null: no flag. */
  readonly anomaly_threshold: number | null;
  /** Training rows per normalized-score bin (SCORE_BINS over [0, 1]); null when the training frame was not scored. */
  readonly score_histogram: readonly number[] | null;
}

export interface IsolationForestModel extends ForestModelBase {
  readonly algo: "isolationforest";
}

export interface ExtendedIsolationForestModel extends ForestModelBase {
  readonly algo: "extendedisolationforest";
}

export type ForestModel = IsolationForestModel | ExtendedIsolationForestModel;

/** How totals become scores: min−max (isolation forest) or 2^(−mean/c) with c > 0 (extended). */
export interface Normalizer {
  readonly trees: number;
  readonly min: number;
  readonly max: number;
  /** c(sample_size) of an extended forest; 0 for an isolation forest. */
  readonly c: number;
}

/** The normalized anomaly score of a total path length. */
export function normalizedScore(total: number, n: Normalizer): number {
  if (n.c > 0) return 2 ** (-(total / n.trees) / n.c);
  return n.max > n.min ? (n.max - total) / (n.max - n.min) : 1;
}

export function normalizerOf(model: ForestModel): Normalizer {
  const trees = model.forest.treeStart.length - 1;
  if (model.algo === "extendedisolationforest") return { trees, min: 0, max: 0, c: averagePathLength(model.mean_sample_rows) };
  return { trees, min: model.min_path_length ?? 0, max: model.max_path_length ?? 0, c: 0 };
}

/** Bin of a score in the SCORE_BINS-bin histogram over [0, 1]. */
export function scoreBin(s: number): number {
  return Math.min(SCORE_BINS - 1, Math.max(0, Math.floor(s * SCORE_BINS)));
}

export interface ScoreArgs {
  readonly bound: readonly BoundColumn[];
  readonly forest: Forest;
  readonly norm: Normalizer;
  /** Flag threshold; −1: no flag column. */
  readonly threshold: number;
  /** A 0/1 label to carry as the scored chunks' `y` (validation); null: NaN. */
  readonly label: ResponseColumn | null;
}

/**
 * Partial: one scored chunk per frame chunk, `p` per row [predict (flag), score,
 * mean_length] with a flag, else [score, mean_length]; `y` the label or NaN.
 */
export const ForestPredictTask: Task<ScoreArgs, ScoredChunk[]> = {
  name: "ml.isoforest.predict",
  map(chunk, { bound, forest, norm, threshold, label }) {
    const p = bound.length;
    const n = chunk.rows;
    const x = new Float64Array(n * p);
    readRows(chunk, bound, x);
    const flag = threshold >= 0 ? 1 : 0;
    const width = 2 + flag;
    const out = new Float64Array(n * width);
    for (let i = 0; i < n; i++) {
      const total = totalPathLength(forest, x, i * p, p);
      const score = normalizedScore(total, norm);
      if (flag) out[i * width] = score >= threshold ? 1 : 0;
      out[i * width + flag] = score;
      out[i * width + flag + 1] = total / norm.trees;
    }
    const y = new Float64Array(n);
    if (label) readResponse(chunk, label, y);
    else y.fill(Number.NaN);
    return [{ index: chunk.index, rows: n, y, p: out, width }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** Partial: [rows, Σ mean_length, Σ normalized score, SCORE_BINS counts of the scores]. */
export const ForestMetricsTask: Task<ScoreArgs, Float64Array> = {
  name: "ml.isoforest.metrics",
  map(chunk, { bound, forest, norm }) {
    const p = bound.length;
    const n = chunk.rows;
    const x = new Float64Array(n * p);
    readRows(chunk, bound, x);
    const s = new Float64Array(3 + SCORE_BINS);
    s[0] = n;
    for (let i = 0; i < n; i++) {
      const total = totalPathLength(forest, x, i * p, p);
      const score = normalizedScore(total, norm);
      s[1] += total / norm.trees;
      s[2] += score;
      s[3 + scoreBin(score)]++;
    }
    return s;
  },
  reduce(a, b) {
    const out = new Float64Array(a.length);
    for (let k = 0; k < a.length; k++) out[k] = a[k] + b[k];
    return out;
  },
  empty: emptyMetrics,
};

function emptyMetrics(): Float64Array {
  return new Float64Array(3 + SCORE_BINS);
}

/** The arguments that score `frame` with `model` (unmatched columns reported in `warnings`). */
export function scoreArgs(model: ForestModel, frame: Frame, warnings: string[], label: ResponseColumn | null = null): ScoreArgs {
  return {
    bound: bindColumns(frame, model.columns, warnings),
    forest: model.forest,
    norm: normalizerOf(model),
    threshold: model.anomaly_threshold ?? -1,
    label,
  };
}

/** The model's outputs on a frame, one scored chunk per frame chunk (see outputNames). */
export function predictForest(executor: Executor, model: ForestModel, frame: Frame, warnings: string[]): Promise<ScoredChunk[]> {
  return executor.run(ForestPredictTask, frame, scoreArgs(model, frame, warnings));
}

/** The columns `floe predict` writes, as H2O names them. */
export function forestOutputNames(model: ForestModel): string[] {
  if (model.algo === "extendedisolationforest") return ["anomaly_score", "mean_length"];
  return model.anomaly_threshold === null ? ["predict", "mean_length"] : ["predict", "score", "mean_length"];
}

/** Anomaly metrics accumulated over frames given one at a time (no label needed). */
export function forestEvaluator(executor: Executor, model: ForestModel) {
  let acc = emptyMetrics();
  return {
    async add(frame: Frame, warnings: string[]): Promise<void> {
      acc = ForestMetricsTask.reduce(acc, await executor.run(ForestMetricsTask, frame, scoreArgs(model, frame, warnings)));
    },
    result: (): AnomalyMetrics => anomalyMetrics(acc[0], acc[1], acc[2]),
  };
}
