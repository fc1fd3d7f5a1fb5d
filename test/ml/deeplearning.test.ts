// Deep learning against answers known beforehand: XOR (not linearly separable) learned by a
// hidden layer, a linear closed form recovered, iris classified; model averaging that
// gives the same bits on 1 or 2 threads; cross-validation's out-of-fold predictions; model
// files; and one clear error per bad parameter.

import { expect, test } from "bun:test";
import { join } from "node:path";
import type { Frame } from "../../src/core/frame.ts";
import { InlineExecutor } from "../../src/core/mr.ts";
import { modelText } from "../../src/present/model.ts";
import type { DeepLearningModel } from "../../src/ml/deeplearning/model.ts";
import type { BinomialMetrics } from "../../src/ml/metrics/binomial.ts";
import type { MultinomialMetrics } from "../../src/ml/metrics/multinomial.ts";
import type { RegressionMetrics } from "../../src/ml/metrics/regression.ts";
import { deserializeModel, serializeModel } from "../../src/ml/modelfile.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { type Model, predictFrame } from "../../src/ml/scoring.ts";
import { workClock } from "../support/clock.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const dl = algorithm("deeplearning")!;
const IRIS = join(FIXTURES, "iris.csv");

async function load(path: string, chunkRows?: number): Promise<Frame> {
  return (await node.importFrame({ kind: "file", path }, { chunkRows }).done).frame;
}

function csv(name: string, header: string, rows: (string | number)[][]): string {
  return writeTemp(dir, name, `${header}\n${rows.map((r) => r.join(",")).join("\n")}\n`);
}

async function train(frame: Frame, y: string, params: Record<string, unknown>, executor = node.executor, valid: Frame | null = null) {
  const r = await dl.train(executor, { modelId: "dl", frame, y, x: null, params: { seed: 42, ...params }, valid });
  return { ...r, model: r.model as DeepLearningModel };
}

async function outputs(model: Model, frame: Frame, executor = node.executor): Promise<number[]> {
  return (await predictFrame(executor, model, frame, [])).flatMap((s) => Array.from(s.p));
}

/** The message a training run fails with ("" when it does not fail). */
async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

test("a hidden layer learns XOR: every point on the right side of the threshold, AUC 1", async () => {
  const points = [
    [0, 0, "no"],
    [0, 1, "yes"],
    [1, 0, "yes"],
    [1, 1, "no"],
  ];
  const frame = await load(
    csv(
      "xor.csv",
      "x1,x2,y",
      Array.from({ length: 200 }, (_, i) => points[i % 4]),
    ),
  );
  const { model } = await train(frame, "y", { hidden: "8", activation: "Tanh", epochs: 40, stopping_rounds: 0 });
  expect(model.response.domain).toEqual(["no", "yes"]);
  const m = model.metrics.training as BinomialMetrics;
  expect(m.AUC).toBe(1);
  const p = await outputs(
    model,
    await load(
      csv(
        "xor-points.csv",
        "x1,x2",
        points.map((r) => r.slice(0, 2)),
      ),
    ),
  );
  expect(p.map((q) => (q >= model.threshold ? "yes" : "no"))).toEqual(["no", "yes", "yes", "no"]);
  // Confident, not merely ordered: a linear model cannot get past 0.5 on XOR.
  expect(Math.max(p[0], p[3])).toBeLessThan(0.1);
  expect(Math.min(p[1], p[2])).toBeGreaterThan(0.9);
});

