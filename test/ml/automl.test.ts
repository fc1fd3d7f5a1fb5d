// AutoML: its limits (max_models counts base models; max_runtime_secs is kept, on a clock
// that moves with the work done), a leaderboard with H2O's columns sorted by the metric,
// the ensembles over the base models, the same leaderboard from the same seed, and clear
// refusals of bad parameters.

import { expect, test } from "bun:test";
import type { Frame } from "../../src/core/frame.ts";
import { runAutoML } from "../../src/ml/automl/run.ts";
import { predictFrame } from "../../src/ml/scoring.ts";
import { type WorkClock, workClock } from "../support/clock.ts";
import { FIXTURES, testNode } from "../support/node.ts";

const node = testNode();
let iris: Frame;

/** A run on iris; with a work clock, on its executor and its time. */
async function automl(params: Record<string, unknown>, y = "species", time?: WorkClock) {
  iris ??= (await node.importFrame({ kind: "file", path: `${FIXTURES}/iris.csv` }).done).frame;
  return runAutoML(time?.executor ?? node.executor, { project: "AutoML_t", frame: iris, y, x: null, params, clock: time?.clock });
}

test("max_models bounds the base models; ensembles stack them; the leaderboard has H2O's columns, best first", async () => {
  const r = await automl({ max_models: 3, nfolds: 3, seed: 5 });
  const algos = r.leaderboard.map((row) => row.algo);
  expect(algos.filter((a) => a !== "stackedensemble").length).toBe(3);
  expect(algos.filter((a) => a === "stackedensemble").length).toBe(2);
  expect(r.columns).toEqual(["mean_per_class_error", "logloss", "rmse", "mse"]);
  expect(Object.keys(r.leaderboard[0])).toEqual(["model_id", "algo", "mean_per_class_error", "logloss", "rmse", "mse", "training_time_ms"]);
  const errors = r.leaderboard.map((row) => row.mean_per_class_error as number);
  expect(errors).toEqual([...errors].sort((a, b) => a - b));
  expect(r.leader.model_id).toBe(r.leaderboard[0].model_id as string);
  // Rows read each model's cross-validation metrics.
  for (const m of r.models) {
    const row = r.leaderboard.find((x) => x.model_id === m.model.model_id);
    expect(row?.logloss).toBe((m.model.metrics.cross_validation as { logloss: number }).logloss);
  }
  expect(r.models.map((m) => m.model.model_id)).toContain("StackedEnsemble_AllModels_1_AutoML_t");
});

test("the same seed gives the same leaderboard and the same leader", async () => {
  const a = await automl({ max_models: 2, nfolds: 3, seed: 9 });
  const b = await automl({ max_models: 2, nfolds: 3, seed: 9 });
  const strip = (r: typeof a) => r.leaderboard.map(({ training_time_ms: _, ...rest }) => rest);
  expect(strip(b)).toEqual(strip(a));
  const pa = await predictFrame(node.executor, a.leader, iris, []);
  const pb = await predictFrame(node.executor, b.leader, iris, []);
  expect(pb.map((c) => Array.from(c.p))).toEqual(pa.map((c) => Array.from(c.p)));
});

