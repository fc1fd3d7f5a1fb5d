// Training of the two isolation forests. One pass over the frame draws every tree's sample
// (sample.ts: hashes of the seed and the row id, so any chunking, thread count or cluster
// gives the same samples); the trees are grown from the samples where the job runs
// (grow.ts: a tree's draws come from its own seeded Rng); then one more pass scores the
// training rows:
//   isolation forest  counts of the rows' total path lengths (totals.ts) give H2O's
//                     min/max_path_length, the training metrics, the score histogram and
//                     the contamination threshold;
//   extended forest   the training metrics and histogram, unless disable_training_metrics
//                     (H2O's default: a note then says so at every front end).
// A validation frame gets anomaly metrics; with validation_response_column (isolation
// forest) binomial metrics of the score against that 0/1 column, whose max-F1 threshold
// then flags anomalies, as H2O does.

import { type Clock, systemClock } from "../../core/clock.ts";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Executor } from "../../core/mr.ts";
import { keyState, Rng } from "../../core/rng.ts";
import type { TrainRequest, TrainResult } from "../algorithm.ts";
import type { ResponseColumn } from "../bind.ts";
import { type BinomialMetrics } from "../metrics/binomial.ts";
import { computeMetrics, type Metrics } from "../metrics/index.ts";
import { anomalyMetrics } from "../metrics/anomaly.ts";
import { unsupervisedColumns } from "../training-frame.ts";
import type { Forest } from "./forest.ts";
import { ForestBuilder, growExtendedTree, growIsolationTree } from "./grow.ts";
import { type ExtendedIsolationForestModel, ForestMetricsTask, ForestPredictTask, type ForestModel, forestEvaluator, type IsolationForestModel, scoreArgs } from "./model.ts";
import type { ExtendedIsoForestParams, IsoForestParams } from "./params.ts";
import { SampleTask, type TreeSamples } from "./sample.ts";
import { PathTotalsTask, trainingScores } from "./totals.ts";

/** The columns trained on and the samples of every tree, drawn in one pass. */
async function drawSamples(executor: Executor, req: TrainRequest, cols: readonly number[], seed: number, ntrees: number, rate: number, count: number): Promise<TreeSamples> {
  const bound = cols.map((col) => ({ col }));
  return executor.run(SampleTask, req.frame, { bound, seed, ntrees, rate, count }, { signal: req.signal });
}

/** What both forests' models hold before they are scored: the forest, its columns, no metrics yet. */
function untrainedModel(req: TrainRequest, params: IsoForestParams | ExtendedIsoForestParams, notes: string[], cols: readonly number[], forest: Forest, samples: TreeSamples) {
  const { frame } = req;
  return {
    model_id: req.modelId,
    params: { ...params },
    response: null,
    category: "AnomalyDetection" as const,
    metrics: { training: null, validation: null, cross_validation: null },
    varimp: [],
    scoring_history: [],
    notes,
    training_time_ms: 0,
    columns: cols.map((c) => ({ name: frame.columns[c].name, domain: frame.columns[c].type === "enum" ? (frame.columns[c].domain ?? []) : null })),
    forest,
    mean_sample_rows: meanRows(samples),
  };
}

function meanRows(samples: TreeSamples): number {
  return samples.u.reduce((n, u) => n + u.length, 0) / Math.max(1, samples.u.length);
}

/** Largest leaf path length of each tree, summed: the largest total a row can reach. */
function largestTotal(forest: Forest): number {
  let sum = 0;
  for (let t = 0; t + 1 < forest.treeStart.length; t++) {
    let max = 0;
    for (let n = forest.treeStart[t]; n < forest.treeStart[t + 1]; n++) if (forest.left[n] < 0) max = Math.max(max, forest.value[n]);
    sum += max;
  }
  return sum;
}

/** The 0/1 anomaly label of a validation frame: an enum of two levels (the second marks anomalies) or a numeric column of 0 and 1. */
function validationLabel(valid: Frame, name: string): ResponseColumn {
  const col = valid.columns.findIndex((c) => c.name === name);
  if (col < 0) throw new FloeError("bad_input", `the validation frame has no column '${name}' (validation_response_column)`);
  const spec = valid.columns[col];
  const r = valid.rollups?.[col];
  if (spec.type === "enum" && spec.domain?.length === 2) return { col };
  if (spec.type === "numeric" && r && (r.count === 0 || ((r.min === 0 || r.min === 1) && (r.max === 0 || r.max === 1)))) return { col };
  const what = spec.type === "enum" ? `an enum of ${spec.domain?.length ?? 0} levels` : spec.type === "numeric" ? `numeric from ${r?.min} to ${r?.max}` : `a ${spec.type} column`;
  throw new FloeError("bad_input", `validation_response_column '${name}' must mark anomalies with 0/1 or two levels; it is ${what}`);
}

