// Training of tree ensembles: GBM (boosting: each iteration fits the gradients of the
// loss) and DRF (bagging: each tree fits the response on a row sample, predictions are
// averaged, training metrics are out-of-bag). Both share the view, the grower, scoring,
// early stopping, cross-validation and the model they produce.

import { systemClock } from "../../core/clock.ts";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Chunked, Executor } from "../../core/mr.ts";
import { keyState, Rng } from "../../core/rng.ts";
import { type Distribution, type LossParams, newtonStep } from "../loss.ts";
import type { BinomialMetrics } from "../metrics/binomial.ts";
import { checkStoppingMetric, shouldStop, stoppingValue } from "../stopping.ts";
import { crossValidate, type CvView, foldsMeanLength, mainProgress } from "../cv.ts";
import { computeMetrics, type Metrics, type MetricsSpec } from "../metrics/index.ts";
import { type TrainingColumns, trainingColumns, validationResponse } from "../training-frame.ts";
import { type BinColumn, cutPoints, enumBins, type FeatureSpec, SketchTask, sketchRate } from "./binning.ts";
import { varimpOf } from "../model.ts";
import type { TrainRequest, TrainResult as RegistryResult } from "../algorithm.ts";
import { bindFeatures, type ScoringEvent, type TreeModel } from "./model.ts";
import { growTrees } from "./grower.ts";
import { QUANT_LEVELS } from "./histogram.ts";
import { STOPPING_METRICS, type TreeParams } from "./params.ts";
import { checkFolds } from "../folds.ts";
import { CollectHoldoutTask, FoldWeightsTask, HoldoutOutputTask } from "./folds.ts";
import {
  GradTask,
  LeafResidualsTask,
  type OutputArgs,
  OutputTask,
  ResetScoresTask,
  ResponseSketchTask,
  ResponseStatsTask,
  ScoreTask,
} from "./row-tasks.ts";
import type { ScoreArgs } from "./rows.ts";
import type { Tree } from "./tree.ts";
import { BuildViewTask, type TreeChunk } from "./view.ts";

/** A training request with its response and its parameters resolved (`seed` a concrete value). */
export interface TrainInput extends Omit<TrainRequest, "y" | "params"> {
  readonly algo: "gbm" | "drf";
  readonly y: string;
  readonly params: TreeParams;
}

/** The registry's result, with tree models. */
export interface TrainResult extends Omit<RegistryResult, "model" | "cvModels"> {
  readonly model: TreeModel;
  readonly cvModels: readonly TreeModel[];
}

interface Setup {
  readonly input: TrainInput;
  readonly columns: TrainingColumns;
  readonly distribution: Distribution;
  readonly lossParams: LossParams;
  readonly K: number;
  readonly specs: FeatureSpec[];
  readonly missingBin: Int32Array;
  readonly output: OutputArgs["output"];
  readonly metricsSpec: MetricsSpec;
}

function resolveDistribution(requested: string, c: TrainingColumns): Distribution {
  const d = requested === "AUTO" ? (c.category === "Binomial" ? "bernoulli" : c.category === "Multinomial" ? "multinomial" : "gaussian") : (requested as Distribution);
  const classifier = c.category !== "Regression";
  if (d === "bernoulli" && c.category !== "Binomial") {
    throw new FloeError("invalid_argument", `distribution=bernoulli needs a two-class enum response; '${c.yName}' is ${classifier ? `an enum with ${c.yDomain?.length} classes` : "numeric"}`);
  }
  if (d === "multinomial" && c.category !== "Multinomial") {
    throw new FloeError("invalid_argument", `distribution=multinomial needs an enum response with more than two classes; '${c.yName}' is ${classifier ? "binomial" : "numeric"}`);
  }
  if (d !== "bernoulli" && d !== "multinomial" && classifier) {
    throw new FloeError("invalid_argument", `distribution=${d} needs a numeric response; '${c.yName}' is an enum (classes ${c.yDomain?.slice(0, 5).join(", ")})`);
  }
  return d;
}

