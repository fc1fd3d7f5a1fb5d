// Naive Bayes: hand-worked posteriors on categorical data, Gaussian tables and posteriors
// on iris against independent computations, metrics, model files, threads, bad input
// and the CLI.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Frame } from "../../src/core/frame.ts";
import { InlineExecutor } from "../../src/core/mr.ts";
import type { BinomialMetrics } from "../../src/ml/metrics/binomial.ts";
import type { MultinomialMetrics } from "../../src/ml/metrics/multinomial.ts";
import { deserializeModel, serializeModel } from "../../src/ml/modelfile.ts";
import type { NaiveBayesModel } from "../../src/ml/naivebayes/model.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { type Model, predictFrame } from "../../src/ml/scoring.ts";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const nb = algorithm("naivebayes")!;
const IRIS = join(FIXTURES, "iris.csv");

async function load(path: string, opts: { chunkRows?: number; colTypes?: Record<string, "enum" | "numeric"> } = {}): Promise<Frame> {
  return (await node.importFrame({ kind: "file", path }, opts).done).frame;
}

function csv(name: string, header: string, rows: (string | number)[][]): string {
  return writeTemp(dir, name, `${header}\n${rows.map((r) => r.join(",")).join("\n")}\n`);
}

async function train(frame: Frame, y: string, params: Record<string, unknown> = {}, executor = node.executor): Promise<NaiveBayesModel> {
  const { model } = await nb.train(executor, { modelId: "nb", frame, y, x: null, params: { seed: 1, ...params } });
  return model as NaiveBayesModel;
}

async function outputs(model: Model, frame: Frame, warnings: string[] = [], executor = node.executor): Promise<number[]> {
  const scored = await predictFrame(executor, model, frame, warnings);
  return scored.flatMap((s) => Array.from(s.p));
}

/** P(yes) from a binomial model's outputs (p is P(class 1), class order as in the domain). */
function pYes(model: NaiveBayesModel, p: number[]): number[] {
  return model.response.domain[1] === "yes" ? p : p.map((q) => 1 - q);
}

function expectClose(actual: readonly number[], expected: readonly number[], rel = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(rel * Math.max(Math.abs(expected[i]), 1e-300));
}

// Six rows; the fourth misses x2, which is skipped for x2 only (its class and x1 count).
// Classes: yes 4, no 2. x1|yes: a 2, b 2; x1|no: b 2. x2|yes: u 2, v 1; x2|no: u 1, v 1.
const SMALL = [
  ["a", "u", "yes"],
  ["a", "v", "yes"],
  ["b", "u", "yes"],
  ["b", "", "yes"],
  ["b", "u", "no"],
  ["b", "v", "no"],
];
const SMALL_TYPES = { x1: "enum", x2: "enum", y: "enum" } as const;

test("hand-worked categorical posteriors without smoothing (min_prob stands in for a zero count)", async () => {
  const frame = await load(csv("small.csv", "x1,x2,y", SMALL), { colTypes: SMALL_TYPES });
  const model = await train(frame, "y");
  const yes = model.response.domain.indexOf("yes");
  expectClose([model.apriori[yes], model.apriori[1 - yes]], [4 / 6, 2 / 6]);
  // P(yes | row) = P(yes)·ΠP(x|yes) / Σ over classes; P(x1=a | no) = 0 → min_prob 0.001.
  const m = 0.001;
  const post = (py: number, pn: number) => py / (py + pn);
  const expected = [
    post((4 / 6) * (2 / 4) * (2 / 3), (2 / 6) * m * (1 / 2)), // a,u
    post((4 / 6) * (2 / 4) * (1 / 3), (2 / 6) * m * (1 / 2)), // a,v
    post((4 / 6) * (2 / 4) * (2 / 3), (2 / 6) * 1 * (1 / 2)), // b,u = 4/7
    post((4 / 6) * (2 / 4), (2 / 6) * 1), // b,NA = 1/2
    4 / 7,
    post((4 / 6) * (2 / 4) * (1 / 3), (2 / 6) * 1 * (1 / 2)), // b,v = 2/5
  ];
  expectClose(pYes(model, await outputs(model, frame)), expected);
});

