// The REST API's explain jobs on a gaussian GLM of iris (sepal_length from the other
// columns): contributions stored as a frame whose rows sum to the prediction; partial
// dependence and ICE equal to predictions of the frame with the column set to each grid
// value (frames made here and scored by /predict); permutation importance repeatable by
// seed; a local surrogate of one row; malformed requests answered 400 naming the field.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { FIXTURES } from "../support/node.ts";
import { apiOf, testServer } from "../support/server.ts";

const server = await testServer();
const api = apiOf(server);
const iris = await api.importPath(join(FIXTURES, "iris.csv"));
const X = ["sepal_width", "petal_length", "petal_width", "species"];
const trained = await api.train({ algo: "glm", training_frame: iris, response_column: "sepal_length", x: X, model_id: "glm_iris", params: { lambda: 0 } });
const MODEL = trained.dest.id as string;

/** Starts an explain job, waits for it and returns its result (failing the test on any error). */
async function explain(kind: string, body: Record<string, unknown>): Promise<any> {
  const r = await api.post(`/models/${MODEL}/${kind}`, body);
  expect(r.status).toBe(202);
  const job = await api.waitJob(r.body.job.job_id, 60_000);
  expect(job.error).toBeNull();
  const got = await api.get(`/explanations/${job.job_id}`);
  expect(got.status).toBe(200);
  expect(got.body.model_id).toBe(MODEL);
  return got.body.result;
}

async function rows(frame: string): Promise<any[][]> {
  const r = await api.get(`/frames/${frame}/rows?limit=1000`);
  expect(r.status).toBe(200);
  return r.body.rows;
}

/** The GLM's predictions of `frame`. */
async function predictions(frame: string): Promise<number[]> {
  const p = await api.post(`/models/${MODEL}/predict`, { frame });
  expect(p.status).toBe(200);
  return (await rows(p.body.frame_id)).map((r) => r[0] as number);
}

const irisRows = await rows(iris);
const irisHeader = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"];

/** Uploads iris with `column` set to `value` in the rows `which` (all by default); returns the frame id. */
async function irisWith(column: string, value: number, which: (i: number) => boolean = () => true): Promise<string> {
  const c = irisHeader.indexOf(column);
  const csv = [irisHeader.join(","), ...irisRows.map((r, i) => r.map((v, k) => (k === c && which(i) ? value : v)).join(","))].join("\n");
  const r = await api.post(`/frames/upload?name=iris_${column}_${value}.csv`, csv, { "content-type": "text/csv" });
  expect(r.status).toBe(202);
  const job = await api.waitJob(r.body.job.job_id);
  return job.dest.id;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test("contributions: a stored frame, one column per feature then BiasTerm, each row summing to the prediction", async () => {
  const result = await explain("contributions", { frame: iris, destination_frame: "contribs_iris" });
  expect(result.frame_id).toBe("contribs_iris");
  expect(result.rows).toBe(150);
  // The model's input columns (in its order), then BiasTerm.
  expect(result.columns.at(-1)).toBe("BiasTerm");
  expect(result.columns.slice(0, -1).sort()).toEqual([...X].sort());
  const contribs = await rows("contribs_iris");
  const preds = await predictions(iris);
  contribs.forEach((row, i) => expect(row.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(preds[i], 9));
});

test("contributions with top_n and bottom_n: H2O's layout, the largest and smallest of each row", async () => {
  const result = await explain("contributions", { frame: iris, top_n: 1, bottom_n: 1, destination_frame: "contribs_top" });
  expect(result.columns).toEqual(["top_feature_1", "top_value_1", "bottom_feature_1", "bottom_value_1", "BiasTerm"]);
  const names = (await api.get("/frames/contribs_iris")).body.columns.map((c: any) => c.name).slice(0, -1);
  const full = await rows("contribs_iris");
  const top = await rows("contribs_top");
  top.forEach((row, i) => {
    const values = full[i].slice(0, names.length) as number[];
    expect(row[0]).toBe(names[values.indexOf(Math.max(...values))]);
    expect(row[1]).toBeCloseTo(Math.max(...values), 12);
    expect(row[2]).toBe(names[values.indexOf(Math.min(...values))]);
    expect(row[3]).toBeCloseTo(Math.min(...values), 12);
  });
});

test("partial dependence: each grid value's mean response is the mean prediction of iris with the column set to it", async () => {
  const result = await explain("partial-dependence", { frame: iris, cols: ["petal_length"], nbins: 5 });
  const [table] = result.tables;
  expect(table.columns).toEqual(["petal_length"]);
  expect(table.values[0].length).toBe(table.mean_response.length);
  for (const k of [0, table.values[0].length - 1]) {
    const preds = await predictions(await irisWith("petal_length", table.values[0][k]));
    expect(table.mean_response[k]).toBeCloseTo(mean(preds), 9);
    const sd = Math.sqrt(preds.reduce((a, p) => a + (p - mean(preds)) ** 2, 0) / (preds.length - 1));
    expect(table.stddev_response[k]).toBeCloseTo(sd, 9);
  }
});

test("ICE: a row's curve is its prediction with the column set to each grid value", async () => {
  const result = await explain("ice", { frame: iris, column: "petal_width", rows: [0, 120], nbins: 4 });
  expect(result.rows).toEqual([0, 120]);
  const last = result.grid.length - 1;
  const preds = await predictions(await irisWith("petal_width", result.grid[last]));
  expect(result.responses[0][last]).toBeCloseTo(preds[0], 9);
  expect(result.responses[1][last]).toBeCloseTo(preds[120], 9);
});

test("permutation importance: the same seed gives the same table, sorted, one row per feature", async () => {
  const a = await explain("permutation-importance", { frame: iris, seed: 7, n_repeats: 2 });
  const b = await explain("permutation-importance", { frame: iris, seed: 7, n_repeats: 2 });
  expect(a).toEqual(b);
  expect(a.variables.map((v: any) => v.variable).sort()).toEqual([...X].sort());
  const importances = a.variables.map((v: any) => v.importance);
  expect(importances).toEqual([...importances].sort((x: number, y: number) => y - x));
  expect(a.variables[0].runs.length).toBe(2);
});

test("local surrogate: one row's weights and its local fit", async () => {
  const result = await explain("local-surrogate", { frame: iris, row: 3, seed: 1 });
  expect(result.row).toBe(3);
  expect(result.prediction).toBeCloseTo((await predictions(iris))[3], 9);
  expect(result.weights.length).toBeGreaterThan(0);
  expect(result.r2).toBeLessThanOrEqual(1);
});

test("an explain job reports its kind and ends with progress 1; an unknown explanation is a 404", async () => {
  const r = await api.post(`/models/${MODEL}/permutation-importance`, { frame: iris, n_repeats: 3 });
  expect(r.status).toBe(202);
  expect(r.body.kind).toBe("permutation_importance");
  const job = await api.waitJob(r.body.job.job_id);
  expect(job.progress).toBe(1);
  expect((await api.get("/explanations/job_nope")).status).toBe(404);
});

test("malformed explain requests are a 400 naming the field", async () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ["contributions", { frame: "nope" }, /'frame'.*nope/],
    ["contributions", { frame: iris, top_n: "3" }, /top_n/],
    ["contributions", { frame: iris, top_n: 1.5 }, /top_n/],
    ["contributions", { frame: iris, output_per_reference: true }, /output_per_reference.*background_frame/],
    ["contributions", { frame: iris, background_frame: "nope" }, /background_frame/],
    ["partial-dependence", { frame: iris, cols: ["nope"] }, /cols.*nope/],
    ["partial-dependence", { frame: iris, cols: ["sepal_length"] }, /cols.*sepal_length/],
    ["partial-dependence", { frame: iris, nbins: 1 }, /nbins/],
    ["partial-dependence", { frame: iris, row_index: 150 }, /row_index.*150/],
    ["partial-dependence", { frame: iris, targets: ["a"] }, /targets/],
    ["ice", { frame: iris, column: "petal_width", rows: [] }, /rows/],
    ["ice", { frame: iris, column: "petal_width", rows: [500] }, /rows.*500/],
    ["permutation-importance", { frame: iris, n_repeats: 0 }, /n_repeats/],
    ["permutation-importance", { frame: iris, features: ["nope"] }, /features.*nope/],
    ["local-surrogate", { frame: iris, row: -1 }, /row/],
    ["local-surrogate", { frame: iris, row: 1, extra: 1 }, /extra|unrecognized/i],
  ];
  for (const [kind, body, message] of bad) {
    const r = await api.post(`/models/${MODEL}/${kind}`, body);
    expect({ kind, body, status: r.status }).toEqual({ kind, body, status: 400 });
    expect(r.body.error.message).toMatch(message);
  }
  expect((await api.post("/models/nope/contributions", { frame: iris })).status).toBe(404);
});

