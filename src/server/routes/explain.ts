// Explaining a model on a frame, as jobs: SHAP contributions (a stored frame, H2O's
// predict_contributions), partial dependence and ICE (H2O's partial_plot), permutation
// importance and a local surrogate of one row. Requests are checked before the job starts
// (an unknown frame, column, row or class is a 400 naming the field); the job's progress and
// cancel are the jobs API's, its result is GET /explanations/{job_id}'s. The explanations
// read rows, so a frame spread over a cluster is gathered on this node first.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import { type Job, jobKey } from "../../core/jobs.ts";
import { slice } from "../../core/ops.ts";
import { computeRollups } from "../../core/rollups.ts";
import { key } from "../../core/store.ts";
import { checkContributions, contributionsFrame } from "../../ml/explain/contributions.ts";
import { localSurrogate } from "../../ml/explain/local-surrogate.ts";
import { iceCurves, partialDependence } from "../../ml/explain/partial-dependence.ts";
import { permutationImportance } from "../../ml/explain/permutation-importance.ts";
import { type Model, modelInputs } from "../../ml/scoring.ts";
import { ContributionsBody, ExplainStarted, ExplanationSchema, IceBody, LocalSurrogateBody, PartialDependenceBody, PermutationImportanceBody } from "../../api/explain-schemas.ts";
import type { ExplainKind } from "../../api/types.ts";
import { modelKey, type ServerContext } from "../context.ts";
import { CONFLICT, ERRORS, jsonBody, jsonResponse } from "../openapi.ts";
import { IdParam } from "../schemas.ts";
import { jobJson } from "../views.ts";

const tags = ["explain"];
const frameKey = (id: string) => key<Frame>("frame", id);

const started = (summary: string, body: z.ZodType, extra = {}) =>
  createRoute({
    method: "post",
    path: `/models/{id}/${summary.split(" ")[0]}`,
    tags,
    summary: summary.slice(summary.indexOf(" ") + 1),
    request: { params: IdParam, ...jsonBody(body) },
    responses: { 202: jsonResponse(ExplainStarted, "The job; its result is GET /explanations/{job_id}"), ...extra, ...ERRORS },
  });

const contributions = started(
  "contributions SHAP contributions of each row (H2O's predict_contributions), stored as a frame: one column per feature then BiasTerm, or the top/bottom layout",
  ContributionsBody,
  CONFLICT,
);
const pdp = started("partial-dependence Partial dependence tables (H2O's partial_plot): mean, stddev and standard error of the response over a grid", PartialDependenceBody);
const ice = started("ice ICE curves: the response of chosen rows over a column's grid", IceBody);
const permutation = started("permutation-importance Permutation importance of the features on a frame (seeded, n_repeats)", PermutationImportanceBody);
const surrogate = started("local-surrogate A LIME-style local linear surrogate of one row", LocalSurrogateBody);

const explanation = createRoute({
  method: "get",
  path: "/explanations/{id}",
  tags,
  summary: "An explain job with its result (null until the job is done; a failed job's error is in job.error)",
  request: { params: IdParam },
  responses: { 200: jsonResponse(ExplanationSchema, "The explanation"), ...ERRORS },
});

/** What an explain job explains, kept beside the job (and dropped with it). */
interface Subject {
  readonly kind: ExplainKind;
  readonly modelId: string;
  readonly frameId: string;
}

/** A request's mistake, naming its field. */
const badField = (field: string, message: string) => new FloeError("invalid_argument", `body field '${field}': ${message}`, { field });

