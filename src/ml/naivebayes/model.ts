// Naive Bayes classifier (H2O's NaiveBayes): one pass over the training chunks counts,
// per class, the rows (priors), the levels of every enum predictor and the moments of
// every numeric one; the model holds the priors and conditional tables (P(level|class),
// Gaussian mean and sample sd per class), and scores rows by Bayes' rule in log space.
//
// Missing values: rows with a missing response are skipped; a missing predictor value
// is skipped for that column only, in training and in scoring (as R's e1071 does; H2O
// drops the whole training row when any value is missing).

import type { Frame } from "../../core/frame.ts";
import type { Executor, Task } from "../../core/mr.ts";
import { bindColumns, bindResponse, type ResponseColumn, readResponse } from "../bind.ts";
import type { MetricsSpec } from "../metrics/index.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import type { ModelCommon } from "../model.ts";
import type { NaiveBayesParams } from "./params.ts";

/** A predictor and its conditional table, rows by class (row-major, classes × width). */
export interface NaiveBayesPredictor {
  readonly name: string;
  /** Training levels of an enum predictor; null for a numeric one. */
  readonly domain: readonly string[] | null;
  /** Enum: P(level | class), width = levels. Numeric: mean and sample sd, width 2 (NaN: too few rows). */
  readonly table: Float64Array;
}

export interface NaiveBayesModel extends ModelCommon {
  readonly algo: "naivebayes";
  readonly response: { readonly name: string; readonly domain: readonly string[] };
  readonly category: "Binomial" | "Multinomial";
  /** P(class), with laplace smoothing as H2O applies it. */
  readonly apriori: Float64Array;
  /** Training rows of each class (H2O's rescnt). */
  readonly classCounts: Float64Array;
  readonly predictors: readonly NaiveBayesPredictor[];
  readonly threshold: number;
}

// ---- scoring -------------------------------------------------------------------------

interface ScoreArgs {
  readonly classes: number;
  readonly binomial: boolean;
  /** Per predictor: its column in the frame (−1: absent, all missing) and its level recode. */
  readonly cols: readonly number[];
  readonly recodes: readonly (Int32Array | null)[];
  /** Enum predictors: log P(level | class), thresholded (K × L); null for numeric ones. */
  readonly logEnum: readonly (Float64Array | null)[];
  /** Numeric predictors: mean, sd and −log(sd·√(2π)) per class (K × 3); null for enum ones. */
  readonly gauss: readonly (Float64Array | null)[];
  readonly logPrior: Float64Array;
  readonly epsProb: number;
  readonly logMinProb: number;
  /** The response column and its recode to the model's classes; null when the frame lacks it. */
  readonly y: ResponseColumn | null;
}

