// floe train / predict / eval as a user runs them.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, writeTemp } from "../support/node.ts";

const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
const classes = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"];

test("the seed workflow: iris, 80/20 split, DRF 50 trees depth 10, 5-fold CV", async () => {
  const r = await floe(["train", iris, "-y", "species", "--algo", "drf", "--ntrees", "50", "--max-depth", "10", "--nfolds", "5", "--split", "0.8", "--seed", "1234", "--json"]);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(Object.keys(out)).toEqual(expect.arrayContaining(["model_id", "algo", "params", "metrics", "varimp", "scoring_history"]));
  expect(out).toMatchObject({ algo: "drf", ntrees: 50, params: { ntrees: 50, max_depth: 10, nfolds: 5, seed: 1234 } });
  const { training, validation, cross_validation } = out.metrics;
  expect(training.nobs + validation.nobs).toBe(150);
  expect(cross_validation.nobs).toBe(training.nobs);
  for (const m of [training, validation, cross_validation]) {
    expect(m.confusion_matrix.length).toBe(3);
    expect(m.mean_per_class_error).toBeLessThan(0.15);
  }
  expect(out.varimp.map((v: { variable: string }) => v.variable).sort()).toEqual(["petal_length", "petal_width", "sepal_length", "sepal_width"]);
  // The same command without --json prints every block.
  const text = await floe(["train", iris, "-y", "species", "--algo", "drf", "--ntrees", "50", "--max-depth", "10", "--nfolds", "5", "--split", "0.8", "--seed", "1234"]);
  for (const block of ["Training metrics (out-of-bag):", "Cross-validation metrics (5 folds):", "Validation metrics:", "confusion matrix:", "Variable importance:"]) {
    expect(text.stdout).toContain(block);
  }
});

test("train --out, then predict and eval with the model file, from a file and from stdin", async () => {
  const model = join(dir, "iris-gbm.floe");
  const trained = await floe(["train", iris, "-y", "species", "--ntrees", "20", "--seed", "7", "--out", model, "--json"]);
  expect(trained.code).toBe(0);
  const training = JSON.parse(trained.stdout).metrics.training;

  const pred = await floe(["predict", model, iris]);
  expect(pred.code).toBe(0);
  const lines = pred.stdout.trimEnd().split("\n");
  expect(lines[0]).toBe(`predict,${classes.join(",")}`);
  expect(lines.length).toBe(151);
  for (const line of lines.slice(1)) {
    const [label, ...p] = line.split(",");
    const probs = p.map(Number);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(label).toBe(classes[probs.indexOf(Math.max(...probs))]);
  }
  const piped = await floe(["predict", model, "-"], { stdin: Bun.file(iris) });
  expect(piped.stdout).toBe(pred.stdout);
  // predict streams the input in chunks: tiny chunks, and columns in another order, change nothing.
  const reordered = writeTemp(
    dir,
    "iris-reordered.csv",
    (await Bun.file(iris).text())
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(",").reverse().join(","))
      .join("\n"),
  );
  const streamed = await floe(["predict", model, reordered, "--chunk-rows", "7"]);
  expect(streamed.stdout).toBe(pred.stdout);

  // Scoring the training file again reproduces the training metrics exactly.
  const ev = await floe(["eval", model, iris, "--json"]);
  expect(ev.code).toBe(0);
  const metrics = JSON.parse(ev.stdout).metrics;
  expect(metrics.logloss).toBe(training.logloss);
  expect(metrics.confusion_matrix).toEqual(training.confusion_matrix);
  // eval streams in batches too: tiny chunks give the same metrics
  const batched = await floe(["eval", model, iris, "--json", "--chunk-rows", "11"]);
  expect(JSON.parse(batched.stdout).metrics.confusion_matrix).toEqual(training.confusion_matrix);
  expect(JSON.parse(batched.stdout).metrics.logloss).toBeCloseTo(training.logloss, 12);
  const noResponse = await floe(["eval", model, join(FIXTURES, "mixed.csv")]);
  expect([noResponse.code, noResponse.stderr]).toEqual([1, `floe: ${join(FIXTURES, "mixed.csv")}: no column 'species'\n`]);
});