async function featureSpecs(executor: Executor, frame: Frame, cols: readonly number[], p: TreeParams): Promise<FeatureSpec[]> {
  const numeric = cols.filter((c) => frame.columns[c].type !== "enum");
  const samples = numeric.length ? await executor.run(SketchTask, frame, { cols: numeric, rate: sketchRate(frame.rows) }) : [];
  return cols.map((c) => {
    const spec = frame.columns[c];
    if (spec.type === "enum") {
      const { levelToBin, valueBins } = enumBins(frame.rollups?.[c].levelCounts ?? [], p.nbins_cats);
      return { name: spec.name, kind: "enum", levelToBin, valueBins, domain: spec.domain ?? [] };
    }
    const cuts = cutPoints(samples[numeric.indexOf(c)], p.nbins);
    return { name: spec.name, kind: "numeric", cuts, valueBins: cuts.length + 1 };
  });
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Friedman's huber step for sorted residuals: their median plus the mean clipped deviation from it. */
function huberLeaf(sorted: Float64Array, delta: number): number {
  const med = quantile(sorted, 0.5);
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) {
    const dev = sorted[i] - med;
    sum += Math.sign(dev) * Math.min(delta, Math.abs(dev));
  }
  return med + sum / sorted.length;
}

/** The initial raw scores of GBM (H2O's init_f) and the huber delta, from the training rows. */
async function initScores(executor: Executor, view: Chunked<TreeChunk>, s: Setup, seed: number): Promise<{ init: Float64Array; huberDelta: number }> {
  const K = s.K;
  const classes = s.columns.yDomain?.length ?? 1;
  const stats = await executor.run(ResponseStatsTask, view, { classes: classes > 2 ? classes : 1 });
  const n = stats[0];
  const mean = stats[1] / n;
  const init = new Float64Array(K);
  const d = s.distribution;
  const sketch = async (center: number | null) =>
    executor.run(ResponseSketchTask, view, { rate: sketchRate(n), state: keyState(seed, 11), center });
  let huberDelta = 1;
  if (s.input.algo === "drf") return { init, huberDelta };
  if (d === "gaussian") init[0] = mean;
  else if (d === "bernoulli") init[0] = Math.log(Math.max(mean, 1e-15) / Math.max(1 - mean, 1e-15));
  else if (d === "multinomial") for (let k = 0; k < K; k++) init[k] = Math.log(Math.max(stats[2 + k] / n, 1e-15));
  else if (d === "poisson" || d === "gamma" || d === "tweedie") init[0] = Math.log(Math.max(mean, 1e-15));
  else if (d === "quantile") init[0] = quantile(await sketch(null), s.lossParams.quantile_alpha);
  else {
    init[0] = quantile(await sketch(null), 0.5);
    if (d === "huber") huberDelta = Math.max(quantile(await sketch(init[0]), s.input.params.huber_alpha ?? 0.9), 1e-12);
  }
  return { init, huberDelta };
}

function summaryOf(m: Metrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(m)) if (typeof v === "number" && key !== "nobs" && key !== "max_f1_threshold") out[key] = v;
  return out;
}

interface Fit {
  iterations: Tree[][];
  gains: Float64Array;
  history: ScoringEvent[];
  training: Metrics | null;
  validation: Metrics | null;
}

/** One model's trees over a view whose weights say which rows to train on. */
interface FitOptions {
  /** Score during training (metrics, scoring history, early stopping). */
  readonly score: boolean;
  /** A cross-validation model: its fold's rows of the view are its validation rows. */
  readonly holdout: number | null;
  readonly ntrees: number;
  readonly stoppingRounds: number;
  /** When max_runtime_secs runs out (epoch ms), for cross-validation and the main model together. */
  readonly deadline: number | null;
}

