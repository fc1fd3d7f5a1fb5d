// AutoML and stacked ensembles over the REST API, end to end on a real server (127.0.0.1, a
// free port). Expected values come from elsewhere than the code under test: H2O's
// documented leaderboard columns and plan (three base models, then the BestOfFamily and
// AllModels ensembles), the fixture's own labels, and each model's cross-validation
// confusion matrix (from which mean_per_class_error is worked out by hand).

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FloeClient } from "../../src/client/client.ts";
import { FloeError } from "../../src/core/errors.ts";
import { FIXTURES } from "../support/node.ts";
import { apiOf, testServer } from "../support/server.ts";

const server = await testServer();
const api = apiOf(server);
const irisPath = join(FIXTURES, "iris.csv");
const labels = readFileSync(irisPath, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split(",")[4]);
const CLASSES = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"];
/** H2O's leaderboard metric columns for a multinomial problem, in its order. */
const MULTINOMIAL_COLUMNS = ["mean_per_class_error", "logloss", "rmse", "mse"];
const iris = await api.importPath(irisPath, { frame_id: "iris" });

/** Starts a run; returns its id and job id. */
async function startRun(body: Record<string, unknown>): Promise<{ id: string; jobId: string }> {
  const r = await api.post("/automl", body);
  if (r.status !== 202) throw new Error(`automl: ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.automl_id, jobId: r.body.job.job_id };
}

/** Mean over the classes present of the share of each class's rows predicted as another (H2O's definition). */
function meanPerClassError(cm: number[][]): number {
  let sum = 0;
  let classes = 0;
  cm.forEach((row, actual) => {
    const total = row.reduce((s, x) => s + x, 0);
    if (total === 0) return;
    sum += 1 - row[actual] / total;
    classes++;
  });
  return sum / classes;
}

/** The share of the fixture's rows whose predicted label (first column of a predictions frame) is right. */
async function accuracy(modelId: string): Promise<number> {
  const pred = await api.post(`/models/${modelId}/predict`, { frame: iris });
  expect(pred.status).toBe(200);
  expect(pred.body.rows).toBe(labels.length);
  expect(pred.body.columns).toEqual(["predict", ...CLASSES]);
  const rows = (await api.get(`/frames/${pred.body.frame_id}/rows?limit=1000`)).body.rows as [string, number, number, number][];
  for (const r of rows) expect(r[1] + r[2] + r[3]).toBeCloseTo(1, 9);
  return rows.filter((r, i) => r[0] === labels[i]).length / labels.length;
}

let firstRun: { id: string; run: any } | undefined;

describe("an AutoML run", () => {
  test("max_models 3, seed 1: three base models and two ensembles ranked as H2O ranks them, each in the store", async () => {
    const { id, jobId } = await startRun({ training_frame: iris, response_column: "species", params: { max_models: 3, seed: 1 } });
    expect(id).toMatch(/^AutoML_\d+$/);
    const job = await api.waitJob(jobId, 60_000);
    expect(job).toMatchObject({ status: "done", progress: 1, error: null });
    const run = (await api.get(`/automl/${id}`)).body;
    firstRun = { id, run };
    expect(run.job.job_id).toBe(jobId);
    expect(run.sort_metric).toBe("mean_per_class_error");
    expect(run.columns).toEqual(MULTINOMIAL_COLUMNS);
    expect(run.params).toMatchObject({ max_models: 3, seed: 1, nfolds: 5 });

    const rows = run.leaderboard;
    expect(rows.filter((r: any) => r.algo !== "stackedensemble").length).toBe(3);
    expect(
      rows
        .filter((r: any) => r.algo === "stackedensemble")
        .map((r: any) => r.model_id.replace(/_AutoML_\d+$/, ""))
        .sort(),
    ).toEqual(["StackedEnsemble_AllModels_1", "StackedEnsemble_BestOfFamily_1"]);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(["algo", "model_id", ...MULTINOMIAL_COLUMNS, "training_time_ms"].sort());
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].mean_per_class_error).toBeLessThanOrEqual(rows[i].mean_per_class_error);
    expect(run.leader).toBe(rows[0].model_id);

    // Every model is in the store, trained on the frame; its row holds its cross-validation
    // metrics, and mean_per_class_error is that of its confusion matrix.
    for (const r of rows) {
      const model = await api.get(`/models/${r.model_id}`);
      expect(model.status).toBe(200);
      expect(model.body).toMatchObject({ algo: r.algo, training_frame: iris });
      const cv = model.body.metrics.cross_validation;
      expect(r.mean_per_class_error).toBeCloseTo(meanPerClassError(cv.confusion_matrix), 12);
      expect(r.rmse).toBeCloseTo(Math.sqrt(r.mse), 12);
      expect(r.logloss).toBe(cv.logloss);
    }
    // The leader predicts the frame, and predicts it well (iris is nearly separable).
    expect(await accuracy(run.leader)).toBeGreaterThan(0.9);

    expect(run.events[0]).toMatchObject({ level: "info", stage: "setup" });
    expect(run.events.at(-1)).toMatchObject({ level: "info", stage: "done" });
    expect(run.events.at(-1).message).toContain(run.leader);
    const listed = (await api.get("/automl")).body.runs.find((s: any) => s.automl_id === id);
    expect(listed).toEqual({
      automl_id: id,
      job_id: jobId,
      status: "done",
      response_column: "species",
      training_frame: iris,
      models: 5,
      leader: run.leader,
      sort_metric: "mean_per_class_error",
      created_at: run.job.created_at,
    });
  }, 60_000);

  test("the same seed twice gives the same leaderboard", async () => {
    if (!firstRun) throw new Error("needs the first run");
    const { id, jobId } = await startRun({ training_frame: iris, response_column: "species", params: { max_models: 3, seed: 1 }, project_name: "again" });
    expect(id).toBe("again");
    expect((await api.waitJob(jobId, 60_000)).status).toBe("done");
    const run = (await api.get("/automl/again")).body;
    const metrics = (rows: any[], suffix: string) => rows.map((r) => [r.model_id.slice(0, -suffix.length), ...MULTINOMIAL_COLUMNS.map((c) => r[c])]);
    expect(metrics(run.leaderboard, "_again")).toEqual(metrics(firstRun.run.leaderboard, `_${firstRun.id}`));
    expect((await api.post("/automl", { training_frame: iris, response_column: "species", project_name: "again" })).status).toBe(409);
  }, 60_000);

  test("the leaderboard is live while the run goes on; a cancel keeps the models built so far", async () => {
    const { id, jobId } = await startRun({ training_frame: iris, response_column: "species", params: { max_runtime_secs: 120, seed: 2 } });
    // Polls until the first model shows or the run ends; the test's timeout is the only limit
    // (a 120 s budget keeps the run going for the whole test on any machine).
    let run: any;
    for (; ; await Bun.sleep(50)) {
      run = (await api.get(`/automl/${id}`)).body;
      if (run.leaderboard.length > 0 || !["created", "running"].includes(run.job.status)) break;
    }
    expect(run.job.status).toBe("running");
    expect(run.leaderboard.length).toBeGreaterThan(0);
    expect((await api.post(`/jobs/${jobId}/cancel`)).status).toBe(200);
    const job = (await api.get(`/jobs/${jobId}?wait=30`)).body;
    expect(job.status).toBe("cancelled");
    const after = (await api.get(`/automl/${id}`)).body;
    expect(after.job.status).toBe("cancelled");
    expect(after.leaderboard.length).toBeGreaterThanOrEqual(run.leaderboard.length);
    for (const r of after.leaderboard) expect((await api.get(`/models/${r.model_id}`)).status).toBe(200);
  }, 60_000);

  test("a metric a model has no value for is null in the JSON (rmsle of a response below -1)", async () => {
    const r = await api.post("/frames/import", { sql: `SELECT sepal_length, sepal_width, petal_width, petal_length - 3 AS y FROM read_csv('${irisPath}')`, frame_id: "iris_shifted" });
    expect((await api.waitJob(r.body.job.job_id)).status).toBe("done");
    const { id, jobId } = await startRun({ training_frame: "iris_shifted", response_column: "y", params: { max_models: 1, include_algos: "GLM", nfolds: 0, seed: 1 } });
    expect((await api.waitJob(jobId, 60_000)).status).toBe("done");
    const run = (await api.get(`/automl/${id}`)).body;
    expect(run.columns).toEqual(["rmse", "mse", "mae", "rmsle", "mean_residual_deviance"]);
    expect(run.sort_metric).toBe("mean_residual_deviance");
    expect(run.leaderboard.length).toBe(1);
    expect(run.leaderboard[0].rmsle).toBeNull();
    expect(run.leaderboard[0].rmse).toBeGreaterThan(0);
  }, 30_000);
});

describe("deleting runs and keeping model ids", () => {
  test("DELETE /automl/{id} removes a finished run and its models, as H2O's remove does; a second DELETE is a 404", async () => {
    const { id, jobId } = await startRun({ training_frame: iris, response_column: "species", params: { max_models: 1, include_algos: "GLM", nfolds: 2, seed: 3 } });
    expect((await api.waitJob(jobId, 30_000)).status).toBe("done");
    expect((await api.get(`/models/GLM_1_${id}`)).status).toBe(200);
    const r = await api.del(`/automl/${id}`);
    expect([r.status, r.body]).toEqual([200, { automl_id: id, deleted_models: [`GLM_1_${id}`] }]);
    expect((await api.get(`/automl/${id}`)).status).toBe(404);
    expect((await api.get(`/models/GLM_1_${id}`)).status).toBe(404);
    expect((await api.get("/automl")).body.runs.map((s: any) => s.automl_id)).not.toContain(id);
    expect((await api.del(`/automl/${id}`)).body).toEqual({ error: { code: "not_found", message: `no AutoML run '${id}'` } });
  }, 30_000);

  test("DELETE of a run in progress cancels it, then removes every model it built", async () => {
    const { id, jobId } = await startRun({ training_frame: iris, response_column: "species", params: { max_runtime_secs: 120, seed: 2 } });
    for (; ; await Bun.sleep(50)) if ((await api.get(`/automl/${id}`)).body.leaderboard.length > 0) break;
    const r = await api.del(`/automl/${id}`);
    expect(r.status).toBe(200);
    expect(r.body.deleted_models.length).toBeGreaterThan(0);
    expect((await api.get(`/jobs/${jobId}`)).body.status).toBe("cancelled");
    for (const m of r.body.deleted_models) expect((await api.get(`/models/${m}`)).status).toBe(404);
    const left = (await api.get("/models")).body.models.map((m: any) => m.model_id).filter((m: string) => m.endsWith(`_${id}`));
    expect(left).toEqual([]);
  }, 60_000);

  test("a run never overwrites a model: a taken project_name is refused, and a default id skips a project whose model names are taken", async () => {
    expect((await api.train({ algo: "gbm", training_frame: iris, response_column: "species", model_id: "GLM_1_mine", params: { ntrees: 2, seed: 1 } })).status).toBe("done");
    const refused = await api.post("/automl", { training_frame: iris, response_column: "species", project_name: "mine", params: { max_models: 1, include_algos: "GLM" } });
    expect([refused.status, refused.body.error.message]).toEqual([409, "project_name 'mine' would overwrite model 'GLM_1_mine'; delete it or pick another project_name"]);
    const first = await startRun({ training_frame: iris, response_column: "species", params: { max_models: 1, include_algos: "GLM", nfolds: 2, seed: 3 } });
    await api.waitJob(first.jobId, 30_000);
    const n = Number(first.id.replace("AutoML_", ""));
    // A model that the next default run's GLM would be named.
    expect((await api.train({ algo: "gbm", training_frame: iris, response_column: "species", model_id: `GLM_1_AutoML_${n + 1}`, params: { ntrees: 2, seed: 1 } })).status).toBe("done");
    const second = await startRun({ training_frame: iris, response_column: "species", params: { max_models: 1, include_algos: "GLM", nfolds: 2, seed: 3 } });
    expect((await api.waitJob(second.jobId, 30_000)).status).toBe("done");
    expect(second.id).toBe(`AutoML_${n + 2}`);
    for (const id of ["GLM_1_mine", `GLM_1_AutoML_${n + 1}`]) expect((await api.get(`/models/${id}`)).body.algo).toBe("gbm");
    expect((await api.get(`/models/GLM_1_${second.id}`)).body.algo).toBe("glm");
  }, 60_000);
});

describe("bad AutoML requests", () => {
  test("each gets one clear 4xx error, and no job", async () => {
    const jobsBefore = (await api.get("/jobs")).body.jobs.length;
    const cases: [unknown, number, string[]][] = [
      [{ training_frame: "nope", response_column: "species" }, 404, ["nope"]],
      [{ training_frame: iris, response_column: "kind" }, 404, ["'kind'"]],
      [{ training_frame: iris, response_column: "species", x: ["sepal_length", "petals"] }, 404, ["'petals'"]],
      [{ training_frame: iris, response_column: "species", params: { max_models: -1 } }, 400, ["max_models=-1"]],
      [{ training_frame: iris, response_column: "species", params: { exclude_algos: "Foo" } }, 400, ["exclude_algos", "'Foo'"]],
      [{ training_frame: iris, response_column: "species", params: { max_model: 3 } }, 400, ["max_model"]],
      [{ training_frame: iris, response_column: "species", params: { nfolds: 1 } }, 400, ["nfolds=1"]],
      [{ training_frame: iris, response_column: "species", params: { sort_metric: "auc" } }, 400, ["auc", "multinomial"]],
      [{ training_frame: iris, response_column: "species", project_name: "params" }, 400, ["reserved"]],
      [{ training_frame: iris }, 400, ["'response_column'"]],
    ];
    for (const [body, status, words] of cases) {
      const r = await api.post("/automl", body);
      expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), status]);
      for (const w of words) expect(r.body.error.message).toContain(w);
    }
    const malformed = await api.post("/automl", "{not json", { "content-type": "application/json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("bad_input");
    expect((await api.get("/jobs")).body.jobs.length).toBe(jobsBefore);
    expect((await api.get("/automl/nope")).body).toEqual({ error: { code: "not_found", message: "no AutoML run 'nope'" } });
  });

  test("the parameters are listed for clients and the UI; the routes are in the OpenAPI document", async () => {
    const listed = (await api.get("/automl/params")).body;
    expect(listed.params.map((p: any) => p.name)).toEqual(expect.arrayContaining(["max_models", "max_runtime_secs", "seed", "nfolds", "exclude_algos", "include_algos", "sort_metric"]));
    expect(listed.params.find((p: any) => p.name === "sort_metric").values).toContain("mean_per_class_error");
    expect(listed.algos).toEqual(expect.arrayContaining(["GLM", "DRF", "GBM", "StackedEnsemble"]));
    const doc = (await api.get("/openapi.json")).body;
    for (const path of ["/automl", "/automl/{id}", "/automl/params"]) expect(doc.paths[path]).toBeDefined();
    expect(doc.paths["/automl/{id}"].delete).toBeDefined();
    expect(doc.components.schemas.AutoMLRequest.required).toEqual(["training_frame", "response_column"]);
  });
});

describe("the TypeScript client", () => {
  test("lists, reads and starts runs; a bad one is a FloeError naming the parameter", async () => {
    if (!firstRun) throw new Error("needs the first run");
    const client = new FloeClient(server.url);
    expect((await client.automl.list()).map((r) => r.automl_id)).toContain(firstRun.id);
    expect(await client.automl.get(firstRun.id)).toEqual((await api.get(`/automl/${firstRun.id}`)).body);
    expect((await client.automl.params()).algos).toContain("GBM");
    const refused = await client.automl.start({ training_frame: iris, response_column: "species", params: { max_runtime_secs: -5 } }).catch((e) => e);
    expect(refused).toBeInstanceOf(FloeError);
    expect(refused).toMatchObject({ code: "invalid_argument", message: expect.stringContaining("max_runtime_secs=-5") });
    const { job, automl_id } = await client.automl.start({ training_frame: iris, response_column: "species", params: { max_models: 1, include_algos: "GLM", seed: 3 } });
    expect((await client.waitJob(job.job_id)).status).toBe("done");
    const run = await client.automl.get(automl_id);
    expect(run.leaderboard.map((r) => r.model_id)).toEqual([`GLM_1_${automl_id}`]);
    expect(await client.automl.delete(automl_id)).toEqual([`GLM_1_${automl_id}`]);
    expect(await client.automl.get(automl_id).catch((e) => e)).toMatchObject({ code: "not_found" });
  }, 30_000);
});

describe("stacked ensembles over REST", () => {
  const cv = { nfolds: 3, keep_cross_validation_predictions: true, seed: 5 };

  test("an ensemble of two cross-validated models (GBM, GLM) trains and predicts", async () => {
    expect((await api.train({ algo: "gbm", training_frame: iris, response_column: "species", model_id: "gbm_cv", params: { ...cv, ntrees: 5, max_depth: 3 } })).status).toBe("done");
    expect((await api.train({ algo: "glm", training_frame: iris, response_column: "species", model_id: "glm_cv", params: cv })).status).toBe("done");
    const job = await api.train({ algo: "stackedensemble", training_frame: iris, response_column: "species", model_id: "se_rest", params: { base_models: "gbm_cv,glm_cv", seed: 1 } });
    expect(job).toMatchObject({ status: "done", dest: { kind: "model", id: "se_rest" } });
    const model = (await api.get("/models/se_rest")).body;
    expect(model.algo).toBe("stackedensemble");
    expect(model.base_models.map((b: any) => b.model_id)).toEqual(["gbm_cv", "glm_cv"]);
    expect(await accuracy("se_rest")).toBeGreaterThan(0.9);
  }, 30_000);

  test("AutoML's models keep their out-of-fold predictions and can be stacked again", async () => {
    if (!firstRun) throw new Error("needs the first run");
    const bases = firstRun.run.leaderboard.filter((r: any) => r.algo !== "stackedensemble").map((r: any) => r.model_id);
    const job = await api.train({ algo: "stackedensemble", training_frame: iris, response_column: "species", model_id: "se_again", params: { base_models: bases.join(","), seed: 1 } });
    expect(job.status).toBe("done");
    expect((await api.get("/models/se_again")).body.base_models.map((b: any) => b.model_id)).toEqual(bases);
  }, 30_000);

  test("a base model without kept cross-validation predictions is refused before any job, naming it and the fix", async () => {
    expect((await api.train({ algo: "gbm", training_frame: iris, response_column: "species", model_id: "gbm_plain", params: { ntrees: 3, seed: 5 } })).status).toBe("done");
    expect((await api.train({ algo: "gbm", training_frame: iris, response_column: "species", model_id: "gbm_cv_dropped", params: { ntrees: 3, seed: 5, nfolds: 3 } })).status).toBe("done");
    const jobsBefore = (await api.get("/jobs")).body.jobs.length;
    for (const base of ["gbm_plain", "gbm_cv_dropped"]) {
      const r = await api.post("/models", { algo: "stackedensemble", training_frame: iris, response_column: "species", params: { base_models: `gbm_cv,${base}` } });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain(`'${base}'`);
      expect(r.body.error.message).toContain("nfolds >= 2 and keep_cross_validation_predictions");
      expect(r.body.error.details).toEqual({ field: "params.base_models" });
    }
    const missing = await api.post("/models", { algo: "stackedensemble", training_frame: iris, response_column: "species", params: { base_models: "gbm_cv,nope" } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain("'nope'");
    const none = await api.post("/models", { algo: "stackedensemble", training_frame: iris, response_column: "species" });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toContain("base_models");
    expect((await api.get("/jobs")).body.jobs.length).toBe(jobsBefore);
  }, 30_000);
});
