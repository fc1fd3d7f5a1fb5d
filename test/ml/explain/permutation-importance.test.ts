// Permutation importance: seeded and repeatable on any thread count, a feature the model
// never uses gets exactly 0, and on data where y depends on x1 alone x1 ranks first.

import { expect, test } from "bun:test";
import { join } from "node:path";
import type { Frame } from "../../../src/core/frame.ts";
import { InlineExecutor } from "../../../src/core/mr.ts";
import { permutationImportance } from "../../../src/ml/explain/permutation-importance.ts";
import { algorithm } from "../../../src/ml/registry.ts";
import type { Model } from "../../../src/ml/scoring.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();
const dir = tempDir();

async function load(name: string, text: string, chunkRows: number): Promise<Frame> {
  const path = writeTemp(dir, name, text);
  return (await node.importFrame({ kind: "file", path }, { chunkRows }).done).frame;
}

async function train(algo: string, frame: Frame, y: string, x: string[], params: Record<string, unknown>): Promise<Model> {
  const { model } = await algorithm(algo)!.train(node.executor, { modelId: algo, frame, y, x, params: { seed: 3, ...params } });
  return model as Model;
}

// y is 10·x1 (x1 in {0, 1}); x2 and x3 are noise.
const lines = ["x1,x2,x3,y"];
for (let i = 0; i < 200; i++) {
  const x1 = (i * 7) % 3 === 0 ? 1 : 0;
  lines.push(`${x1},${(i * 37) % 101},${(i * 53) % 29},${10 * x1}`);
}
const text = lines.join("\n");
const frame = await load("xy.csv", text, 32);
// Depth-1 trees split on x1 alone: y is a function of x1, so every residual is too.
const stumps = await train("gbm", frame, "y", ["x1", "x2", "x3"], { ntrees: 3, max_depth: 1, min_rows: 1 });

test("a feature the model reads but never splits on gets exactly 0; the one y depends on ranks first", async () => {
  expect(stumps.varimp.find((v) => v.variable === "x2")?.relative_importance).toBe(0);
  const pi = await permutationImportance(node.executor, stumps, frame, { seed: 11, nRepeats: 2 });
  expect(pi.metric).toBe("RMSE");
  expect(pi.variables.map((v) => v.variable)[0]).toBe("x1");
  expect(pi.variables[0].importance).toBeGreaterThan(1);
  expect(pi.variables[0].scaled).toBe(1);
  for (const name of ["x2", "x3"]) {
    const v = pi.variables.find((x) => x.variable === name)!;
    expect(v.runs).toEqual([0, 0]);
    expect(v.importance).toBe(0);
  }
});

test("seeded: the same seed gives the same numbers on 1 or 2 threads and other chunkings; another seed other shuffles", async () => {
  const a = await permutationImportance(node.executor, stumps, frame, { seed: 5, nRepeats: 3 });
  expect(await permutationImportance(new InlineExecutor(), stumps, frame, { seed: 5, nRepeats: 3 })).toEqual(a);
  // Shuffles follow global row ids, so other chunks shuffle the same rows (the metric's sums may differ in the last bits).
  const rechunked = await permutationImportance(node.executor, stumps, await load("xy-again.csv", text, 7), { seed: 5, nRepeats: 3 });
  rechunked.variables.forEach((v, f) => {
    expect(v.variable).toBe(a.variables[f].variable);
    v.runs.forEach((r, k) => expect(r).toBeCloseTo(a.variables[f].runs[k], 12));
  });
  const x1 = a.variables[0];
  expect(x1.runs.length).toBe(3);
  const mean = x1.runs.reduce((s, r) => s + r, 0) / 3;
  expect(x1.importance).toBeCloseTo(mean, 12);
  expect(x1.std).toBeCloseTo(Math.sqrt(x1.runs.reduce((s, r) => s + (r - mean) ** 2, 0) / 2), 12);
  const c = await permutationImportance(node.executor, stumps, frame, { seed: 6, nRepeats: 3 });
  expect(c.variables[0].runs).not.toEqual(x1.runs);
});

test("n_samples draws that many rows per run, repeatably; metrics by H2O's name in any case", async () => {
  const a = await permutationImportance(node.executor, stumps, frame, { seed: 2, nSamples: 60, metric: "mae" });
  const b = await permutationImportance(node.executor, stumps, frame, { seed: 2, nSamples: 60, metric: "MAE" });
  expect(a).toEqual(b);
  expect(a.metric).toBe("mae");
  expect(a.variables[0].variable).toBe("x1");
});

test("a binomial model's AUTO metric is AUC", async () => {
  const classes = text
    .split("\n")
    .map((l, i) => (i === 0 ? l : l.replace(/,10$/, ",yes").replace(/,0$/, ",no")))
    .join("\n");
  const labelled = await load("xy-class.csv", classes, 64);
  const glm = await train("glm", labelled, "y", ["x1", "x2"], { family: "binomial", lambda: 0 });
  const pi = await permutationImportance(node.executor, glm, labelled, { seed: 1 });
  expect(pi.metric).toBe("AUC");
  expect(pi.variables[0].variable).toBe("x1");
});

test("a multinomial model's AUTO metric is logloss; petal columns matter more than sepal width", async () => {
  const iris = (await node.importFrame({ kind: "file", path: join(FIXTURES, "iris.csv") }).done).frame;
  const gbm = await train("gbm", iris, "species", ["sepal_width", "petal_length", "petal_width"], { ntrees: 5, max_depth: 2 });
  const pi = await permutationImportance(node.executor, gbm, iris, { seed: 4 });
  expect(pi.metric).toBe("logloss");
  expect(pi.variables[2].variable).toBe("sepal_width");
});

test("bad input: each refused with one clear error", async () => {
  const pi = (options: Parameters<typeof permutationImportance>[3], f: Frame = frame) => permutationImportance(node.executor, stumps, f, options);
  await expect(pi({ nRepeats: 0 })).rejects.toThrow("n_repeats must be an integer of at least 1, got 0");
  await expect(pi({ nSamples: 1 })).rejects.toThrow("n_samples is 1");
  await expect(pi({ metric: "AUC" })).rejects.toThrow("metric 'AUC' is not reported for Regression models");
  await expect(pi({ features: ["nope"] })).rejects.toThrow("unknown column 'nope'");
  await expect(pi({ features: ["y"] })).rejects.toThrow("column 'y' is not used by model gbm");
  const noResponse = await load("x.csv", "x1,x2,x3\n1,2,3\n0,1,2\n", 8);
  await expect(pi({}, noResponse)).rejects.toThrow("the frame must hold the response column 'y'");
});
