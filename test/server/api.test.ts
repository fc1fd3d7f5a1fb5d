// The REST API v1 end to end on a real server (127.0.0.1, a free port): frames, models,
// jobs, the error shape and the OpenAPI document. Expected values come from the fixtures
// themselves (row counts, values read back) or from the same training run in-process.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { predictFrame } from "../../src/ml/scoring.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { apiOf, testServer } from "../support/server.ts";
import { FIXTURES, testNode } from "../support/node.ts";
import { loadModel } from "../../src/ml/modelfile.ts";

const server = await testServer();
const api = apiOf(server);
const iris = join(FIXTURES, "iris.csv");
const penguins = join(FIXTURES, "penguins.csv");
const irisLines = readFileSync(iris, "utf8").trim().split("\n");

describe("frames", () => {
  test("import a file: a job whose dest is the frame, then its summary and rows", async () => {
    const r = await api.post("/frames/import", { path: iris });
    expect(r.status).toBe(202);
    expect(r.body.job.dest).toEqual({ kind: "frame", id: expect.stringMatching(/^iris_\d+$/) });
    const job = await api.waitJob(r.body.job.job_id);
    expect(job).toMatchObject({ status: "done", progress: 1, error: null });
    const id = job.dest.id;
    const frame = (await api.get(`/frames/${id}`)).body;
    expect(frame.rows).toBe(irisLines.length - 1);
    expect(frame.columns.map((c: any) => [c.name, c.type])).toEqual([
      ["sepal_length", "numeric"],
      ["sepal_width", "numeric"],
      ["petal_length", "numeric"],
      ["petal_width", "numeric"],
      ["species", "enum"],
    ]);
    const species = frame.columns[4];
    expect(species.domain).toEqual(["Iris-setosa", "Iris-versicolor", "Iris-virginica"]);
    expect(species.level_counts).toEqual([50, 50, 50]);
    // The fixture's own minimum and maximum petal length.
    const petal = irisLines.slice(1).map((l) => Number(l.split(",")[2]));
    expect(frame.columns[2].min).toBe(Math.min(...petal));
    expect(frame.columns[2].max).toBe(Math.max(...petal));
    expect(frame.columns[2].histogram.counts.reduce((s: number, x: number) => s + x, 0)).toBe(150);

    const rows = (await api.get(`/frames/${id}/rows?offset=148&limit=10`)).body;
    expect(rows.rows_total).toBe(150);
    expect(rows.rows).toEqual(irisLines.slice(149).map((l) => l.split(",").map((v, i) => (i < 4 ? Number(v) : v))));
  });

  test("upload a raw body and a multipart form", async () => {
    const raw = await api.post("/frames/upload?name=penguins.csv", readFileSync(penguins), { "content-type": "text/csv" });
    expect(raw.status).toBe(202);
    const job = await api.waitJob(raw.body.job.job_id);
    expect(job.status).toBe("done");
    expect(job.dest.id).toMatch(/^penguins_\d+$/);
    const penguinRows = readFileSync(penguins, "utf8").trim().split("\n").length - 1;
    expect((await api.get(`/frames/${job.dest.id}`)).body.rows).toBe(penguinRows);

    const form = new FormData();
    form.append("file", new File([readFileSync(iris)], "iris.csv"));
    const multi = await api.post("/frames/upload?frame_id=iris_upload", form);
    expect(multi.status).toBe(202);
    expect((await api.waitJob(multi.body.job.job_id)).status).toBe("done");
    expect((await api.get("/frames/iris_upload")).body.rows).toBe(150);
    expect((await api.post("/frames/upload?frame_id=iris_upload", form)).status).toBe(409);
  });

  test("split, asfactor, download as CSV, delete", async () => {
    const id = await api.importPath(iris);
    const split = await api.post(`/frames/${id}/split`, { ratios: [0.7], seed: 42, destination_frames: ["iris_train", "iris_test"] });
    expect(split.status).toBe(200);
    const [a, b] = split.body.frames;
    expect(a.frame_id).toBe("iris_train");
    expect(a.rows + b.rows).toBe(150);
    expect(a.rows).toBeGreaterThan(80);
    expect(b.rows).toBeGreaterThan(20);
    // The same seed gives the same rows.
    const again = await api.post(`/frames/${id}/split`, { ratios: [0.7], seed: 42 });
    expect(again.body.frames.map((f: any) => f.rows)).toEqual([a.rows, b.rows]);

    const fac = await api.post(`/frames/${id}/asfactor`, { columns: ["petal_width"] });
    expect(fac.status).toBe(200);
    const converted = (await api.get(`/frames/${fac.body.frame_id}`)).body.columns[3];
    const widths = new Set(irisLines.slice(1).map((l) => Number(l.split(",")[3])));
    expect(converted.type).toBe("enum");
    expect(converted.cardinality).toBe(widths.size);
    // The source frame is unchanged (frames are immutable).
    expect((await api.get(`/frames/${id}`)).body.columns[3].type).toBe("numeric");

    const res = await fetch(`${server.url}/api/v1/frames/${id}/download`);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const csv = (await res.text()).trim().split("\n");
    expect(csv[0]).toBe(irisLines[0]);
    expect(csv.slice(1).map((l) => l.split(",").map((v, i) => (i < 4 ? Number(v) : v)))).toEqual(irisLines.slice(1).map((l) => l.split(",").map((v, i) => (i < 4 ? Number(v) : v))));

    expect((await api.del(`/frames/${id}`)).body).toEqual({ deleted: id });
    expect((await api.get(`/frames/${id}`)).status).toBe(404);
  });

  test("SQL import; an empty path is refused", async () => {
    const empty = await api.post("/frames/import", { path: "" });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain("'path'");
    const r = await api.post("/frames/import", { sql: `SELECT * FROM read_csv('${iris}') WHERE species = 'Iris-setosa'`, frame_id: "setosa" });
    expect((await api.waitJob(r.body.job.job_id)).status).toBe("done");
    expect((await api.get("/frames/setosa")).body.rows).toBe(50);
  });
});