test("a binomial GBM's contributions (TreeSHAP) sum to the logit of /predict's probability", async () => {
  const penguins = await api.importPath(join(FIXTURES, "penguins.csv"), { na_strings: ["NA", "."] });
  const job = await api.train({ algo: "gbm", training_frame: penguins, response_column: "sex", model_id: "gbm_sex", params: { ntrees: 5, max_depth: 3, seed: 3 } });
  expect(job.error).toBeNull();
  const r = await api.post("/models/gbm_sex/contributions", { frame: penguins, destination_frame: "contribs_sex" });
  expect(r.status).toBe(202);
  expect((await api.waitJob(r.body.job.job_id)).error).toBeNull();
  const p = await api.post("/models/gbm_sex/predict", { frame: penguins });
  const probs = (await rows(p.body.frame_id)).map((row) => row[2] as number);
  const contribs = await rows("contribs_sex");
  expect(contribs.length).toBe(probs.length);
  contribs.forEach((row, i) => expect(row.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(Math.log(probs[i] / (1 - probs[i])), 9));
});

test("a model without exact contributions needs a background frame: a 400 naming it before any job, and runs with one", async () => {
  const job = await api.train({ algo: "naivebayes", training_frame: iris, response_column: "species", model_id: "nb_iris" });
  expect(job.error).toBeNull();
  const without = await api.post("/models/nb_iris/contributions", { frame: iris });
  expect(without.status).toBe(400);
  expect(without.body.error.message).toMatch(/background_frame is required for naivebayes/);
  const sorted = await api.post("/models/nb_iris/contributions", { frame: iris, top_n: 2, background_frame: iris });
  expect(sorted.status).toBe(422);
  expect(sorted.body.error.message).toMatch(/top_n and bottom_n are not available for multinomial models/);
  const background = await irisWith("sepal_width", 3, (i) => i % 50 === 0);
  const withBackground = await api.post("/models/nb_iris/contributions", { frame: iris, max_rows: 5, background_frame: background, destination_frame: "contribs_nb" });
  expect((await api.waitJob(withBackground.body.job.job_id, 60_000)).error).toBeNull();
  const explanation = (await api.get(`/explanations/${withBackground.body.job.job_id}`)).body.result;
  expect(explanation.rows).toBe(5);
  expect(explanation.columns).toContain("BiasTerm.Iris-setosa");
});
