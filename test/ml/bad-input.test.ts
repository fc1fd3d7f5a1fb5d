// Training and scoring input that used to give a model without a word (issue 14, items 12
// and 13): a numeric response with junk read as classes, non-finite responses, min_rows
// above the data, predicting on data without the model's columns, rows dropped for a
// missing response, and cross-validation or mtries beyond what the data holds.

import { expect, test } from "bun:test";
import type { Frame } from "../../src/core/frame.ts";
import { algorithm } from "../../src/ml/registry.ts";
import type { TreeModel } from "../../src/ml/tree/model.ts";
import { predictFrame } from "../../src/ml/scoring.ts";
import { floe } from "../support/cli.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();

async function load(name: string, header: string, rows: (string | number)[][]): Promise<Frame> {
  const path = writeTemp(dir, name, `${header}\n${rows.map((r) => r.join(",")).join("\n")}\n`);
  return (await node.importFrame({ kind: "file", path }).done).frame;
}

/** The message a promise fails with, or "no error" (never the value: printing a model is slow). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "no error";
  } catch (e) {
    return (e as Error).message;
  }
}

function train(algo: string, frame: Frame, params: Record<string, unknown>, y: string | null = "y") {
  return algorithm(algo)!.train(node.executor, { modelId: algo, frame, y, x: null, params: { seed: 1, ...params } });
}

/** Parameters that train each algorithm quickly. */
const QUICK: Record<string, Record<string, unknown>> = { gbm: { ntrees: 2 }, drf: { ntrees: 2 }, glm: {}, deeplearning: { epochs: 1, hidden: [4] } };

/** 40 rows: y = 2·x + z, no missing values. */
const linear = () => Array.from({ length: 40 }, (_, i) => [i, i % 3, 2 * i + (i % 3)]);

test("a numeric response with junk strings is refused, naming the junk and --col-types", async () => {
  // 10% of the values are text, too many for the ingest to read the column as numbers:
  // it becomes a 94-class enum, which used to train a 94-class classifier.
  const junk = ["junk", "n/a?", "oops"];
  const frame = await load(
    "junk.csv",
    "x,y",
    Array.from({ length: 300 }, (_, i) => [i % 7, i % 10 === 0 ? junk[(i / 10) % 3] : ((i % 91) * 1.5).toFixed(1)]),
  );
  expect(frame.columns[1].type).toBe("enum");
  const err = train("gbm", frame, { ntrees: 2 });
  expect(await failure(err)).toMatch(/response column 'y' looks numeric: 91 of its 94 classes are numbers.*junk, n\/a\?, oops.*--col-types y:numeric/);
  expect(await failure(train("glm", frame, {}))).toMatch(/looks numeric/);
});

test("a response with inf or -inf is refused, naming the column and the rows", async () => {
  const rows = linear().map((r, i) => [r[0], r[1], i === 3 ? "inf" : i === 9 ? "-inf" : r[2]]);
  const frame = await load("inf.csv", "x,z,y", rows);
  for (const algo of ["gbm", "glm", "deeplearning"]) {
    expect(await failure(train(algo, frame, QUICK[algo]))).toContain("response column 'y' has 2 rows with infinite values");
  }
});

test("min_rows above half the rows is refused as H2O refuses it", async () => {
  const frame = await load("small.csv", "x,z,y", linear());
  expect(await failure(train("gbm", frame, { ntrees: 2, min_rows: 25 }))).toContain("The dataset size is too small to split for min_rows=25: must have at least 50 rows, but have only 40");
  expect(await failure(train("drf", frame, { ntrees: 2, min_rows: 21 }))).toContain("min_rows=21");
  // Exactly twice min_rows splits once, into two leaves of 20 rows.
  const { model } = await train("gbm", frame, { ntrees: 1, min_rows: 20, max_depth: 1 });
  expect((model as TreeModel).iterations[0][0].feature[0]).toBe(0);
});