test("max_runtime_secs is kept (time passes with the work: 2 ms a task): models, a grid and both ensembles fit in it, and it ends at it", async () => {
  const w = workClock(node.executor, 2);
  const r = await automl({ max_runtime_secs: 5, max_runtime_secs_per_model: 0.3, nfolds: 3, seed: 2, include_algos: "GBM,DeepLearning,StackedEnsemble" }, "petal_length", w);
  // The run spent its budget and ended at it: the model in progress at the deadline was cut there.
  expect(r.elapsed_ms).toBeGreaterThanOrEqual(5000);
  expect(r.elapsed_ms).toBeLessThan(5000 * 1.01);
  expect(w.clock.now()).toBe(r.elapsed_ms);
  expect(r.events.at(-1)?.message).toStartWith(`${r.models.length} models in 5.0 s`);
  // Base models joined by 85% of it; the rest was kept for the ensembles, built over them.
  // When each model joined: the time of the event that names it first.
  const finished = (id: string) => r.events.find((e) => e.message.split(/[: ]/)[0] === id)?.timestamp ?? Number.NaN;
  const ensembles = r.models.filter((m) => m.model.algo === "stackedensemble");
  expect(ensembles.map((m) => m.model.model_id).sort()).toEqual(["StackedEnsemble_AllModels_1_AutoML_t", "StackedEnsemble_BestOfFamily_1_AutoML_t"]);
  for (const e of ensembles) {
    expect(finished(e.model.model_id)).toBeLessThanOrEqual(5000);
    const bases = String((e.model.params as { base_models: string }).base_models).split(",");
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const id of bases) expect([id, finished(id) <= 5000 * 0.85]).toEqual([id, true]);
  }
  // It was spent on more than the default plan: random grids ran.
  expect(r.models.some((m) => m.model.model_id.startsWith("GBM_grid_1"))).toBe(true);
});

test("without cross-validation a tenth of the rows ranks the models and no ensembles are built", async () => {
  const r = await automl({ max_models: 2, nfolds: 0, seed: 4, exclude_algos: "DeepLearning" });
  expect(r.leaderboard.length).toBe(2);
  expect(r.models.every((m) => m.model.metrics.cross_validation === null && m.model.metrics.validation !== null)).toBe(true);
  expect(r.events.some((e) => e.message.includes("no stacked ensembles"))).toBe(true);
});

test("include_algos and exclude_algos choose the families", async () => {
  const r = await automl({ max_models: 2, nfolds: 3, seed: 4, include_algos: "drf,StackedEnsemble" });
  expect(r.leaderboard.filter((row) => row.algo !== "stackedensemble").map((row) => row.model_id)).toEqual(expect.arrayContaining(["DRF_1_AutoML_t", "XRT_1_AutoML_t"]));
  expect(r.leaderboard.every((row) => row.algo === "drf" || row.algo === "stackedensemble")).toBe(true);
});

test("H2O's XGBoost steps: a deep XGBoost first, the XGBoost grid, and the best-of-family ensemble takes the best XGBoost", async () => {
  const first = await automl({ max_models: 1, nfolds: 3, seed: 6 });
  expect(first.leaderboard.filter((row) => row.algo !== "stackedensemble").map((row) => [row.model_id, row.algo])).toEqual([["XGBoost_1_AutoML_t", "xgboost"]]);
  expect(first.leader.params).toMatchObject({ max_depth: 15, min_rows: 10, sample_rate: 0.6, col_sample_rate: 0.8, col_sample_rate_per_tree: 0.8 });
  const r = await automl({ max_models: 7, nfolds: 3, seed: 6, include_algos: "XGBoost,GLM,StackedEnsemble" });
  const ids = r.leaderboard.filter((row) => row.algo !== "stackedensemble").map((row) => String(row.model_id));
  expect(ids.filter((id) => id.startsWith("XGBoost_") && !id.startsWith("XGBoost_grid_1_AutoML_t_model_")).sort()).toEqual(["XGBoost_1_AutoML_t", "XGBoost_2_AutoML_t", "XGBoost_3_AutoML_t"]);
  expect(ids.filter((id) => id.startsWith("XGBoost_grid_1_AutoML_t_model_")).length).toBe(3);
  const bases = (id: string) => String((r.models.find((m) => m.model.model_id === id)?.model.params as { base_models: string }).base_models).split(",");
  expect(bases("StackedEnsemble_BestOfFamily_1_AutoML_t").sort()).toEqual([String(ids.find((id) => id.startsWith("XGBoost"))), "GLM_1_AutoML_t"].sort());
  expect(bases("StackedEnsemble_AllModels_1_AutoML_t").sort()).toEqual([...ids].sort());
});

