// H2O's model routes: /3/ModelBuilders (metadata and training), /3/Models (get, list,
// delete), /3/ModelMetrics (model_performance on a frame) and /3 and /4 Predictions
// (model.predict), each translated onto floe's registry, jobs, scoring and store.

import type { Hono } from "hono";
import { FloeError } from "../../core/errors.ts";
import type { Job } from "../../core/jobs.ts";
import { computeRollups } from "../../core/rollups.ts";
import { serializeModel } from "../../ml/modelfile.ts";
import { predictionsFrame } from "../../ml/predictions.ts";
import { modelEvaluator, predictFrame } from "../../ml/scoring.ts";
import { VERSION } from "../../version.ts";
import type { H2OContext } from "../context.ts";
import { h2oJobJson, localJobView } from "../jobs.ts";
import { floeId, keyJson } from "../keys.ts";
import { H2OParams } from "../params.ts";
import { buildersJson, startBuild } from "../models/builders.ts";
import { asksContributions, startContributions } from "../models/contributions.ts";
import { automlJson, leaderboardsJson, needRun, startAutoML } from "../models/automl.ts";
import { gridJson, needGrid, startGrid } from "../models/grids.ts";
import { metricsJson } from "../models/metrics.ts";
import { loadModelBytes, readModelFile, saveModelFile } from "../models/model-files.ts";
import { modelSchemaJson } from "../models/model-schema.ts";
import { deleteServed, needServed } from "../models/store.ts";

const meta = (name: string) => ({ schema_version: 3, schema_name: `${name}V3`, schema_type: name });

