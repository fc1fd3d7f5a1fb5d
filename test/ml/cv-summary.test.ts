// The cross-validation metrics summary against the holdout predictions themselves: with
// Modulo folds a row's fold is its row id mod nfolds, so each fold's MSE (regression) and
// log loss (classification) can be computed here by hand and their mean and sd too.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { algorithm } from "../../src/ml/registry.ts";
import { FIXTURES, testNode } from "../support/node.ts";

const node = testNode();
const { frame } = await node.importFrame({ kind: "file", path: join(FIXTURES, "iris.csv") }).done;
const NFOLDS = 3;

function meanSd(xs: number[]): [number, number] {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return [mean, Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1))];
}

for (const algo of ["gbm", "glm"]) {
  test(`${algo} regression: per-fold MSE, mean and sd`, async () => {
    const cv = { nfolds: NFOLDS, fold_assignment: "Modulo", keep_cross_validation_predictions: true, seed: 5 };
    const params = algo === "gbm" ? { ...cv, ntrees: 5 } : cv;
    const { model, cvPredictions } = await algorithm(algo)!.train(node.executor, { modelId: "m", frame, y: "sepal_length", x: null, params });
    const sse = new Array(NFOLDS).fill(0);
    const n = new Array(NFOLDS).fill(0);
    let row = 0;
    for (const sc of cvPredictions!) {
      for (let i = 0; i < sc.rows; i++, row++) {
        sse[row % NFOLDS] += (sc.y[i] - sc.p[i]) ** 2;
        n[row % NFOLDS]++;
      }
    }
    const mse = sse.map((s, f) => s / n[f]);
    const summary = model.cross_validation_metrics_summary!;
    summary.MSE.folds.forEach((v, f) => expect(v).toBeCloseTo(mse[f], 12));
    const [mean, sd] = meanSd(mse);
    expect(summary.MSE.mean).toBeCloseTo(mean, 12);
    expect(summary.MSE.sd).toBeCloseTo(sd, 12);
    expect(summary.RMSE.folds[0]).toBeCloseTo(Math.sqrt(mse[0]), 12);
  });
}

test("gbm multinomial: per-fold log loss", async () => {
  const params = { nfolds: NFOLDS, fold_assignment: "Modulo", keep_cross_validation_predictions: true, ntrees: 3, seed: 5 };
  const { model, cvPredictions } = await algorithm("gbm")!.train(node.executor, { modelId: "m", frame, y: "species", x: null, params });
  const loss = new Array(NFOLDS).fill(0);
  const n = new Array(NFOLDS).fill(0);
  let row = 0;
  for (const sc of cvPredictions!) {
    for (let i = 0; i < sc.rows; i++, row++) {
      loss[row % NFOLDS] -= Math.log(Math.max(1e-15, sc.p[i * sc.width + sc.y[i]]));
      n[row % NFOLDS]++;
    }
  }
  const summary = model.cross_validation_metrics_summary!;
  summary.logloss.folds.forEach((v, f) => expect(v).toBeCloseTo(loss[f] / n[f], 12));
  expect(summary.mean_per_class_error).toBeDefined();
});

test("no cross-validation, no summary", async () => {
  const { model } = await algorithm("gbm")!.train(node.executor, { modelId: "m", frame, y: "species", x: null, params: { ntrees: 2, seed: 1 } });
  expect(model.cross_validation_metrics_summary).toBeNull();
});
