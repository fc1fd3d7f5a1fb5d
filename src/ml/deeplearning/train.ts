// Training deep learning as H2O does: the parameters checked (layers, dropout, loss against
// the response), the design built (standardized inputs, one-hot levels), a numeric response
// standardized, then iterations of model averaging until `epochs` is reached: each chunk
// trains a copy of the network on its rows and the averaged network goes on. The model is
// scored on a schedule of iterations (scoring history, early stopping with H2O's moving-
// average rule, the best scored model kept), on H2O's samples of the training rows
// (score_training_samples) and validation rows; cross-validation trains one model per fold.
//
// Iterations: train_samples_per_iteration N > 0 trains N rows per iteration; 0, −1 and −2
// train one epoch per iteration (H2O tunes −2 to the cluster; floe keeps one epoch). An
// iteration of less than an epoch trains a sample of the rows drawn by hashing row ids.

import { type Clock, systemClock } from "../../core/clock.ts";
import { FloeError } from "../../core/errors.ts";
import { keyState } from "../../core/rng.ts";
import { cancelledError, type Chunked, type Executor } from "../../core/mr.ts";
import { bindColumns } from "../bind.ts";
import { crossValidate, designCvView, foldDeadline, foldsMeanLength, mainProgress } from "../cv.ts";
import { type Design, type DesignChunk, designColumns, makeDesign } from "../design.ts";
import { BuildDesignTask, ResponseTask } from "../design-tasks.ts";
import { checkFolds } from "../folds.ts";
import type { Distribution, LossParams } from "../loss.ts";
import type { BinomialMetrics } from "../metrics/binomial.ts";
import { computeMetrics, type Metrics, type MetricsSpec, type SupervisedCategory } from "../metrics/index.ts";
import type { ParamValues } from "../params.ts";
import { checkStoppingMetric, misclassification, resolveStoppingMetric, shouldStop, stoppingValue } from "../stopping.ts";
import type { TrainRequest, TrainResult } from "../algorithm.ts";
import { type TrainingColumns, trainingColumns, validationResponse } from "../training-frame.ts";
import { type DeepLearningModel, deepLearningVarimp } from "./model.ts";
import { type Activation, auxSize, type Hyper, initialWeights, layout, type Loss, type NetSpec } from "./network.ts";
import { DL_STOPPING_METRICS, type DeepLearningParams } from "./params.ts";
import { HoldoutOutputTask, type NetArgs, type ScoredArgs, ScoredTask, TrainTask } from "./tasks.ts";

const invalid = (msg: string) => new FloeError("invalid_argument", `deeplearning: ${msg}`);

/** The numbers of a comma-separated list parameter (brackets allowed), each checked by `ok`. */
function parseList(name: string, text: string, what: string, ok: (v: number) => boolean): number[] {
  const body = text.trim().replace(/^\[/, "").replace(/\]$/, "").trim();
  if (body === "") throw new FloeError("invalid_argument", `deeplearning parameter ${name}="${text}": give at least one ${what}`);
  return body.split(",").map((s) => {
    const v = s.trim() === "" ? Number.NaN : Number(s);
    if (!ok(v)) throw new FloeError("invalid_argument", `deeplearning parameter ${name}="${text}": '${s.trim()}' is not ${what}`);
    return v;
  });
}

/** The hidden activation and each hidden layer's dropout ratio, by H2O's rules. */
function resolveActivation(p: DeepLearningParams, layers: number): { activation: Activation; hiddenDropout: number[] } {
  const dropout = p.activation.endsWith("WithDropout");
  const activation = p.activation.replace("WithDropout", "") as Activation;
  if (p.hidden_dropout_ratios === null) return { activation, hiddenDropout: new Array(layers).fill(dropout ? 0.5 : 0) };
  const ratios = parseList("hidden_dropout_ratios", p.hidden_dropout_ratios, "a ratio in [0, 1)", (v) => v >= 0 && v < 1);
  if (ratios.length !== layers) throw invalid(`hidden_dropout_ratios has ${ratios.length} ratio(s) but hidden has ${layers} layer(s)`);
  if (!dropout && ratios.some((r) => r > 0)) throw invalid(`hidden_dropout_ratios needs a WithDropout activation (activation=${p.activation}); use ${p.activation}WithDropout`);
  return { activation, hiddenDropout: ratios };
}