test("regression recovers y = 3·x1 − 2·x2 + 1 on rows it never saw", async () => {
  const x = (i: number) => [((i * 37) % 101) / 50 - 1, ((i * 53) % 97) / 48 - 1];
  const f = ([a, b]: number[]) => 3 * a - 2 * b + 1;
  const rows = Array.from({ length: 400 }, (_, i) => [...x(i), f(x(i))]);
  const frame = await load(csv("linear.csv", "x1,x2,y", rows));
  const { model } = await train(frame, "y", { hidden: "16", activation: "Tanh", epochs: 60, stopping_rounds: 0 });
  const ys = rows.map((r) => r[2]);
  const mean = ys.reduce((s, v) => s + v, 0) / ys.length;
  const sd = Math.sqrt(ys.reduce((s, v) => s + (v - mean) ** 2, 0) / (ys.length - 1));
  expect(model.yMean).toBeCloseTo(mean, 10);
  expect(model.yScale).toBeCloseTo(sd, 10);
  const m = model.metrics.training as RegressionMetrics;
  expect(m.RMSE).toBeLessThan(0.05 * sd);
  const fresh = [
    [0.13, -0.71],
    [-0.44, 0.29],
    [0.9, 0.9],
    [-0.05, -0.02],
  ];
  const p = await outputs(model, await load(csv("linear-new.csv", "x1,x2", fresh)));
  for (let i = 0; i < fresh.length; i++) expect(Math.abs(p[i] - f(fresh[i]))).toBeLessThan(0.1 * sd);
  // Both inputs matter; x1's coefficient is the larger.
  expect(model.varimp.map((v) => v.variable)).toEqual(["x1", "x2"]);
});

test("enum inputs are one-hot units named col.level; a frame binds by name and label; plain SGD with momentum learns", async () => {
  const offset: Record<string, number> = { a: 0, b: 5, c: -3 };
  const rows = Array.from({ length: 300 }, (_, i) => {
    const x = ((i * 29) % 100) / 50 - 1;
    const g = "abc"[i % 3];
    return [x, g, offset[g] + 2 * x];
  });
  // The enum comes after the numeric column in the frame; the design puts enums first.
  const frame = await load(csv("enum.csv", "x,g,y", rows));
  const params = { hidden: "16", activation: "Tanh", epochs: 30, stopping_rounds: 0, adaptive_rate: false, rate: 0.01, momentum_start: 0.5, momentum_stable: 0.9, momentum_ramp: 2000 };
  const { model } = await train(frame, "y", params);
  expect(model.varimp.map((v) => v.variable).sort()).toEqual(["g.a", "g.b", "g.c", "x"]);
  const sd = model.yScale;
  expect((model.metrics.training as RegressionMetrics).RMSE).toBeLessThan(0.05 * sd);
  const fresh: [string, number][] = [
    ["c", 0.5],
    ["a", -0.25],
    ["b", 0.8],
  ];
  const p = await outputs(model, await load(csv("enum-new.csv", "g,x", fresh)));
  fresh.forEach(([g, x], i) => expect(Math.abs(p[i] - (offset[g] + 2 * x))).toBeLessThan(0.1 * sd));
});

