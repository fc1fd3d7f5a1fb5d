// Trains naive Bayes: one statistics pass (H2O's NBTask) over the training chunks, the
// model's tables from it, then training and validation metrics.

import type { Chunk } from "../../core/chunk.ts";
import { systemClock } from "../../core/clock.ts";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Executor, Task } from "../../core/mr.ts";
import type { BinomialMetrics } from "../metrics/binomial.ts";
import { computeMetrics, type Metrics } from "../metrics/index.ts";
import type { TrainRequest, TrainResult } from "../algorithm.ts";
import { trainingColumns } from "../training-frame.ts";
import { naiveBayesMetricsSpec, type NaiveBayesModel, type NaiveBayesPredictor, predictNaiveBayes } from "./model.ts";
import type { NaiveBayesParams } from "./params.ts";

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
