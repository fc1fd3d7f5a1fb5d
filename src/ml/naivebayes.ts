// Naive Bayes classifier (H2O's NaiveBayes): one pass over the training chunks counts,
// per class, the rows (priors), the levels of every enum predictor and the moments of
// every numeric one; the model holds the priors and conditional tables (P(level|class),
// Gaussian mean and sample sd per class), and scores rows by Bayes' rule in log space.
//
// Missing values: rows with a missing response are skipped; a missing predictor value
// is skipped for that column only, in training and in scoring (as R's e1071 does; H2O
// drops the whole training row when any value is missing).

import type { Chunk } from "../core/chunk.ts";
import { systemClock } from "../core/clock.ts";
import { FloeError } from "../core/errors.ts";
import type { Frame } from "../core/frame.ts";
import type { Executor, Task } from "../core/mr.ts";
import { bindColumns, bindResponse, type ResponseColumn, readResponse } from "./bind.ts";
import type { BinomialMetrics } from "./metrics/binomial.ts";
import { computeMetrics, type Metrics, type MetricsSpec } from "./metrics/index.ts";
import type { ScoredChunk } from "./metrics/scored.ts";
import type { ModelCommon } from "./model.ts";
import type { ParamSpec } from "./params.ts";
import type { TrainRequest, TrainResult } from "./registry.ts";
import { trainingColumns } from "./training-frame.ts";

export interface NaiveBayesParams {
  laplace: number;
  min_sdev: number;
  eps_sdev: number;
  min_prob: number;
  eps_prob: number;
  seed: number;
  ignore_const_cols: boolean;
  compute_metrics: boolean;
}

export const NAIVEBAYES_PARAMS: readonly ParamSpec[] = [
  { name: "laplace", type: "float", default: 0, min: 0, help: "Laplace smoothing added to every count of the priors and of the enum predictors' levels (0: none)." },
  { name: "min_sdev", type: "float", default: 0.001, min: 1e-10, help: "Standard deviation used in place of a class's sd that is at most eps_sdev." },
  { name: "eps_sdev", type: "float", default: 0, min: 0, help: "A class's standard deviation at or below this is replaced by min_sdev." },
  { name: "min_prob", type: "float", default: 0.001, min: 1e-10, help: "Probability (or density) used in place of one that is at most eps_prob." },
  { name: "eps_prob", type: "float", default: 0, min: 0, help: "A conditional probability (or density) at or below this is replaced by min_prob." },
  { name: "seed", type: "int", default: -1, help: "Random seed (-1: drawn at random and reported); naive Bayes itself draws nothing." },
  { name: "ignore_const_cols", type: "bool", default: true, help: "Drop constant columns before training." },
  { name: "compute_metrics", type: "bool", default: true, help: "Score the training frame for training metrics (and the binomial max-F1 threshold)." },
];

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

// ---- training statistics -------------------------------------------------------------

interface StatsArgs {
  readonly yCol: number;
  readonly classes: number;
  readonly enumCols: readonly number[];
  readonly enumLevels: readonly number[];
  readonly numCols: readonly number[];
}

/** Per class: row counts; per enum predictor, level counts (K × L); per numeric one, (n, mean, M2) (K × 3). */
export interface StatsPartial {
  readonly classes: Float64Array;
  readonly counts: readonly Float64Array[];
  readonly moments: readonly Float64Array[];
}

function emptyStats(a: StatsArgs): StatsPartial {
  return {
    classes: new Float64Array(a.classes),
    counts: a.enumLevels.map((L) => new Float64Array(a.classes * L)),
    moments: a.numCols.map(() => new Float64Array(a.classes * 3)),
  };
}

function mapStats(chunk: Chunk, a: StatsArgs): StatsPartial {
  const out = emptyStats(a);
  const yVec = chunk.vecs[a.yCol];
  if (yVec.kind !== "codes") throw new FloeError("internal", "naive Bayes needs an enum response");
  const y = yVec.codes;
  for (let i = 0; i < chunk.rows; i++) if (y[i] >= 0) out.classes[y[i]]++;
  for (let j = 0; j < a.enumCols.length; j++) {
    const vec = chunk.vecs[a.enumCols[j]];
    if (vec.kind !== "codes") throw new FloeError("internal", "enum predictor without codes");
    const x = vec.codes;
    const L = a.enumLevels[j];
    const t = out.counts[j];
    for (let i = 0; i < chunk.rows; i++) if (y[i] >= 0 && x[i] >= 0) t[y[i] * L + x[i]]++;
  }
  for (let j = 0; j < a.numCols.length; j++) {
    const vec = chunk.vecs[a.numCols[j]];
    if (vec.kind !== "f64") throw new FloeError("internal", "numeric predictor without values");
    const x = vec.values;
    const m = out.moments[j];
    // Welford's update within the chunk; chunks are merged by Chan's formula.
    for (let i = 0; i < chunk.rows; i++) {
      const k = y[i];
      const v = x[i];
      if (k < 0 || v !== v) continue;
      const o = k * 3;
      const n = ++m[o];
      const d = v - m[o + 1];
      m[o + 1] += d / n;
      m[o + 2] += d * (v - m[o + 1]);
    }
  }
  return out;
}

function mergeMoments(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let o = 0; o < a.length; o += 3) {
    const na = a[o];
    const nb = b[o];
    const n = na + nb;
    out[o] = n;
    if (n === 0) continue;
    const delta = b[o + 1] - a[o + 1];
    out[o + 1] = a[o + 1] + (delta * nb) / n;
    out[o + 2] = a[o + 2] + b[o + 2] + (delta * delta * na * nb) / n;
  }
  return out;
}

