// Multinomial GBM on data with a rare class: leaf values from tiny hessians must stay
// bounded, so training logloss keeps falling instead of exploding (issue 14, item 9).

import { expect, test } from "bun:test";
import type { MultinomialMetrics } from "../../../src/ml/metrics/multinomial.ts";
import { newtonStep } from "../../../src/ml/loss.ts";
import { algorithm } from "../../../src/ml/registry.ts";
import type { TreeModel } from "../../../src/ml/tree/model.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();
const dir = tempDir();

/**
 * Seven Gaussian blobs in 5 dimensions (centres spread 3, unit noise), class sizes 400
 * down to 10, from a seeded LCG: the same CSV on every run.
 */
function rareClassCsv(seed: number): string {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const sizes = [400, 300, 250, 200, 150, 60, 10];
  const centres = sizes.map(() => Array.from({ length: 5 }, () => normal() * 3));
  const lines = ["x0,x1,x2,x3,x4,cls"];
  sizes.forEach((n, k) => {
    for (let i = 0; i < n; i++) lines.push([...centres[k].map((c) => (c + normal()).toFixed(4)), `c${k}`].join(","));
  });
  return `${lines.join("\n")}\n`;
}

test("multinomial GBM with a 10-row class: training logloss never climbs and the classes stay apart", async () => {
  const path = writeTemp(dir, "rare.csv", rareClassCsv(1));
  const frame = (await node.importFrame({ kind: "file", path }).done).frame;
  const params = { ntrees: 100, max_depth: 6, learn_rate: 0.1, seed: 1, score_tree_interval: 5 };
  const model = (await algorithm("gbm")!.train(node.executor, { modelId: "rare", frame, y: "cls", x: null, params })).model as TreeModel;
  // Reference: XGBoost 1.7.4 (multi:softprob, max_depth 6, eta 0.1, 100 rounds, hist) on
  // this CSV ends at training mlogloss 0.0028 and mean per-class error 0. Before the
  // bound, floe's logloss went 0.23 (tree 10) → 11.4 (tree 65), ending at 3.98 with mean
  // per-class error 0.197.
  const logloss = model.scoring_history.map((h) => h.training.logloss);
  let best = Number.POSITIVE_INFINITY;
  for (const l of logloss) {
    expect(l).toBeLessThan(best + 0.02);
    best = Math.min(best, l);
  }
  const m = model.metrics.training as MultinomialMetrics;
  expect(m.logloss).toBeLessThan(0.01);
  expect(m.mean_per_class_error).toBeLessThan(0.01);
});

test("only bernoulli and multinomial leaves are bounded, and only where the hessian is tiny", () => {
  // One confidently wrong row (q = 1e-9 for its class): g = q − 1, h = q(1 − q).
  const q = 1e-9;
  expect(newtonStep("bernoulli", q - 1, q * (1 - q))).toBe(10);
  expect(newtonStep("multinomial", 1 - q, q * (1 - q))).toBe(-10);
  // Ten rows at q = 0.5: the plain Newton step 2, untouched.
  expect(newtonStep("bernoulli", 10 * -0.5, 10 * 0.25)).toBe(2);
  // Other distributions keep −G/H, however large; no hessian gives no step.
  expect(newtonStep("gaussian", -5000, 2)).toBe(2500);
  expect(newtonStep("poisson", -30, 0.5)).toBe(60);
  expect(newtonStep("multinomial", -3, 0)).toBe(0);
});
