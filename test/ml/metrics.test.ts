// Metrics against scikit-learn, on fixtures made for it. Reference values from:
//   /usr/bin/python3 (Debian python3-sklearn 1.2) running, on fixtures/scores-*.csv:
//   binomial:    roc_auc_score, log_loss(eps=1e-15, H2O's clip), auc(recall, precision) of
//                precision_recall_curve,
//                mean_squared_error
//   multinomial: log_loss(eps=1e-15), 1 - balanced_accuracy_score, confusion_matrix of argmax,
//                top_k_accuracy_score k = 1, 2, 3
//   regression:  mean_squared_error, mean_absolute_error, r2_score,
//                sqrt(mean_squared_log_error)

import { expect, test } from "bun:test";
import { join } from "node:path";
import type { Frame } from "../../src/core/frame.ts";
import { ingest } from "../../src/core/ingest.ts";
import { type BinomialMetrics, BinomialScoresTask, binomialMetrics } from "../../src/ml/metrics/binomial.ts";
import { computeMetrics, type MetricsSpec } from "../../src/ml/metrics/index.ts";
import type { MultinomialMetrics } from "../../src/ml/metrics/multinomial.ts";
import type { RegressionMetrics } from "../../src/ml/metrics/regression.ts";
import type { ScoredChunk } from "../../src/ml/metrics/scored.ts";
import { FIXTURES, testNode } from "../support/node.ts";

const node = testNode();
const inline = testNode(1);
const lossParams = { tweedie_power: 1.5, quantile_alpha: 0.5, huber_delta: 1 };

/** Scored chunks from a frame whose first column is y and the rest probabilities. */
function scored(frame: Frame): { chunks: ScoredChunk[] } {
  const width = frame.columns.length - 1;
  return {
    chunks: frame.chunks.map((c) => {
      const p = new Float64Array(c.rows * width);
      for (let k = 0; k < width; k++) {
        const v = c.vecs[k + 1];
        if (v.kind === "f64") for (let i = 0; i < c.rows; i++) p[i * width + k] = v.values[i];
      }
      const y = c.vecs[0].kind === "f64" ? c.vecs[0].values : new Float64Array(0);
      return { index: c.index, rows: c.rows, y, p, width };
    }),
  };
}

async function load(name: string, chunkRows: number) {
  return ingest(await node.db(), { kind: "file", path: join(FIXTURES, name) }, { chunkRows });
}

for (const chunkRows of [17, 1000]) {
  test(`binomial: AUC, logloss, PR AUC and MSE equal scikit-learn's (chunks of ${chunkRows})`, async () => {
    const spec: MetricsSpec = { category: "Binomial", classes: 2, distribution: "bernoulli", lossParams };
    const m = (await computeMetrics(node.executor, scored(await load("scores-binomial.csv", chunkRows)), spec)) as BinomialMetrics;
    expect(m.AUC).toBeCloseTo(0.7640989147838464, 12);
    expect(m.Gini).toBeCloseTo(2 * 0.7640989147838464 - 1, 12);
    expect(m.logloss).toBeCloseTo(0.7056632835930617, 12);
    expect(m.pr_auc).toBeCloseTo(0.769553453472443, 12);
    expect(m.MSE).toBeCloseTo(0.20171466666666668, 12);
    expect(m.nobs).toBe(300);
    // The confusion matrix is the thresholds table's row of maximum F1.
    const best = m.thresholds_and_metric_scores.reduce((a, b) => (b.f1 > a.f1 ? b : a));
    expect(m.max_f1_threshold).toBe(best.threshold);
    expect(m.confusion_matrix).toEqual([
      [best.tns, best.fps],
      [best.fns, best.tps],
    ]);
    expect(m.mean_per_class_error).toBeCloseTo((best.fps / (best.tns + best.fps) + best.fns / (best.fns + best.tps)) / 2, 12);
  });

  test(`multinomial: logloss, mean per-class error, confusion matrix and hit ratios (chunks of ${chunkRows})`, async () => {
    const spec: MetricsSpec = { category: "Multinomial", classes: 3, distribution: "multinomial", lossParams };
    const m = (await computeMetrics(node.executor, scored(await load("scores-multinomial.csv", chunkRows)), spec)) as MultinomialMetrics;
    expect(m.logloss).toBeCloseTo(1.2548843326409316, 12);
    expect(m.mean_per_class_error).toBeCloseTo(0.6458333333333333, 12);
    expect(m.confusion_matrix).toEqual([
      [45, 29, 6],
      [41, 35, 4],
      [41, 34, 5],
    ]);
    expect(m.hit_ratios[0]).toBeCloseTo(0.3541666666666667, 12);
    expect(m.hit_ratios[1]).toBeCloseTo(0.6708333333333333, 12);
    expect(m.hit_ratios[2]).toBe(1);
  });

  test(`regression: MSE, mae, r2 and rmsle equal scikit-learn's (chunks of ${chunkRows})`, async () => {
    const spec: MetricsSpec = { category: "Regression", classes: 1, distribution: "gaussian", lossParams };
    const m = (await computeMetrics(node.executor, scored(await load("scores-regression.csv", chunkRows)), spec)) as RegressionMetrics;
    expect(m.MSE).toBeCloseTo(0.49534999999999996, 12);
    expect(m.RMSE).toBeCloseTo(Math.sqrt(0.49534999999999996), 12);
    expect(m.mae).toBeCloseTo(0.5775, 12);
    expect(m.r2).toBeCloseTo(0.9405520552055205, 12);
    expect(m.rmsle).toBeCloseTo(0.15336218931953605, 12);
    expect(m.mean_residual_deviance).toBeCloseTo(m.MSE, 12);
  });
}