/** Posterior class probabilities of each row of a chunk, with the response where present. */
export const NaiveBayesScoreTask: Task<ScoreArgs, ScoredChunk[]> = {
  name: "ml.naivebayes.score",
  map(chunk, a) {
    const K = a.classes;
    const n = chunk.rows;
    // Log joint log P(x, class) per row, column by column: hot loops over one vector each.
    const s = new Float64Array(n * K);
    for (let i = 0; i < n; i++) s.set(a.logPrior, i * K);
    for (let j = 0; j < a.cols.length; j++) {
      if (a.cols[j] < 0) continue;
      const vec = chunk.vecs[a.cols[j]];
      const logEnum = a.logEnum[j];
      const gauss = a.gauss[j];
      if (logEnum && vec.kind === "codes") {
        const L = logEnum.length / K;
        const recode = a.recodes[j];
        for (let i = 0; i < n; i++) {
          const c = vec.codes[i];
          const code = c < 0 ? -1 : recode ? recode[c] : c;
          if (code < 0) continue;
          for (let k = 0; k < K; k++) s[i * K + k] += logEnum[k * L + code];
        }
      } else if (gauss && vec.kind === "f64") {
        for (let i = 0; i < n; i++) {
          const x = vec.values[i];
          if (x !== x) continue;
          for (let k = 0; k < K; k++) {
            const z = (x - gauss[k * 3]) / gauss[k * 3 + 1];
            const logp = gauss[k * 3 + 2] - 0.5 * z * z;
            // H2O compares the density itself with eps_prob: one that underflows to 0 gets min_prob.
            s[i * K + k] += Math.exp(logp) <= a.epsProb ? a.logMinProb : logp;
          }
        }
      }
    }
    const width = a.binomial ? 1 : K;
    const p = new Float64Array(new SharedArrayBuffer(n * width * 8));
    const post = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) max = Math.max(max, s[i * K + k]);
      let sum = 0;
      for (let k = 0; k < K; k++) {
        post[k] = Math.exp(s[i * K + k] - max);
        sum += post[k];
      }
      if (a.binomial) p[i] = post[1] / sum;
      else for (let k = 0; k < K; k++) p[i * K + k] = post[k] / sum;
    }
    const y = new Float64Array(n);
    if (a.y) readResponse(chunk, a.y, y);
    else y.fill(Number.NaN);
    return [{ index: chunk.index, rows: n, y, p, width }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** H2O's scoring rules applied once to the tables: thresholds, sd fallbacks, logs. */
function scoreArgs(model: NaiveBayesModel, frame: Frame, warnings: string[]): ScoreArgs {
  const K = model.response.domain.length;
  const par = model.params as unknown as NaiveBayesParams;
  const logMinProb = Math.log(par.min_prob);
  const bound = bindColumns(frame, model.predictors, warnings);
  const logEnum = model.predictors.map((f) => (f.domain ? Float64Array.from(f.table, (q) => (q <= par.eps_prob ? logMinProb : Math.log(q))) : null));
  const gauss = model.predictors.map((f) => {
    if (f.domain) return null;
    const g = new Float64Array(K * 3);
    for (let k = 0; k < K; k++) {
      const mean = f.table[k * 2];
      const raw = f.table[k * 2 + 1];
      const sd = Number.isNaN(raw) ? 1 : raw <= par.eps_sdev ? par.min_sdev : raw;
      g[k * 3] = Number.isNaN(mean) ? 0 : mean;
      g[k * 3 + 1] = sd;
      g[k * 3 + 2] = -Math.log(sd * Math.sqrt(2 * Math.PI));
    }
    return g;
  });
  return {
    classes: K,
    binomial: model.category === "Binomial",
    cols: bound.map((b) => b.col),
    recodes: bound.map((b) => b.recode ?? null),
    logEnum,
    gauss,
    logPrior: Float64Array.from(model.apriori, Math.log),
    epsProb: par.eps_prob,
    logMinProb,
    y: bindResponse(frame, model.response),
  };
}

/**
 * Scores a frame: per chunk, p = P(class 1) (binomial, width 1) or the K posteriors;
 * y = the response recoded to the model's classes (NaN where missing or absent).
 * Predictors are bound by name and levels by label; unseen levels score as missing.
 */
export function predictNaiveBayes(executor: Executor, model: NaiveBayesModel, frame: Frame, warnings: string[]): Promise<ScoredChunk[]> {
  return executor.run(NaiveBayesScoreTask, frame, scoreArgs(model, frame, warnings));
}

export function naiveBayesMetricsSpec(model: NaiveBayesModel): MetricsSpec {
  return {
    category: model.category,
    classes: model.response.domain.length,
    distribution: model.category === "Binomial" ? "bernoulli" : "multinomial",
    lossParams: { tweedie_power: 1.5, quantile_alpha: 0.5, huber_delta: 1 },
  };
}

// ---- report --------------------------------------------------------------------------

/** A conditional table for reports: column headers (levels, or Mean and Std_Dev) and one row per class. */
export interface PcondTable {
  readonly column: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly number[])[];
}

/** The model's conditional tables as plain arrays, H2O's layout (classes × levels). */
export function pcondTables(model: NaiveBayesModel): PcondTable[] {
  const K = model.response.domain.length;
  return model.predictors.map((f) => {
    const headers = f.domain ?? ["Mean", "Std_Dev"];
    const W = headers.length;
    const rows = Array.from({ length: K }, (_, k) => Array.from(f.table.subarray(k * W, (k + 1) * W)));
    return { column: f.name, headers, rows };
  });
}