/** Binomial metrics of the normalized score (clipped to 1, as H2O's) against the label. */
async function labelledMetrics(executor: Executor, model: ForestModel, valid: Frame, label: ResponseColumn, warnings: string[]): Promise<BinomialMetrics> {
  const scored = await executor.run(ForestPredictTask, valid, { ...scoreArgs(model, valid, warnings, label), threshold: -1 });
  const chunks = scored.map((sc) => {
    const p = new Float64Array(sc.rows);
    for (let i = 0; i < sc.rows; i++) p[i] = Math.min(sc.p[i * sc.width], 1);
    return { index: sc.index, rows: sc.rows, y: sc.y, p, width: 1 };
  });
  const lossParams = { tweedie_power: 1.5, quantile_alpha: 0.5, huber_delta: 1 };
  return (await computeMetrics(executor, { chunks }, { category: "Binomial", classes: 2, distribution: "bernoulli", lossParams })) as BinomialMetrics;
}

async function unlabelledMetrics(executor: Executor, model: ForestModel, valid: Frame, warnings: string[]): Promise<Metrics> {
  const ev = forestEvaluator(executor, model);
  await ev.add(valid, warnings);
  return ev.result();
}

function finish<M extends ForestModel>(model: M, training: Metrics | null, validation: Metrics | null, clock: Clock, started: number): TrainResult<M> {
  const done = { ...model, metrics: { training, validation, cross_validation: null }, training_time_ms: clock.now() - started };
  return { model: done, cvModels: [], cvPredictions: null };
}

/** The mtry of H2O's isolation forest: −1 = p/3 (at least 1), −2 = all, else 1..p. */
function resolveMtry(mtries: number, p: number): number {
  if (mtries === -1) return Math.max(1, Math.floor(p / 3));
  if (mtries === -2) return p;
  if (mtries >= 1 && mtries <= p) return mtries;
  throw new FloeError("invalid_argument", `isolationforest parameter mtries=${mtries}: must be -1 (columns/3), -2 (all) or between 1 and the ${p} training column${p === 1 ? "" : "s"}`);
}

/** Trains H2O's isolation forest on `req.frame` with resolved parameters (seed concrete). */
export async function trainIsolationForest(executor: Executor, req: TrainRequest, params: IsoForestParams): Promise<TrainResult> {
  const clock = req.clock ?? systemClock;
  const started = clock.now();
  const { frame } = req;
  const bad = (name: string, why: string) => new FloeError("invalid_argument", `isolationforest parameter ${name}=${params[name as keyof IsoForestParams]}: ${why}`);
  if (params.contamination !== -1 && !(params.contamination > 0 && params.contamination <= 0.5)) throw bad("contamination", "must be in (0, 0.5], or -1 for no anomaly flag");
  if (params.sample_rate !== -1 && !(params.sample_rate > 0 && params.sample_rate <= 1)) throw bad("sample_rate", "must be in (0, 1], or -1 to draw sample_size rows");
  const labelName = params.validation_response_column;
  if (labelName !== null && !req.valid) throw bad("validation_response_column", "needs a validation frame");
  if (labelName !== null && params.contamination > 0) throw bad("contamination", "cannot be used with a labelled validation frame (its max-F1 threshold flags anomalies)");
  if (frame.rows < 2 * params.min_rows) {
    throw new FloeError("bad_input", `the training frame is too small to split for min_rows=${params.min_rows}: it needs at least ${2 * params.min_rows} rows, and has ${frame.rows}`);
  }
  const label = labelName !== null && req.valid ? validationLabel(req.valid, labelName) : null;
  const x = req.x ?? (labelName !== null ? frame.names.filter((n) => n !== labelName) : null);
  const { cols, notes } = unsupervisedColumns(frame, x, params.ignore_const_cols, "isolate anomalies in");
  const p = cols.length;
  const mtry = resolveMtry(params.mtries, p);
  const rate = params.sample_rate > 0 ? params.sample_rate : Math.min(1, params.sample_size / frame.rows);
  if (params.sample_rate === -1 && params.sample_size >= frame.rows) notes.push(`sample_size ${params.sample_size} is at least the ${frame.rows} training rows: every tree is grown on all of them`);
  const progress = (f: number) => req.onProgress?.(f);

  const samples = await drawSamples(executor, req, cols, params.seed, params.ntrees, rate, 0);
  progress(0.3);
  const builder = new ForestBuilder(p, false);
  const options = { maxDepth: params.max_depth, mtry, minRows: params.min_rows };
  for (let t = 0; t < params.ntrees; t++) growIsolationTree(builder, samples.x[t], samples.u[t].length, p, options, new Rng(keyState(params.seed, 2, t)));
  const forest = builder.build();
  progress(0.5);

  const bound = cols.map((col) => ({ col }));
  const norm = { trees: params.ntrees, min: 0, max: 0, c: 0 };
  const counts = await executor.run(PathTotalsTask, frame, { bound, forest, norm, threshold: -1, label: null, size: largestTotal(forest) + 1 }, { signal: req.signal });
  const scores = trainingScores(counts, params.ntrees);
  progress(0.8);

  let model: IsolationForestModel = {
    ...untrainedModel(req, params, notes, cols, forest, samples),
    algo: "isolationforest",
    min_path_length: scores.min,
    max_path_length: scores.max,
    anomaly_threshold: params.contamination > 0 ? scores.quantile(1 - params.contamination) : null,
    score_histogram: scores.histogram,
  };
  let validation: Metrics | null = null;
  if (req.valid) {
    const warnings: string[] = [];
    if (label) {
      const binomial = await labelledMetrics(executor, model, req.valid, label, warnings);
      validation = binomial;
      model = { ...model, anomaly_threshold: binomial.max_f1_threshold };
    } else validation = await unlabelledMetrics(executor, model, req.valid, warnings);
    for (const w of warnings) notes.push(`validation: ${w}`);
  }
  progress(1);
  return finish(model, scores.metrics, validation, clock, started);
}

