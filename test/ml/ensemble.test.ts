// Stacked ensembles: the level-one frame laid out by hand, an ensemble no worse than its
// best base model on data built so that no single base model fits it (a linear term a GLM
// gets right, a wave and an interaction the trees get right), bit-identical scoring after a
// model file round trip, and clear refusals of base models that cannot be stacked.

import { expect, test } from "bun:test";
import type { Frame } from "../../src/core/frame.ts";
import { split } from "../../src/core/ops.ts";
import { computeRollups } from "../../src/core/rollups.ts";
import { levelOneFrame } from "../../src/ml/ensemble/level-one.ts";
import type { RegressionMetrics } from "../../src/ml/metrics/regression.ts";
import { deserializeModel, serializeModel } from "../../src/ml/modelfile.ts";
import { algorithm, type TrainResult } from "../../src/ml/registry.ts";
import { modelEvaluator, predictFrame } from "../../src/ml/scoring.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();

/** mulberry32: a small seeded generator, independent of floe's own. */
function generator(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** y = 3·x1 + 2·sin(3·x2) + x3·x4 + uniform noise: linear, wavy and interacting parts. */
function stackCsv(rows: number): string {
  const rnd = generator(12345);
  const lines = ["x1,x2,x3,x4,y"];
  for (let i = 0; i < rows; i++) {
    const x = [rnd() * 4 - 2, rnd() * 4 - 2, rnd() * 4 - 2, rnd() * 4 - 2];
    const y = 3 * x[0] + 2 * Math.sin(3 * x[1]) + x[2] * x[3] + (rnd() - 0.5);
    lines.push([...x, y].map((v) => v.toFixed(6)).join(","));
  }
  return `${lines.join("\n")}\n`;
}

async function load(path: string): Promise<Frame> {
  return (await node.importFrame({ kind: "file", path }).done).frame;
}

const CV = { nfolds: 5, seed: 42, keep_cross_validation_predictions: true };

async function base(frame: Frame, y: string, algo: string, params: Record<string, unknown>, id = algo): Promise<TrainResult> {
  return algorithm(algo)!.train(node.executor, { modelId: id, frame, y, x: null, params: { ...CV, ...params } });
}

function stack(frame: Frame, y: string, bases: readonly TrainResult[], params: Record<string, unknown> = {}, valid: Frame | null = null) {
  return algorithm("stackedensemble")!.train(node.executor, {
    modelId: "se",
    frame,
    y,
    x: null,
    params: { seed: 42, ...params },
    valid,
    baseModels: bases.map((b) => ({ model: b.model, cvPredictions: b.cvPredictions })),
  });
}

async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

test("the level-one frame holds each base model's outputs side by side, then the response", () => {
  const y = Float64Array.of(0, 2, 1);
  const multinomial = { index: 0, rows: 3, y, p: Float64Array.of(0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.3, 0.6, 0.1), width: 3 };
  const other = { index: 0, rows: 3, y, p: Float64Array.of(0.6, 0.3, 0.1, 0.2, 0.2, 0.6, 0.2, 0.5, 0.3), width: 3, w: Float64Array.of(1, 1, 0) };
  const domain = ["a", "b", "c"];
  const frame = levelOneFrame(
    [
      { model_id: "m1", domain },
      { model_id: "m2", domain },
    ],
    [[multinomial], [other]],
    { name: "cls", domain },
  );
  expect(frame.names).toEqual(["m1.a", "m1.b", "m1.c", "m2.a", "m2.b", "m2.c", "cls"]);
  const col = (c: number) => {
    const v = frame.chunks[0].vecs[c];
    return Array.from(v.kind === "f64" ? v.values : v.kind === "codes" ? v.codes : []);
  };
  expect(col(0)).toEqual([0.7, 0.1, 0.3]);
  expect(col(5)).toEqual([0.1, 0.6, 0.3]);
  // The response is read from the first base's chunks: m1 keeps every row.
  expect(col(6)).toEqual([0, 2, 1]);
  // With m2 first, the row it left out of its folds (weight 0) has no response.
  const swapped = levelOneFrame(
    [
      { model_id: "m2", domain },
      { model_id: "m1", domain },
    ],
    [[other], [multinomial]],
    { name: "cls", domain },
  );
  const v = swapped.chunks[0].vecs[6];
  expect(v.kind === "codes" ? Array.from(v.codes) : []).toEqual([0, 2, -1]);
});

test("an ensemble of a GLM, a GBM and a forest beats each of them on held-out rows and in cross-validation", async () => {
  const all = await load(writeTemp(dir, "stack.csv", stackCsv(2000)));
  const [a, b] = await split(node.executor, all, [0.8], 7);
  const train = a.withRollups(await computeRollups(node.executor, a));
  const test_ = b.withRollups(await computeRollups(node.executor, b));
  const bases = [await base(train, "y", "glm", {}), await base(train, "y", "gbm", { ntrees: 50 }), await base(train, "y", "drf", { ntrees: 30 })];
  const se = await stack(train, "y", bases, { metalearner_nfolds: 5 });
  const rmse = async (model: TrainResult["model"]) => {
    const ev = modelEvaluator(node.executor, model);
    await ev.add(test_, []);
    return (ev.result() as RegressionMetrics).RMSE;
  };
  const baseTest = await Promise.all(bases.map((r) => rmse(r.model)));
  const seTest = await rmse(se.model);
  expect(seTest).toBeLessThan(Math.min(...baseTest));
  const cv = (r: TrainResult) => (r.model.metrics.cross_validation as RegressionMetrics).RMSE;
  expect(cv(se)).toBeLessThan(Math.min(...bases.map(cv)));
  // The AUTO metalearner is a GLM with non-negative weights on the base models.
  const meta = (se.model as { metalearner: { algo: string; params: Record<string, unknown> } }).metalearner;
  expect(meta.algo).toBe("glm");
  expect(meta.params.non_negative).toBe(true);
  expect(se.model.varimp.map((v) => v.variable).sort()).toEqual(["drf", "gbm", "glm"]);
  // 18 cross-validated models: seconds of work, more on a loaded machine than bun's 5 s default.
}, 60_000);

test("a saved ensemble scores bit for bit as the one in memory", async () => {
  const iris = await load(`${FIXTURES}/iris.csv`);
  const bases = [await base(iris, "species", "glm", {}), await base(iris, "species", "gbm", { ntrees: 10 })];
  const se = await stack(iris, "species", bases);
  const loaded = deserializeModel(serializeModel(se.model, "test"), "se");
  const before = await predictFrame(node.executor, se.model, iris, []);
  const after = await predictFrame(node.executor, loaded, iris, []);
  expect(after.map((c) => Array.from(c.p))).toEqual(before.map((c) => Array.from(c.p)));
  expect(before[0].width).toBe(3);
  // Probabilities of the three classes sum to one on every row.
  for (let i = 0; i < before[0].rows; i++) expect(before[0].p[i * 3] + before[0].p[i * 3 + 1] + before[0].p[i * 3 + 2]).toBeCloseTo(1, 12);
});

test("base models that cannot be stacked are refused with the reason", async () => {
  const iris = await load(`${FIXTURES}/iris.csv`);
  const cv = await base(iris, "species", "gbm", { ntrees: 5 }, "gbm_cv");
  const other = await base(iris, "species", "gbm", { ntrees: 5, seed: 43 }, "gbm_other_folds");
  const noCv = await algorithm("gbm")!.train(node.executor, { modelId: "gbm_plain", frame: iris, y: "species", x: null, params: { ntrees: 5, seed: 42 } });
  const width = await base(iris, "sepal_width", "gbm", { ntrees: 5 }, "gbm_width");
  expect(await failure(stack(iris, "species", [cv, noCv]))).toContain("base model 'gbm_plain' has no cross-validation predictions");
  expect(await failure(stack(iris, "species", [cv, other]))).toContain("were cross-validated on different folds");
  expect(await failure(stack(iris, "species", [cv, width]))).toContain("predicts 'sepal_width', not 'species'");
  expect(await failure(stack(iris, "species", []))).toContain("needs base models");
  expect(await failure(stack(iris, "species", [cv], { metalearner_params: "{oops" }))).toContain("metalearner_params is not a JSON object");
});