function addArrays(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** The class counts, level counts and per-class moments of the training frame (H2O's NBTask). */
export const NaiveBayesStatsTask: Task<StatsArgs, StatsPartial> = {
  name: "ml.naivebayes.stats",
  map: mapStats,
  reduce: (a, b) => ({
    classes: addArrays(a.classes, b.classes),
    counts: a.counts.map((t, j) => addArrays(t, b.counts[j])),
    moments: a.moments.map((m, j) => mergeMoments(m, b.moments[j])),
  }),
  empty: emptyStats,
};

/**
 * The model's tables from the statistics, as H2O computes them: priors and enum
 * conditionals smoothed by `laplace`; a class with no value of an enum predictor gets
 * the uniform distribution (the laplace limit); numeric mean and sample sd (n − 1),
 * NaN when a class has too few values (scoring then uses H2O's 0 and 1).
 */
export function modelTables(stats: StatsPartial, enumLevels: readonly number[], laplace: number): { apriori: Float64Array; enums: Float64Array[]; nums: Float64Array[] } {
  const K = stats.classes.length;
  let nobs = 0;
  for (let k = 0; k < K; k++) nobs += stats.classes[k];
  const apriori = Float64Array.from(stats.classes, (n) => (n + laplace) / (nobs + K * laplace));
  const enums = stats.counts.map((counts, j) => {
    const L = enumLevels[j];
    const t = new Float64Array(K * L);
    for (let k = 0; k < K; k++) {
      let n = 0;
      for (let l = 0; l < L; l++) n += counts[k * L + l];
      const denom = n + L * laplace;
      for (let l = 0; l < L; l++) t[k * L + l] = denom > 0 ? (counts[k * L + l] + laplace) / denom : 1 / L;
    }
    return t;
  });
  const nums = stats.moments.map((m) => {
    const t = new Float64Array(K * 2);
    for (let k = 0; k < K; k++) {
      const n = m[k * 3];
      t[k * 2] = n > 0 ? m[k * 3 + 1] : Number.NaN;
      t[k * 2 + 1] = n > 1 ? Math.sqrt(m[k * 3 + 2] / (n - 1)) : Number.NaN;
    }
    return t;
  });
  return { apriori, enums, nums };
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

// ---- training ------------------------------------------------------------------------

/** Trains a naive Bayes classifier on `req.frame`; the response must be an enum. */
export async function trainNaiveBayes(executor: Executor, req: TrainRequest, p: NaiveBayesParams): Promise<TrainResult> {
  const clock = req.clock ?? systemClock;
  const started = clock.now();
  const y = req.y as string;
  const frame = req.frame;
  const columns = trainingColumns(frame, y, req.x, p.ignore_const_cols);
  const domain = columns.yDomain;
  if (columns.category === "Regression" || !domain) {
    throw new FloeError("bad_input", `naivebayes is a classifier: response '${y}' is ${frame.columns[columns.yCol].type}; make it an enum (--col-types ${y}:enum)`);
  }
  const enumCols = columns.xCols.filter((c) => frame.columns[c].type === "enum");
  const numCols = columns.xCols.filter((c) => frame.columns[c].type !== "enum");
  const enumLevels = enumCols.map((c) => frame.columns[c].domain?.length ?? 0);
  const stats = await executor.run(NaiveBayesStatsTask, frame, { yCol: columns.yCol, classes: domain.length, enumCols, enumLevels, numCols }, { signal: req.signal });
  req.onProgress?.(0.5);
  const tables = modelTables(stats, enumLevels, p.laplace);
  const predictors = columns.xCols.map((c): NaiveBayesPredictor => {
    const spec = frame.columns[c];
    const e = enumCols.indexOf(c);
    return e >= 0 ? { name: spec.name, domain: spec.domain ?? [], table: tables.enums[e] } : { name: spec.name, domain: null, table: tables.nums[numCols.indexOf(c)] };
  });
  const notes = [...columns.notes];
  const base: NaiveBayesModel = {
    algo: "naivebayes",
    model_id: req.modelId,
    params: { ...p },
    response: { name: y, domain },
    category: columns.category,
    apriori: tables.apriori,
    classCounts: stats.classes,
    predictors,
    threshold: 0.5,
    metrics: { training: null, validation: null, cross_validation: null },
    varimp: [],
    scoring_history: [],
    notes,
    training_time_ms: 0,
  };
  const spec = naiveBayesMetricsSpec(base);
  const metricsOn = async (f: Frame, label: string): Promise<Metrics> => {
    const warnings: string[] = [];
    const m = await computeMetrics(executor, { chunks: await predictNaiveBayes(executor, base, f, warnings) }, spec);
    notes.push(...warnings.map((w) => `${label}: ${w}`));
    return m;
  };
  const training = p.compute_metrics ? await metricsOn(frame, "training") : null;
  let validation: Metrics | null = null;
  if (req.valid) {
    const vy = req.valid.columns.find((c) => c.name === y);
    if (!vy) throw new FloeError("bad_input", `the validation frame has no response column '${y}'`);
    if (vy.type !== "enum") throw new FloeError("bad_input", `the validation frame's '${y}' is ${vy.type}, not an enum`);
    validation = await metricsOn(req.valid, "validation");
  }
  req.onProgress?.(1);
  // H2O's default threshold: max F1 on the validation metrics, else on the training ones.
  const thresholdSource = (validation ?? training) as BinomialMetrics | null;
  const model: NaiveBayesModel = {
    ...base,
    threshold: columns.category === "Binomial" ? (thresholdSource?.max_f1_threshold ?? 0.5) : 0.5,
    metrics: { training, validation, cross_validation: null },
    training_time_ms: clock.now() - started,
  };
  return { model, cvModels: [], cvPredictions: null };
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
