// The REST API's explain requests and results (src/server/routes/explain.ts): SHAP
// contributions, partial dependence, ICE, permutation importance and local surrogates of a
// model on a frame, each run as a job whose result GET /explanations/{job_id} answers.
// H2O's parameter names (top_n, col_pairs, n_repeats...), snake_case as on the wire.

import { z } from "@hono/zod-openapi";
import { Id, JobSchema, LIMITS } from "./schemas.ts";

/** At most this many grid values per column, ICE rows or surrogate samples in one request. */
export const EXPLAIN_LIMITS = { nbins: 1000, userSplits: 1000, iceRows: 1000, repeats: 100, samples: 100_000, targets: 1000, pairs: 100 } as const;

const Column = z.string().min(1);
const Columns = z.array(Column).min(1).max(LIMITS.columns);
const Seed = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ContributionsBody = z
  .object({
    frame: Id,
    top_n: z.number().int().min(-1).optional().openapi({ description: "Keep the n largest contributions per row (-1: all, sorted); 0: all in column order" }),
    bottom_n: z.number().int().min(-1).optional().openapi({ description: "Keep the n smallest contributions per row (-1: all, sorted)" }),
    compare_abs: z.boolean().optional().openapi({ description: "Rank contributions by absolute value" }),
    output_space: z.boolean().optional().openapi({ description: "Contributions in the response's space instead of the link space (link-function models)" }),
    background_frame: Id.optional().openapi({ description: "Reference rows of baseline SHAP (models without an exact method need one)" }),
    output_per_reference: z.boolean().optional().openapi({ description: "One output row per (row, reference row) instead of their mean" }),
    destination_frame: Id.optional().openapi({ description: "The id of the contributions frame" }),
    max_rows: z.number().int().min(1).optional().openapi({ description: "floe's addition: explain only the frame's first max_rows rows (the web UI's SHAP summary takes 500)" }),
  })
  .strict()
  .openapi("ContributionsRequest");

export const PartialDependenceBody = z
  .object({
    frame: Id,
    cols: Columns.optional(),
    col_pairs: z
      .array(z.tuple([Column, Column]))
      .max(EXPLAIN_LIMITS.pairs)
      .optional()
      .openapi({ description: "Pairs of columns, one two-dimensional table each" }),
    nbins: z.number().int().min(2).max(EXPLAIN_LIMITS.nbins).optional().openapi({ description: "Grid values per numeric column (20)" }),
    user_splits: z
      .record(z.string(), z.array(z.union([z.number(), z.string()])).max(EXPLAIN_LIMITS.userSplits))
      .refine((r) => Object.keys(r).length <= LIMITS.columns, { message: `at most ${LIMITS.columns} columns` })
      .optional()
      .openapi({ description: "A column's grid values, instead of its quantiles" }),
    include_na: z.boolean().optional(),
    row_index: z.number().int().min(-1).optional().openapi({ description: "-1: all rows (partial dependence); a row index: that row alone (ICE)" }),
    targets: z.array(z.string()).min(1).max(EXPLAIN_LIMITS.targets).optional().openapi({ description: "Class labels of a multinomial model, one table each" }),
    weight_column: Column.optional(),
  })
  .strict()
  .openapi("PartialDependenceRequest");

export const IceBody = z
  .object({
    frame: Id,
    column: Column,
    rows: z.array(z.number().int().min(0)).min(1).max(EXPLAIN_LIMITS.iceRows),
    nbins: z.number().int().min(2).max(EXPLAIN_LIMITS.nbins).optional(),
    user_splits: z
      .array(z.union([z.number(), z.string()]))
      .max(EXPLAIN_LIMITS.userSplits)
      .optional(),
    include_na: z.boolean().optional(),
    target: z.string().optional().openapi({ description: "The class label of a multinomial model" }),
  })
  .strict()
  .openapi("IceRequest");

export const PermutationImportanceBody = z
  .object({
    frame: Id,
    metric: z.string().min(1).optional().openapi({ description: "AUTO or one of H2O's metric names (logloss, rmse, auc, ...)" }),
    n_repeats: z.number().int().min(1).max(EXPLAIN_LIMITS.repeats).optional(),
    n_samples: z.number().int().min(-1).optional().openapi({ description: "Rows sampled from the frame (-1: all)" }),
    features: Columns.optional(),
    seed: Seed.optional(),
  })
  .strict()
  .openapi("PermutationImportanceRequest");

export const LocalSurrogateBody = z
  .object({
    frame: Id,
    row: z.number().int().min(0),
    samples: z.number().int().min(10).max(EXPLAIN_LIMITS.samples).optional(),
    seed: Seed.optional(),
    max_features: z.number().int().min(1).optional(),
    kernel_width: z.number().positive().optional(),
  })
  .strict()
  .openapi("LocalSurrogateRequest");

export const ExplainKind = z.enum(["contributions", "partial_dependence", "ice", "permutation_importance", "local_surrogate"]);

/** A started explain job: its result comes from GET /explanations/{job.job_id}. */
export const ExplainStarted = z.object({ job: JobSchema, kind: ExplainKind }).openapi("ExplainStarted");

export const ExplanationSchema = z
  .object({
    job: JobSchema,
    kind: ExplainKind,
    model_id: z.string(),
    frame_id: z.string(),
    result: z.unknown().openapi({
      description:
        "null until the job is done. contributions: {frame_id, rows, columns}; partial_dependence: {tables}; ice: {column, grid, rows, responses}; permutation_importance: {metric, variables}; local_surrogate: {row, prediction, local_prediction, intercept, r2, weights}",
    }),
  })
  .openapi("Explanation");
