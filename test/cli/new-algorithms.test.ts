// XGBoost, the isolation forests and k-means with floe's defaults as a user runs them: the
// command line (train --out, predict, eval) and the REST API (a training job, predictions,
// the model's JSON, its .floe file downloaded and uploaded again). The same seed and data
// give the same model on either front end, so the CLI's predictions are the server's; the
// metrics eval prints are recomputed here from the predictions it scored.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir } from "../support/node.ts";
import { apiOf, testServer } from "../support/server.ts";

const dir = tempDir();
const penguins = join(FIXTURES, "penguins.csv");
const iris = join(FIXTURES, "iris.csv");
const IRIS_X = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

const server = await testServer();
const api = apiOf(server);

/** A CSV's rows as arrays of numbers (its header dropped); text cells are left as strings. */
function csvRows(text: string): (number | string)[][] {
  return text
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",").map((v) => (v !== "" && Number.isFinite(Number(v)) ? Number(v) : v)));
}

/** A predictions frame's rows through the REST API. */
async function frameRows(id: string): Promise<unknown[][]> {
  const r = await api.get(`/frames/${id}/rows?limit=1000`);
  expect(r.status).toBe(200);
  return r.body.rows;
}

/** Trains over REST, predicts `frame` and returns the model JSON and its predictions' rows. */
async function restModel(body: Record<string, unknown>, frame: string) {
  const job = await api.train(body);
  expect(job.error).toBeNull();
  const id = job.dest.id as string;
  const pred = await api.post(`/models/${id}/predict`, { frame, predictions_frame: `pred_${id}` });
  expect(pred.status).toBe(200);
  return { id, model: (await api.get(`/models/${id}`)).body, predictions: await frameRows(`pred_${id}`), columns: pred.body.columns as string[] };
}

/** The model's .floe file, uploaded again under a new id, predicts the same rows. */
async function roundTrip(id: string, frame: string, predictions: unknown[][]) {
  const bytes = new Uint8Array(await (await fetch(`${server.url}/api/v1/models/${id}/download`)).arrayBuffer());
  const up = await api.post(`/models/upload?model_id=${id}_again`, bytes, { "content-type": "application/octet-stream" });
  expect(up.status).toBe(201);
  const pred = await api.post(`/models/${id}_again/predict`, { frame, predictions_frame: `pred_${id}_again` });
  expect(await frameRows(`pred_${id}_again`)).toEqual(predictions);
  return pred.body;
}

test("xgboost: train --out, predict and eval on the CLI; the same model over REST, its file round trip", async () => {
  const model = join(dir, "xgb.floe");
  const trained = await floe(["train", penguins, "-y", "species", "--algo", "xgboost", "--ntrees", "8", "--seed", "5", "--out", model, "--json"]);
  expect(trained.code).toBe(0);
  const out = JSON.parse(trained.stdout);
  // H2O's H2OXGBoostEstimator defaults.
  expect(out.params).toMatchObject({ learn_rate: 0.3, max_depth: 6, min_rows: 1, reg_lambda: 1, reg_alpha: 0, max_bins: 256, booster: "gbtree", distribution: "multinomial" });

  const pred = await floe(["predict", model, penguins]);
  expect(pred.code).toBe(0);
  const classes = ["Adelie", "Chinstrap", "Gentoo"];
  expect(pred.stdout.split("\n")[0]).toBe(`predict,${classes.join(",")}`);
  const rows = csvRows(pred.stdout);
  expect(rows.length).toBe(344);
  const truth = csvRows(await Bun.file(penguins).text()).map((r) => r[0] as string);
  let logloss = 0;
  rows.forEach(([label, ...p], i) => {
    const probs = p as number[];
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(label).toBe(classes[probs.indexOf(Math.max(...probs))]);
    logloss -= Math.log(Math.max(probs[classes.indexOf(truth[i])], 1e-15));
  });
  const evaluated = await floe(["eval", model, penguins, "--json"]);
  expect(evaluated.code).toBe(0);
  const { metrics } = JSON.parse(evaluated.stdout);
  expect(metrics.logloss).toBeCloseTo(logloss / 344, 10);
  expect(metrics.logloss).toBeCloseTo(out.metrics.training.logloss, 10);

  const frame = await api.importPath(penguins);
  const rest = await restModel({ algo: "xgboost", training_frame: frame, response_column: "species", model_id: "xgb", params: { ntrees: 8, seed: 5 } }, frame);
  expect(rest.model.params).toEqual(out.params);
  expect(rest.columns).toEqual(["predict", ...classes]);
  expect(rest.predictions).toEqual(rows);
  await roundTrip("xgb", frame, rest.predictions);
}, 60_000);