async function fit(
  executor: Executor,
  s: Setup,
  view: Chunked<TreeChunk>,
  valid: Chunked<TreeChunk> | null,
  init: Float64Array,
  loss: LossParams,
  o: FitOptions,
  progress: (f: number) => void,
): Promise<Fit> {
  const score = o.score;
  const p = s.input.params;
  const K = s.K;
  const F = s.specs.length;
  const drf = s.input.algo === "drf";
  const clock = s.input.clock ?? systemClock;
  const started = clock.now();
  await executor.run(ResetScoresTask, view, { init });
  if (valid) await executor.run(ResetScoresTask, valid, { init });

  const iterations: Tree[][] = [];
  const gains = new Float64Array(F);
  const history: ScoringEvent[] = [];
  const stopSeries: number[] = [];
  let training: Metrics | null = null;
  let validation: Metrics | null = null;
  const interval = p.score_tree_interval > 0 ? p.score_tree_interval : Math.max(1, Math.ceil(o.ntrees / 10));
  const mtries = drf ? (p.mtries === -2 ? F : p.mtries === -1 ? (s.columns.category === "Regression" ? Math.floor(F / 3) : Math.floor(Math.sqrt(F))) : (p.mtries ?? F)) : F;
  let learnRate = p.learn_rate ?? 1;
  const shrink = K > 1 && !drf ? (K - 1) / K : 1;
  let maxes = drf ? await executor.run(GradTask, view, { distribution: "drf", classes: K, loss }) : null;
  // GBM adds a tree to the training scores in the next gradient pass, or before scoring.
  let unscored: ScoreArgs | null = null;
  const flushScores = async () => {
    if (unscored) await executor.run(ScoreTask, view, unscored);
    unscored = null;
  };

  const scoreNow = async (trees: number) => {
    const out = (o: OutputArgs["output"]) => ({ output: o, classes: K, trees, binomial: s.columns.category === "Binomial" });
    await flushScores();
    let trainOut = await executor.run(OutputTask, view, out(drf ? "average-oob" : s.output));
    if (drf && !trainOut.some((c) => c.w?.some((x) => x > 0))) trainOut = await executor.run(OutputTask, view, out("average"));
    training = await computeMetrics(executor, { chunks: trainOut }, s.metricsSpec);
    if (valid) validation = await computeMetrics(executor, { chunks: await executor.run(OutputTask, valid, out(s.output)) }, s.metricsSpec);
    if (o.holdout !== null) {
      const held = await executor.run(OutputTask, view, { ...out(s.output), holdoutFold: o.holdout });
      validation = await computeMetrics(executor, { chunks: held }, s.metricsSpec);
    }
    history.push({
      number_of_trees: trees,
      timestamp_ms: clock.now() - started,
      training: summaryOf(training),
      ...(validation ? { validation: summaryOf(validation) } : {}),
    });
    stopSeries.push(stoppingValue(validation ?? training, p.stopping_metric, s.columns.category));
  };

  for (let t = 0; t < o.ntrees; t++) {
    if (s.input.signal?.aborted) throw new FloeError("cancelled", "cancelled by the user");
    let lossT = loss;
    if (s.distribution === "huber") {
      // H2O's huber: delta is the huber_alpha-quantile of |y − f| at every iteration.
      await flushScores();
      const abs = await executor.run(ResponseSketchTask, view, { rate: sketchRate(view.chunks.reduce((n, c) => n + c.rows, 0)), state: keyState(p.seed, t, 6), center: "score" });
      lossT = { ...loss, huber_delta: Math.max(quantile(abs, p.huber_alpha ?? 0.9), 1e-12) };
    }
    if (!drf) maxes = await executor.run(GradTask, view, { distribution: s.distribution, classes: K, loss: lossT, addFirst: unscored });
    unscored = null;
    const m = maxes as Float64Array;
    const gScale = Float64Array.from({ length: K }, (_, k) => (m[k] > 0 ? m[k] : 1) / QUANT_LEVELS);
    const hScale = Float64Array.from({ length: K }, (_, k) => (m[K + k] > 0 ? m[K + k] : 1) / QUANT_LEVELS);
    const bagState = keyState(p.seed, t, 2);
    const treeFeatures = p.col_sample_rate_per_tree < 1 ? new Rng(keyState(p.seed, t, 3)).sample(F, Math.max(1, Math.round(p.col_sample_rate_per_tree * F))) : Array.from({ length: F }, (_, f) => f);
    const perSplit = drf ? Math.min(Math.max(1, mtries), treeFeatures.length) : Math.max(1, Math.round((p.col_sample_rate ?? 1) * treeFeatures.length));
    const lr = learnRate;
    const grown = await growTrees(executor, view, {
      specs: s.specs,
      classes: K,
      maxDepth: p.max_depth,
      minRows: p.min_rows,
      minSplitImprovement: p.min_split_improvement,
      root: { gScale, hScale, roundState: keyState(p.seed, t, 1), bagState, bagRate: p.sample_rate },
      treeFeatures,
      featuresFor:
        perSplit >= treeFeatures.length
          ? null
          : (k, node) => new Rng(keyState(p.seed, t, k, node, 4)).sample(treeFeatures.length, perSplit).map((j) => treeFeatures[j]),
      randomFor: (k, node) => (p.histogram_type === "Random" ? new Rng(keyState(p.seed, t, k, node, 5)) : null),
      leafValue: (st) => (drf ? (st.h > 0 ? -st.g / st.h : 0) : newtonStep(s.distribution, st.g, st.h) * lr * shrink),
      signal: s.input.signal,
    });
    iterations.push(grown.trees);
    for (let f = 0; f < F; f++) gains[f] += grown.gains[f];
    let pending = grown.pending;
    const d = s.distribution;
    if (!drf && (d === "laplace" || d === "quantile" || d === "huber")) {
      // H2O's leaves for these losses, from their rows' residuals: the median (laplace), the
      // alpha-quantile (quantile), or the median plus the mean clipped deviation (huber).
      const tree = grown.trees[0];
      const residuals = await executor.run(LeafResidualsTask, view, { pending, missingBin: s.missingBin, nodes: tree.value.length });
      pending = null;
      for (let n = 0; n < tree.value.length; n++) {
        const r = residuals[n];
        if (tree.feature[n] >= 0 || r.length === 0) continue;
        tree.value[n] = (d === "huber" ? huberLeaf(r, lossT.huber_delta) : quantile(r, d === "laplace" ? 0.5 : loss.quantile_alpha)) * lr;
      }
    }
    const oob = drf ? { bagState, bagRate: p.sample_rate } : null;
    const added: ScoreArgs = { trees: grown.trees, missingBin: s.missingBin, oob, grown: { pending } };
    if (drf) await executor.run(ScoreTask, view, added);
    else unscored = added;
    if (valid) await executor.run(ScoreTask, valid, { trees: grown.trees, missingBin: s.missingBin, oob: null, grown: null });
    learnRate *= p.learn_rate_annealing ?? 1;
    progress((t + 1) / o.ntrees);

    const last = t === o.ntrees - 1;
    const outOfTime = o.deadline !== null && clock.now() >= o.deadline;
    if (score && ((t + 1) % interval === 0 || last || outOfTime)) {
      await scoreNow(t + 1);
      if (shouldStop(stopSeries, o.stoppingRounds, p.stopping_tolerance)) break;
    }
    if (outOfTime) break;
  }
  if (score && history.at(-1)?.number_of_trees !== iterations.length) await scoreNow(iterations.length);
  await flushScores();
  return { iterations, gains, history, training, validation };
}

