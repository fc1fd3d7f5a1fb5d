// Training of tree ensembles: one loop for every tree algorithm, each a strategy
// (gbm.ts: boosting, drf.ts: bagging; see strategy.ts). The loop bins the features,
// builds the view, grows an iteration's trees with the grower, adds them to the scores,
// scores on schedule, stops early, cross-validates and assembles the model.

import { systemClock } from "../../core/clock.ts";
import { availableMemory } from "../../core/memory.ts";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Chunked, Executor } from "../../core/mr.ts";
import { keyState, Rng } from "../../core/rng.ts";
import type { LossParams } from "../loss.ts";
import type { BinomialMetrics } from "../metrics/binomial.ts";
import { checkStoppingMetric, shouldStop, stoppingValue } from "../stopping.ts";
import { crossValidate, type CvView, foldDeadline, foldsMeanLength, mainProgress } from "../cv.ts";
import { computeMetrics, type Metrics } from "../metrics/index.ts";
import { trainingColumns, validationResponse } from "../training-frame.ts";
import { type BinColumn, cutPoints, enumBins, type FeatureSpec, sketch, sketchRate, totalBins } from "./binning.ts";
import { chooseBundle } from "./bundle.ts";
import { checkTreeMemory } from "./memory.ts";
import { varimpOf } from "../model.ts";
import type { TrainResult as RegistryResult } from "../algorithm.ts";
import { bindFeatures, type ScoringEvent, type TreeModel } from "./model.ts";
import { drawsFeatures, type NodeDraws } from "./draws.ts";
import { growTrees } from "./grower.ts";
import { quantScales, type RowDraws } from "./histogram.ts";
import { STOPPING_METRICS, type TreeParams } from "./params.ts";
import { checkFolds } from "../folds.ts";
import { CollectHoldoutTask, FoldWeightsTask, HoldoutOutputTask } from "./folds.ts";
import { type OutputArgs, OutputTask, ResetScoresTask, ScoreTask } from "./row-tasks.ts";
import type { ScoreArgs } from "./rows.ts";
import type { Tree } from "./tree.ts";
import { BuildViewTask, type TreeChunk } from "./view.ts";
import { DRF_STRATEGY } from "./drf.ts";
import { GBM_STRATEGY } from "./gbm.ts";
import { XGBOOST_STRATEGY } from "./xgboost.ts";
import { bagState, type TrainInput, type TrainingScores, type TreeAlgo, type TreeSetup, type TreeStrategy } from "./strategy.ts";

/** The registry's result, with tree models. */
export interface TrainResult extends Omit<RegistryResult, "model" | "cvModels"> {
  readonly model: TreeModel;
  readonly cvModels: readonly TreeModel[];
}

async function featureSpecs(executor: Executor, frame: Frame, cols: readonly number[], p: TreeParams): Promise<FeatureSpec[]> {
  const numeric = cols.filter((c) => frame.columns[c].type !== "enum");
  const samples = numeric.length ? await sketch(executor, frame, numeric, sketchRate(frame.rows)) : [];
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

function summaryOf(m: Metrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(m)) if (typeof v === "number" && key !== "nobs" && key !== "max_f1_threshold") out[key] = v;
  return out;
}

interface Fit {
  iterations: Tree[][];
  gains: Float64Array;
  /** Σ hessian of split nodes and splits per feature (XGBoost's cover and frequency importances). */
  cover: Float64Array;
  splits: Float64Array;
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
  strategy: TreeStrategy,
  s: TreeSetup,
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
  const clock = s.input.clock ?? systemClock;
  const started = clock.now();
  const outOfBag = strategy.trainingOutputs(s.output).includes("average-oob");
  await executor.run(ResetScoresTask, view, { init, outOfBag });
  if (valid) await executor.run(ResetScoresTask, valid, { init, outOfBag });

  const iterations: Tree[][] = [];
  const gains = new Float64Array(F);
  const cover = new Float64Array(F);
  const splits = new Float64Array(F);
  const history: ScoringEvent[] = [];
  const stopSeries: number[] = [];
  let training: Metrics | null = null;
  let validation: Metrics | null = null;
  const interval = p.score_tree_interval > 0 ? p.score_tree_interval : Math.max(1, Math.ceil(o.ntrees / 10));
  const steps = await strategy.start(executor, view, s, loss);
  // A tree may join the training scores in the next gradient pass (GBM), or before scoring.
  let unscored: ScoreArgs | null = null;
  // Once a row has been out of a bag, DRF's training scores are out-of-bag ("average-oob"
  // below): later trees need not be added to their in-bag rows.
  let outOfBagSeen = false;
  const scores: TrainingScores = {
    view,
    async flush() {
      if (unscored) await executor.run(ScoreTask, view, unscored);
      unscored = null;
    },
    take() {
      const args = unscored;
      unscored = null;
      return args;
    },
  };
  const trainingOutputs = strategy.trainingOutputs(s.output);

