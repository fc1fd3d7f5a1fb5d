// DRF as a tree strategy: bagging. Scores start at 0; every tree fits the response itself
// (the gradients are taken once) on its row sample, with mtries columns a split; leaves
// hold the mean response (class shares), predictions average the trees, and the training
// metrics are out-of-bag.

import { FloeError } from "../../core/errors.ts";
import type { Distribution } from "../loss.ts";
import { GradTask } from "./row-tasks.ts";
import { bagState, h2oLimits, type TreeStrategy } from "./strategy.ts";

export const DRF_STRATEGY: TreeStrategy = {
  algo: "drf",
  reportsDistribution: false,
  distribution: (_p, c): Distribution => (c.category === "Binomial" ? "bernoulli" : c.category === "Multinomial" ? "multinomial" : "gaussian"),
  checkParams(p, predictors) {
    if (p.mtries !== undefined && p.mtries !== -1 && p.mtries !== -2 && !(p.mtries >= 1 && p.mtries <= predictors)) {
      throw new FloeError("invalid_argument", `mtries=${p.mtries}: must be -1 (sqrt of the predictors for classifiers, a third for regression), -2 (all) or 1 to ${predictors} (the predictors)`);
    }
  },
  limits: h2oLimits,
  coverOf: (st) => st.n,
  maxLeaves: () => 0,
  output: () => "average",
  // Out-of-bag when any row was out of every bag so far; all rows otherwise (sample_rate 1).
  trainingOutputs: () => ["average-oob", "average"],
  initScores: async (_executor, _view, s) => ({ init: new Float64Array(s.K), huberDelta: 1 }),
  async start(executor, view, s, loss) {
    const p = s.input.params;
    const F = s.specs.length;
    const mtries = p.mtries === -2 ? F : p.mtries === -1 ? (s.columns.category === "Regression" ? Math.floor(F / 3) : Math.floor(Math.sqrt(F))) : (p.mtries ?? F);
    const maxes = await executor.run(GradTask, view, { distribution: "drf", classes: s.K, loss });
    return {
      gradients: async () => ({ maxes, loss }),
      featuresPerSplit: (available) => Math.min(Math.max(1, mtries), available),
      leafValue: (st) => (st.h > 0 ? -st.g / st.h : 0),
      finish: async (t, grown) => ({ pending: grown.pending, oob: { bagState: bagState(p.seed, t), bagRate: p.sample_rate }, now: true }),
    };
  },
};
