// The shapes of the REST API v1 responses the web UI reads (see the server's zod schemas);
// only the fields the UI uses are declared.

export type JobStatus = "created" | "running" | "done" | "failed" | "cancelled";

export interface Job {
  readonly job_id: string;
  readonly description: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly created_at: number;
  readonly ended_at: number | null;
  readonly duration_ms: number;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly dest: { readonly kind: "frame" | "model"; readonly id: string } | null;
  readonly warnings: readonly string[];
}

export interface NodeInfo {
  readonly name: string;
  readonly ip_port: string;
  readonly healthy: boolean;
  readonly state: "healthy" | "unhealthy" | "dead";
  readonly last_ping: number;
  readonly num_cpus: number;
  readonly sys_load: number;
  readonly free_mem: number;
  readonly max_mem: number;
  readonly num_keys: number;
  readonly pid: number;
  readonly version: string;
  readonly uptime_ms: number;
}

export interface Cluster {
  readonly cluster_name: string;
  readonly version: string;
  readonly cloud_size: number;
  readonly cloud_healthy: boolean;
  readonly nodes: readonly NodeInfo[];
}

export interface FrameSummary {
  readonly frame_id: string;
  readonly rows: number;
  readonly columns: number;
  readonly byte_size: number;
}

export interface Histogram {
  readonly start: number;
  readonly width: number;
  readonly counts: readonly number[];
}

export interface ColumnSummary {
  readonly name: string;
  readonly type: string;
  readonly missing: number;
  readonly zeros: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly sd: number | null;
  readonly cardinality: number | null;
  readonly domain?: readonly string[];
  readonly histogram: Histogram | null;
  readonly level_counts: readonly number[] | null;
}

export interface FrameDetail {
  readonly frame_id: string;
  readonly rows: number;
  readonly byte_size: number;
  readonly columns: readonly ColumnSummary[];
}

export type Cell = number | string | null;

export interface FrameRows {
  readonly frame_id: string;
  readonly offset: number;
  readonly rows_total: number;
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export type ParamValue = number | boolean | string | null;

export interface ParamMeta {
  readonly name: string;
  readonly type: "int" | "float" | "bool" | "string" | "enum";
  readonly default: ParamValue;
  readonly help: string;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** An exclusive lower bound. */
  readonly above?: number;
}

export interface Algorithm {
  readonly name: string;
  readonly description: string;
  readonly supervised: boolean;
  readonly params: readonly ParamMeta[];
}

export interface ModelSummary {
  readonly model_id: string;
  readonly algo: string;
  readonly category: string;
  readonly response_column: string | null;
  readonly training_frame: string | null;
  readonly created_at: number;
}

export interface ThresholdRow {
  readonly threshold: number;
  readonly precision: number;
  readonly recall: number;
  readonly fps: number;
  readonly tns: number;
  readonly [metric: string]: number;
}

/** Metrics of any category: H2O-named scalars plus a few tables. */
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

export interface CvMetricSummary {
  readonly mean: number;
  readonly sd: number;
  readonly folds: readonly number[];
}

export interface ModelDetail {
  readonly model_id: string;
  readonly algo: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly response: { readonly name: string; readonly domain: readonly string[] | null } | null;
  readonly category: string;
  readonly metrics: {
    readonly training: Metrics | null;
    readonly validation: Metrics | null;
    readonly cross_validation: Metrics | null;
  };
  readonly varimp: readonly VarImp[];
  readonly scoring_history: readonly Record<string, unknown>[];
  /** Each metric's mean, sd and per-fold values (the server uses H2O's name, cross_validation_metrics_summary). */
  readonly cross_validation_metrics_summary?: Readonly<Record<string, CvMetricSummary>> | null;
  /** Ids of the cross-validation models, when they were kept. */
  readonly cross_validation_models?: readonly string[];
  readonly notes: readonly string[];
  readonly training_time_ms: number;
  readonly training_frame?: string | null;
  readonly created_at?: number;
}

export interface Prediction {
  readonly frame_id: string;
  readonly rows: number;
  readonly columns: readonly string[];
  readonly warnings: readonly string[];
}

/** GET /automl/params: AutoML's parameters and the algorithm families include_algos / exclude_algos name. */
export interface AutoMLParamList {
  readonly params: readonly ParamMeta[];
  readonly algos: readonly string[];
}

export interface AutoMLSummary {
  readonly automl_id: string;
  readonly job_id: string;
  readonly status: JobStatus;
  readonly response_column: string;
  readonly training_frame: string;
  readonly models: number;
  readonly leader: string | null;
  readonly sort_metric: string;
  readonly created_at: number;
}

/** A leaderboard row: metric columns are null where the model has no value. */
export interface LeaderboardRow {
  readonly model_id: string;
  readonly algo: string;
  readonly training_time_ms: number;
  readonly [metric: string]: number | string | null;
}

export interface AutoMLEvent {
  readonly timestamp: number;
  readonly level: "info" | "warn";
  readonly stage: string;
  readonly message: string;
}

export interface AutoMLRun {
  readonly automl_id: string;
  readonly job: Job;
  readonly training_frame: string;
  readonly response_column: string;
  readonly x: readonly string[] | null;
  readonly category: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly sort_metric: string;
  /** The leaderboard's metric columns, in H2O's order. */
  readonly columns: readonly string[];
  /** Best first. */
  readonly leaderboard: readonly LeaderboardRow[];
  readonly leader: string | null;
  readonly events: readonly AutoMLEvent[];
}