test("predicting on data with none of the model's columns is refused; some missing ones are named", async () => {
  const frame = await load("fit.csv", "x,z,y", linear());
  const { model } = await train("gbm", frame, { ntrees: 2 });
  const other = await load("other.csv", "a,b", [
    [1, 2],
    [3, 4],
  ]);
  expect(await failure(predictFrame(node.executor, model, other, []))).toContain("none of the model's predictor columns (x, z) is in the data (its columns: a, b)");
  // floe predict streams its input: it refuses before writing a line.
  const modelFile = `${dir}/fit.floe`;
  expect((await floe(["train", writeTemp(dir, "fit-cli.csv", `x,z,y\n${linear().join("\n")}\n`), "--y", "y", "--ntrees", "2", "--seed", "1", "--out", modelFile])).code).toBe(0);
  const cli = await floe(["predict", modelFile, writeTemp(dir, "other-cli.csv", "a,b\n1,2\n")]);
  expect({ code: cli.code, stdout: cli.stdout, stderr: cli.stderr }).toEqual({
    code: 1,
    stdout: "",
    stderr: "floe: none of the model's predictor columns (x, z) is in the data (its columns: a, b)\n",
  });
  const partial = await load("partial.csv", "x,b", [
    [1, 2],
    [3, 4],
  ]);
  const warnings: string[] = [];
  await predictFrame(node.executor, model, partial, warnings);
  expect(warnings.join("\n")).toContain("column 'z' is missing");
});

test("rows with a missing response are counted in a note, in the model and in floe train's output", async () => {
  const rows = linear().map((r, i) => [r[0], r[1], i % 8 === 0 ? "" : r[2]]);
  const frame = await load("gaps.csv", "x,z,y", rows);
  const note = "5 rows with a missing response 'y' were left out of training";
  for (const algo of ["gbm", "glm", "deeplearning"]) expect((await train(algo, frame, QUICK[algo])).model.notes).toContain(note);
  const path = writeTemp(dir, "gaps-cli.csv", `x,z,y\n${rows.map((r) => r.join(",")).join("\n")}\n`);
  const out = await floe(["train", path, "--y", "y", "--ntrees", "2", "--seed", "1"]);
  expect(out.code).toBe(0);
  expect(out.stdout).toContain(`note: ${note}`);
});

test("nfolds must be 0 or 2..rows, and at most 100; the check is the same for every algorithm", async () => {
  const frame = await load("folds.csv", "x,z,y", linear());
  for (const algo of ["gbm", "drf", "glm", "deeplearning"]) {
    expect(await failure(train(algo, frame, { ...QUICK[algo], nfolds: 41 }))).toContain("nfolds=41 is more than the 40 rows with a response");
    expect(await failure(train(algo, frame, { ...QUICK[algo], nfolds: 1 }))).toContain("nfolds must be 0 (no cross-validation) or at least 2");
  }
  const many = await load(
    "many.csv",
    "x,z,y",
    Array.from({ length: 300 }, (_, i) => [i, i % 3, i]),
  );
  expect(await failure(train("gbm", many, { nfolds: 101, ntrees: 1 }))).toContain("nfolds=101 is more than floe allows (100)");
});

test("mtries must be -1, -2 or 1..the number of predictors", async () => {
  const frame = await load("mtries.csv", "x,z,y", linear());
  expect(await failure(train("drf", frame, { ntrees: 2, mtries: 0 }))).toContain(
    "mtries=0: must be -1 (sqrt of the predictors for classifiers, a third for regression), -2 (all) or 1 to 2 (the predictors)",
  );
  expect(await failure(train("drf", frame, { ntrees: 2, mtries: 3 }))).toContain("mtries=3");
  for (const mtries of [-2, -1, 1, 2]) expect((await train("drf", frame, { ntrees: 2, mtries })).model.algo).toBe("drf");
});
