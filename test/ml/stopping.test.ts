// The shared early-stopping rule and metrics (src/ml/stopping.ts), and that every
// algorithm refuses a stopping metric its model cannot compute.

import { expect, test } from "bun:test";
import type { BinomialMetrics } from "../../src/ml/metrics/binomial.ts";
import type { Metrics } from "../../src/ml/metrics/index.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { shouldStop, stoppingValue } from "../../src/ml/stopping.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode(1);
const dir = tempDir();

test("the moving-average rule: stop once the last k scorings' mean is no better than an earlier one", () => {
  // k = 2: window means 4.5, 3.5, 3.25, 3.45, then the last 3.5 — not below the best 3.25.
  expect(shouldStop([5, 4, 3, 3.5, 3.4, 3.6], 2, 0.001)).toBe(true);
  // Still improving: the last mean 2.5 beats the best earlier one (3.5) by more than 0.1%.
  expect(shouldStop([5, 4, 3, 2], 2, 0.001)).toBe(false);
  // 3.49 is below 3.5 but not by 1% of it: no real improvement.
  expect(shouldStop([4, 3, 4, 3, 3.49, 3.49], 2, 0.01)).toBe(true);
  // Fewer than 2k scorings, or k = 0: never.
  expect(shouldStop([5, 9, 9], 2, 0)).toBe(false);
  expect(shouldStop([1, 2, 3, 4, 5, 6], 0, 0)).toBe(false);
});

test("stopping values: smaller is better, AUTO is logloss or deviance, misclassification from the confusion matrix", () => {
  const binomial = {
    logloss: 0.3,
    AUC: 0.9,
    pr_auc: 0.8,
    MSE: 0.1,
    RMSE: Math.sqrt(0.1),
    mean_per_class_error: 0.2,
    confusion_matrix: [
      [3, 1],
      [0, 4],
    ],
  } as unknown as BinomialMetrics;
  expect(stoppingValue(binomial, "AUTO", "Binomial")).toBe(0.3);
  expect(stoppingValue(binomial, "deviance", "Binomial")).toBe(0.3);
  expect(stoppingValue(binomial, "AUC", "Binomial")).toBe(-0.9);
  expect(stoppingValue(binomial, "AUCPR", "Binomial")).toBe(-0.8);
  expect(stoppingValue(binomial, "misclassification", "Binomial")).toBe(1 / 8);
  expect(stoppingValue(binomial, "mean_per_class_error", "Binomial")).toBe(0.2);
  const regression = { MSE: 4, RMSE: 2, mae: 1.5, rmsle: 0.25, mean_residual_deviance: 4 } as unknown as Metrics;
  expect(stoppingValue(regression, "AUTO", "Regression")).toBe(4);
  expect(stoppingValue(regression, "MAE", "Regression")).toBe(1.5);
  expect(stoppingValue(regression, "RMSLE", "Regression")).toBe(0.25);
  expect(stoppingValue(regression, "RMSE", "Regression")).toBe(2);
});

test("GBM and DRF refuse a stopping metric their model cannot compute (it would stop training at random)", async () => {
  const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 2 ? "yes" : "no"},${i * 1.5}`);
  const frame = (await node.importFrame({ kind: "file", path: writeTemp(dir, "s.csv", `x,label,amount\n${rows.join("\n")}\n`) }).done).frame;
  const train = (algo: string, y: string, params: Record<string, unknown>) =>
    algorithm(algo)!.train(node.executor, { modelId: "s", frame, y, x: ["x"], params: { seed: 1, stopping_rounds: 2, ...params } });
  const trees = { ntrees: 3, min_rows: 1 };
  await expect(train("gbm", "amount", { ...trees, stopping_metric: "AUC" })).rejects.toThrow("gbm: stopping_metric=AUC needs a two-class response (this model is Regression)");
  await expect(train("gbm", "amount", { ...trees, stopping_metric: "logloss" })).rejects.toThrow(
    "gbm: stopping_metric=logloss needs a classifier; use deviance, MSE, RMSE, MAE or RMSLE for regression",
  );
  await expect(train("drf", "label", { ...trees, stopping_metric: "RMSLE" })).rejects.toThrow("drf: stopping_metric=RMSLE needs a numeric response (this model is Binomial)");
  await expect(train("deeplearning", "amount", { stopping_metric: "misclassification", epochs: 1 })).rejects.toThrow(
    "deeplearning: stopping_metric=misclassification needs a classifier; use deviance, MSE, RMSE or MAE for regression",
  );
  // What applies still trains.
  const ok = await train("gbm", "label", { ...trees, stopping_metric: "AUCPR" });
  expect(ok.model.model_id).toBe("s");
});