test("hand-worked categorical posteriors with laplace = 1 (priors smoothed too, as H2O)", async () => {
  const frame = await load(csv("small1.csv", "x1,x2,y", SMALL), { colTypes: SMALL_TYPES });
  const model = await train(frame, "y", { laplace: 1 });
  const yes = model.response.domain.indexOf("yes");
  // Priors (4+1)/(6+2), (2+1)/(6+2); x1|yes (2+1)/(4+2) each; x1|no a 1/4, b 3/4;
  // x2|yes u 3/5, v 2/5; x2|no u 2/4, v 2/4.
  expectClose([model.apriori[yes], model.apriori[1 - yes]], [5 / 8, 3 / 8]);
  const x1 = model.predictors.find((f) => f.name === "x1")!;
  const a = x1.domain!.indexOf("a");
  expectClose([x1.table[yes * 2 + a], x1.table[(1 - yes) * 2 + a], x1.table[(1 - yes) * 2 + 1 - a]], [1 / 2, 1 / 4, 3 / 4]);
  expectClose(pYes(model, await outputs(model, frame)), [4 / 5, 8 / 11, 4 / 7, 10 / 19, 4 / 7, 8 / 17]);
});

test("a class's zero sd is replaced by min_sdev; a density that underflows counts as min_prob", async () => {
  const frame = await load(
    csv("sd0.csv", "x,y", [
      [1, "A"],
      [1, "A"],
      [2, "B"],
      [4, "B"],
    ]),
    { colTypes: { y: "enum" } },
  );
  const model = await train(frame, "y");
  const x = model.predictors[0];
  const A = model.response.domain.indexOf("A");
  expectClose([x.table[A * 2], x.table[A * 2 + 1], x.table[(1 - A) * 2], x.table[(1 - A) * 2 + 1]], [1, 0, 3, Math.SQRT2]);
  const normal = (v: number, mean: number, sd: number) => Math.exp(-((v - mean) ** 2) / (2 * sd * sd)) / (sd * Math.sqrt(2 * Math.PI));
  const score = await load(csv("sd0-score.csv", "x", [[1], [3]]));
  const pA = (await outputs(model, score)).map((p) => (A === 1 ? p : 1 - p));
  const dA1 = normal(1, 1, 0.001);
  const dB1 = normal(1, 3, Math.SQRT2);
  // At x = 3, class A's density exp(−2·10⁶)/… underflows to 0: H2O substitutes min_prob.
  const dB3 = normal(3, 3, Math.SQRT2);
  expectClose(pA, [dA1 / (dA1 + dB1), 0.001 / (0.001 + dB3)], 1e-9);
});

/** Iris rows straight from the CSV: four measurements and the species. */
function irisRows(): { x: number[][]; y: string[] } {
  const lines = readFileSync(IRIS, "utf8").trim().split("\n").slice(1);
  const cells = lines.map((l) => l.split(","));
  return { x: cells.map((c) => c.slice(0, 4).map(Number)), y: cells.map((c) => c[4]) };
}

test("iris: per-class means and sample sds equal a direct two-pass computation from the CSV rows", async () => {
  const model = await train(await load(IRIS, { chunkRows: 16 }), "species");
  const { x, y } = irisRows();
  const domain = model.response.domain;
  for (const [j, f] of model.predictors.entries()) {
    expect(f.name).toBe(["sepal_length", "sepal_width", "petal_length", "petal_width"][j]);
    for (const [k, cls] of domain.entries()) {
      const v = x.filter((_, i) => y[i] === cls).map((r) => r[j]);
      const mean = v.reduce((s, t) => s + t, 0) / v.length;
      const sd = Math.sqrt(v.reduce((s, t) => s + (t - mean) ** 2, 0) / (v.length - 1));
      expect(f.table[k * 2]).toBeCloseTo(mean, 12);
      expect(f.table[k * 2 + 1]).toBeCloseTo(sd, 12);
    }
  }
  expectClose(Array.from(model.apriori), [1 / 3, 1 / 3, 1 / 3]);
});

