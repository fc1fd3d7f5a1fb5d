// The registry is a list of descriptors: every algorithm's tasks reach the workers' task
// registry from it, and each model's scorer, report and checks are found by its `algo`.

import { expect, test } from "bun:test";
import { FloeError } from "../../src/core/errors.ts";
import { ALGORITHMS, algorithm, descriptorOf } from "../../src/ml/registry.ts";
import { TASKS } from "../../src/tasks.ts";

test("every task an algorithm's descriptor lists is registered for workers under its name", () => {
  for (const a of ALGORITHMS) {
    for (const task of a.tasks) expect({ algo: a.name, task: task.name, registered: TASKS.get(task.name) === task }).toEqual({ algo: a.name, task: task.name, registered: true });
  }
  // Trees (GBM, DRF, XGBoost), GLM, k-means, deep learning, naive Bayes, PCA and the isolation forests run tasks of their own.
  expect(ALGORITHMS.filter((a) => a.tasks.length > 0).map((a) => a.name)).toEqual([
    "gbm",
    "drf",
    "xgboost",
    "glm",
    "pca",
    "naivebayes",
    "deeplearning",
    "kmeans",
    "isolationforest",
    "extendedisolationforest",
  ]);
});

test("the list names each algorithm once, in the order the front ends show", () => {
  expect(ALGORITHMS.map((a) => a.name)).toEqual(["gbm", "drf", "xgboost", "glm", "pca", "naivebayes", "deeplearning", "stackedensemble", "kmeans", "isolationforest", "extendedisolationforest"]);
  expect(algorithm("kmeans")?.supervised).toBe(false);
  expect(algorithm("xgboost")?.supervised).toBe(true);
  expect(algorithm("lightgbm")).toBeUndefined();
});

test("a model of an algorithm this floe lacks cannot be scored", () => {
  const refusal = (() => {
    try {
      descriptorOf("lightgbm");
    } catch (e) {
      return e instanceof FloeError ? `${e.code}: ${e.message}` : String(e);
    }
  })();
  expect(refusal).toBe("unsupported: models of algorithm 'lightgbm' cannot be scored by this floe");
});

test("only PCA and the isolation forests write columns of their own; DRF alone titles its training metrics out-of-bag", () => {
  expect(ALGORITHMS.filter((a) => a.scorer.outputNames).map((a) => a.name)).toEqual(["pca", "isolationforest", "extendedisolationforest"]);
  expect(ALGORITHMS.filter((a) => a.output.trainingMetricsTitle).map((a) => [a.name, a.output.trainingMetricsTitle])).toEqual([["drf", "Training metrics (out-of-bag)"]]);
});