test("binomial: with more distinct scores than table rows, the table keeps every step-th threshold and the max-F1 one", () => {
  // 1000 distinct scores (0.000 .. 0.999); rows with score > 0.6 positive, and every 7th of the others.
  const pos: number[] = [];
  const neg: number[] = [];
  for (let v = 0; v < 1000; v++) (v > 600 || v % 7 === 0 ? pos : neg).push(v / 1000);
  const m = binomialMetrics({ pos: [Float64Array.from(pos)], neg: [Float64Array.from(neg)], sums: [] });
  // By hand: thresholds from the top, one per distinct score; F1 = 2tp / (2tp + fp + fn).
  const desc = [...pos, ...neg].sort((a, b) => b - a);
  let tp = 0;
  let fp = 0;
  let bestF1 = -1;
  let bestK = -1;
  desc.forEach((t, k) => {
    if (pos.includes(t)) tp++;
    else fp++;
    const f1 = (2 * tp) / (2 * tp + fp + (pos.length - tp));
    if (f1 > bestF1) {
      bestF1 = f1;
      bestK = k;
    }
  });
  const step = Math.ceil(1000 / 400);
  const expected = desc.filter((_, k) => k % step === 0 || k === bestK);
  expect(m.thresholds_and_metric_scores.map((r) => r.threshold)).toEqual(expected);
  expect(m.max_f1_threshold).toBe(desc[bestK]);
  expect(bestK % step).not.toBe(0); // the case where the best row is put back in its place
});

test("binomial: logloss and MSE are the same bits on one thread and on two (the sums fold in chunk order)", async () => {
  const spec: MetricsSpec = { category: "Binomial", classes: 2, distribution: "bernoulli", lossParams };
  const frame = await load("scores-binomial.csv", 7);
  const onPool = (await computeMetrics(node.executor, scored(frame), spec)) as BinomialMetrics;
  const onOne = (await computeMetrics(inline.executor, scored(frame), spec)) as BinomialMetrics;
  expect(node.executor.threads).toBe(2);
  expect(onPool.logloss).toBe(onOne.logloss);
  expect(onPool.MSE).toBe(onOne.MSE);
  expect(onPool.AUC).toBe(onOne.AUC);
});

test("binomial: a worker sorts the probabilities of all its chunks once, so the partial holds a run a worker, not one a chunk", async () => {
  const frame = await load("scores-binomial.csv", 7);
  const chunks = scored(frame).chunks;
  expect(chunks.length).toBe(43);
  const onPool = await node.executor.run(BinomialScoresTask, { chunks }, {});
  expect(onPool.pos.length).toBeLessThanOrEqual(node.executor.threads);
  expect(onPool.neg.length).toBeLessThanOrEqual(node.executor.threads);
  // Every in-bag row once, each run ascending; and a chunk's sums once each.
  const rows = (runs: readonly Float64Array[]) => runs.reduce((t, r) => t + r.length, 0);
  expect(rows(onPool.pos) + rows(onPool.neg)).toBe(300);
  for (const r of [...onPool.pos, ...onPool.neg]) for (let i = 1; i < r.length; i++) expect(r[i - 1]).toBeLessThanOrEqual(r[i]);
  expect(onPool.sums.filter((_, j) => j % 3 === 0).sort((a, b) => a - b)).toEqual(chunks.map((c) => c.index));
});