export function register(app: Hono, ctx: H2OContext): void {
  const { node } = ctx;
  const { store } = node;

  for (const v of ["3", "99"]) {
    app.get(`/${v}/ModelBuilders`, (c) => c.json({ __meta: meta("ModelBuilders"), model_builders: buildersJson() }));
    app.get(`/${v}/ModelBuilders/:algo`, (c) => c.json({ __meta: meta("ModelBuilders"), model_builders: buildersJson(c.req.param("algo")) }));
    app.post(`/${v}/ModelBuilders/:algo`, async (c) => {
      const job = startBuild(ctx, c.req.param("algo"), await H2OParams.of(c));
      return c.json({ __meta: meta("ModelBuilder"), job: h2oJobJson(localJobView(job as unknown as Job)), messages: [], error_count: 0 });
    });
    app.get(`/${v}/Models`, (c) => c.json({ __meta: meta("Models"), models: store.ids("model").map((id) => modelSchemaJson(needServed(ctx, id))) }));
    app.get(`/${v}/Models/:id`, (c) => c.json({ __meta: meta("Models"), models: [modelSchemaJson(needServed(ctx, c.req.param("id")))] }));
    app.delete(`/${v}/Models/:id`, async (c) => {
      const id = floeId(c.req.param("id"), "model");
      needServed(ctx, id);
      await deleteServed(ctx, id);
      return c.json({ __meta: meta("Models"), models: [] });
    });
  }

  // H2OGridSearch.train: a job whose dest is the grid; get_grid(sort_by, decreasing) reads it back.
  app.post("/99/Grid/:algo", async (c) => {
    const { job, gridId } = startGrid(ctx, c.req.param("algo"), await H2OParams.of(c));
    return c.json({ __meta: meta("GridSearch"), job: h2oJobJson(localJobView(job as unknown as Job), keyJson("Grid", gridId)) });
  });
  app.get("/99/Grids/:id", async (c) => {
    const p = await H2OParams.of(c);
    return c.json(gridJson(ctx, needGrid(ctx, c.req.param("id")), p.str("sort_by") || undefined, p.bool("decreasing")));
  });

  // H2OAutoML.train: the client posts JSON; the job's dest is the run, which it then reads whole.
  app.post("/99/AutoMLBuilder", async (c) => {
    const body = await c.req.json().catch(() => {
      throw new FloeError("invalid_argument", "AutoMLBuilder needs a JSON body of build_control, build_models and input_spec");
    });
    const run = startAutoML(ctx, body);
    return c.json({
      __meta: meta("AutoMLBuild"),
      job: h2oJobJson(localJobView(run.job as unknown as Job), keyJson("AutoML", run.id)),
      build_control: { project_name: run.id },
    });
  });
  app.get("/99/AutoML/:id", (c) => c.json(automlJson(needRun(ctx, c.req.param("id")))));
  app.get("/99/Leaderboards/:id", async (c) => c.json(leaderboardsJson(needRun(ctx, c.req.param("id")), (await H2OParams.of(c)).list("extensions") ?? [])));

  // h2o.download_model: the payload is floe's .floe model file.
  app.get("/3/Models.fetch.bin/:id", (c) => {
    const { model } = needServed(ctx, c.req.param("id"));
    const bytes = serializeModel(model, VERSION);
    return c.body(bytes.slice().buffer, 200, { "Content-Type": "application/octet-stream", "Content-Disposition": `attachment; filename="${model.model_id}"` });
  });

  // h2o.save_model: the .floe file written on the server at the path the client names (`dir` holds the file name too).
  app.get("/99/Models.bin/:id", async (c) => {
    const p = await H2OParams.of(c);
    const path = saveModelFile(ctx, floeId(c.req.param("id"), "model"), p.need("dir"), p.bool("force") ?? false);
    return c.json({ __meta: meta("ModelsBin"), dir: path });
  });

  const loaded = (id: string) => ({ __meta: meta("Models"), models: [modelSchemaJson(needServed(ctx, id))] });

  // h2o.load_model: a .floe file on the server, checked in full before its model is stored.
  for (const path of ["/99/Models.bin", "/99/Models.bin/"]) {
    app.post(path, async (c) => {
      const { bytes, label } = readModelFile(ctx, (await H2OParams.of(c)).need("dir"));
      return c.json(loaded(await loadModelBytes(ctx, bytes, label)));
    });
  }

  // h2o.upload_model: the file came first through /3/PostFile.bin, whose key `dir` names.
  for (const path of ["/99/Models.upload.bin", "/99/Models.upload.bin/"]) {
    app.post(path, async (c) => {
      const rawKey = (await H2OParams.of(c)).need("dir");
      const raw = ctx.rawFiles.get(rawKey);
      if (!raw || raw.source.kind !== "file") throw new FloeError("not_found", `Object '${rawKey}' not found: no uploaded file of that key (send it with /3/PostFile.bin first)`);
      ctx.rawFiles.delete(rawKey);
      try {
        const bytes = new Uint8Array(await Bun.file(raw.source.path).arrayBuffer());
        return c.json(loaded(await loadModelBytes(ctx, bytes, raw.name)));
      } finally {
        raw.cleanup?.();
      }
    });
  }

  /** The model's metrics on a frame that holds its response, as H2O's ModelMetrics schema. */
  const metricsOn = async (modelKey: string, frameId: string) => {
    const { model } = needServed(ctx, modelKey);
    const frame = ctx.frame(frameId);
    if (model.response) frame.columnIndex(model.response.name);
    const evaluator = modelEvaluator(node.executor, model);
    await evaluator.add(frame, []);
    return metricsJson(evaluator.result(), {
      modelId: model.model_id,
      frameId,
      category: model.category,
      domain: model.response?.domain ?? null,
      glm: model.algo === "glm",
      description: `on frame ${frameId}`,
    });
  };

  app.post("/3/ModelMetrics/models/:model/frames/:frame", async (c) => {
    const m = await metricsOn(c.req.param("model"), floeId(c.req.param("frame"), "frame"));
    return c.json({ __meta: meta("ModelMetricsList"), model_metrics: [m] });
  });

  /** Scores a frame into a new stored frame; its id. */
  const predict = async (modelKey: string, frameKey: string, dest: string) => {
    const { model } = needServed(ctx, modelKey);
    const frame = ctx.frame(frameKey);
    const preds = predictionsFrame(model, await predictFrame(node.executor, model, frame, []));
    await node.putFrame(dest, preds.withRollups(await computeRollups(node.executor, preds)));
  };
  const destOf = (modelKey: string, frameKey: string, given: string | undefined) =>
    given ? floeId(given, "predictions_frame") : store.newId("frame", `predictions_${floeId(modelKey, "model")}_on_${floeId(frameKey, "frame")}`);

  // H2O 3's synchronous predictions (h2o.predict_leaf_node_assignment and friends use it too).
  app.post("/3/Predictions/models/:model/frames/:frame", async (c) => {
    const p = await H2OParams.of(c);
    const { model, frame } = c.req.param();
    const dest = destOf(model, frame, p.str("predictions_frame"));
    await predict(model, frame, dest);
    // With the response in the frame, the metrics come along (the client's confusion_matrix(frame) reads them).
    const response = needServed(ctx, model).model.response;
    const metrics = response && ctx.frame(frame).names.includes(response.name) ? [await metricsOn(model, floeId(frame, "frame"))] : [];
    return c.json({ __meta: meta("ModelMetricsList"), predictions_frame: keyJson("Frame", dest), model_metrics: metrics });
  });

  // model.predict(frame): a job whose dest is the predictions frame; predict_contributions(frame): the contributions frame.
  app.post("/4/Predictions/models/:model/frames/:frame", async (c) => {
    const p = await H2OParams.of(c);
    const { model, frame } = c.req.param();
    if (asksContributions(p)) return c.json({ __meta: meta("JobsV4"), job: h2oJobJson(localJobView(startContributions(ctx, model, frame, p))) });
    needServed(ctx, model);
    ctx.frame(frame);
    const dest = destOf(model, frame, p.str("predictions_frame"));
    const { job, done } = node.jobs.start(`predict ${model} on ${frame}`, () => predict(model, frame, dest), { kind: "frame", id: dest });
    done.catch(() => {});
    return c.json({ __meta: meta("JobsV4"), job: h2oJobJson(localJobView(job as unknown as Job)) });
  });
}
