// /models: train (a job), list, get, metrics and predictions on a frame, download and
// upload `.floe` files, delete. Parameters are checked before the job starts, so a wrong
// one is a 400 naming it rather than a failed job. A model trained with
// keep_cross_validation_predictions keeps them in its store entry, so that a stacked
// ensemble can be trained over it later (params.base_models).

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import { computeRollups } from "../../core/rollups.ts";
import { key, type Store } from "../../core/store.ts";
import type { BaseModel } from "../../ml/algorithm.ts";
import { deserializeModel, serializeModel } from "../../ml/modelfile.ts";
import { columnParams, resolveParams } from "../../ml/params.ts";
import { predictionsFrame } from "../../ml/predictions.ts";
import { type AlgorithmInfo, ALGORITHMS, algorithm, type TrainResult } from "../../ml/registry.ts";
import { modelEvaluator, predictFrame } from "../../ml/scoring.ts";
import { VERSION } from "../../version.ts";
import { modelKey, type ServedModel, type ServerContext } from "../context.ts";
import { CONFLICT, ERRORS, jsonBody, jsonResponse, TOO_LARGE } from "../openapi.ts";
import { AlgorithmSchema, DeletedResult, FrameRef, JobEnvelope, MetricsResult, ModelSchema, ModelSummarySchema, PredictBody, PredictResult, TrainBody } from "../../api/schemas.ts";
import { IdParam, ModelUploadQuery, NameParam } from "../schemas.ts";
import { uploadedBytes } from "../upload.ts";
import { jobJson, modelDetailJson, modelSummaryJson } from "../views.ts";
import { deleteModel, putModel } from "../cluster-link.ts";

const tags = ["models"];
const frameKey = (id: string) => key<Frame>("frame", id);

const algorithms = createRoute({
  method: "get",
  path: "/algorithms",
  tags: ["algorithms"],
  summary: "Algorithms with their parameters (name, type, default, help, allowed values)",
  responses: { 200: jsonResponse(z.object({ algorithms: z.array(AlgorithmSchema) }), "Algorithms"), ...ERRORS },
});

const oneAlgorithm = createRoute({
  method: "get",
  path: "/algorithms/{name}",
  tags: ["algorithms"],
  summary: "One algorithm's parameters",
  request: { params: NameParam },
  responses: { 200: jsonResponse(AlgorithmSchema, "The algorithm"), ...ERRORS },
});

const train = createRoute({
  method: "post",
  path: "/models",
  tags,
  summary: "Train a model (a job; its dest is the model)",
  request: jsonBody(TrainBody),
  responses: { 202: jsonResponse(JobEnvelope, "The training job"), ...CONFLICT, ...ERRORS },
});

const list = createRoute({
  method: "get",
  path: "/models",
  tags,
  summary: "All models",
  responses: { 200: jsonResponse(z.object({ models: z.array(ModelSummarySchema) }), "Models"), ...ERRORS },
});

const get = createRoute({
  method: "get",
  path: "/models/{id}",
  tags,
  summary: "A model: parameters, metrics, variable importance, scoring history, cross-validation",
  request: { params: IdParam },
  responses: { 200: jsonResponse(ModelSchema, "The model"), ...ERRORS },
});

const metrics = createRoute({
  method: "post",
  path: "/models/{id}/metrics",
  tags,
  summary: "The model's metrics on a frame that holds the response",
  request: { params: IdParam, ...jsonBody(FrameRef) },
  responses: { 200: jsonResponse(MetricsResult, "Metrics"), ...ERRORS },
});

const predict = createRoute({
  method: "post",
  path: "/models/{id}/predict",
  tags,
  summary: "Score a frame; the predictions become a new frame",
  request: { params: IdParam, ...jsonBody(PredictBody) },
  responses: { 200: jsonResponse(PredictResult, "The predictions frame"), ...ERRORS },
});

const download = createRoute({
  method: "get",
  path: "/models/{id}/download",
  tags,
  summary: "The model as a .floe file (what `floe predict` loads)",
  request: { params: IdParam },
  responses: { 200: { content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } }, description: "The .floe file" }, ...ERRORS },
});