  const scoreNow = async (trees: number) => {
    const out = (o: OutputArgs["output"]) => ({ output: o, classes: K, trees, binomial: s.columns.category === "Binomial" });
    await scores.flush();
    let trainOut = await executor.run(OutputTask, view, out(trainingOutputs[0]));
    for (const fallback of trainingOutputs.slice(1)) {
      if (trainOut.some((c) => c.w?.some((x) => x > 0))) break;
      trainOut = await executor.run(OutputTask, view, out(fallback));
    }
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
    const draws: RowDraws = { roundState: keyState(p.seed, t, 1), bagState: bagState(p.seed, t), bagRate: p.sample_rate };
    const g = await steps.gradients(t, scores, draws);
    // The gradient pass added a deferred tree first.
    unscored = null;
    const { gScale, hScale } = quantScales(g.maxes, K);
    const treeFeatures = p.col_sample_rate_per_tree < 1 ? new Rng(keyState(p.seed, t, 3)).sample(F, Math.max(1, Math.round(p.col_sample_rate_per_tree * F))) : Array.from({ length: F }, (_, f) => f);
    const perLevel = steps.featuresPerLevel?.(treeFeatures.length) ?? treeFeatures.length;
    const perSplit = steps.featuresPerSplit(perLevel);
    const nodeDraws: NodeDraws = { seed: p.seed, tree: t, treeFeatures, perLevel, perSplit, features: F, randomThresholds: p.histogram_type === "Random" };
    const grown = await growTrees(executor, view, {
      specs: s.specs,
      classes: K,
      maxDepth: depthLimit(p),
      limits: strategy.limits(p),
      root: { gScale, hScale, ...draws, started: g.started === true, gradients: g.rootGradients ?? null },
      treeFeatures,
      draws: nodeDraws,
      subtractSiblings: !drawsFeatures(nodeDraws),
      maxLeaves: strategy.maxLeaves(p),
      detach: s.local,
      recordsHere: s.local,
      inBagLeaves: !outOfBagSeen,
      leafValue: (st) => steps.leafValue(st),
      coverOf: strategy.coverOf,
      signal: s.input.signal,
    });
    iterations.push(grown.trees);
    for (let f = 0; f < F; f++) {
      gains[f] += grown.gains[f];
      cover[f] += grown.cover[f];
      splits[f] += grown.splits[f];
    }
    const joined = await steps.finish(t, grown, g);
    const added: ScoreArgs = { trees: grown.trees, missingBin: s.missingBin, oob: joined.oob, grown: { pending: joined.pending }, inBag: !outOfBagSeen };
    if (joined.now) {
      const outOfBagRows = await executor.run(ScoreTask, view, added);
      if (outOfBagRows > 0) outOfBagSeen = true;
    } else unscored = added;
    if (valid) await executor.run(ScoreTask, valid, { trees: grown.trees, missingBin: s.missingBin, oob: null, grown: null });
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
  await scores.flush();
  return { iterations, gains, cover, splits, history, training, validation };
}

/** The deepest a tree may grow: max_depth, or for XGBoost's 0 (no limit) the deepest floe grows. */
function depthLimit(p: TreeParams): number {
  return p.max_depth > 0 ? p.max_depth : 64;
}

/** The tree algorithms by name. */
const TREE_STRATEGIES: Readonly<Record<TreeAlgo, TreeStrategy>> = { gbm: GBM_STRATEGY, drf: DRF_STRATEGY, xgboost: XGBOOST_STRATEGY };

/** Trains a tree model (GBM, DRF or XGBoost by `input.algo`); with nfolds or a fold column, cross-validates it first. */
export async function trainTreeModel(executor: Executor, input: TrainInput): Promise<TrainResult> {
  const p = input.params;
  const clock = input.clock ?? systemClock;
  const started = clock.now();
  const columns = trainingColumns(input.frame, input.y, input.x, p.ignore_const_cols);
  checkFolds(p, columns.rows);
  const strategy = TREE_STRATEGIES[input.algo];
  const distribution = strategy.distribution(p, columns);
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
  const { minRows } = strategy.limits(p);
  if (columns.rows < 2 * minRows) {
    // H2O's check: a split needs min_rows on each side.
    throw new FloeError("invalid_argument", `The dataset size is too small to split for min_rows=${minRows}: must have at least ${2 * minRows} rows, but have only ${columns.rows}`);
  }
  const K = columns.category === "Multinomial" ? classes : 1;
  const xCols = columns.xCols.filter((c) => input.frame.columns[c].name !== p.fold_column);
  strategy.checkParams(p, xCols.length);
  const specs = await featureSpecs(executor, input.frame, xCols, p);
  const shares = executor.viewShares?.(input.valid ? [input.frame, input.valid] : [input.frame]);
  checkTreeMemory(
    {
      rows: input.frame.rows,
      validRows: input.valid?.rows ?? 0,
      features: specs.length,
      bins: specs.reduce((t, f) => t + totalBins(f), 0),
      classes: K,
      maxDepth: depthLimit(p),
      threads: executor.threads,
    },
    input.memory ?? availableMemory(),
    shares,
  );
  const lossBase = { tweedie_power: p.tweedie_power ?? 1.5, quantile_alpha: p.quantile_alpha ?? 0.5, huber_delta: 1 };
  const output = strategy.output(distribution);
  const setup: TreeSetup = {
    input,
    columns: { ...columns, xCols },
    distribution,
    lossParams: lossBase,
    K,
    specs,
    missingBin: Int32Array.from(specs, (f) => f.valueBins),
    output,
    metricsSpec: { category: columns.category, classes, distribution, lossParams: lossBase },
    // Views spread over a cluster's nodes keep level passes (a detached node's records would
    // cross the network every level) and search a level's records where they are.
    local: !shares,
  };
  const bins: BinColumn[] = xCols.map((col, i) => ({ col, spec: specs[i] }));
  const bundle = chooseBundle(specs.map(totalBins));
  const view = { chunks: await executor.run(BuildViewTask, input.frame, { features: bins, y: { col: columns.yCol }, classes: K, bundle }) };
  let valid: { chunks: TreeChunk[] } | null = null;
  const notes = [...columns.notes];
  if (input.valid) {
    const warnings: string[] = [];
    const y = validationResponse(input.valid, columns, warnings);
    const vbins = bindFeatures(input.valid, specs, warnings);
    valid = { chunks: await executor.run(BuildViewTask, input.valid, { features: vbins, y, classes: K }) };
    notes.push(...warnings.map((w) => `validation: ${w}`));
  }
  const { init, huberDelta } = await strategy.initScores(executor, view, setup);
  const loss = { ...lossBase, huber_delta: huberDelta };
  const withLoss: TreeSetup = { ...setup, lossParams: loss, metricsSpec: { ...setup.metricsSpec, lossParams: loss } };

  // max_runtime_secs bounds the whole build, cross-validation included (as in H2O), each fold its share.
  const deadline = p.max_runtime_secs > 0 ? started + p.max_runtime_secs * 1000 : null;
  const progress = input.onProgress ?? (() => {});
  const cvView: CvView = {
    chunks: view.chunks,
    trainWithout: (drop) => executor.run(FoldWeightsTask, view, { drop }),
    holdoutPredictions: () => executor.run(HoldoutOutputTask, view, { width: columns.category === "Binomial" ? 1 : K }),
  };
  const cv = await crossValidate<Fit, TreeModel>(
    executor,
    { frame: input.frame, columns, view: cvView, params: p, modelId: input.modelId, progress },
    {
      // Fold models stop early on their own fold, as H2O's do.
      fit: (f, foldProgress, folds) =>
        fit(
          executor,
          strategy,
          withLoss,
          view,
          null,
          init,
          loss,
          { score: p.stopping_rounds > 0, holdout: f, ntrees: p.ntrees, stoppingRounds: p.stopping_rounds, deadline: foldDeadline(started, deadline, f, folds) },
          foldProgress,
        ),
      writeHoldout: (f, fitted) => executor.run(CollectHoldoutTask, view, { output, classes: K, trees: fitted.iterations.length, binomial: columns.category === "Binomial", fold: f }),
      model: (modelId, fitted) => makeModel(withLoss, modelId, init, fitted, null, [], clock.now() - started),
      metrics: (chunks) => computeMetrics(executor, { chunks }, withLoss.metricsSpec),
    },
  );
  const foldsTrees = foldsMeanLength(cv, p.stopping_rounds, (fitted) => fitted.iterations.length);
  const ntrees = foldsTrees === null ? p.ntrees : Math.max(1, Math.round(foldsTrees));
  if (foldsTrees !== null) notes.push(`early stopping in cross-validation: the main model has ${ntrees} trees, the folds' mean`);
  const fitted = await fit(
    executor,
    strategy,
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

function makeModel(s: TreeSetup, modelId: string, init: Float64Array, fitted: Fit, cv: Metrics | null, notes: string[], ms: number): TreeModel {
  const validation = fitted.validation;
  const training = fitted.training;
  const thresholdSource = (validation ?? training) as BinomialMetrics | null;
  return {
    algo: s.input.algo,
    model_id: modelId,
    params: { ...(s.input.params as unknown as Record<string, number | boolean | string | null>), distribution: TREE_STRATEGIES[s.input.algo].reportsDistribution ? s.distribution : null },
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
    ...(s.input.algo === "xgboost"
      ? {
          feature_importance: s.specs
            .map((f, i) => ({ variable: f.name, gain: fitted.gains[i], cover: fitted.cover[i], frequency: fitted.splits[i] }))
            .sort((a, b) => b.gain - a.gain || a.variable.localeCompare(b.variable)),
        }
      : {}),
    scoring_history: fitted.history,
    notes,
    training_time_ms: ms,
  };
}
