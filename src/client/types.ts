// The shapes of floe's REST API v1 as a client sees them: what each route answers and
// what the JSON bodies it takes hold. snake_case as on the wire (H2O style).

import type { ErrorCode } from "../core/errors.ts";

export type JobStatus = "created" | "running" | "done" | "failed" | "cancelled";

export interface Job {
  job_id: string;
  description: string;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  /** ms since the epoch */
  created_at: number;
  ended_at: number | null;
  duration_ms: number;
  error: { code: ErrorCode; message: string } | null;
  /** The frame or model the job stores when it succeeds. */
  dest: { kind: "frame" | "model"; id: string } | null;
  warnings: string[];
}

export interface Health {
  status: "ok";
  version: string;
}

export interface NodeStatus {
  name: string;
  ip_port: string;
  healthy: boolean;
  state: "healthy" | "unhealthy" | "dead";
  last_ping: number;
  num_cpus: number;
  sys_load: number;
  free_mem: number;
  max_mem: number;
  num_keys: number;
  pid: number;
  version: string;
  uptime_ms: number;
}

export interface ClusterStatus {
  cluster_name: string;
  version: string;
  cloud_size: number;
  cloud_healthy: boolean;
  nodes: NodeStatus[];
}

export type ColumnType = "numeric" | "enum" | "string" | "time";

export interface FrameSummary {
  frame_id: string;
  rows: number;
  /** The number of columns. */
  columns: number;
  byte_size: number;
}

export interface ColumnSummary {
  name: string;
  type: ColumnType;
  missing: number | null;
  zeros: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  sd: number | null;
  cardinality: number | null;
  /** Enum levels (the first 1000). */
  domain?: string[];
  histogram: { start: number; width: number; counts: number[] } | null;
  /** Counts aligned with `domain`. */
  level_counts: number[] | null;
}

export interface FrameInfo {
  frame_id: string;
  rows: number;
  byte_size: number;
  columns: ColumnSummary[];
}

export interface FrameRows {
  frame_id: string;
  offset: number;
  rows_total: number;
  columns: string[];
  types: ColumnType[];
  /** number | label or text | null (missing); time as ms since the epoch */
  rows: (number | string | null)[][];
}

/** What POST /frames/import reads: exactly one of `path` and `sql`. */
export interface ImportRequest {
  path?: string;
  sql?: string;
  frame_id?: string;
  col_types?: Record<string, ColumnType>;
  sep?: string;
  header?: boolean;
  na_strings?: string[];
}

export interface SplitRequest {
  ratios: number[];
  seed?: number;
  destination_frames?: string[];
}

export interface ParamInfo {
  name: string;
  type: "int" | "float" | "bool" | "string" | "enum";
  default: unknown;
  help: string;
  values?: string[];
  min?: number;
  max?: number;
}

export interface AlgorithmInfo {
  name: string;
  description: string;
  supervised: boolean;
  params: ParamInfo[];
}

export interface TrainRequest {
  algo: string;
  training_frame: string;
  response_column?: string;
  x?: string[];
  validation_frame?: string;
  model_id?: string;
  /** By H2O name. */
  params?: Record<string, unknown>;
}

export interface ModelSummary {
  model_id: string;
  algo: string;
  category: string;
  response_column: string | null;
  /** null for an uploaded model file. */
  training_frame: string | null;
  created_at: number;
}

/** H2O-named metrics (MSE, RMSE, logloss, AUC, confusion_matrix, ...), by model category. */
export type Metrics = Record<string, unknown>;

export interface ModelInfo {
  model_id: string;
  algo: string;
  params: Record<string, unknown>;
  response: { name: string; domain: string[] | null } | null;
  category: string;
  metrics: { training: Metrics | null; validation: Metrics | null; cross_validation: Metrics | null };
  varimp: { variable: string; relative_importance: number; scaled_importance: number; percentage: number }[];
  scoring_history: Record<string, unknown>[];
  cross_validation_metrics_summary: Record<string, { mean: number; sd: number; folds: number[] }> | null;
  notes: string[];
  training_time_ms: number;
  training_frame: string | null;
  created_at: number;
  /** Ids of the cross-validation models stored beside it. */
  cross_validation_models: string[];
  /** Algorithm-specific fields. */
  [field: string]: unknown;
}

export interface MetricsResult {
  model_id: string;
  frame_id: string;
  metrics: Metrics;
  warnings: string[];
}

export interface PredictResult {
  frame_id: string;
  rows: number;
  columns: string[];
  warnings: string[];
}

/** What POST /automl reads (params by H2O name, as GET /automl/params lists them). */
export interface AutoMLRequest {
  training_frame: string;
  response_column: string;
  x?: string[];
  params?: Record<string, unknown>;
  /** The run's id, which its models' ids end with [default AutoML_N]. */
  project_name?: string;
}

export interface AutoMLSummary {
  automl_id: string;
  job_id: string;
  status: JobStatus;
  response_column: string;
  training_frame: string;
  /** Models on the leaderboard so far. */
  models: number;
  leader: string | null;
  sort_metric: string;
  created_at: number;
}

/** A model's id, algorithm, one value per metric column (null when it has none) and training time. */
export interface LeaderboardRow {
  model_id: string;
  algo: string;
  training_time_ms: number;
  [metric: string]: number | string | null;
}

export interface AutoMLEvent {
  /** ms since the epoch */
  timestamp: number;
  level: "info" | "warn";
  stage: "setup" | "model" | "grid" | "ensemble" | "done";
  message: string;
}

export interface AutoMLInfo {
  automl_id: string;
  job: Job;
  training_frame: string;
  response_column: string;
  x: string[] | null;
  category: "Binomial" | "Multinomial" | "Regression";
  /** Resolved; a seed of -1 is drawn when the run starts. */
  params: Record<string, unknown>;
  sort_metric: string;
  /** The leaderboard's metric columns, in H2O's order. */
  columns: string[];
  /** The models built so far, best first. */
  leaderboard: LeaderboardRow[];
  leader: string | null;
  events: AutoMLEvent[];
}