const upload = createRoute({
  method: "post",
  path: "/models/upload",
  tags,
  summary: "Load a .floe file (raw body or multipart field 'file')",
  request: { query: ModelUploadQuery },
  responses: { 201: jsonResponse(z.object({ model_id: z.string() }), "The stored model"), ...TOO_LARGE, ...CONFLICT, ...ERRORS },
});

const remove = createRoute({
  method: "delete",
  path: "/models/{id}",
  tags,
  summary: "Delete a model",
  request: { params: IdParam },
  responses: { 200: jsonResponse(DeletedResult, "Deleted"), ...ERRORS },
});

/** Stores a trained model, its cross-validation models and its kept out-of-fold predictions. */
export async function putTrained(ctx: ServerContext, result: TrainResult, trainingFrame: string): Promise<void> {
  const createdAt = Date.now();
  for (const cv of result.cvModels) await putModel(ctx, cv.model_id, { model: cv, trainingFrame, createdAt, cvModels: [] });
  const served: ServedModel = { model: result.model, trainingFrame, createdAt, cvModels: result.cvModels.map((m) => m.model_id), cvPredictions: result.cvPredictions };
  await putModel(ctx, result.model.model_id, served);
}

/**
 * A stacked ensemble's base models (`list`: comma-separated model ids) with the out-of-fold
 * predictions kept in their store entries; refused, naming the model, when one is missing,
 * kept none, or was trained on another frame (its predictions are rows of its own frame).
 */