/** The distribution and loss (H2O's Automatic and AUTO resolved), refused where they do not fit the response. */
function resolveLoss(p: DeepLearningParams, c: TrainingColumns): { distribution: Distribution; loss: Loss } {
  const what = c.category === "Regression" ? "numeric" : `an enum with ${c.yDomain?.length} classes`;
  if (c.category !== "Regression") {
    const expected = c.category === "Binomial" ? "bernoulli" : "multinomial";
    if (p.distribution !== "AUTO" && p.distribution !== expected) {
      throw invalid(`distribution=${p.distribution} does not fit the response '${c.yName}' (${what}): use ${expected} or AUTO`);
    }
    return { distribution: expected, loss: p.loss === "Automatic" ? "CrossEntropy" : p.loss };
  }
  if (p.loss === "CrossEntropy") throw invalid(`loss=CrossEntropy needs a classifier; the response '${c.yName}' is numeric (make it an enum to classify)`);
  if (p.distribution === "bernoulli" || p.distribution === "multinomial") {
    throw invalid(`distribution=${p.distribution} needs an enum response; '${c.yName}' is numeric`);
  }
  const byLoss: Record<string, Distribution> = { Quadratic: "gaussian", Absolute: "laplace", Huber: "huber" };
  const byDistribution: Record<string, Loss> = { gaussian: "Quadratic", laplace: "Absolute", huber: "Huber" };
  const distribution: Distribution = p.distribution === "AUTO" ? (byLoss[p.loss] ?? "gaussian") : p.distribution;
  const loss: Loss = p.loss === "Automatic" ? byDistribution[distribution] : p.loss;
  if (byLoss[loss] !== distribution) throw invalid(`loss=${loss} does not go with distribution=${distribution} (use loss ${byDistribution[distribution]} or Automatic)`);
  return { distribution, loss };
}

/** A scoring's metrics as H2O's scoring history names them (`training_rmse`, `validation_logloss`, ...). */
function historyMetrics(prefix: string, m: Metrics, category: SupervisedCategory): Record<string, number> {
  const r = m as unknown as Record<string, number>;
  if (category === "Regression") {
    return { [`${prefix}_rmse`]: r.RMSE, [`${prefix}_deviance`]: r.mean_residual_deviance, [`${prefix}_mae`]: r.mae, [`${prefix}_r2`]: r.r2 };
  }
  return {
    [`${prefix}_rmse`]: r.RMSE,
    [`${prefix}_logloss`]: r.logloss,
    [`${prefix}_classification_error`]: misclassification(m),
    ...(category === "Binomial" ? { [`${prefix}_auc`]: r.AUC } : {}),
  };
}

/** What every fit of a training run shares. */
interface Context {
  readonly executor: Executor;
  readonly p: DeepLearningParams;
  readonly design: Design;
  readonly spec: NetSpec;
  readonly view: Chunked<DesignChunk>;
  readonly loss: Loss;
  readonly hyper: Hyper;
  readonly yMean: number;
  readonly yScale: number;
  readonly category: SupervisedCategory;
  readonly metricsSpec: MetricsSpec;
  readonly signal?: AbortSignal;
  readonly clock: Clock;
  /** Rows of the training frame and of the validation frame (0 without one): the scoring samples' denominators. */
  readonly frameRows: number;
  readonly validRows: number;
}

function netArgs(ctx: Context, weights: Float64Array): NetArgs {
  return { design: ctx.design, spec: ctx.spec, weights, yMean: ctx.yMean, yScale: ctx.yScale };
}

