// What makes one tree algorithm differ from another (GBM, DRF and XGBoost): the loss its
// trees fit, where the raw scores start, what a split must satisfy (its regularisation),
// each iteration's gradients, leaf values and features per split, how a grown tree joins the training scores, and how the
// training metrics read them. Everything else (the view, the grower, scoring, early
// stopping, cross-validation, the model) is the shared loop in train.ts.

import type { Chunked, Executor } from "../../core/mr.ts";
import { keyState } from "../../core/rng.ts";
import type { Distribution, LossParams } from "../loss.ts";
import type { MetricsSpec } from "../metrics/index.ts";
import type { TrainingColumns } from "../training-frame.ts";
import type { TrainRequest } from "../algorithm.ts";
import type { FeatureSpec } from "./binning.ts";
import type { Grown } from "./grower.ts";
import type { RootGradients, RowDraws } from "./histogram.ts";
import type { TreeParams } from "./params.ts";
import type { OutputArgs } from "./row-tasks.ts";
import type { ScoreArgs, SplitTable } from "./rows.ts";
import type { NodeStats, SplitLimits } from "./split.ts";
import type { TreeChunk } from "./view.ts";

export type TreeAlgo = "gbm" | "drf" | "xgboost";
export type TreeOutput = OutputArgs["output"];

/** A training request with its response and its parameters resolved (`seed` a concrete value). */
export interface TrainInput extends Omit<TrainRequest, "y" | "params"> {
  readonly algo: TreeAlgo;
  readonly y: string;
  readonly params: TreeParams;
}

/** What every fit of one training run shares. */
export interface TreeSetup {
  readonly input: TrainInput;
  readonly columns: TrainingColumns;
  readonly distribution: Distribution;
  readonly lossParams: LossParams;
  /** Trees an iteration: the classes of a multinomial model, else 1. */
  readonly K: number;
  readonly specs: FeatureSpec[];
  readonly missingBin: Int32Array;
  readonly output: TreeOutput;
  readonly metricsSpec: MetricsSpec;
  /**
   * Whether the view is all on this node (not spread over a cluster): small nodes may then
   * detach (GrowSpec.detach) and this thread reads level passes' records (GrowSpec.recordsHere).
   */
  readonly local: boolean;
}

/** The training rows' scores, with a tree that may not have been added to them yet. */
export interface TrainingScores {
  readonly view: Chunked<TreeChunk>;
  /** Adds a deferred tree to the scores now (before anything reads them). */
  flush(): Promise<void>;
  /** The deferred tree, for the gradient pass to add first; it is then no longer pending. */
  take(): ScoreArgs | null;
}

/** One iteration's gradients: per class max |g| then max h (the quantization scales), and the loss they used. */
export interface Gradients {
  readonly maxes: Float64Array;
  readonly loss: LossParams;
  /** The pass also started the tree (RootArgs.started): the maxes were bounds known before it. */
  readonly started?: boolean;
  /** No pass ran: the tree's root pass takes the gradients itself (RootArgs.gradients), from these bounds. */
  readonly rootGradients?: RootGradients;
}

/** One fit's iterations as an algorithm runs them. */
export interface TreeIterations {
  /** Writes every training row's gradients for iteration `t`; `draws` start its tree, when the pass may do so. */
  gradients(t: number, scores: TrainingScores, draws: RowDraws): Promise<Gradients>;
  /** Columns each split may try out of the tree's `available`. */
  featuresPerSplit(available: number): number;
  /** Columns each level may use out of the tree's `available`, drawn before each node's (XGBoost's colsample_bylevel); all when absent. */
  featuresPerLevel?(available: number): number;
  /** The value of a leaf with these totals. */
  leafValue(stats: NodeStats): number;
  /**
   * After growing: final leaf values where they come from the rows (GBM's laplace,
   * quantile and huber), and how the trees join the training scores: `pending` is what
   * is left of the grower's splits, `oob` DRF's out-of-bag sums, `now` false to defer the
   * addition to the next gradient pass.
   */
  finish(t: number, grown: Grown, g: Gradients): Promise<{ readonly pending: SplitTable | null; readonly oob: ScoreArgs["oob"]; readonly now: boolean }>;
}

/** The RNG state of iteration `t`'s row sample (sample_rate): the grower's bag, and DRF's out-of-bag rows. */
export function bagState(seed: number, t: number): number {
  return keyState(seed, t, 2);
}

/** H2O's trees' split limits (GBM, DRF): min_rows and min_split_improvement, no regularisation. */
export function h2oLimits(p: TreeParams): SplitLimits {
  return { minRows: p.min_rows, minSplitImprovement: p.min_split_improvement, lambda: 0, alpha: 0, minChildHessian: 0, maxDeltaStep: 0 };
}

export interface TreeStrategy {
  readonly algo: TreeAlgo;
  /** Whether the model reports a distribution parameter (DRF's is implied by the response). */
  readonly reportsDistribution: boolean;
  /** The distribution the trees fit, refused where it does not fit the response. */
  distribution(p: TreeParams, columns: TrainingColumns): Distribution;
  /** Checks of parameters that depend on the number of predictors. */
  checkParams(p: TreeParams, predictors: number): void;
  /** What a split must satisfy, and the regularisation of its score. */
  limits(p: TreeParams): SplitLimits;
  /** A node's cover, TreeSHAP's weight of its branches: XGBoost's hessian sum, H2O's row count. */
  coverOf(stats: NodeStats): number;
  /** Most leaves a tree may have, grown best-first (XGBoost's lossguide); 0: level by level. */
  maxLeaves(p: TreeParams): number;
  /** How raw scores become predictions. */
  output(distribution: Distribution): TreeOutput;
  /** The outputs the training metrics read, in order of preference (the first with weighted rows wins). */
  trainingOutputs(output: TreeOutput): readonly TreeOutput[];
  /** The raw score every row starts from (per class), and the initial huber delta. */
  initScores(executor: Executor, view: Chunked<TreeChunk>, s: TreeSetup): Promise<{ init: Float64Array; huberDelta: number }>;
  /** Starts a fit over the view, its scores at `init`. */
  start(executor: Executor, view: Chunked<TreeChunk>, s: TreeSetup, loss: LossParams): Promise<TreeIterations>;
}
