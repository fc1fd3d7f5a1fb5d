// `floe explain` as a user runs it: models trained and saved by `floe train`, then the report
// of one or several models on iris. Its numbers (--json) are checked against what floe's own
// functions and plain arithmetic give for the same models and frame: partial dependence,
// variable importance, residuals, the models' correlation, SHAP sums; the HTML report opens in
// Chromium offline with no console error, draws its charts, and escapes hostile column names.

import { beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FloeError } from "../../src/core/errors.ts";
import { partialDependence } from "../../src/ml/explain/partial-dependence.ts";
import { explainData } from "../../src/ml/explain/report-data.ts";
import { loadModel } from "../../src/ml/modelfile.ts";
import { type Model, predictFrame } from "../../src/ml/scoring.ts";
import { openBrowser } from "../support/browser.ts";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";

const dir = tempDir();
const node = testNode(1);
const iris = join(FIXTURES, "iris.csv");
const gbmFile = join(dir, "gbm.floe");
const glmFile = join(dir, "glm.floe");
const HOSTILE = "<script>alert(1)</script>";
const hostileCsv = writeTemp(dir, "hostile.csv", readFileSync(iris, "utf8").replace("sepal_width", HOSTILE));
const hostileFile = join(dir, "hostile.floe");

async function train(args: string[]): Promise<void> {
  const r = await floe(["train", ...args, "--threads", "1", "--seed", "1"], { timeoutMs: 60_000 });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

beforeAll(async () => {
  await train([iris, "--y", "sepal_length", "--algo", "gbm", "--ntrees", "10", "--out", gbmFile]);
  await train([iris, "--y", "sepal_length", "--algo", "glm", "--out", glmFile]);
  await train([hostileCsv, "--y", "sepal_length", "--algo", "gbm", "--ntrees", "5", "--out", hostileFile]);
}, 120_000);

interface Report {
  models: { model_id: string; metrics: { RMSE: number } | null }[];
  columns: string[];
  notes: string[];
  leaderboard: { columns: string[]; sort_metric: string; rows: Record<string, number | string>[] };
  varimp: { model_id: string; variables: { variable: string; relative_importance: number }[] }[];
  model_correlation: { models: string[]; correlation: number[][] };
  residuals: { model_id: string; rows: number[]; fitted: number[]; residuals: number[] }[];
  shap_summary: { model_id: string; features: string[]; contributions: number[][] }[];
  local: { kind: string; model_id: string; row: number; bias: number; raw_prediction: number; contributions: { variable: string; contribution: number }[] }[];
  pdp: {
    column: string;
    grid: (number | string | null)[];
    lines: { model_id: string; mean_response: number[]; stddev_response: number[]; std_error_mean_response: number[] }[];
    ice?: { rows: number[]; responses: number[][] };
  }[];
}

async function explainJson(args: string[]): Promise<Report> {
  const r = await floe(["explain", ...args, "--json", "--threads", "1"], { timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** Each row's prediction of a regression model on iris. */
async function predictions(model: Model): Promise<number[]> {
  const frame = (await node.importFrame({ kind: "file", path: iris }).done).frame;
  return (await predictFrame(node.executor, model, frame, [])).flatMap((sc) => Array.from(sc.p));
}

function pearson(a: number[], b: number[]): number {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(a), mean(b)];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

test("--json: PDP equals partialDependence's, varimp the models', residuals and correlation the predictions', SHAP sums the prediction", async () => {
  const report = await explainJson([gbmFile, glmFile, iris, "--rows", "0,100"]);
  const gbm = loadModel(gbmFile);
  const glm = loadModel(glmFile);
  expect(report.models.map((m) => m.model_id)).toEqual([gbm.model_id, glm.model_id]);

  // Partial dependence: the shared function's numbers for the same model and frame.
  const frame = (await node.importFrame({ kind: "file", path: iris }).done).frame;
  expect(report.pdp.length).toBe(4);
  for (const plot of report.pdp) {
    for (const [k, model] of [gbm, glm].entries()) {
      const [table] = await partialDependence(node.executor, model, frame, { cols: [plot.column], includeNa: true });
      expect(plot.grid).toEqual(table.values[0].map((v) => v));
      expect(plot.lines[k].model_id).toBe(model.model_id);
      expect(plot.lines[k].mean_response).toEqual([...table.mean_response]);
      expect(plot.lines[k].stddev_response).toEqual([...table.stddev_response]);
    }
  }
  // The columns of interest: the first model's top 4 inputs by importance (iris has 4 predictors).
  expect(new Set(report.columns)).toEqual(new Set(["sepal_width", "petal_length", "petal_width", "species"]));
  expect(report.columns[0]).toBe(gbm.varimp[0].variable);

  expect(report.varimp.map((v) => v.variables)).toEqual([JSON.parse(JSON.stringify(gbm.varimp)), JSON.parse(JSON.stringify(glm.varimp))]);

  // Residuals: sepal_length − prediction, row by row (iris has 150 rows: all are drawn).
  const actual = readFileSync(iris, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => Number(l.split(",")[0]));
  const gbmPredictions = await predictions(gbm);
  const glmPredictions = await predictions(glm);
  expect(report.residuals[0].rows.length).toBe(150);
  report.residuals[0].residuals.forEach((r, i) => expect(r).toBeCloseTo(actual[i] - gbmPredictions[i], 12));
  expect(report.model_correlation.correlation[0][1]).toBeCloseTo(pearson(gbmPredictions, glmPredictions), 12);
  expect(report.model_correlation.correlation[0][0]).toBe(1);

  // The leaderboard's RMSE on this data equals the RMSE computed from the predictions.
  const mse = (p: number[]) => actual.reduce((s, y, i) => s + (y - p[i]) ** 2, 0) / actual.length;
  const rmse = Math.sqrt(mse(gbmPredictions));
  // The leaderboard, best first by mean residual deviance (H2O's default for regression; the MSE of a gaussian model), whatever the order given.
  const best = mse(gbmPredictions) <= mse(glmPredictions) ? [gbm.model_id, glm.model_id] : [glm.model_id, gbm.model_id];
  expect(report.leaderboard.sort_metric).toBe("mean_residual_deviance");
  expect(report.leaderboard.rows.map((r) => r.model_id)).toEqual(best);
  const reversed = await explainJson([glmFile, gbmFile, iris, "--include-explanations", "leaderboard"]);
  expect(reversed.models.map((m) => m.model_id)).toEqual([glm.model_id, gbm.model_id]);
  expect(reversed.leaderboard.rows.map((r) => r.model_id)).toEqual(best);
  expect(report.leaderboard.rows.find((r) => r.model_id === gbm.model_id)?.rmse as number).toBeCloseTo(rmse, 10);

  // Local explanations: bias plus contributions is the row's prediction (identity link).
  expect(report.local.map((l) => [l.kind, l.model_id, l.row])).toEqual([
    ["contributions", gbm.model_id, 0],
    ["contributions", glm.model_id, 0],
    ["contributions", gbm.model_id, 100],
    ["contributions", glm.model_id, 100],
  ]);
  for (const l of report.local) {
    const p = (l.model_id === gbm.model_id ? gbmPredictions : glmPredictions)[l.row];
    expect(l.bias + l.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(p, 9);
  }
  expect(report.shap_summary.map((s) => s.model_id)).toEqual([gbm.model_id, glm.model_id]);
  expect(report.shap_summary[0].contributions[0].length).toBe(150);
}, 120_000);

test("the HTML report holds every section, opens offline in Chromium without errors and draws its charts", async () => {
  const out = join(dir, "report.html");
  const r = await floe(["explain", gbmFile, glmFile, iris, "--out", out, "--threads", "1"], { timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  const html = readFileSync(out, "utf8");
  for (const title of [
    "Models",
    "Leaderboard",
    "Residual Analysis",
    "Variable Importance",
    "Variable Importance Heatmap",
    "Model Correlation",
    "SHAP Summary",
    "Partial Dependence Plots",
    "Individual Conditional Expectation",
    "Local Explanations",
  ]) {
    expect(html).toContain(`<h2>${title}</h2>`);
  }
  expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);

  const { browser, page } = await openBrowser(20_000);
  try {
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (q) => requests.push(q.url()));
    await page.goto(`file://${out}`);
    const canvases = await page.locator("canvas").count();
    expect(canvases).toBeGreaterThan(10);
    // Every canvas got a chart, and charts drew something.
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { Chart: { instances: object } }).Chart.instances).length)).toBe(canvases);
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file:"))).toEqual([]);
  } finally {
    await browser.close();
  }
}, 120_000);

test("a column named like markup is escaped in the report and runs no script", async () => {
  const out = join(dir, "hostile.html");
  const r = await floe(["explain", hostileFile, hostileCsv, "--out", out, "--threads", "1"], { timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  const html = readFileSync(out, "utf8");
  expect(html).not.toContain(HOSTILE);
  expect(html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
  const { browser, page } = await openBrowser(20_000);
  try {
    const dialogs: string[] = [];
    page.on("dialog", async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    await page.goto(`file://${out}`);
    expect(await page.locator("canvas").count()).toBeGreaterThan(0);
    expect(dialogs).toEqual([]);
  } finally {
    await browser.close();
  }
}, 60_000);

test("bad input: one clear line each", async () => {
  const run = (args: string[]) => floe(["explain", ...args, "--threads", "1"], { timeoutMs: 30_000 });
  const noModel = await run([iris, "--json"]);
  expect(noModel.code).toBe(2);
  expect(noModel.stderr).toBe("floe: give one or more model files and then the data: floe explain MODEL.floe DATA --out report.html\n");

  const noOut = await run([gbmFile, iris]);
  expect(noOut.code).toBe(2);
  expect(noOut.stderr).toContain("--out report.html");

  const wrongData = await run([gbmFile, join(FIXTURES, "penguins.csv"), "--json"]);
  expect(wrongData.code).toBe(1);
  expect(wrongData.stderr).toMatch(/^floe: the data lacks columns 'sepal_width', 'petal_length', 'petal_width' that model '.+' reads\n$/);

  const unknownColumn = await run([gbmFile, iris, "--json", "--columns", "petal_lenght"]);
  expect(unknownColumn.stderr).toBe("floe: unknown column 'petal_lenght'; the frame has: sepal_length, sepal_width, petal_length, petal_width, species\n");

  const badRow = await run([gbmFile, iris, "--json", "--rows", "150"]);
  expect(badRow.stderr).toBe("floe: --rows: row 150 is not in the data (rows 0 to 149)\n");

  const badSection = await run([gbmFile, iris, "--json", "--include-explanations", "shap"]);
  expect(badSection.code).toBe(2);
  expect(badSection.stderr).toContain("unknown explanation 'shap'");
}, 60_000);

test("--columns picks the PDP columns; a multinomial model gets a line per class and a note instead of a SHAP summary", async () => {
  const multi = join(dir, "multi.floe");
  await train([iris, "--y", "species", "--algo", "gbm", "--ntrees", "3", "--out", multi]);
  const report = await explainJson([multi, iris, "--columns", "petal_width", "--exclude-explanations", "local,ice"]);
  expect(report.columns).toEqual(["petal_width"]);
  expect(report.pdp.map((p) => p.column)).toEqual(["petal_width"]);
  expect(report.pdp[0].lines.map((l) => (l as unknown as { target: string }).target)).toEqual(["Iris-setosa", "Iris-versicolor", "Iris-virginica"]);
  // At each grid value the class probabilities' means add up to 1.
  for (let g = 0; g < report.pdp[0].grid.length; g++) expect(report.pdp[0].lines.reduce((s, l) => s + l.mean_response[g], 0)).toBeCloseTo(1, 12);
  expect(report.shap_summary).toBeUndefined();
  expect(report.notes.some((n) => n.startsWith("SHAP summary: left out for multinomial models"))).toBe(true);
  expect(report.local).toBeUndefined();
}, 60_000);

test("a model without exact contributions: the SHAP summary is skipped with a note saying why, its rows get a local surrogate", async () => {
  const dl = join(dir, "dl.floe");
  await train([iris, "--y", "sepal_length", "--algo", "deeplearning", "--epochs", "2", "--hidden", "8", "--out", dl]);
  const report = (await explainJson([dl, iris, "--include-explanations", "shap_summary,local", "--rows", "5"])) as unknown as {
    shap_summary: unknown[];
    notes: string[];
    local: { kind: string; row: number; prediction: number; r2: number; weights: { variable: string }[] }[];
  };
  expect(report.shap_summary).toEqual([]);
  expect(report.notes).toEqual([expect.stringMatching(/^SHAP summary: model 'deeplearning_1' \(deeplearning\) skipped: background_frame is required for deeplearning models/)]);
  expect(report.local.map((l) => [l.kind, l.row])).toEqual([["surrogate", 5]]);
  expect(report.local[0].prediction).toBeCloseTo((await predictions(loadModel(dl)))[5], 12);
  expect(new Set(report.local[0].weights.map((w) => w.variable))).toEqual(new Set(["sepal_width", "petal_length", "petal_width", "species"]));
}, 60_000);

test("binomial, data on stdin, JSON to --out x.json: contributions sum to the log-odds of the predicted probability", async () => {
  const lines = readFileSync(iris, "utf8").trim().split("\n");
  const text = [
    "sepal_length,sepal_width,petal_length,petal_width,virginica",
    ...lines.slice(1).map((l) => {
      const cells = l.split(",");
      return [...cells.slice(0, 4), cells[4] === "Iris-virginica" ? "yes" : "no"].join(",");
    }),
  ].join("\n");
  const csv = writeTemp(dir, "binomial.csv", text);
  const model = join(dir, "binomial.floe");
  await train([csv, "--y", "virginica", "--algo", "gbm", "--ntrees", "5", "--out", model]);
  const out = join(dir, "binomial.json");
  const r = await floe(["explain", model, "-", "--out", out, "--rows", "120", "--threads", "1"], { stdin: text, timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  expect(r.stdout).toBe("");
  const report = JSON.parse(readFileSync(out, "utf8")) as Report & { models: { metrics: { confusion_matrix: number[][] } }[] };
  const p = (await predictFrame(node.executor, loadModel(model), (await node.importFrame({ kind: "file", path: csv }).done).frame, [])).flatMap((sc) => Array.from(sc.p));
  const [local] = report.local;
  expect(local.row).toBe(120);
  expect(local.raw_prediction).toBeCloseTo(Math.log(p[120] / (1 - p[120])), 9);
  // The confusion matrix counts the 150 rows: 50 of them virginica.
  const cm = report.models[0].metrics.confusion_matrix;
  expect(cm[1][0] + cm[1][1]).toBe(50);
  expect(cm.flat().reduce((s, n) => s + n, 0)).toBe(150);
}, 60_000);

test("a cancelled explanation ends as cancelled (Ctrl-C: exit 130), not as an internal error", async () => {
  const frame = (await node.importFrame({ kind: "file", path: iris }).done).frame;
  const aborter = new AbortController();
  aborter.abort();
  const err = await explainData(node.executor, [loadModel(gbmFile)], frame, { signal: aborter.signal }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FloeError);
  expect((err as FloeError).code).toBe("cancelled");
});

test("an unsupervised model is refused with one line; models of different responses cannot share a report", async () => {
  const kmeans = join(dir, "kmeans.floe");
  await train([iris, "--algo", "kmeans", "--k", "3", "--out", kmeans]);
  const r = await floe(["explain", kmeans, iris, "--json", "--threads", "1"], { timeoutMs: 30_000 });
  expect(r.code).toBe(1);
  expect(r.stderr).toBe("floe: model 'kmeans_1' is a clustering model: explain needs supervised models (regression or classification)\n");
  const multi = join(dir, "species.floe");
  await train([iris, "--y", "species", "--algo", "glm", "--out", multi]);
  const mixed = await floe(["explain", gbmFile, multi, iris, "--json", "--threads", "1"], { timeoutMs: 30_000 });
  expect(mixed.code).toBe(1);
  expect(mixed.stderr).toMatch(/^floe: model 'glm_1' \(multinomial of 'species'\) does not predict what 'gbm_1' does \(regression of 'sepal_length'\): explain models of one response together\n$/);
}, 60_000);