test("iris posteriors equal the H2O formula (sample sd) in numpy; classes agree with scikit-learn's GaussianNB", async () => {
  const frame = await load(IRIS);
  const model = await train(frame, "species");
  expect(model.category).toBe("Multinomial");
  const p = await outputs(model, frame);
  // /usr/bin/python3: X, y from fixtures/iris.csv; prior = class frequencies; mu, sd =
  // per-class X.mean(0), X.std(0, ddof=1); ll = log(prior) + Σ_j (−½((x−mu)/sd)² −
  // log(sd·√(2π))); P = exp(ll − ll.max(1)) / sum; printed P[i].tolist() for these rows.
  const reference: Record<number, number[]> = {
    0: [1.0, 2.981309361408267e-18, 2.1523731218309685e-25],
    50: [4.8930481842359156e-107, 0.8018652804113825, 0.19813471958861742],
    70: [1.0533412959605657e-127, 0.1609360524821332, 0.839063947517867],
    77: [7.014282348431564e-136, 0.07989607117726784, 0.9201039288227323],
    83: [1.0873015705615862e-132, 0.6134354766988588, 0.3865645233011412],
    106: [3.444089935813518e-107, 0.9719884555061243, 0.028011544493875634],
    119: [2.0825096149713437e-123, 0.9561626084231557, 0.043837391576844215],
    133: [1.1286132160648078e-128, 0.711894831466585, 0.28810516853341483],
  };
  expect(model.response.domain).toEqual(["Iris-setosa", "Iris-versicolor", "Iris-virginica"]);
  for (const [row, probs] of Object.entries(reference)) expectClose(p.slice(Number(row) * 3, Number(row) * 3 + 3), probs, 1e-9);
  // sklearn.naive_bayes.GaussianNB().fit(X, y) (population variance + var_smoothing)
  // misclassifies exactly rows 52, 70, 77, 106, 119, 133 (np.where(g.predict(X) != y)[0]).
  const { y } = irisRows();
  const wrong: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const row = p.slice(i * 3, i * 3 + 3);
    if (model.response.domain[row.indexOf(Math.max(...row))] !== y[i]) wrong.push(i);
  }
  expect(wrong).toEqual([52, 70, 77, 106, 119, 133]);
});

test("training metrics: the confusion matrix and logloss of the posteriors", async () => {
  const frame = await load(IRIS);
  const model = await train(frame, "species");
  const m = model.metrics.training as MultinomialMetrics;
  expect(m.nobs).toBe(150);
  // Diagonal: 50 setosa right; versicolor rows 52, 70, 77 and virginica 106, 119, 133 swapped.
  expect(m.confusion_matrix).toEqual([
    [50, 0, 0],
    [0, 47, 3],
    [0, 3, 47],
  ]);
  const p = await outputs(model, frame);
  const { y } = irisRows();
  let logloss = 0;
  for (let i = 0; i < y.length; i++) logloss -= Math.log(Math.max(p[i * 3 + model.response.domain.indexOf(y[i])], 1e-15));
  expect(m.logloss).toBeCloseTo(logloss / 150, 12);
  expect(model.varimp).toEqual([]);

  const off = await train(frame, "species", { compute_metrics: false });
  expect(off.metrics.training).toBeNull();
});

test("binomial: p is P(class 1) and the threshold is the training max-F1 threshold", async () => {
  const rows = Array.from({ length: 60 }, (_, i) => [(i % 30) + ((i * 7) % 5) * 0.3, i % 30 < 15 ? "no" : "yes"]);
  const frame = await load(csv("bin.csv", "x,label", rows), { colTypes: { label: "enum" } });
  const model = await train(frame, "label");
  expect(model.category).toBe("Binomial");
  const scored = await predictFrame(node.executor, model, frame, []);
  expect(scored.every((s) => s.width === 1)).toBe(true);
  const m = model.metrics.training as BinomialMetrics;
  expect(model.threshold).toBe(m.max_f1_threshold);
  expect(m.confusion_matrix.flat().reduce((a, b) => a + b, 0)).toBe(60);
  expect(m.AUC).toBeGreaterThan(0.95);
});

test("a saved and loaded model predicts what the trained one does; 1 and 2 threads give the same model", async () => {
  const frame = await load(IRIS, { chunkRows: 16 });
  const model = await train(frame, "species", { laplace: 0.5 });
  const loaded = deserializeModel(serializeModel(model, "test"), "model");
  expect(await outputs(loaded, frame)).toEqual(await outputs(model, frame));
  const inline = new InlineExecutor();
  const one = await train(frame, "species", { laplace: 0.5 }, inline);
  expect(one.predictors).toEqual(model.predictors);
  expect(Array.from(one.apriori)).toEqual(Array.from(model.apriori));
  expect(await outputs(one, frame, [], inline)).toEqual(await outputs(model, frame));
});

