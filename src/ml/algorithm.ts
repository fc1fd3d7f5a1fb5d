// The contract every algorithm meets: one descriptor object per algorithm, exported by its
// folder and listed in src/ml/registry.ts. It declares the parameters, trains, names the
// map/reduce tasks it runs (registered for workers from the registry), scores, describes a
// trained model for the front ends and checks a model read from a file. Types only: this
// module sits below every algorithm folder and the registry, so none of them import each other.

import type { Clock } from "../core/clock.ts";
import type { Frame } from "../core/frame.ts";
import type { AnyTask, Executor } from "../core/mr.ts";
import type { Metrics } from "./metrics/index.ts";
import type { ScoredChunk } from "./metrics/scored.ts";
import type { ModelCategory, ModelCommon } from "./model.ts";
import type { Shape } from "./modelcheck/shape.ts";
import type { ParamSpec } from "./params.ts";

/** A trained model of some algorithm, as the shared code sees it (the registry's `Model` is the union of every algorithm's). */
export interface AnyModel extends ModelCommon {
  readonly algo: string;
}

/** A base model of a stacked ensemble with the out-of-fold predictions of its cross-validation. */
export interface BaseModel {
  readonly model: AnyModel;
  readonly cvPredictions: readonly ScoredChunk[] | null;
}

export interface TrainRequest {
  readonly modelId: string;
  /** The training frame, with rollups. */
  readonly frame: Frame;
  /** The response column: required by supervised algorithms, refused by the others. */
  readonly y: string | null;
  /** Predictor columns (default: every column but the response). */
  readonly x: readonly string[] | null;
  /** Parameters by H2O name, unresolved: checked against the algorithm's declarations. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly valid?: Frame | null;
  readonly signal?: AbortSignal;
  /** The time max_runtime_secs and training_time_ms read (default: the system's; tests pass a manual one). */
  readonly clock?: Clock;
  /** Bytes the training may take; a configuration estimated to need more is refused (default: this machine's free memory). */
  readonly memory?: number;
  readonly onProgress?: (fraction: number) => void;
  /** A stacked ensemble's base models with their out-of-fold predictions, looked up by the caller. */
  readonly baseModels?: readonly BaseModel[];
}

/** A trained model plus what lives only in memory: CV predictions and CV models. */
export interface TrainResult<M extends AnyModel = AnyModel> {
  readonly model: M;
  readonly cvModels: readonly M[];
  /** Out-of-fold predictions, chunk by chunk in training-frame order. */
  readonly cvPredictions: readonly ScoredChunk[] | null;
}

/** What the front ends list of an algorithm. */
export interface AlgorithmInfo {
  readonly name: string;
  readonly description: string;
  /** Supervised algorithms need a response; the others take none. */
  readonly supervised: boolean;
  /** Declared once (see defineParams); the CLI, the REST API and the UI read them. */
  readonly params: readonly ParamSpec[];
}

/** An algorithm ready to train: parameters resolved and the shared checks made (see registry.ts). */
export interface Algorithm<M extends AnyModel = AnyModel> extends AlgorithmInfo {
  train(executor: Executor, req: TrainRequest): Promise<TrainResult<M>>;
}

/** A column scoring reads: enum columns are read as text and matched by label. */
export interface InputColumn {
  readonly name: string;
  readonly enum: boolean;
}

/**
 * SHAP contributions of a frame's rows, in the model's link space (the raw score: log-odds,
 * log, identity), one chunk per frame chunk. A row holds `classes` blocks (1, or one per class
 * of a multinomial model), each of `names.length` values: one per input column, in the order of
 * `names`, then the bias term; a block sums to the row's raw score (of that class).
 */
export interface Contributions {
  /** The input columns contributions are given for (the bias term is not named). */
  readonly names: readonly string[];
  readonly classes: number;
  readonly chunks: readonly ContributionChunk[];
  /** output_space: the mean from a link-space value (absent: logistic for a binomial model, else by the model's distribution). */
  readonly inverseLink?: (link: number) => number;
}

export interface ContributionChunk {
  readonly index: number;
  /** Output rows: the chunk's frame rows, or with `outputPerReference` frame rows × reference rows (row i, reference k at i·R + k). */
  readonly rows: number;
  /** rows × classes × (names.length + 1), row-major. */
  readonly values: Float64Array;
}

/** What a contributions request may add (H2O's names in comments). */
export interface ContributionRequest {
  /** `background_frame`: reference rows of baseline SHAP (required by models without an exact method). */
  readonly background?: Frame | null;
  /** `output_per_reference`: one output row per (row, reference row) instead of their mean. */
  readonly outputPerReference?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
}

