// The REST API v1's shapes as TypeScript types, inferred from the zod schemas the server
// validates and documents with (src/api/schemas.ts), so the client, the web UI and the
// server's views share one declaration. snake_case as on the wire (H2O style).
// The model JSON is documented loosely by its schema (each algorithm adds its own fields);
// the fields every model has are declared here once.

import type { z } from "@hono/zod-openapi";
import type {
  AlgorithmSchema,
  AutoMLBody,
  AutoMLEventSchema,
  AutoMLParamsSchema,
  AutoMLSchema,
  AutoMLStarted,
  AutoMLSummarySchema,
  ClusterSchema,
  ColumnSchema,
  ColumnType as ColumnTypeSchema,
  FrameSchema,
  FrameSummarySchema,
  HealthSchema,
  ImportBody,
  JobSchema,
  LeaderboardRowSchema,
  MetricsResult as MetricsResultSchema,
  ModelSchema,
  ModelSummarySchema,
  NodeSchema,
  ParamSchema,
  ParamValue as ParamValueSchema,
  PredictResult as PredictResultSchema,
  RowsSchema,
  SplitBody,
  TrainBody,
} from "./schemas.ts";
import type {
  ContributionsBody,
  ExplainKind as ExplainKindSchema,
  ExplainStarted,
  ExplanationSchema,
  IceBody,
  LocalSurrogateBody,
  PartialDependenceBody,
  PermutationImportanceBody,
} from "./explain-schemas.ts";

export type Job = z.infer<typeof JobSchema>;
export type JobStatus = Job["status"];
export type Health = z.infer<typeof HealthSchema>;
export type NodeStatus = z.infer<typeof NodeSchema>;
export type ClusterStatus = z.infer<typeof ClusterSchema>;

export type ColumnType = z.infer<typeof ColumnTypeSchema>;
export type FrameSummary = z.infer<typeof FrameSummarySchema>;
/** A column of GET /frames/{id}: its rollups, enum levels (the first 1000), histogram and level counts. */
export type ColumnSummary = z.infer<typeof ColumnSchema>;
export type FrameInfo = z.infer<typeof FrameSchema>;
/** Rows as arrays: number | label or text | null (missing); time as ms since the epoch. */
export type FrameRows = z.infer<typeof RowsSchema>;
export type Cell = FrameRows["rows"][number][number];
/** What POST /frames/import reads: exactly one of `path` and `sql`. */
export type ImportRequest = z.input<typeof ImportBody>;
export type SplitRequest = z.input<typeof SplitBody>;

export type ParamValue = z.infer<typeof ParamValueSchema>;
export type ParamInfo = z.infer<typeof ParamSchema>;
export type AlgorithmInfo = z.infer<typeof AlgorithmSchema>;
export type TrainRequest = z.input<typeof TrainBody>;
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

/** One row of a binomial model's thresholds_and_metric_scores table (these columns among H2O's others). */
export interface ThresholdRow {
  readonly threshold: number;
  readonly precision: number;
  readonly recall: number;
  readonly fps: number;
  readonly tns: number;
}

/** H2O-named metrics (MSE, RMSE, logloss, AUC, ...) of any model category, with the tables a front end draws. */
export interface Metrics {
  readonly confusion_matrix?: readonly (readonly number[])[];
  readonly thresholds_and_metric_scores?: readonly ThresholdRow[];
  readonly [name: string]: unknown;
}

export interface VarImp {
  readonly variable: string;
  readonly relative_importance: number;
  readonly scaled_importance: number;
  readonly percentage: number;
}

/** A metric's mean, sd and per-fold values over the cross-validation models. */
export interface CvMetricSummary {
  readonly mean: number;
  readonly sd: number;
  readonly folds: readonly number[];
}

/** GET /models/{id}: what every model has, plus its algorithm's own fields. */
export type ModelInfo = z.infer<typeof ModelSchema> & {
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly response: { readonly name: string; readonly domain: readonly string[] | null } | null;
  readonly category: string;
  readonly metrics: { readonly training: Metrics | null; readonly validation: Metrics | null; readonly cross_validation: Metrics | null };
  readonly varimp: readonly VarImp[];
  readonly scoring_history: readonly Record<string, unknown>[];
  readonly cross_validation_metrics_summary: Readonly<Record<string, CvMetricSummary>> | null;
  readonly notes: readonly string[];
  readonly training_time_ms: number;
  /** Binomial: the probability from which class 1 is predicted (max F1). */
  readonly threshold: number | null;
  /** null for an uploaded model file. */
  readonly training_frame: string | null;
  readonly created_at: number;
  /** Ids of the cross-validation models stored beside it. */
  readonly cross_validation_models: readonly string[];
};

export type MetricsResult = z.infer<typeof MetricsResultSchema>;
export type PredictResult = z.infer<typeof PredictResultSchema>;

/** GET /automl/params: AutoML's parameters and the algorithm families include_algos / exclude_algos name. */
export type AutoMLParams = z.infer<typeof AutoMLParamsSchema>;
/** What POST /automl reads (params by H2O name, as GET /automl/params lists them). */
export type AutoMLRequest = z.input<typeof AutoMLBody>;
export type AutoMLStart = z.infer<typeof AutoMLStarted>;
export type AutoMLSummary = z.infer<typeof AutoMLSummarySchema>;
/** A model's id, algorithm, one value per metric column (null when it has none) and training time. */
export type LeaderboardRow = z.infer<typeof LeaderboardRowSchema>;
export type AutoMLEvent = z.infer<typeof AutoMLEventSchema>;
export type AutoMLInfo = z.infer<typeof AutoMLSchema>;

/** What an explain job explains, and the result GET /explanations/{job_id} answers with (src/api/explain-schemas.ts). */
export type ExplainKind = z.infer<typeof ExplainKindSchema>;
export type ExplainStart = z.infer<typeof ExplainStarted>;
export type ContributionsRequest = z.input<typeof ContributionsBody>;
export type PartialDependenceRequest = z.input<typeof PartialDependenceBody>;
export type IceRequest = z.input<typeof IceBody>;
export type PermutationImportanceRequest = z.input<typeof PermutationImportanceBody>;
export type LocalSurrogateRequest = z.input<typeof LocalSurrogateBody>;
/** The result, by kind, once the job is done (null before). */
export type Explanation<R = unknown> = Omit<z.infer<typeof ExplanationSchema>, "result"> & { readonly result: R | null };
export interface ContributionsResult {
  readonly frame_id: string;
  readonly rows: number;
  readonly columns: readonly string[];
}
export interface PartialDependenceResult {
  readonly tables: readonly {
    readonly columns: readonly string[];
    readonly target: string | null;
    readonly values: readonly (readonly (number | string | null)[])[];
    readonly mean_response: readonly number[];
    readonly stddev_response: readonly number[];
    readonly std_error_mean_response: readonly number[];
  }[];
}
export interface IceResult {
  readonly column: string;
  readonly grid: readonly (number | string | null)[];
  readonly rows: readonly number[];
  readonly responses: readonly (readonly number[])[];
}
export interface PermutationImportanceResult {
  readonly metric: string;
  readonly variables: readonly { variable: string; importance: number; std: number; scaled: number; percentage: number; runs: readonly number[] }[];
}
export interface LocalSurrogateResult {
  readonly row: number;
  readonly prediction: number;
  readonly local_prediction: number;
  readonly intercept: number;
  readonly r2: number;
  readonly weights: readonly { variable: string; value: number | string | null; weight: number }[];
}
