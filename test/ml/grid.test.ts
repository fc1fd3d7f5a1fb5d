// Grid search: every Cartesian combination once, in order; a seeded random order that
// repeats with its seed; the limits (max_models, max_runtime_secs, stopping_rounds); a
// combination the algorithm refuses recorded as a failure; models ranked by the metric.

import { expect, test } from "bun:test";
import type { Frame } from "../../src/core/frame.ts";
import type { Executor } from "../../src/core/mr.ts";
import { DEFAULT_CRITERIA, gridSearch, type GridRequest } from "../../src/ml/grid.ts";
import type { MultinomialMetrics } from "../../src/ml/metrics/multinomial.ts";
import { workClock } from "../support/clock.ts";
import { FIXTURES, testNode } from "../support/node.ts";

const node = testNode();
let iris: Frame;

async function grid({ executor = node.executor, ...over }: Partial<GridRequest> & Pick<GridRequest, "hyperParams"> & { executor?: Executor }) {
  iris ??= (await node.importFrame({ kind: "file", path: `${FIXTURES}/iris.csv` }).done).frame;
  return gridSearch(executor, {
    gridId: "g",
    algo: "gbm",
    frame: iris,
    y: "species",
    x: null,
    params: { ntrees: 5, nfolds: 3, seed: 1 },
    criteria: DEFAULT_CRITERIA,
    ...over,
  });
}

test("a Cartesian grid builds each combination once and ranks the models by the metric", async () => {
  const r = await grid({ hyperParams: { max_depth: [1, 3], learn_rate: [0.1, 0.5] } });
  expect(r.stopped).toBe("exhausted");
  expect(r.models.length).toBe(4);
  const combos = r.models.map((m) => `${m.hyper.max_depth}/${m.hyper.learn_rate}`).sort();
  expect(combos).toEqual(["1/0.1", "1/0.5", "3/0.1", "3/0.5"]);
  // Each model was trained with its combination.
  for (const m of r.models) {
    expect(m.result.model.params.max_depth).toBe(m.hyper.max_depth as number);
    expect(m.result.model.params.learn_rate).toBe(m.hyper.learn_rate as number);
  }
  // Multinomial: sorted by cross-validated mean_per_class_error, smallest first.
  expect(r.sort_metric).toBe("mean_per_class_error");
  const errors = r.models.map((m) => (m.result.model.metrics.cross_validation as MultinomialMetrics).mean_per_class_error);
  expect(errors).toEqual([...errors].sort((a, b) => a - b));
  expect(r.models.map((m) => m.row.mean_per_class_error)).toEqual(errors);
});

test("a random grid draws distinct combinations in an order its seed repeats, up to max_models", async () => {
  const hyperParams = { max_depth: [1, 2, 3, 4, 5], learn_rate: [0.05, 0.1, 0.2, 0.5] };
  const criteria = { ...DEFAULT_CRITERIA, strategy: "RandomDiscrete" as const, max_models: 4, seed: 11 };
  const order = (r: Awaited<ReturnType<typeof grid>>) =>
    r.models
      .map((m) => m.result.model.model_id)
      .sort()
      .map((id) => JSON.stringify(r.models.find((m) => m.result.model.model_id === id)?.hyper));
  const a = await grid({ hyperParams, criteria });
  const b = await grid({ hyperParams, criteria });
  expect(a.stopped).toBe("max_models");
  expect(a.models.length).toBe(4);
  expect(new Set(order(a)).size).toBe(4);
  expect(order(b)).toEqual(order(a));
  const c = await grid({ hyperParams, criteria: { ...criteria, seed: 12 } });
  expect(order(c)).not.toEqual(order(a));
});

test("max_runtime_secs ends a grid at its budget: the model it cuts is left out (time passes with the work: 1 ms a task)", async () => {
  const w = workClock(node.executor, 1);
  const r = await grid({
    hyperParams: { max_depth: [1, 2, 3, 4, 5, 6, 7, 8], learn_rate: [0.01, 0.02, 0.05, 0.1], sample_rate: [0.5, 0.7, 0.9, 1] },
    criteria: { ...DEFAULT_CRITERIA, strategy: "RandomDiscrete", max_runtime_secs: 1.5, seed: 3 },
    executor: w.executor,
    clock: w.clock,
  });
  expect(r.stopped).toBe("max_runtime_secs");
  // The deadline cut the model in progress at its next task (a tree is fewer than 10 tasks).
  expect(w.clock.now()).toBeGreaterThanOrEqual(1500);
  expect(w.clock.now()).toBeLessThan(1500 + 10);
  // Every model kept was built within the budget; the one cut is left out.
  expect(r.models.reduce((ms, m) => ms + m.result.model.training_time_ms, 0)).toBeLessThanOrEqual(1500);
  expect(r.models.length).toBeGreaterThan(1);
  expect(r.tried).toBe(r.models.length + 1);
  expect(r.failures).toEqual([]);
});

test("stopping_rounds ends a grid whose best model stops improving", async () => {
  // min_split_improvement this small changes nothing on iris: every model is the same.
  const r = await grid({
    hyperParams: { min_split_improvement: [1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12] },
    criteria: { ...DEFAULT_CRITERIA, stopping_rounds: 2, stopping_tolerance: 0.001 },
  });
  expect(r.stopped).toBe("stopping_rounds");
  expect(r.models.length).toBe(3);
});

test("a combination the algorithm refuses is a failure; a bad value fails the grid up front", async () => {
  const r = await grid({ algo: "glm", params: { lambda: 0.1, seed: 1 }, hyperParams: { compute_p_values: [true, false] } });
  expect(r.models.length).toBe(1);
  expect(r.failures).toEqual([{ hyper: { compute_p_values: true }, error: expect.stringContaining("compute_p_values is not available for family=multinomial") }]);
  await expect(grid({ hyperParams: { max_depth: [2, -1] } })).rejects.toThrow("gbm parameter max_depth=-1: must be at least 1");
  await expect(grid({ hyperParams: { depth: [2] } })).rejects.toThrow("gbm has no parameter 'depth'");
  await expect(grid({ hyperParams: { ntrees: [2, 3] } })).rejects.toThrow("'ntrees' is both a fixed parameter and a hyper-parameter");
  await expect(grid({ hyperParams: { max_depth: [] } })).rejects.toThrow("needs a non-empty list of values");
});