test("cat file | floe train - for a binomial GBM; predict writes class 1 by the max-F1 threshold", async () => {
  const rows = Array.from({ length: 300 }, (_, i) => `${i % 30},${(i * 7) % 11},${i % 30 < 12 ? "no" : "yes"}`);
  const path = writeTemp(dir, "bin.csv", `x,z,label\n${rows.join("\n")}\n`);
  const model = join(dir, "bin.floe");
  const r = await floe(["train", "-", "-y", "label", "--ntrees", "10", "--seed", "1", "--out", model, "--json"], { stdin: Bun.file(path) });
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).metrics.training.AUC).toBe(1);
  const pred = await floe(["predict", model, path]);
  const lines = pred.stdout.trimEnd().split("\n");
  expect(lines[0]).toBe("predict,no,yes");
  expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(rows.map((r) => r.split(",")[2]));
});

test("train and predict refuse bad input with one line", async () => {
  const cases: [string[], number, string | RegExp][] = [
    [["train", iris, "-y", "nope"], 1, /^floe: response column 'nope' is not in the frame/],
    [["train", iris, "-y", "species", "--algo", "drf", "--learn-rate", "0.1"], 2, "floe: drf has no parameter --learn-rate\n"],
    [["train", iris, "-y", "species", "--algo", "xgb"], 2, /^floe: --algo 'xgb' is not one of gbm, drf(, \w+)+\n$/],
    [["train", iris, "-y", "species", "--ntrees", "many"], 2, 'floe: gbm parameter ntrees="many": not a number\n'],
    [["train", iris, "-y", "species", "--split", "0.001", "--seed", "1"], 1, "floe: --split 0.001 leaves no training rows\n"],
    [["predict", join(dir, "none.floe"), iris], 1, `floe: ${join(dir, "none.floe")}: no such model file\n`],
    [["train", iris, "-y", "species", "--valid", join(FIXTURES, "mixed.csv")], 1, "floe: the validation frame has no response column 'species'\n"],
    [["predict", iris, iris], 1, `floe: ${iris}: not a floe model file (not gzip data)\n`],
  ];
  for (const [args, code, message] of cases) {
    const r = await floe(args);
    expect(r.code).toBe(code);
    if (typeof message === "string") expect(r.stderr).toBe(message);
    else expect(r.stderr).toMatch(message);
  }
  const single = writeTemp(dir, "single.csv", "x,label\n1,a\n2,a\n");
  const one = await floe(["train", single, "-y", "label"]);
  expect([one.code, one.stderr]).toEqual([1, "floe: response column 'label' has a single class ('a'): a classifier needs at least two\n"]);
});

test("glm through the CLI: train --json with H2O's coefficient table, predict and eval from the model file", async () => {
  const rows = Array.from({ length: 200 }, (_, i) => `${(i * 37) % 100},${"abc"[i % 3]},${((i * 37) % 100) + 20 * (i % 3) + ((i * 17) % 23) > 60 ? "yes" : "no"}`);
  const path = writeTemp(dir, "glm.csv", `x,g,label\n${rows.join("\n")}\n`);
  const model = join(dir, "glm.floe");
  const r = await floe(["train", path, "-y", "label", "--algo", "glm", "--lambda", "0", "--compute-p-values", "true", "--out", model, "--json"]);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(Object.keys(out)).toEqual(expect.arrayContaining(["model_id", "algo", "params", "metrics", "varimp", "scoring_history", "coefficients_table"]));
  expect(out).toMatchObject({ algo: "glm", family: "binomial", link: "logit", lambda: 0, params: { family: "binomial", solver: "IRLSM" } });
  expect(out.coefficients_table.names).toEqual(["Intercept", "g.b", "g.c", "x"]);
  expect(Object.keys(out.coefficients_table)).toEqual(["names", "coefficients", "std_error", "z_value", "p_value", "standardized_coefficients"]);
  const training = out.metrics.training;
  expect(training.residual_degrees_of_freedom).toBe(196);
  expect(training.AIC).toBeCloseTo(training.residual_deviance + 8, 10);
  const pred = await floe(["predict", model, path]);
  const lines = pred.stdout.trimEnd().split("\n");
  expect(lines[0]).toBe("predict,no,yes");
  expect(lines.length).toBe(201);
  const ev = await floe(["eval", model, path, "--json"]);
  const metrics = JSON.parse(ev.stdout).metrics;
  expect(metrics.AUC).toBe(training.AUC);
  expect(metrics.residual_deviance).toBeCloseTo(training.residual_deviance, 9);
  // Unsupervised algorithms take no response; GLM needs one.
  const noY = await floe(["train", path, "--algo", "glm"]);
  expect([noY.code, noY.stderr]).toEqual([2, "floe: glm needs a response column (-y)\n"]);
});