test("bad input: a numeric response asks for an enum; a single-class response is refused", async () => {
  const frame = await load(
    csv("num.csv", "x,y", [
      [1, 0],
      [2, 1],
      [3, 0],
    ]),
  );
  await expect(train(frame, "y")).rejects.toThrow("make it an enum (--col-types y:enum)");
  const single = await load(
    csv("one.csv", "x,y", [
      [1, "a"],
      [2, "a"],
    ]),
    { colTypes: { y: "enum" } },
  );
  await expect(train(single, "y")).rejects.toThrow("single class");
  await expect(train(single, "nope")).rejects.toThrow("response column 'nope' is not in the frame");
});

test("a level unseen in training scores as missing, with a warning", async () => {
  const frame = await load(csv("seen.csv", "x1,x2,y", SMALL), { colTypes: SMALL_TYPES });
  const model = await train(frame, "y", { laplace: 1 });
  const score = await load(
    csv("unseen.csv", "x1,x2", [
      ["b", "w"],
      ["b", ""],
    ]),
    { colTypes: { x1: "enum", x2: "enum" } },
  );
  const warnings: string[] = [];
  const p = pYes(model, await outputs(model, score, warnings));
  expect(warnings.some((w) => w.includes("'x2'") && w.includes("w"))).toBe(true);
  // Both rows are (b, missing): P(yes) = (5/8·1/2) / (5/8·1/2 + 3/8·3/4) = 10/19.
  expectClose(p, [10 / 19, 10 / 19]);
});

test("an all-missing predictor column is dropped, or without ignore_const_cols changes nothing; a missing response skips its row", async () => {
  // The last row has no response: left out of training and of the metrics, still scored.
  const rows = [...SMALL.map(([x1, x2, y]) => [x1, x2, "", y]), ["a", "u", "", ""]];
  const frame = await load(csv("allna.csv", "x1,x2,z,y", rows), { colTypes: { ...SMALL_TYPES, z: "numeric" } });
  const dropped = await train(frame, "y", { laplace: 1 });
  expect(dropped.predictors.map((f) => f.name)).toEqual(["x1", "x2"]);
  expect(dropped.notes).toContain("dropped constant column 'z'");
  const kept = await train(frame, "y", { laplace: 1, ignore_const_cols: false });
  expect(kept.predictors.map((f) => f.name)).toEqual(["x1", "x2", "z"]);
  expect(Array.from(kept.predictors[2].table).every(Number.isNaN)).toBe(true);
  expectClose(pYes(kept, await outputs(kept, frame)), [4 / 5, 8 / 11, 4 / 7, 10 / 19, 4 / 7, 8 / 17, 4 / 5]);
  expect(kept.metrics.training?.nobs).toBe(6);
});

test("CLI: train --json shows apriori and pcond; predict and eval read the model file", async () => {
  const out = join(dir, "nb.floe");
  const trained = await floe(["train", IRIS, "-y", "species", "--algo", "naivebayes", "--json", "--out", out, "--threads", "1"]);
  expect(trained.code).toBe(0);
  const json = JSON.parse(trained.stdout);
  expect(json.algo).toBe("naivebayes");
  expect(json.apriori).toHaveLength(3);
  expect(json.pcond.map((t: { column: string }) => t.column)).toEqual(["sepal_length", "sepal_width", "petal_length", "petal_width"]);
  expect(json.pcond[2].headers).toEqual(["Mean", "Std_Dev"]);
  expect(json.pcond[2].rows[0][0]).toBeCloseTo(1.462, 12);
  const predicted = await floe(["predict", out, IRIS, "--threads", "1"]);
  expect(predicted.code).toBe(0);
  const lines = predicted.stdout.trim().split("\n");
  expect(lines[0]).toBe("predict,Iris-setosa,Iris-versicolor,Iris-virginica");
  expect(lines).toHaveLength(151);
  expect(lines[71].startsWith("Iris-virginica,")).toBe(true); // row 70, misclassified (see above)
  const evaluated = await floe(["eval", out, IRIS, "--json", "--threads", "1"]);
  expect(evaluated.code).toBe(0);
  expect(JSON.parse(evaluated.stdout).metrics.confusion_matrix[1]).toEqual([0, 47, 3]);
});