test("iris with the defaults ([200,200] Rectifier, 10 epochs): accurate, scored every epoch", async () => {
  const frame = await load(IRIS);
  const { model } = await train(frame, "species", {});
  const scored = await predictFrame(node.executor, model, frame, []);
  expect(scored.every((s) => s.width === 3)).toBe(true);
  let right = 0;
  for (const s of scored) {
    for (let i = 0; i < s.rows; i++) {
      const probs = Array.from(s.p.subarray(i * 3, i * 3 + 3));
      if (probs.indexOf(Math.max(...probs)) === s.y[i]) right++;
    }
  }
  expect(right / 150).toBeGreaterThan(0.9);
  expect((model.metrics.training as MultinomialMetrics).logloss).toBeLessThan(0.4);
  const history = model.scoring_history as { iterations: number; epochs: number; training_logloss: number }[];
  expect(history.map((e) => e.iterations)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // overwrite_with_best_model: the kept network is the scoring with the lowest logloss.
  const best = history.reduce((a, b) => (b.training_logloss < a.training_logloss ? b : a));
  expect(model.epochs_trained).toBe(best.epochs);
  expect((model.metrics.training as MultinomialMetrics).logloss).toBe(best.training_logloss);
  expect(model.varimp.map((v) => v.variable).sort()).toEqual(["petal_length", "petal_width", "sepal_length", "sepal_width"]);
  expect(modelText(model)).toContain(`hidden [200,200], Rectifier, ${best.epochs} epochs`);
});

test("same seed, same bits: 1 or 2 threads over many chunks, with dropout, mini-batches and partial iterations", async () => {
  const frame = await load(IRIS, 16);
  expect(frame.chunks.length).toBe(10);
  // 2.5 epochs of 150 rows at 100 rows per iteration: 4 iterations, the last of 75 rows.
  const params = {
    hidden: "10,10",
    activation: "RectifierWithDropout",
    input_dropout_ratio: 0.1,
    mini_batch_size: 3,
    epochs: 2.5,
    train_samples_per_iteration: 100,
    score_each_iteration: true,
    overwrite_with_best_model: false,
  };
  const a = await train(frame, "species", params);
  const history = a.model.scoring_history as { iterations: number; samples: number }[];
  expect(history.map((e) => e.iterations)).toEqual([1, 2, 3, 4]);
  // Partial passes sample rows by hashing their ids: about 100 rows an iteration, 375 in all.
  expect(Math.abs(history[0].samples - 100)).toBeLessThan(25);
  expect(Math.abs(history[3].samples - 375)).toBeLessThan(40);
  expect(a.model.epochs_trained).toBe(history[3].samples / 150);
  const b = await train(frame, "species", params, new InlineExecutor());
  expect(Array.from(b.model.weights)).toEqual(Array.from(a.model.weights));
  expect(await outputs(b.model, frame)).toEqual(await outputs(a.model, frame));
  const other = await train(frame, "species", { ...params, seed: 43 });
  expect(Array.from(other.model.weights)).not.toEqual(Array.from(a.model.weights));
});

test("cross-validation: out-of-fold predictions per chunk from the fold models, and CV metrics", async () => {
  const frame = await load(IRIS, 50);
  const { model, cvModels, cvPredictions } = await train(frame, "species", {
    hidden: "8",
    epochs: 5,
    nfolds: 3,
    keep_cross_validation_predictions: true,
  });
  expect(cvModels.length).toBe(3);
  expect(cvPredictions?.map((c) => [c.index, c.rows, c.width])).toEqual([
    [0, 50, 3],
    [1, 50, 3],
    [2, 50, 3],
  ]);
  const mcv = model.metrics.cross_validation as MultinomialMetrics;
  expect(mcv.nobs).toBe(150);
  expect(model.cross_validation_metrics_summary?.logloss.folds.length).toBe(3);
  // Each row's out-of-fold prediction is what exactly one fold model predicts for it.
  const byFold = await Promise.all(cvModels.map((m) => outputs(m, frame)));
  const cv = (cvPredictions ?? []).flatMap((c) => Array.from(c.p));
  const owners = new Set<number>();
  for (let i = 0; i < 150; i++) {
    const row = cv.slice(i * 3, i * 3 + 3);
    const matching = byFold.map((p, f) => (p.slice(i * 3, i * 3 + 3).every((v, k) => v === row[k]) ? f : -1)).filter((f) => f >= 0);
    expect(matching.length).toBe(1);
    owners.add(matching[0]);
  }
  expect(owners.size).toBe(3);
});

test("binomial holdout predictions are P(class 1), one a row; validation metrics come from the validation frame", async () => {
  const rows = Array.from({ length: 120 }, (_, i) => [(i % 12) / 11, ((i * 7) % 12) / 11 > 0.5 ? 1 : 0, (i % 12) / 11 > 0.5 ? "b" : "a"]);
  const frame = await load(csv("bin.csv", "x,z,y", rows));
  const valid = await load(csv("bin-valid.csv", "x,z,y", rows.slice(0, 30)));
  const { model, cvPredictions } = await train(frame, "y", { hidden: "4", epochs: 5, nfolds: 2, keep_cross_validation_predictions: true }, node.executor, valid);
  expect(cvPredictions?.every((c) => c.width === 1)).toBe(true);
  const p = (cvPredictions ?? []).flatMap((c) => Array.from(c.p));
  expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
  expect((model.metrics.validation as BinomialMetrics).nobs).toBe(30);
  expect(model.metrics.cross_validation).not.toBeNull();
});

test("a saved and loaded model predicts exactly what the trained one does", async () => {
  const frame = await load(IRIS);
  const { model } = await train(frame, "species", { hidden: "6,5", activation: "Maxout", epochs: 2 });
  const loaded = deserializeModel(serializeModel(model, "test"), "model");
  expect(await outputs(loaded, frame)).toEqual(await outputs(model, frame));
});

test("cancelling stops training between iterations", async () => {
  const frame = await load(IRIS);
  const abort = new AbortController();
  let calls = 0;
  const run = dl.train(node.executor, {
    modelId: "c",
    frame,
    y: "species",
    x: null,
    params: { seed: 1, hidden: "5", epochs: 50 },
    signal: abort.signal,
    onProgress: () => {
      calls++;
      abort.abort();
    },
  });
  expect(await failure(run)).toBe("cancelled by the user");
  expect(calls).toBe(1);
});

test("max_runtime_secs stops training early and keeps the model so far (time passes with the work: 10 ms a task)", async () => {
  const frame = await load(IRIS);
  const timed = async (params: Record<string, unknown>) => {
    const w = workClock(node.executor, 10);
    const r = await dl.train(w.executor, { modelId: "dl", frame, y: "species", x: null, params: { seed: 42, hidden: "50,50", stopping_rounds: 0, ...params }, clock: w.clock });
    const model = r.model as DeepLearningModel;
    // The model's time is the clock's: it started at 0 and nothing ran after it.
    expect(model.training_time_ms).toBe(w.clock.now());
    return model;
  };
  // An iteration and its scoring: what the run may go on for once the time is up.
  const scoredIteration =
    (await timed({ epochs: 2, score_each_iteration: true, train_samples_per_iteration: 150 })).training_time_ms - (await timed({ epochs: 1, train_samples_per_iteration: 150 })).training_time_ms;
  const model = await timed({ epochs: 100000, max_runtime_secs: 0.5 });
  expect(model.training_time_ms).toBeGreaterThanOrEqual(500);
  expect(model.training_time_ms).toBeLessThan(500 + scoredIteration);
  expect(model.notes.some((n) => n.startsWith("max_runtime_secs reached after"))).toBe(true);
  const trained = model.scoring_history.at(-1) as { epochs: number };
  expect(trained.epochs).toBeGreaterThan(0);
  expect(trained.epochs).toBeLessThan(100000);
});

test("bad parameters: one clear error each", async () => {
  const iris = await load(IRIS);
  const numeric = await load(
    csv("num.csv", "x,y", [
      [1, 2],
      [2, 3],
      [3, 5],
    ]),
  );
  const run = (frame: Frame, y: string, params: Record<string, unknown>) => failure(train(frame, y, params));
  expect(await run(iris, "species", { hidden: "0" })).toContain("hidden=\"0\": '0' is not a positive integer layer size");
  expect(await run(iris, "species", { hidden: "20,x" })).toContain("'x' is not a positive integer layer size");
  expect(await run(iris, "species", { hidden: "" })).toContain("give at least one");
  expect(await run(iris, "species", { hidden: "5,5", activation: "TanhWithDropout", hidden_dropout_ratios: "0.5" })).toContain("1 ratio(s) but hidden has 2 layer(s)");
  expect(await run(iris, "species", { hidden: "5", activation: "Tanh", hidden_dropout_ratios: "0.3" })).toContain("needs a WithDropout activation");
  expect(await run(iris, "species", { input_dropout_ratio: 1 })).toContain("must be below 1");
  expect(await run(numeric, "y", { loss: "CrossEntropy" })).toContain("loss=CrossEntropy needs a classifier");
  expect(await run(iris, "species", { distribution: "bernoulli" })).toContain("distribution=bernoulli does not fit the response 'species'");
  expect(await run(iris, "species", { stopping_metric: "AUC" })).toContain("stopping_metric=AUC needs a two-class response");
  expect(await run(numeric, "y", { distribution: "laplace", loss: "Quadratic" })).toContain("loss=Quadratic does not go with distribution=laplace");
  expect(await run(iris, "species", { nfolds: 1 })).toContain("nfolds must be 0");
});
