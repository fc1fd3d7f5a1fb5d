// The REST API v1's request and response bodies, declared once with zod: the server's
// routes validate requests against them, /api/v1/openapi.json is generated from them, and
// the client and the web UI read their TypeScript types from them (src/api/types.ts).
// Nothing here imports the server, so the client may import it.

import { z } from "@hono/zod-openapi";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "not_found" }),
      message: z.string().openapi({ example: "no frame 'iris_9'" }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi("Error");

/** An id a request gives to a frame, model or run. */
export const Id = z.string().regex(/^[A-Za-z0-9_.\-]+$/, "letters, digits, '_', '.', '-' only");

/**
 * Maxima of the lists a request may hold, so that parsing and checking one stays cheap
 * (the JSON body as a whole is capped at 1 MiB before it is parsed, src/server/app.ts).
 */
export const LIMITS = {
  /** Column names in x, asfactor's columns and col_types (a wider frame is trained on all its columns: omit x). */
  columns: 20_000,
  naStrings: 1000,
  naStringLength: 256,
  splitRatios: 100,
  params: 500,
} as const;

/** A record of at most `max` keys. */
function boundedRecord<V extends z.ZodType>(value: V, max: number) {
  return z.record(z.string(), value).refine((r) => Object.keys(r).length <= max, { message: `at most ${max} entries` });
}

const ColumnList = z.array(z.string()).min(1).max(LIMITS.columns);

export const JobSchema = z
  .object({
    job_id: z.string(),
    description: z.string(),
    status: z.enum(["created", "running", "done", "failed", "cancelled"]),
    progress: z.number().min(0).max(1),
    created_at: z.number().openapi({ description: "ms since the epoch" }),
    ended_at: z.number().nullable(),
    duration_ms: z.number(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    dest: z.object({ kind: z.enum(["frame", "model"]), id: z.string() }).nullable(),
    warnings: z.array(z.string()),
  })
  .openapi("Job");

export const JobEnvelope = z.object({ job: JobSchema }).openapi("JobEnvelope");

/** GET /health (answered without a token). */
export const HealthSchema = z.object({ status: z.literal("ok"), version: z.string() });

export const NodeSchema = z
  .object({
    name: z.string(),
    ip_port: z.string(),
    healthy: z.boolean(),
    state: z.enum(["healthy", "unhealthy", "dead"]).openapi({ description: "unhealthy: missed a few heartbeats; dead: missed more, or left" }),
    last_ping: z.number(),
    num_cpus: z.number(),
    sys_load: z.number(),
    free_mem: z.number(),
    max_mem: z.number(),
    num_keys: z.number(),
    pid: z.number(),
    version: z.string(),
    uptime_ms: z.number(),
  })
  .openapi("Node");

export const ClusterSchema = z
  .object({
    cluster_name: z.string(),
    version: z.string(),
    cloud_size: z.number().openapi({ description: "nodes not dead" }),
    cloud_healthy: z.boolean().openapi({ description: "every node not dead is healthy" }),
    nodes: z.array(NodeSchema),
    traffic: z
      .record(z.string(), z.object({ calls: z.number(), bytes_out: z.number(), bytes_in: z.number(), local_calls: z.number() }))
      .optional()
      .openapi({ description: "Calls this node made to each internal route of its peers, and the bytes sent and received (cluster members only)" }),
  })
  .openapi("Cluster");

export const ColumnType = z.enum(["numeric", "enum", "string", "time"]);

export const FrameSummarySchema = z.object({ frame_id: z.string(), rows: z.number(), columns: z.number(), byte_size: z.number() }).openapi("FrameSummary");

export const ColumnSchema = z
  .object({
    name: z.string(),
    type: ColumnType,
    missing: z.number().nullable(),
    zeros: z.number().nullable(),
    min: z.number().nullable(),
    max: z.number().nullable(),
    mean: z.number().nullable(),
    sd: z.number().nullable(),
    cardinality: z.number().nullable(),
    domain: z.array(z.string()).optional().openapi({ description: "Levels of an enum column (at most the first 1000)" }),
    histogram: z.object({ start: z.number(), width: z.number(), counts: z.array(z.number()) }).nullable(),
    level_counts: z.array(z.number()).nullable(),
  })
  .openapi("Column");

export const FrameSchema = z.object({ frame_id: z.string(), rows: z.number(), byte_size: z.number(), columns: z.array(ColumnSchema) }).openapi("Frame");

export const RowsSchema = z
  .object({
    frame_id: z.string(),
    offset: z.number(),
    rows_total: z.number(),
    columns: z.array(z.string()),
    types: z.array(ColumnType),
    rows: z.array(z.array(z.union([z.number(), z.string(), z.null()]))),
  })
  .openapi("Rows");

export const ImportBody = z
  .object({
    path: z.string().min(1).optional().openapi({ description: "A file or glob, relative to --data-root when set" }),
    sql: z.string().min(1).optional().openapi({ description: "A query whose result becomes the frame: DuckDB's, or with db one SELECT the database runs" }),
    db: z.string().min(1).max(4096).optional().openapi({ description: "A database to read from, postgres://user:password@host:port/database, with table or sql" }),
    table: z.string().min(1).max(1024).optional().openapi({ description: "The db table to read" }),
    frame_id: Id.optional(),
    col_types: boundedRecord(ColumnType, LIMITS.columns).optional(),
    sep: z.string().length(1).optional(),
    header: z.boolean().optional(),
    na_strings: z.array(z.string().max(LIMITS.naStringLength)).max(LIMITS.naStrings).optional(),
  })
  .strict()
  .refine((b) => (b.db === undefined ? b.table === undefined && (b.path === undefined) !== (b.sql === undefined) : b.path === undefined && (b.table === undefined) !== (b.sql === undefined)), {
    message: "give exactly one of path or sql, or db with exactly one of table or sql",
    path: ["path"],
  })
  .openapi("ImportRequest");

export const ExportBody = z
  .object({
    db: z.string().min(1).max(4096).openapi({ description: "The database to write to, postgres://user:password@host:port/database or mysql://..." }),
    table: z.string().min(1).max(1024).openapi({ description: "The table to create" }),
    if_exists: z.enum(["fail", "replace", "append"]).optional().openapi({ description: "When the table exists: refuse (the default), replace it, or append the rows" }),
  })
  .strict()
  .openapi("ExportRequest");

export const SplitBody = z
  .object({
    ratios: z.array(z.number().gt(0).lt(1)).min(1).max(LIMITS.splitRatios),
    seed: z.number().int().optional(),
    destination_frames: z
      .array(Id)
      .max(LIMITS.splitRatios + 1)
      .optional(),
  })
  .strict()
  .openapi("SplitRequest");

export const SplitResult = z.object({ frames: z.array(z.object({ frame_id: z.string(), rows: z.number() })) }).openapi("SplitResult");

export const AsfactorBody = z.object({ columns: ColumnList, frame_id: Id.optional() }).strict().openapi("AsfactorRequest");

export const FrameIdResult = z.object({ frame_id: z.string() });
export const DeletedResult = z.object({ deleted: z.string() });

export const ParamSchema = z
  .object({
    name: z.string(),
    type: z.enum(["int", "float", "bool", "string", "enum"]),
    default: z.union([z.number(), z.boolean(), z.string(), z.null()]),
    help: z.string(),
    values: z.array(z.string()).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    above: z.number().optional().openapi({ description: "An exclusive lower bound" }),
  })
  .openapi("Parameter");

export const AlgorithmSchema = z.object({ name: z.string(), description: z.string(), supervised: z.boolean(), params: z.array(ParamSchema) }).openapi("Algorithm");

/** Parameters by H2O name, checked against the declarations by the route. */
export const ParamValue = z.union([z.number(), z.boolean(), z.string(), z.null()]);
const ParamValues = boundedRecord(ParamValue, LIMITS.params);

export const TrainBody = z
  .object({
    algo: z.string(),
    training_frame: Id,
    response_column: z.string().optional(),
    x: ColumnList.optional(),
    validation_frame: Id.optional(),
    model_id: Id.optional(),
    params: ParamValues.optional(),
  })
  .strict()
  .openapi("TrainRequest");

export const ModelSummarySchema = z
  .object({
    model_id: z.string(),
    algo: z.string(),
    category: z.string(),
    response_column: z.string().nullable(),
    training_frame: z.string().nullable(),
    created_at: z.number(),
  })
  .openapi("ModelSummary");

export const ModelSchema = z
  .object({ model_id: z.string(), algo: z.string() })
  .catchall(z.unknown())
  .openapi("Model", { description: "Parameters, metrics (H2O's names), varimp, scoring history, CV models and the algorithm's own output" });

export const FrameRef = z.object({ frame: Id }).strict();
export const PredictBody = z.object({ frame: Id, predictions_frame: Id.optional() }).strict().openapi("PredictRequest");

export const MetricsResult = z.object({ model_id: z.string(), frame_id: z.string(), metrics: z.record(z.string(), z.unknown()), warnings: z.array(z.string()) });
export const PredictResult = z.object({ frame_id: z.string(), rows: z.number(), columns: z.array(z.string()), warnings: z.array(z.string()) });

export const AutoMLParamsSchema = z
  .object({
    params: z.array(ParamSchema),
    algos: z.array(z.string()).openapi({ description: "The families include_algos and exclude_algos name" }),
  })
  .openapi("AutoMLParameters");

export const AutoMLBody = z
  .object({
    training_frame: Id,
    response_column: z.string().min(1),
    x: ColumnList.optional(),
    params: ParamValues.optional().openapi({ description: "AutoML's parameters by H2O name (GET /automl/params)" }),
    project_name: Id.optional().openapi({ description: "The run's id, which its models' ids end with [default AutoML_N]" }),
  })
  .strict()
  .openapi("AutoMLRequest");

export const AutoMLStarted = z.object({ job: JobSchema, automl_id: z.string() }).openapi("AutoMLStarted");

export const LeaderboardRowSchema = z
  .object({ model_id: z.string(), algo: z.string(), training_time_ms: z.number() })
  .catchall(z.number().nullable())
  .openapi("LeaderboardRow", { description: "A model's id, algorithm, one value per metric column (null when it has none) and training time" });

export const AutoMLEventSchema = z
  .object({
    timestamp: z.number().openapi({ description: "ms since the epoch" }),
    level: z.enum(["info", "warn"]),
    stage: z.enum(["setup", "model", "grid", "ensemble", "done"]),
    message: z.string(),
  })
  .openapi("AutoMLEvent");

export const AutoMLSummarySchema = z
  .object({
    automl_id: z.string(),
    job_id: z.string(),
    status: JobSchema.shape.status,
    response_column: z.string(),
    training_frame: z.string(),
    models: z.number().openapi({ description: "Models on the leaderboard so far" }),
    leader: z.string().nullable(),
    sort_metric: z.string(),
    created_at: z.number(),
  })
  .openapi("AutoMLSummary");

export const AutoMLSchema = z
  .object({
    automl_id: z.string(),
    job: JobSchema,
    training_frame: z.string(),
    response_column: z.string(),
    x: z.array(z.string()).nullable(),
    category: z.enum(["Binomial", "Multinomial", "Regression"]),
    params: ParamValues.openapi({ description: "The run's parameters, resolved (a seed of -1 is drawn when the run starts)" }),
    sort_metric: z.string(),
    columns: z.array(z.string()).openapi({ description: "The leaderboard's metric columns, in H2O's order" }),
    leaderboard: z.array(LeaderboardRowSchema).openapi({ description: "The models built so far, best first" }),
    leader: z.string().nullable(),
    events: z.array(AutoMLEventSchema),
  })
  .openapi("AutoML");