export function explainRoutes(app: OpenAPIHono, ctx: ServerContext): void {
  const { node } = ctx;
  const { store } = node;
  const subjects = new WeakMap<Job, Subject>();

  /** The model, refused when it has no response to explain. */
  const supervised = (id: string): Model => {
    const { model } = store.need(modelKey(id));
    if (!model.response) throw new FloeError("invalid_argument", `model '${id}' is ${model.category}: only supervised models (with a response) are explained`);
    return model;
  };
  const frameOf = (id: string, field: string): Frame => {
    const frame = store.get(frameKey(id));
    if (!frame) throw badField(field, `no frame '${id}'`);
    return frame;
  };
  const inFrame = (frame: Frame, name: string, field: string) => {
    if (!frame.names.includes(name)) throw badField(field, `frame has no column '${name}'`);
  };
  const input = (model: Model, frame: Frame, name: string, field: string) => {
    if (!modelInputs(model).some((c) => c.name === name)) throw badField(field, `'${name}' is not one of model '${model.model_id}''s input columns`);
    inFrame(frame, name, field);
  };
  const rowOf = (frame: Frame, row: number, field: string) => {
    if (row >= frame.rows) throw badField(field, `row ${row} is past the frame's ${frame.rows} rows`);
  };

  /** Starts `work` as a job on `model` and `frameId`; answers 202 with it. */
  const start = <T>(kind: ExplainKind, model: Model, frameId: string, work: (job: Job<T>) => Promise<T>, dest: string | null = null) => {
    const { job, done } = node.jobs.start<T>(`${kind.replace("_", " ")} of ${model.model_id} on ${frameId}`, work, dest ? { kind: "frame", id: dest } : null);
    done.catch(() => {});
    subjects.set(job as Job, { kind, modelId: model.model_id, frameId });
    return { job: jobJson(job), kind };
  };
  const progress = (job: Job) => ({ signal: job.signal, onProgress: (f: number) => job.setProgress(f) });

  app.openapi(contributions, (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") as z.infer<typeof ContributionsBody>;
    const model = supervised(id);
    const whole = frameOf(body.frame, "frame");
    const background = body.background_frame === undefined ? null : frameOf(body.background_frame, "background_frame");
    if (body.output_per_reference && !background) throw badField("output_per_reference", "needs a background_frame (the reference rows)");
    const dest = body.destination_frame ?? store.newId("frame", `contributions_${id}_${body.frame}`);
    const options = { topN: body.top_n, bottomN: body.bottom_n, compareAbs: body.compare_abs, outputSpace: body.output_space, background, outputPerReference: body.output_per_reference };
    checkContributions(model, whole, options);
    const answer = start(
      "contributions",
      model,
      body.frame,
      async (job) => {
        const all = await node.localFrame(whole);
        const frame = body.max_rows === undefined || body.max_rows >= all.rows ? all : slice(all, 0, body.max_rows);
        const reference = background && (await node.localFrame(background));
        const out = await contributionsFrame(node.executor, model, frame, { ...options, background: reference, ...progress(job as Job) }, job.warnings);
        if (job.signal.aborted) return null;
        await node.putFrame(dest, out.withRollups(await computeRollups(node.executor, out)));
        return { frame_id: dest, rows: out.rows, columns: out.names };
      },
      dest,
    );
    return c.json(answer, 202);
  });

  app.openapi(pdp, (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") as z.infer<typeof PartialDependenceBody>;
    const model = supervised(id);
    const frame = frameOf(body.frame, "frame");
    for (const col of body.cols ?? []) input(model, frame, col, "cols");
    for (const pair of body.col_pairs ?? []) for (const col of pair) input(model, frame, col, "col_pairs");
    for (const col of Object.keys(body.user_splits ?? {})) input(model, frame, col, "user_splits");
    if (body.weight_column !== undefined) inFrame(frame, body.weight_column, "weight_column");
    if (body.row_index !== undefined && body.row_index >= 0) rowOf(frame, body.row_index, "row_index");
    for (const t of body.targets ?? []) {
      if (!model.response?.domain?.includes(t)) throw badField("targets", `'${t}' is not a class of the response '${model.response?.name}'`);
    }
    const options = {
      cols: body.cols,
      pairs: body.col_pairs,
      nbins: body.nbins,
      userSplits: body.user_splits,
      includeNa: body.include_na,
      weightColumn: body.weight_column ?? null,
      rowIndex: body.row_index,
      targets: body.targets,
    };
    return c.json(
      start("partial_dependence", model, body.frame, async (job) => ({ tables: await partialDependence(node.executor, model, await node.localFrame(frame), { ...options, ...progress(job as Job) }) })),
      202,
    );
  });

  app.openapi(ice, (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") as z.infer<typeof IceBody>;
    const model = supervised(id);
    const frame = frameOf(body.frame, "frame");
    input(model, frame, body.column, "column");
    for (const row of body.rows) rowOf(frame, row, "rows");
    if (body.target !== undefined && !model.response?.domain?.includes(body.target)) throw badField("target", `'${body.target}' is not a class of the response '${model.response?.name}'`);
    const options = { col: body.column, rows: body.rows, nbins: body.nbins, userSplits: body.user_splits, includeNa: body.include_na, target: body.target };
    return c.json(
      start("ice", model, body.frame, async (job) => iceCurves(node.executor, model, await node.localFrame(frame), { ...options, ...progress(job as Job) })),
      202,
    );
  });

  app.openapi(permutation, (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") as z.infer<typeof PermutationImportanceBody>;
    const model = supervised(id);
    const frame = frameOf(body.frame, "frame");
    inFrame(frame, model.response?.name ?? "", "frame");
    for (const col of body.features ?? []) input(model, frame, col, "features");
    const options = { metric: body.metric, nRepeats: body.n_repeats, nSamples: body.n_samples, features: body.features ?? null, seed: body.seed };
    return c.json(
      start("permutation_importance", model, body.frame, async (job) => permutationImportance(node.executor, model, await node.localFrame(frame), { ...options, ...progress(job as Job) })),
      202,
    );
  });

  app.openapi(surrogate, (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") as z.infer<typeof LocalSurrogateBody>;
    const model = supervised(id);
    const frame = frameOf(body.frame, "frame");
    rowOf(frame, body.row, "row");
    const options = { samples: body.samples, seed: body.seed, maxFeatures: body.max_features, kernelWidth: body.kernel_width };
    return c.json(
      start("local_surrogate", model, body.frame, async (job) => {
        const s = await localSurrogate(node.executor, model, await node.localFrame(frame), body.row, { ...options, signal: job.signal });
        return { row: s.row, prediction: s.prediction, local_prediction: s.localPrediction, intercept: s.intercept, r2: s.r2, weights: s.weights };
      }),
      202,
    );
  });

  app.openapi(explanation, (c) => {
    const { id } = c.req.valid("param");
    const job = store.get(jobKey(id));
    const subject = job && subjects.get(job);
    if (!job || !subject) throw new FloeError("not_found", `no explain job '${id}' on this node`);
    const result = job.status === "done" ? (job.result ?? null) : null;
    return c.json({ job: jobJson(job), kind: subject.kind, model_id: subject.modelId, frame_id: subject.frameId, result }, 200);
  });
}