/** Trains H2O's extended isolation forest on `req.frame` with resolved parameters (seed concrete). */
export async function trainExtendedIsolationForest(executor: Executor, req: TrainRequest, params: ExtendedIsoForestParams): Promise<TrainResult> {
  const clock = req.clock ?? systemClock;
  const started = clock.now();
  const { frame } = req;
  const { cols, notes } = unsupervisedColumns(frame, req.x, params.ignore_const_cols, "isolate anomalies in");
  const p = cols.length;
  if (params.extension_level > p - 1) {
    throw new FloeError("invalid_argument", `extendedisolationforest parameter extension_level=${params.extension_level}: must be in [0, ${p - 1}] for the ${p} training column${p === 1 ? "" : "s"}`);
  }
  // H2O refuses a sample_size above the row count; floe grows every tree on all rows.
  const sampleSize = Math.min(params.sample_size, frame.rows);
  if (sampleSize < params.sample_size) notes.push(`sample_size ${params.sample_size} is more than the ${frame.rows} training rows: every tree is grown on all of them`);
  if (sampleSize < 2) throw new FloeError("bad_input", `extendedisolationforest needs at least 2 training rows; the frame has ${frame.rows}`);
  const progress = (f: number) => req.onProgress?.(f);
  const samples = await drawSamples(executor, req, cols, params.seed, params.ntrees, 1, sampleSize);
  progress(0.3);
  const builder = new ForestBuilder(p, true);
  const heightLimit = Math.ceil(Math.log2(sampleSize));
  for (let t = 0; t < params.ntrees; t++) {
    growExtendedTree(builder, samples.x[t], samples.u[t].length, p, heightLimit, params.extension_level, new Rng(keyState(params.seed, 2, t)));
  }
  const base: ExtendedIsolationForestModel = {
    ...untrainedModel(req, params, notes, cols, builder.build(), samples),
    algo: "extendedisolationforest",
    min_path_length: null,
    max_path_length: null,
    anomaly_threshold: null,
    score_histogram: null,
  };
  progress(0.6);
  let model = base;
  let training: Metrics | null = null;
  if (!params.disable_training_metrics) {
    const s = await executor.run(ForestMetricsTask, frame, scoreArgs(base, frame, []), { signal: req.signal });
    training = anomalyMetrics(s[0], s[1], s[2]);
    model = { ...base, score_histogram: Array.from(s.subarray(3)) };
  } else {
    notes.push("no training metrics or anomaly-score histogram: disable_training_metrics is true (H2O's default for the extended forest); set it to false to score the training rows");
  }
  let validation: Metrics | null = null;
  if (req.valid) {
    const warnings: string[] = [];
    validation = await unlabelledMetrics(executor, model, req.valid, warnings);
    for (const w of warnings) notes.push(`validation: ${w}`);
  }
  progress(1);
  return finish(model, training, validation, clock, started);
}
