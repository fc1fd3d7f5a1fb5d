// GBM as a tree strategy: boosting. Scores start at H2O's init_f for the distribution;
// each iteration fits one tree a class to the loss's gradients with Newton leaf values,
// shrunk by the learning rate; laplace, quantile and huber take their leaves from the
// rows' residuals, as H2O does.

import { FloeError } from "../../core/errors.ts";
import type { Chunked, Executor } from "../../core/mr.ts";
import { keyState } from "../../core/rng.ts";
import { type Distribution, gradientBounds, type LossParams, newtonStep } from "../loss.ts";
import type { TrainingColumns } from "../training-frame.ts";
import { sketchRate } from "./binning.ts";
import { quantScales } from "./histogram.ts";
import { GradTask, LeafResidualsTask, ResponseSketchTask, ResponseStatsTask } from "./row-tasks.ts";
import { h2oLimits, type TreeIterations, type TreeSetup, type TreeStrategy } from "./strategy.ts";
import type { TreeChunk } from "./view.ts";

function resolveDistribution(requested: string, c: TrainingColumns): Distribution {
  const d = requested === "AUTO" ? (c.category === "Binomial" ? "bernoulli" : c.category === "Multinomial" ? "multinomial" : "gaussian") : (requested as Distribution);
  const classifier = c.category !== "Regression";
  if (d === "bernoulli" && c.category !== "Binomial") {
    throw new FloeError("invalid_argument", `distribution=bernoulli needs a two-class enum response; '${c.yName}' is ${classifier ? `an enum with ${c.yDomain?.length} classes` : "numeric"}`);
  }
  if (d === "multinomial" && c.category !== "Multinomial") {
    throw new FloeError("invalid_argument", `distribution=multinomial needs an enum response with more than two classes; '${c.yName}' is ${classifier ? "binomial" : "numeric"}`);
  }
  if (d !== "bernoulli" && d !== "multinomial" && classifier) {
    throw new FloeError("invalid_argument", `distribution=${d} needs a numeric response; '${c.yName}' is an enum (classes ${c.yDomain?.slice(0, 5).join(", ")})`);
  }
  return d;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Friedman's huber step for sorted residuals: their median plus the mean clipped deviation from it. */
function huberLeaf(sorted: Float64Array, delta: number): number {
  const med = quantile(sorted, 0.5);
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) {
    const dev = sorted[i] - med;
    sum += Math.sign(dev) * Math.min(delta, Math.abs(dev));
  }
  return med + sum / sorted.length;
}

/** The initial raw scores (H2O's init_f) and the huber delta, from the training rows. */
async function initScores(executor: Executor, view: Chunked<TreeChunk>, s: TreeSetup): Promise<{ init: Float64Array; huberDelta: number }> {
  const K = s.K;
  const classes = s.columns.yDomain?.length ?? 1;
  const stats = await executor.run(ResponseStatsTask, view, { classes: classes > 2 ? classes : 1 });
  const n = stats[0];
  const mean = stats[1] / n;
  const init = new Float64Array(K);
  const d = s.distribution;
  const sketch = async (center: number | null) => executor.run(ResponseSketchTask, view, { rate: sketchRate(n), state: keyState(s.input.params.seed, 11), center });
  let huberDelta = 1;
  if (d === "gaussian") init[0] = mean;
  else if (d === "bernoulli") init[0] = Math.log(Math.max(mean, 1e-15) / Math.max(1 - mean, 1e-15));
  else if (d === "multinomial") for (let k = 0; k < K; k++) init[k] = Math.log(Math.max(stats[2 + k] / n, 1e-15));
  else if (d === "poisson" || d === "gamma" || d === "tweedie") init[0] = Math.log(Math.max(mean, 1e-15));
  else if (d === "quantile") init[0] = quantile(await sketch(null), s.lossParams.quantile_alpha);
  else {
    init[0] = quantile(await sketch(null), 0.5);
    if (d === "huber") huberDelta = Math.max(quantile(await sketch(init[0]), s.input.params.huber_alpha ?? 0.9), 1e-12);
  }
  return { init, huberDelta };
}