/** One scoring of the network during a fit. */
interface Scoring {
  readonly weights: Float64Array;
  readonly epochs: number;
  readonly iterations: number;
  readonly training: Metrics;
  readonly validation: Metrics | null;
  /** The stopping metric (smaller is better). */
  readonly value: number;
}

interface FitOptions {
  readonly epochs: number;
  readonly stoppingRounds: number;
  readonly overwriteWithBest: boolean;
  /** A cross-validation model: its fold's rows of the view are its validation rows. */
  readonly holdout: number | null;
  /** When max_runtime_secs runs out (epoch ms): the fit scores and stops after the iteration in progress. */
  readonly deadline: number | null;
}

interface Fit {
  /** The kept scoring: the best one with overwrite_with_best_model, else the last. */
  readonly kept: Scoring;
  /** Epochs of the last scoring (a fold's answer to how long the main model trains). */
  readonly lastEpochs: number;
  readonly history: Record<string, number>[];
  readonly notes: string[];
}

/** Scoring samples of `wanted` rows (0: all) out of about `rows`, drawn by a hash of the seed and `salt`. */
function scoringSample(seed: number, salt: number, wanted: number, rows: number): ScoredArgs["sample"] {
  return { key: keyState(seed, salt), fraction: wanted > 0 && rows > wanted ? wanted / rows : 1 };
}

async function score(ctx: Context, valid: Chunked<DesignChunk> | null, holdout: number | null, fitRows: number, weights: Float64Array, epochs: number, iterations: number): Promise<Scoring> {
  const { executor, metricsSpec, p } = ctx;
  const net = netArgs(ctx, weights);
  const metricsOf = async (view: Chunked<DesignChunk>, fold: number | null, sample: ScoredArgs["sample"]) =>
    computeMetrics(executor, { chunks: await executor.run(ScoredTask, view, { ...net, fold, sample }, { signal: ctx.signal }) }, metricsSpec);
  const training = await metricsOf(ctx.view, null, scoringSample(p.seed, 0x5c07e, p.score_training_samples, fitRows));
  const validSample = (rows: number) => scoringSample(p.seed, 0x5c07f, p.score_validation_samples, rows);
  const validation = valid ? await metricsOf(valid, null, validSample(ctx.validRows)) : holdout !== null ? await metricsOf(ctx.view, holdout, validSample(ctx.frameRows - fitRows)) : null;
  return { weights, epochs, iterations, training, validation, value: stoppingValue(validation ?? training, ctx.p.stopping_metric, ctx.category) };
}

/**
 * mini_batch_size 0: 32 rows an update (matrix products over 32 rows run several times faster
 * than row by row), fewer on small data so that an epoch still makes 1,000 updates.
 */
function autoMiniBatch(rows: number): number {
  return Math.max(1, Math.min(32, Math.floor(rows / 1000)));
}

/**
 * `length` values of `from` from `at`, each divided by `n`, in a SharedArrayBuffer: the
 * next iteration's arguments then reach the pool's workers without a copy.
 */
function sharedCopy(from: Float64Array, at: number, length: number, n: number): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(length * 8));
  for (let j = 0; j < length; j++) out[j] = from[at + j] / n;
  return out;
}