/** Metrics accumulated over frames given one at a time. */
export interface Evaluator {
  add(frame: Frame, warnings: string[]): Promise<void>;
  result(): Metrics;
}

/**
 * What a descriptor may ask of the other algorithms, passed in by the registry (a stacked
 * ensemble trains its metalearner and scores its members through it), so that no algorithm
 * folder imports another.
 */
export interface Algorithms {
  /** The algorithm of that name, ready to train, or undefined. */
  algorithm(name: string): Algorithm | undefined;
  /** Scores any model (see Scorer.predict), refusing data with none of its columns. */
  predict(executor: Executor, model: AnyModel, frame: Frame, warnings: string[]): Promise<ScoredChunk[]>;
  /** The columns any model reads. */
  inputs(model: AnyModel): InputColumn[];
}

export interface Scorer<M extends AnyModel> {
  /** Predictor columns the model reads (not the response). */
  inputs(model: M, algorithms: Algorithms): InputColumn[];
  /**
   * Scores a frame: one scored chunk per frame chunk, `p` holding the model's outputs
   * (see outputNames) and `y` the response where the frame has it.
   */
  predict(executor: Executor, model: M, frame: Frame, warnings: string[], algorithms: Algorithms): Promise<ScoredChunk[]>;
  evaluator(executor: Executor, model: M, algorithms: Algorithms): Evaluator;
  /** The columns `floe predict` writes (default: `predict`, then one probability per class of a classifier). */
  outputNames?(model: M): string[];
  /**
   * Exact SHAP contributions (see src/ml/explain/contributions.ts). Absent, or null for a request
   * it has no exact method for (a background frame for TreeSHAP): the shared baseline SHAP.
   */
  contributions?(executor: Executor, model: M, frame: Frame, warnings: string[], request: ContributionRequest, algorithms: Algorithms): Promise<Contributions | null>;
}

/** A table of a model report, raw values (numbers are formatted by the presentation). */
export interface ModelTable {
  /** The title, saying when rows or columns are cut ("(first 50 of 120)"). */
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly (string | number | null | undefined)[])[];
}

/** What a model of the algorithm adds to the report every front end shows. */
export interface ModelOutput<M extends AnyModel> {
  /**
   * The end of the report's first line ("50 trees", "3 clusters, 7 iterations") as text and
   * numbers, joined by the presentation, which formats the numbers.
   */
  summary(model: M): readonly (string | number)[];
  /** Tables of the text report, after the metrics. */
  tables(model: M): ModelTable[];
  /** The algorithm's own fields of the model's JSON, after the fields every model has. */
  json(model: M): Record<string, unknown>;
  /** Models inside this one, reported in its JSON under `key` and its text under `title` (a stacked ensemble's metalearner). */
  inner?(model: M): { readonly key: string; readonly title: string; readonly model: AnyModel }[];
  /** The title of the training metrics when they are not plain "Training metrics" (DRF's are out-of-bag). */
  readonly trainingMetricsTitle?: string;
}

/** Checks of a model file's algorithm-specific fields, after the checks every model gets. */
export interface ModelCheck {
  /** The categories a model of the algorithm may have. */
  readonly categories: readonly ModelCategory[];
  /**
   * Throws a bad_input FloeError through `s` naming the value at fault. `classes` is the
   * response's class count (null: regression or unsupervised); `inner` checks a model held
   * inside this one, prefixing its messages with `where`.
   */
  fields(s: Shape, m: Record<string, unknown>, classes: number | null, inner: (value: unknown, where: string) => void): void;
  /** What a model that holds other models is called ("stacked ensemble"); such a model may not sit inside another. */
  readonly holder?: string;
}

/** One algorithm: everything the rest of floe needs to know of it. */
export interface AlgorithmDescriptor<M extends AnyModel = AnyModel, P = never> extends AlgorithmInfo {
  readonly name: M["algo"];
  /** Trains with parameters already resolved against `params` and the shared checks made; the result holds models of this algorithm. */
  train(executor: Executor, req: TrainRequest, params: P, algorithms: Algorithms): Promise<TrainResult>;
  /** Every map/reduce task training and scoring run, registered by name for workers and nodes. */
  readonly tasks: readonly AnyTask[];
  readonly scorer: Scorer<M>;
  readonly output: ModelOutput<M>;
  readonly check: ModelCheck;
}