test("isolation forests: H2O's output columns on the CLI and over REST, the same scores, model files round trip", async () => {
  const frame = await api.importPath(iris);
  for (const [algo, params, columns] of [
    ["isolationforest", { ntrees: 20, seed: 3, contamination: 0.1 }, ["predict", "score", "mean_length"]],
    ["extendedisolationforest", { ntrees: 20, seed: 3, extension_level: 2 }, ["anomaly_score", "mean_length"]],
  ] as const) {
    const model = join(dir, `${algo}.floe`);
    const flags = Object.entries(params).flatMap(([k, v]) => [`--${k.replaceAll("_", "-")}`, String(v)]);
    const trained = await floe(["train", iris, "--algo", algo, "--x", IRIS_X.join(","), ...flags, "--out", model]);
    expect(trained.code).toBe(0);
    const pred = await floe(["predict", model, iris]);
    expect(pred.stdout.split("\n")[0]).toBe(columns.join(","));
    const rows = csvRows(pred.stdout);
    expect(rows.length).toBe(150);

    const rest = await restModel({ algo, training_frame: frame, x: IRIS_X, model_id: algo, params }, frame);
    expect(rest.columns).toEqual([...columns]);
    expect(rest.predictions).toEqual(rows);
    await roundTrip(algo, frame, rest.predictions);
    if (algo === "isolationforest") {
      // contamination 0.1 flags the rows at or above the training scores' 0.9 quantile.
      const flagged = rows.filter((r) => r[0] === 1).length;
      expect(flagged).toBeGreaterThanOrEqual(15);
      expect(flagged).toBeLessThanOrEqual(20);
      const threshold = rest.model.anomaly_threshold as number;
      for (const r of rows) expect(r[0]).toBe((r[1] as number) >= threshold ? 1 : 0);
    }
  }
}, 60_000);

test("k-means with floe's defaults (Coreset) on the CLI and over REST: the same clusters, each row at its nearest center", async () => {
  const model = join(dir, "km.floe");
  const trained = await floe(["train", iris, "--algo", "kmeans", "--k", "3", "--x", IRIS_X.join(","), "--seed", "9", "--out", model, "--json"]);
  expect(trained.code).toBe(0);
  const out = JSON.parse(trained.stdout);
  expect(out.params.init).toBe("Coreset");
  const pred = csvRows((await floe(["predict", model, iris])).stdout).map((r) => r[0]);
  // Every row's cluster is its nearest center in standardized units (standardize: true).
  const data = csvRows(await Bun.file(iris).text()).map((r) => r.slice(0, 4) as number[]);
  const sd = IRIS_X.map((_, j) => {
    const mean = data.reduce((a, r) => a + r[j], 0) / data.length;
    return Math.sqrt(data.reduce((a, r) => a + (r[j] - mean) ** 2, 0) / (data.length - 1));
  });
  const centers = (out.centers as Record<string, number>[]).map((c) => IRIS_X.map((name) => c[name]));
  data.forEach((x, i) => {
    const d = centers.map((c) => c.reduce((s, v, j) => s + ((v - x[j]) / sd[j]) ** 2, 0));
    expect(pred[i]).toBe(d.indexOf(Math.min(...d)));
  });
  const frame = await api.importPath(iris);
  const rest = await restModel({ algo: "kmeans", training_frame: frame, x: IRIS_X, model_id: "km", params: { k: 3, seed: 9 } }, frame);
  expect(rest.model.params.init).toBe("Coreset");
  expect(rest.model.tot_withinss).toBe(out.tot_withinss);
  expect(rest.predictions.map((r) => r[0])).toEqual(pred);
  await roundTrip("km", frame, rest.predictions);
}, 60_000);