/** Trains one network on the view's rows of the current fit (weight > 0). */
async function fit(ctx: Context, valid: Chunked<DesignChunk> | null, o: FitOptions, progress: (f: number) => void): Promise<Fit> {
  const { executor, p, spec, clock } = ctx;
  const started = clock.now();
  const N = (await executor.run(ResponseTask, ctx.view, { classes: 0 }))[0];
  if (N === 0) {
    throw new FloeError("bad_input", `no rows to train on: every row has a missing response${p.missing_values_handling === "Skip" ? " or a missing predictor (missing_values_handling=Skip)" : ""}`);
  }
  const miniBatch = p.mini_batch_size > 0 ? p.mini_batch_size : autoMiniBatch(N);
  const lay = layout(spec);
  let weights = sharedCopy(initialWeights(spec, lay, p.initial_weight_distribution, p.initial_weight_scale, p.seed), 0, lay.size, 1);
  let aux: Float64Array = new Float64Array(new SharedArrayBuffer(auxSize(ctx.hyper, lay.size) * 8));
  const perIteration = p.train_samples_per_iteration > 0 ? p.train_samples_per_iteration : N;
  const total = o.epochs * N;
  const iterations = Math.max(1, Math.ceil(total / perIteration - 1e-9));
  const interval = p.score_each_iteration ? 1 : Math.max(1, Math.ceil(iterations / 20));
  const history: Record<string, number>[] = [];
  const series: number[] = [];
  const notes: string[] = [];
  let processed = 0;
  let best: Scoring | null = null;
  let last: Scoring | null = null;
  for (let it = 0; it < iterations; it++) {
    if (ctx.signal?.aborted) throw cancelledError();
    const samples = Math.min(perIteration, total - it * perIteration);
    const partial = await executor.run(
      TrainTask,
      ctx.view,
      { ...netArgs(ctx, weights), aux, hyper: ctx.hyper, loss: ctx.loss, miniBatch, seed: p.seed, iteration: it, fraction: samples / N, processed },
      { signal: ctx.signal },
    );
    const n = partial[partial.length - 1];
    if (n > 0) {
      weights = sharedCopy(partial, 0, lay.size, n);
      aux = sharedCopy(partial, lay.size, aux.length, n);
      if (!weights.every(Number.isFinite)) {
        throw new FloeError(
          "bad_input",
          `deeplearning diverged at epoch ${((processed + n) / N).toFixed(2)} (weights are no longer finite): lower rate, keep adaptive_rate or standardize on, or add l2`,
        );
      }
      processed += n;
    }
    progress((it + 1) / iterations);
    const timeUp = o.deadline !== null && clock.now() >= o.deadline;
    if ((it + 1) % interval !== 0 && it !== iterations - 1 && !timeUp) continue;
    const s = await score(ctx, valid, o.holdout, N, weights, processed / N, it + 1);
    history.push({
      epochs: s.epochs,
      iterations: s.iterations,
      samples: processed,
      duration_ms: clock.now() - started,
      ...historyMetrics("training", s.training, ctx.category),
      ...(s.validation ? historyMetrics("validation", s.validation, ctx.category) : {}),
    });
    series.push(s.value);
    last = s;
    if (!best || s.value < best.value) best = s;
    if (timeUp && it < iterations - 1) {
      notes.push(`max_runtime_secs reached after ${s.epochs.toFixed(2)} epochs`);
      break;
    }
    if (it < iterations - 1 && o.stoppingRounds > 0 && shouldStop(series, o.stoppingRounds, p.stopping_tolerance)) {
      notes.push(`early stopping after ${s.epochs.toFixed(2)} epochs: ${resolveStoppingMetric(p.stopping_metric, ctx.category)} did not improve over ${o.stoppingRounds} scorings`);
      break;
    }
  }
  const lastScoring = last as Scoring;
  const kept = o.overwriteWithBest && best ? best : lastScoring;
  if (kept !== lastScoring)
    notes.push(`overwrite_with_best_model: kept the model of epoch ${kept.epochs.toFixed(2)} (best ${resolveStoppingMetric(p.stopping_metric, ctx.category)} of ${history.length} scorings)`);
  return { kept, lastEpochs: lastScoring.epochs, history, notes };
}