async function start(executor: Executor, view: Chunked<TreeChunk>, s: TreeSetup, loss: LossParams): Promise<TreeIterations> {
  const p = s.input.params;
  const K = s.K;
  const d = s.distribution;
  // A multinomial model's K trees share the step (H2O's (K − 1) / K).
  const shrink = K > 1 ? (K - 1) / K : 1;
  let learnRate = p.learn_rate ?? 1;
  const rows = view.chunks.reduce((n, c) => n + c.rows, 0);
  // Bounded gradients quantize at their bounds: the gradient pass then starts each tree too,
  // one pass over the rows instead of a pass for the maxes and one to quantize; for one tree
  // a row the root pass does all of it.
  const bounds = gradientBounds(d);
  const boundMaxes = bounds ? Float64Array.from({ length: 2 * K }, (_, i) => (i < K ? bounds.g : bounds.h)) : null;
  return {
    async gradients(t, scores, draws) {
      if (t > 0) learnRate *= p.learn_rate_annealing ?? 1;
      let lossT = loss;
      if (d === "huber") {
        // H2O's huber: delta is the huber_alpha-quantile of |y − f| at every iteration.
        await scores.flush();
        const abs = await executor.run(ResponseSketchTask, view, { rate: sketchRate(rows), state: keyState(p.seed, t, 6), center: "score" });
        lossT = { ...loss, huber_delta: Math.max(quantile(abs, p.huber_alpha ?? 0.9), 1e-12) };
      }
      // One tree a row: the root pass computes the gradients itself, while it sums the rows.
      if (boundMaxes && K === 1) return { maxes: boundMaxes, loss: lossT, rootGradients: { distribution: d, loss: lossT, addFirst: scores.take() } };
      const args = { distribution: d, classes: K, loss: lossT, addFirst: scores.take() };
      if (boundMaxes) {
        await executor.run(GradTask, view, { ...args, root: { ...draws, ...quantScales(boundMaxes, K) } });
        return { maxes: boundMaxes, loss: lossT, started: true };
      }
      return { maxes: await executor.run(GradTask, view, args), loss: lossT };
    },
    featuresPerSplit: (available) => Math.max(1, Math.round((p.col_sample_rate ?? 1) * available)),
    leafValue: (st) => newtonStep(d, st.g, st.h) * learnRate * shrink,
    async finish(_t, grown, g) {
      if (d !== "laplace" && d !== "quantile" && d !== "huber") return { pending: grown.pending, oob: null, now: false };
      // H2O's leaves for these losses, from their rows' residuals: the median (laplace), the
      // alpha-quantile (quantile), or the median plus the mean clipped deviation (huber).
      const tree = grown.trees[0];
      const residuals = await executor.run(LeafResidualsTask, view, { pending: grown.pending, missingBin: s.missingBin, nodes: tree.value.length });
      for (let n = 0; n < tree.value.length; n++) {
        const r = residuals[n];
        if (tree.feature[n] >= 0 || r.length === 0) continue;
        tree.value[n] = (d === "huber" ? huberLeaf(r, g.loss.huber_delta) : quantile(r, d === "laplace" ? 0.5 : loss.quantile_alpha)) * learnRate;
      }
      return { pending: null, oob: null, now: false };
    },
  };
}

export const GBM_STRATEGY: TreeStrategy = {
  algo: "gbm",
  reportsDistribution: true,
  distribution: (p, columns) => resolveDistribution(p.distribution ?? "AUTO", columns),
  checkParams: () => {},
  limits: h2oLimits,
  coverOf: (st) => st.n,
  maxLeaves: () => 0,
  output: (d) => (d === "bernoulli" ? "logistic" : d === "multinomial" ? "softmax" : d === "poisson" || d === "gamma" || d === "tweedie" ? "exp" : "identity"),
  trainingOutputs: (output) => [output],
  initScores,
  start,
};