test("bad parameters are refused with the parameter named", async () => {
  await expect(automl({ max_models: -1 })).rejects.toThrow("automl parameter max_models=-1: must be at least 0");
  await expect(automl({ exclude_algos: "GBM,Foo" })).rejects.toThrow("automl parameter exclude_algos: 'Foo' is not one of GLM, DRF, GBM, DeepLearning, StackedEnsemble, XGBoost");
  await expect(automl({ include_algos: "GBM", exclude_algos: "GLM" })).rejects.toThrow("give include_algos or exclude_algos, not both");
  await expect(automl({ include_algos: "StackedEnsemble" })).rejects.toThrow("no algorithm left to build base models");
  await expect(automl({ sort_metric: "auc", max_models: 1 })).rejects.toThrow("sort_metric 'auc' does not apply to a multinomial problem");
  await expect(automl({ nfolds: 1 })).rejects.toThrow("nfolds=1");
  await expect(automl({ max_models: 1 }, "nope")).rejects.toThrow("response column 'nope' is not in the frame");
});

test("GLM_1 and DeepLearning_1 get a tenth of the run's max_runtime_secs (a model's usual share is a fifth)", async () => {
  const r = await automl({ max_runtime_secs: 120, max_models: 2, nfolds: 3, seed: 2, include_algos: "GLM,DeepLearning" }, "species", workClock(node.executor, 2));
  for (const id of ["GLM_1_AutoML_t", "DeepLearning_1_AutoML_t"]) {
    const m = r.models.find((x) => x.model.model_id === id);
    expect([id, m?.model.params.max_runtime_secs]).toEqual([id, expect.closeTo(0.9 * 12, 9)]);
  }
});

test("a forest stopped by its time limit after a few trees is left out: its probabilities would be 0 or 1 (time passes with the work)", async () => {
  // A tree's scoring pass takes 10 ms, every other task 2 ms. The one-tree probe scores its
  // training rows once; a fold's forest also scores its holdout rows with every tree, so the
  // probe fits its 0.54 s / 30 but each of the 3 fits grows fewer than ten trees.
  const w = workClock(node.executor, 2, { "ml.tree.score": 10 });
  const r = await automl({ max_runtime_secs: 60, max_runtime_secs_per_model: 0.6, nfolds: 2, seed: 2, include_algos: "GLM,DRF" }, "species", w);
  expect(r.models.map((m) => m.model.model_id)).toEqual(["GLM_1_AutoML_t"]);
  for (const step of ["DRF_1", "XRT_1"]) {
    expect(r.events.map((e) => e.message)).toContainEqual(expect.stringMatching(new RegExp(`^${step}_AutoML_t grew [1-9] trees in its time .* and was left out$`)));
  }
});

test("a forest whose one-tree probe says ten trees do not fit its share is not started; with room, every forest has ten trees or more", async () => {
  const r = await automl({ max_runtime_secs: 60, max_runtime_secs_per_model: 0.3, nfolds: 3, seed: 2, include_algos: "GLM,DRF" }, "species", workClock(node.executor, 2));
  expect(r.models.map((m) => m.model.model_id)).toEqual(["GLM_1_AutoML_t"]);
  // 0.27 s a model, 4 fits: a tree may take 0.27 / 40 s.
  for (const step of ["DRF_1", "XRT_1"]) {
    expect(r.events.map((e) => e.message)).toContain(`${step}_AutoML_t not started: one tree (depth 20, then 8) took over 0.01 s, so 10 trees in each of its 4 fits would not fit its 0.3 s`);
  }
  const roomy = await automl({ max_runtime_secs: 300, max_runtime_secs_per_model: 10, max_models: 3, nfolds: 3, seed: 2, include_algos: "GLM,DRF" }, "species", workClock(node.executor, 2));
  const forests = roomy.models.filter((m) => m.model.algo === "drf");
  expect(forests.map((f) => f.model.model_id)).toEqual(["DRF_1_AutoML_t", "XRT_1_AutoML_t"]);
  for (const f of forests) expect((f.model.scoring_history.at(-1) as { number_of_trees: number }).number_of_trees).toBeGreaterThanOrEqual(10);
}, 60_000);