export async function trainDeepLearning(executor: Executor, req: TrainRequest, p: DeepLearningParams): Promise<TrainResult> {
  const clock = req.clock ?? systemClock;
  const started = clock.now();
  // max_runtime_secs bounds the whole build, cross-validation included (as for the trees).
  const deadline = p.max_runtime_secs > 0 ? started + p.max_runtime_secs * 1000 : null;
  const frame = req.frame;
  const cols = trainingColumns(frame, req.y as string, req.x, p.ignore_const_cols);
  checkFolds(p, cols.rows);
  const hidden = parseList("hidden", p.hidden, "a positive integer layer size", (v) => Number.isInteger(v) && v > 0);
  const { activation, hiddenDropout } = resolveActivation(p, hidden.length);
  if (p.input_dropout_ratio >= 1) throw invalid(`input_dropout_ratio=${p.input_dropout_ratio} would drop every input; it must be below 1`);
  if (p.adaptive_rate && p.epsilon === 0) throw invalid("adaptive_rate needs epsilon > 0");
  const { distribution, loss } = resolveLoss(p, cols);
  checkStoppingMetric("deeplearning", p.stopping_metric, cols.category, DL_STOPPING_METRICS);
  const notes = [...cols.notes];

  const xCols = cols.xCols.filter((c) => frame.columns[c].name !== p.fold_column);
  if (xCols.length === 0) throw new FloeError("bad_input", "no predictor columns left to train on besides the fold column");
  // The design's order: enum columns first, then numeric ones (input units follow it).
  const ordered = [...xCols.filter((c) => frame.columns[c].type === "enum"), ...xCols.filter((c) => frame.columns[c].type !== "enum")];
  const design = makeDesign(frame, ordered, {
    transform: p.standardize ? "STANDARDIZE" : "NONE",
    intercept: false,
    useAllFactorLevels: p.use_all_factor_levels,
    missing: p.missing_values_handling,
  });
  if (design.P === 0) throw new FloeError("bad_input", "no input units: every predictor is an enum with a single level (set use_all_factor_levels)");
  const classifier = cols.category !== "Regression";
  const K = cols.yDomain?.length ?? 1;
  const spec: NetSpec = { units: [design.P, ...hidden, classifier ? K : 1], activation, softmax: classifier, inputDropout: p.input_dropout_ratio, hiddenDropout };
  // H2O standardizes a numeric response too: the network predicts in its sds from its mean.
  const yRollup = frame.rollups?.[cols.yCol];
  const standardY = !classifier && p.standardize;
  const yMean = standardY ? (yRollup?.mean ?? 0) : 0;
  const yScale = standardY && (yRollup?.sd ?? 0) > 0 ? (yRollup?.sd as number) : 1;
  // Huber's delta is 1 in the network's units: yScale on the response's.
  const lossParams: LossParams = { tweedie_power: 1.5, quantile_alpha: 0.5, huber_delta: yScale };
  const metricsSpec: MetricsSpec = { category: cols.category, classes: K, distribution, lossParams };
  const holdoutWidth = cols.category === "Multinomial" ? K : 1;
  const view = {
    chunks: await executor.run(BuildDesignTask, frame, { design, bound: ordered.map((col) => ({ col })), y: { col: cols.yCol }, needY: true, holdoutWidth }, { signal: req.signal }),
  };
  let valid: { chunks: DesignChunk[] } | null = null;
  if (req.valid) {
    const warnings: string[] = [];
    const y = validationResponse(req.valid, cols, warnings);
    const bound = bindColumns(req.valid, designColumns(design), warnings);
    valid = { chunks: await executor.run(BuildDesignTask, req.valid, { design, bound, y, needY: true, holdoutWidth: 0 }, { signal: req.signal }) };
    notes.push(...warnings.map((w) => `validation: ${w}`));
  }
  const hyper: Hyper = {
    adaptive: p.adaptive_rate,
    rho: p.rho,
    epsilon: p.epsilon,
    rate: p.rate,
    rateAnnealing: p.rate_annealing,
    rateDecay: p.rate_decay,
    momentumStart: p.momentum_start,
    momentumRamp: p.momentum_ramp,
    momentumStable: p.momentum_stable,
    nesterov: p.nesterov_accelerated_gradient,
    l1: p.l1,
    l2: p.l2,
    maxW2: p.max_w2,
    fastMode: p.fast_mode,
  };
  const ctx: Context = {
    executor,
    p,
    design,
    spec,
    view,
    loss,
    hyper,
    yMean,
    yScale,
    category: cols.category,
    metricsSpec,
    signal: req.signal,
    clock,
    frameRows: frame.rows,
    validRows: req.valid?.rows ?? 0,
  };
  const progress = req.onProgress ?? (() => {});

  const assemble = (modelId: string, fitted: Fit, cv: Metrics | null, modelNotes: string[], ms: number): DeepLearningModel => {
    const k = fitted.kept;
    const thresholdSource = (k.validation ?? k.training) as BinomialMetrics;
    return {
      algo: "deeplearning",
      model_id: modelId,
      params: {
        ...(p as unknown as ParamValues),
        distribution,
        loss,
        hidden: hidden.join(","),
        hidden_dropout_ratios: hiddenDropout.some((r) => r > 0) ? hiddenDropout.join(",") : p.hidden_dropout_ratios,
      },
      response: { name: cols.yName, domain: cols.yDomain },
      category: cols.category,
      design,
      net: spec,
      weights: k.weights,
      yMean,
      yScale,
      distribution,
      loss,
      lossParams,
      epochs_trained: k.epochs,
      iterations: k.iterations,
      threshold: cols.category === "Binomial" ? (thresholdSource.max_f1_threshold ?? 0.5) : 0.5,
      metrics: { training: k.training, validation: k.validation, cross_validation: cv },
      varimp: deepLearningVarimp(design, spec, k.weights),
      scoring_history: fitted.history,
      notes: modelNotes,
      training_time_ms: ms,
    };
  };

  // Cross-validation: one model per fold on the other folds, validated on its own fold.
  const cv = await crossValidate<Fit, DeepLearningModel>(
    executor,
    { frame, columns: cols, view: designCvView(executor, view, holdoutWidth), params: p, modelId: req.modelId, progress },
    {
      fit: (f, foldProgress, folds) =>
        fit(
          ctx,
          null,
          { epochs: p.epochs, stoppingRounds: p.stopping_rounds, overwriteWithBest: p.overwrite_with_best_model, holdout: f, deadline: foldDeadline(started, deadline, f, folds) },
          foldProgress,
        ),
      writeHoldout: (f, fitted) => executor.run(HoldoutOutputTask, view, { ...netArgs(ctx, fitted.kept.weights), fold: f }),
      model: (modelId, fitted) => assemble(modelId, fitted, null, fitted.notes, clock.now() - started),
      metrics: (chunks) => computeMetrics(executor, { chunks }, metricsSpec),
    },
  );

  // After cross-validation the main model neither overwrites with its best scoring nor,
  // when the folds stopped early, stops itself: it trains the folds' mean epochs.
  const foldsEpochs = foldsMeanLength(cv, p.stopping_rounds, (fitted) => fitted.lastEpochs);
  const epochs = foldsEpochs ?? p.epochs;
  if (foldsEpochs !== null && epochs !== p.epochs) notes.push(`cross-validation with early stopping: the main model trains the folds' mean of ${epochs.toFixed(2)} epochs`);
  const fitted = await fit(
    ctx,
    valid,
    { epochs, stoppingRounds: foldsEpochs === null ? p.stopping_rounds : 0, overwriteWithBest: cv ? false : p.overwrite_with_best_model, holdout: null, deadline },
    mainProgress(progress, cv),
  );
  const model = { ...assemble(req.modelId, fitted, cv?.metrics ?? null, [...notes, ...fitted.notes], clock.now() - started), cross_validation_metrics_summary: cv?.summary ?? null };
  return { model, cvModels: cv?.models ?? [], cvPredictions: p.keep_cross_validation_predictions ? (cv?.predictions ?? null) : null };
}