/** Trains a GBM or DRF model; with nfolds or a fold column, cross-validates it first. */
export async function trainTreeModel(executor: Executor, input: TrainInput): Promise<TrainResult> {
  const p = input.params;
  const clock = input.clock ?? systemClock;
  const started = clock.now();
  const columns = trainingColumns(input.frame, input.y, input.x, p.ignore_const_cols);
  checkFolds(p, columns.rows);
  const drf = input.algo === "drf";
  const distribution: Distribution = drf
    ? columns.category === "Binomial"
      ? "bernoulli"
      : columns.category === "Multinomial"
        ? "multinomial"
        : "gaussian"
    : resolveDistribution(p.distribution ?? "AUTO", columns);
  checkStoppingMetric(input.algo, p.stopping_metric, columns.category, STOPPING_METRICS);
  const yRollup = input.frame.rollups?.[columns.yCol];
  if (yRollup?.min != null) {
    if ((distribution === "poisson" || distribution === "tweedie") && yRollup.min < 0) {
      throw new FloeError("bad_input", `distribution=${distribution} needs a response >= 0; '${columns.yName}' has ${yRollup.min}`);
    }
    if (distribution === "gamma" && yRollup.min <= 0) throw new FloeError("bad_input", `distribution=gamma needs a response > 0; '${columns.yName}' has ${yRollup.min}`);
  }
  const classes = columns.yDomain?.length ?? 1;
  if (classes > p.nbins_cats) {
    throw new FloeError("bad_input", `response '${columns.yName}' has ${classes} classes, more than nbins_cats (${p.nbins_cats}); raise nbins_cats or regroup the classes`);
  }
  if (columns.rows < 2 * p.min_rows) {
    // H2O's check: a split needs min_rows on each side.
    throw new FloeError("invalid_argument", `The dataset size is too small to split for min_rows=${p.min_rows}: must have at least ${2 * p.min_rows} rows, but have only ${columns.rows}`);
  }
  const K = columns.category === "Multinomial" ? classes : 1;
  const xCols = columns.xCols.filter((c) => input.frame.columns[c].name !== p.fold_column);
  if (drf && p.mtries !== undefined && p.mtries !== -1 && p.mtries !== -2 && !(p.mtries >= 1 && p.mtries <= xCols.length)) {
    throw new FloeError(
      "invalid_argument",
      `mtries=${p.mtries}: must be -1 (sqrt of the predictors for classifiers, a third for regression), -2 (all) or 1 to ${xCols.length} (the predictors)`,
    );
  }
  const specs = await featureSpecs(executor, input.frame, xCols, p);
  const lossBase = { tweedie_power: p.tweedie_power ?? 1.5, quantile_alpha: p.quantile_alpha ?? 0.5, huber_delta: 1 };
  const output: OutputArgs["output"] = drf
    ? "average"
    : distribution === "bernoulli"
      ? "logistic"
      : distribution === "multinomial"
        ? "softmax"
        : distribution === "poisson" || distribution === "gamma" || distribution === "tweedie"
          ? "exp"
          : "identity";
  const setup: Setup = {
    input,
    columns: { ...columns, xCols },
    distribution,
    lossParams: lossBase,
    K,
    specs,
    missingBin: Int32Array.from(specs, (f) => f.valueBins),
    output,
    metricsSpec: { category: columns.category, classes, distribution, lossParams: lossBase },
  };
  const bins: BinColumn[] = xCols.map((col, i) => ({ col, spec: specs[i] }));
  const view = { chunks: await executor.run(BuildViewTask, input.frame, { features: bins, y: { col: columns.yCol }, classes: K }) };
  let valid: { chunks: TreeChunk[] } | null = null;
  const notes = [...columns.notes];
  if (input.valid) {
    const warnings: string[] = [];
    const y = validationResponse(input.valid, columns, warnings);
    const vbins = bindFeatures(input.valid, specs, warnings);
    valid = { chunks: await executor.run(BuildViewTask, input.valid, { features: vbins, y, classes: K }) };
    notes.push(...warnings.map((w) => `validation: ${w}`));
  }
  const { init, huberDelta } = await initScores(executor, view, setup, p.seed);
  const loss = { ...lossBase, huber_delta: huberDelta };
  const withLoss: Setup = { ...setup, lossParams: loss, metricsSpec: { ...setup.metricsSpec, lossParams: loss } };

  // max_runtime_secs bounds the whole build, cross-validation included (as in H2O).
  const deadline = p.max_runtime_secs > 0 ? started + p.max_runtime_secs * 1000 : null;
  const progress = input.onProgress ?? (() => {});
  const cvView: CvView = {
    chunks: view.chunks,
    trainWithout: (drop) => executor.run(FoldWeightsTask, view, { drop }),
    holdoutPredictions: () => executor.run(HoldoutOutputTask, view, { width: columns.category === "Binomial" ? 1 : K }),
  };
  const cv = await crossValidate<Fit, TreeModel>(executor, { frame: input.frame, columns, view: cvView, params: p, modelId: input.modelId, progress }, {
    // Fold models stop early on their own fold, as H2O's do.
    fit: (f, foldProgress) =>
      fit(executor, withLoss, view, null, init, loss, { score: p.stopping_rounds > 0, holdout: f, ntrees: p.ntrees, stoppingRounds: p.stopping_rounds, deadline }, foldProgress),
    writeHoldout: (f, fitted) =>
      executor.run(CollectHoldoutTask, view, { output, classes: K, trees: fitted.iterations.length, binomial: columns.category === "Binomial", fold: f }),
    model: (modelId, fitted) => makeModel(withLoss, modelId, init, fitted, null, [], clock.now() - started),
    metrics: (chunks) => computeMetrics(executor, { chunks }, withLoss.metricsSpec),
  });
  const foldsTrees = foldsMeanLength(cv, p.stopping_rounds, (fitted) => fitted.iterations.length);
  const ntrees = foldsTrees === null ? p.ntrees : Math.max(1, Math.round(foldsTrees));
  if (foldsTrees !== null) notes.push(`early stopping in cross-validation: the main model has ${ntrees} trees, the folds' mean`);
  const fitted = await fit(
    executor,
    withLoss,
    view,
    valid,
    init,
    loss,
    { score: true, holdout: null, ntrees, stoppingRounds: foldsTrees === null ? p.stopping_rounds : 0, deadline },
    mainProgress(progress, cv),
  );
  const model = { ...makeModel(withLoss, input.modelId, init, fitted, cv?.metrics ?? null, notes, clock.now() - started), cross_validation_metrics_summary: cv?.summary ?? null };
  return { model, cvModels: cv?.models ?? [], cvPredictions: p.keep_cross_validation_predictions ? (cv?.predictions ?? null) : null };
}

function makeModel(s: Setup, modelId: string, init: Float64Array, fitted: Fit, cv: Metrics | null, notes: string[], ms: number): TreeModel {
  const validation = fitted.validation;
  const training = fitted.training;
  const thresholdSource = (validation ?? training) as BinomialMetrics | null;
  return {
    algo: s.input.algo,
    model_id: modelId,
    params: { ...(s.input.params as unknown as Record<string, number | boolean | string | null>), distribution: s.input.algo === "gbm" ? s.distribution : null },
    response: { name: s.columns.yName, domain: s.columns.yDomain },
    category: s.columns.category,
    treesPerIteration: s.K,
    features: s.specs,
    init,
    iterations: fitted.iterations,
    output: s.output,
    distribution: s.distribution,
    lossParams: s.lossParams,
    threshold: s.columns.category === "Binomial" ? (thresholdSource?.max_f1_threshold ?? 0.5) : 0.5,
    metrics: { training, validation, cross_validation: cv },
    varimp: varimpOf(
      s.specs.map((f) => f.name),
      fitted.gains,
    ),
    scoring_history: fitted.history,
    notes,
    training_time_ms: ms,
  };
}