function baseModelsOf(store: Store, algo: string, list: string | null, trainingFrame: string): BaseModel[] {
  const field = { field: "params.base_models" };
  const ids = (list ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new FloeError("invalid_argument", `${algo} needs parameter base_models: the comma-separated ids of cross-validated models`, field);
  return ids.map((id) => {
    const served = store.get(modelKey(id));
    if (!served) throw new FloeError("not_found", `base model '${id}' (parameter base_models) does not exist`, field);
    if (!served.cvPredictions) {
      throw new FloeError(
        "invalid_argument",
        `base model '${id}' has no cross-validation predictions on this node: train it with nfolds >= 2 and keep_cross_validation_predictions=true (they stay in memory on the node that trained it)`,
        field,
      );
    }
    if (served.trainingFrame !== trainingFrame) {
      throw new FloeError("invalid_argument", `base model '${id}' was trained on frame '${served.trainingFrame}', not '${trainingFrame}': train the ensemble on its base models' frame`, field);
    }
    return { model: served.model, cvPredictions: served.cvPredictions };
  });
}

const algorithmJson = (a: AlgorithmInfo) => ({
  name: a.name,
  description: a.description,
  supervised: a.supervised,
  params: a.params.map((p) => ({ ...p, values: p.values ? [...p.values] : undefined })),
});

export function modelRoutes(app: OpenAPIHono, ctx: ServerContext): void {
  const { node } = ctx;
  const { store } = node;
  const needFrame = (id: string) => store.need(frameKey(id));
  const needModel = (id: string) => store.need(modelKey(id));

  app.openapi(algorithms, (c) => c.json({ algorithms: ALGORITHMS.map(algorithmJson) }, 200));
  app.openapi(oneAlgorithm, (c) => {
    const { name } = c.req.valid("param");
    const algo = algorithm(name);
    if (!algo) throw new FloeError("not_found", `no algorithm '${name}'; there are ${ALGORITHMS.map((a) => a.name).join(", ")}`);
    return c.json(algorithmJson(algo), 200);
  });

  app.openapi(train, (c) => {
    const body = c.req.valid("json");
    const algo = algorithm(body.algo);
    if (!algo) throw new FloeError("invalid_argument", `algo '${body.algo}' is not one of ${ALGORITHMS.map((a) => a.name).join(", ")}`, { field: "algo" });
    const frame = needFrame(body.training_frame);
    const valid = body.validation_frame === undefined ? null : needFrame(body.validation_frame);
    const y = body.response_column ?? null;
    if (algo.supervised && y === null) throw new FloeError("invalid_argument", `${algo.name} needs a response_column`, { field: "response_column" });
    if (!algo.supervised && y !== null) throw new FloeError("invalid_argument", `${algo.name} takes no response_column; pick its columns with x`, { field: "response_column" });
    for (const name of [...(y === null ? [] : [y]), ...(body.x ?? [])]) frame.columnIndex(name);
    const params = body.params ?? {};
    const resolved = resolveParams<Record<string, unknown>>(algo.params, params, algo.name);
    for (const name of columnParams(algo.params, resolved)) frame.columnIndex(name);
    // An algorithm that takes base_models (a stacked ensemble) trains over models stored on this node.
    const baseModels = algo.params.some((p) => p.name === "base_models") ? baseModelsOf(store, algo.name, resolved.base_models as string | null, body.training_frame) : undefined;
    const { job, done } = node.train(algo, { modelId: body.model_id, frame, y, x: body.x ?? null, params, valid, baseModels }, (result) => putTrained(ctx, result, body.training_frame));
    done.catch(() => {});
    return c.json({ job: jobJson(job) }, 202);
  });

  app.openapi(list, (c) => c.json({ models: store.ids("model").map((id) => modelSummaryJson(needModel(id))) }, 200));
  // The model's JSON is plain data already; the schema documents it loosely (every algorithm adds its own fields).
  app.openapi(get, (c) => c.json(modelDetailJson(needModel(c.req.valid("param").id)) as unknown as z.infer<typeof ModelSchema>, 200));

  app.openapi(metrics, async (c) => {
    const { id } = c.req.valid("param");
    const { frame: frameId } = c.req.valid("json");
    const { model } = needModel(id);
    const frame = needFrame(frameId);
    if (model.response) frame.columnIndex(model.response.name);
    const warnings: string[] = [];
    const evaluator = modelEvaluator(node.executor, model);
    await evaluator.add(frame, warnings);
    return c.json({ model_id: id, frame_id: frameId, metrics: evaluator.result() as unknown as Record<string, unknown>, warnings }, 200);
  });

  app.openapi(predict, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { model } = needModel(id);
    const frame = needFrame(body.frame);
    const dest = body.predictions_frame ?? store.newId("frame", `predictions_${id}_${body.frame}`);
    // Held while scoring, so that a second request to the same id is refused rather than racing this one.
    const release = store.claim(frameKey(dest));
    try {
      const warnings: string[] = [];
      const preds = predictionsFrame(model, await predictFrame(node.executor, model, frame, warnings));
      await node.putFrame(dest, preds.withRollups(await computeRollups(node.executor, preds)));
      return c.json({ frame_id: dest, rows: preds.rows, columns: preds.names, warnings }, 200);
    } finally {
      release();
    }
  });

  app.openapi(download, (c) => {
    const { id } = c.req.valid("param");
    const bytes = serializeModel(needModel(id).model, VERSION);
    return c.body(bytes.slice().buffer, 200, { "Content-Type": "application/octet-stream", "Content-Disposition": `attachment; filename="${id}.floe"` });
  });

  app.openapi(upload, async (c) => {
    const { model_id } = c.req.valid("query");
    const { bytes, filename } = await uploadedBytes(c, ctx.uploadLimit);
    const model = deserializeModel(bytes, filename ?? "uploaded model");
    const id = model_id ?? (store.taken(modelKey(model.model_id)) ? store.newId("model", model.model_id) : model.model_id);
    const release = store.claim(modelKey(id));
    try {
      await putModel(ctx, id, { model: { ...model, model_id: id }, trainingFrame: null, createdAt: Date.now(), cvModels: [] });
    } finally {
      release();
    }
    return c.json({ model_id: id }, 201);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    needModel(id);
    await deleteModel(ctx, id);
    return c.json({ deleted: id }, 200);
  });
}