describe("models", () => {
  test("algorithms list their parameters from the registry", async () => {
    const r = await api.get("/algorithms");
    const gbm = r.body.algorithms.find((a: any) => a.name === "gbm");
    expect(gbm.supervised).toBe(true);
    expect(gbm.params.find((p: any) => p.name === "ntrees")).toMatchObject({ type: "int", default: 50 });
    expect(gbm.params.find((p: any) => p.name === "distribution").values).toContain("bernoulli");
    expect((await api.get("/algorithms/kmeans")).body.supervised).toBe(false);
    expect((await api.get("/algorithms/nope")).status).toBe(404);
  });

  test("train, get, metrics, predict, download and upload a GBM", async () => {
    // The fixture writes one missing sex as ".".
    const id = await api.importPath(penguins, { na_strings: ["NA", "."] });
    const params = { ntrees: 5, max_depth: 3, seed: 7 };
    const job = await api.train({ algo: "gbm", training_frame: id, response_column: "sex", params, model_id: "gbm_sex" });
    expect(job.status).toBe("done");
    expect(job.dest).toEqual({ kind: "model", id: "gbm_sex" });
    const model = (await api.get("/models/gbm_sex")).body;
    expect(model.category).toBe("Binomial");
    expect(model.training_frame).toBe(id);
    expect(model.scoring_history.length).toBeGreaterThan(0);

    // The same training in-process gives the same model: floe is deterministic.
    const node = testNode();
    const frame = server.node.store.need({ kind: "frame", id } as any) as any;
    const local = await algorithm("gbm")!.train(node.executor, { modelId: "gbm_sex", frame, y: "sex", x: null, params });
    expect(model.metrics.training.AUC).toBe((local.model.metrics.training as { AUC: number }).AUC);
    expect(model.varimp).toEqual(JSON.parse(JSON.stringify(local.model.varimp)));

    const metrics = await api.post("/models/gbm_sex/metrics", { frame: id });
    expect(metrics.body.metrics.AUC).toBe(model.metrics.training.AUC);

    const pred = await api.post("/models/gbm_sex/predict", { frame: id, predictions_frame: "preds" });
    expect(pred.status).toBe(200);
    expect(pred.body.columns).toEqual(["predict", "FEMALE", "MALE"]);
    const rows = (await api.get(`/frames/preds/rows?limit=1000`)).body.rows;
    expect(rows.length).toBe(frame.rows);
    const scored = (await predictFrame(node.executor, local.model, frame, [])).flatMap((sc) => Array.from(sc.p));
    rows.forEach((r: any[], i: number) => {
      if (Number.isNaN(scored[i])) return expect(r).toEqual([null, null, null]);
      expect(r[2]).toBe(scored[i]);
      expect(r[1]).toBe(1 - scored[i]);
      expect(r[0]).toBe(scored[i] >= model.threshold ? "MALE" : "FEMALE");
    });

    const file = new Uint8Array(await (await fetch(`${server.url}/api/v1/models/gbm_sex/download`)).arrayBuffer());
    const up = await api.post("/models/upload?model_id=gbm_copy", file, { "content-type": "application/octet-stream" });
    expect(up.status).toBe(201);
    const copy = (await api.get("/models/gbm_copy")).body;
    expect(copy.metrics).toEqual(model.metrics);
    expect(copy.model_id).toBe("gbm_copy");
    expect((await api.get("/models")).body.models.map((m: any) => m.model_id)).toEqual(expect.arrayContaining(["gbm_sex", "gbm_copy"]));
    expect((await api.del("/models/gbm_copy")).status).toBe(200);
    expect((await api.get("/models/gbm_copy")).status).toBe(404);
  });

  test("a model file from the API loads in `floe predict`'s loader", async () => {
    const id = await api.importPath(iris);
    await api.train({ algo: "glm", training_frame: id, response_column: "species", model_id: "glm_iris", params: { seed: 1 } });
    const bytes = new Uint8Array(await (await fetch(`${server.url}/api/v1/models/glm_iris/download`)).arrayBuffer());
    const path = join(await import("node:os").then((os) => os.tmpdir()), `glm_iris_${process.pid}.floe`);
    await Bun.write(path, bytes);
    const model = loadModel(path);
    expect(model.algo).toBe("glm");
    expect(model.response?.domain).toEqual(["Iris-setosa", "Iris-versicolor", "Iris-virginica"]);
  });

  test("unsupervised training takes x and no response", async () => {
    const id = await api.importPath(iris);
    const job = await api.train({ algo: "kmeans", training_frame: id, x: ["petal_length", "petal_width"], params: { k: 3, seed: 1 } });
    expect(job.status).toBe("done");
    const model = (await api.get(`/models/${job.dest.id}`)).body;
    expect(model.category).toBe("Clustering");
    const bad = await api.post("/models", { algo: "kmeans", training_frame: id, response_column: "species" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("response_column");
  });
});

describe("jobs", () => {
  test("a long job is cancelled on request and ends cancelled", async () => {
    const id = await api.importPath(penguins);
    const r = await api.post("/models", { algo: "gbm", training_frame: id, response_column: "body_mass_g", params: { ntrees: 100000, seed: 1 } });
    expect(r.status).toBe(202);
    // A long poll that times out answers with the job still running.
    const polled = await api.get(`/jobs/${r.body.job.job_id}?wait=0.2`);
    expect(polled.body.status).toBe("running");
    const cancel = await api.post(`/jobs/${r.body.job.job_id}/cancel`);
    expect(cancel.status).toBe(200);
    // One long poll is enough to see it end.
    const job = (await api.get(`/jobs/${r.body.job.job_id}?wait=30`)).body;
    expect(job.status).toBe("cancelled");
    expect(job.error.code).toBe("cancelled");
    expect((await api.get(`/models/${job.dest.id}`)).status).toBe(404);
  });

  test("a job that fails keeps its error and the node stays up", async () => {
    const id = await api.importPath(iris);
    // A binomial distribution on a three-class response fails inside training.
    const job = await api.train({ algo: "gbm", training_frame: id, response_column: "species", params: { distribution: "bernoulli", ntrees: 2 } });
    expect(job.status).toBe("failed");
    expect(job.error.message).toContain("bernoulli");
    expect((await api.get("/health")).status).toBe(200);
    expect((await api.get("/jobs")).body.jobs[0].job_id).toBe(job.job_id);
  });
});

describe("errors", () => {
  test("malformed JSON, wrong types, unknown ids and routes", async () => {
    const malformed = await api.post("/frames/import", "{not json", { "content-type": "application/json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("bad_input");

    const wrongType = await api.post("/models", { algo: "gbm", training_frame: 5 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toContain("'training_frame'");

    const wrongParam = await api.post("/models", { algo: "gbm", training_frame: "iris_upload", response_column: "species", params: { ntrees: "many" } });
    expect(wrongParam.status).toBe(400);
    expect(wrongParam.body.error.message).toContain("ntrees");

    const unknownParam = await api.post("/models", { algo: "gbm", training_frame: "iris_upload", response_column: "species", params: { n_trees: 5 } });
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.body.error.message).toContain("n_trees");

    const unknownColumn = await api.post("/models", { algo: "gbm", training_frame: "iris_upload", response_column: "kind" });
    expect(unknownColumn.status).toBe(404);
    expect(unknownColumn.body.error.message).toContain("'kind'");

    expect((await api.get("/frames/nope")).body).toEqual({ error: { code: "not_found", message: "no frame 'nope'" } });
    expect((await api.get("/models/nope")).status).toBe(404);
    expect((await api.get("/jobs/nope")).status).toBe(404);
    expect((await api.get("/nowhere")).status).toBe(404);
    expect((await api.get("/frames/iris_upload/rows?limit=5000")).status).toBe(400);
    const both = await api.post("/frames/import", { path: "a.csv", sql: "SELECT 1" });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toContain("exactly one of path or sql");
    const missingFile = await api.post("/frames/import", { path: "/no/such/file.csv" });
    const failed = await api.waitJob(missingFile.body.job.job_id);
    expect(failed.error).toEqual({ code: "not_found", message: "/no/such/file.csv: no such file" });
  });

  test("the OpenAPI document lists every route and its schemas", async () => {
    const doc = (await api.get("/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    for (const path of [
      "/cluster",
      "/frames",
      "/frames/import",
      "/frames/upload",
      "/frames/{id}",
      "/frames/{id}/rows",
      "/frames/{id}/split",
      "/frames/{id}/asfactor",
      "/frames/{id}/download",
      "/algorithms",
      "/models",
      "/models/{id}",
      "/models/{id}/predict",
      "/models/{id}/metrics",
      "/models/{id}/download",
      "/models/upload",
      "/jobs",
      "/jobs/{id}",
      "/jobs/{id}/cancel",
      "/shutdown",
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
    expect(doc.components.schemas.TrainRequest.required).toEqual(["algo", "training_frame"]);
  });

  test("cluster status has H2O's node fields", async () => {
    const c = (await api.get("/cluster")).body;
    expect(c.cloud_size).toBe(1);
    const node = c.nodes[0];
    for (const field of ["healthy", "last_ping", "num_cpus", "sys_load", "free_mem", "num_keys", "pid", "version", "uptime_ms"]) expect(node[field]).toBeDefined();
    expect(node.pid).toBe(process.pid);
    expect(node.healthy).toBe(true);
  });
});
