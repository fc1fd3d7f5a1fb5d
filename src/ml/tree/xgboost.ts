// XGBoost as a tree strategy: boosting with XGBoost's regularised trees, as H2O's XGBoost
// runs it (tree_method hist, grow_policy depthwise or lossguide). Raw scores start at XGBoost's
// base_score 0.5 on the link scale; each iteration fits one tree a class to the loss's
// gradients (softmax's hessian is XGBoost's 2p(1 − p)); splits score T(G)²/(H + lambda)
// and need gamma of gain and min_child_weight of hessian in each child; a leaf is
// −T(G)/(H + lambda), clipped at max_delta_step, times eta.

import { FloeError } from "../../core/errors.ts";
import type { Task } from "../../core/mr.ts";
import type { Distribution } from "../loss.ts";
import type { TrainingColumns } from "../training-frame.ts";
import type { TreeParams } from "./params.ts";
import { GradTask } from "./row-tasks.ts";
import { computeGradients, type GradArgs } from "./rows.ts";
import type { NodeStats } from "./split.ts";
import type { TreeStrategy } from "./strategy.ts";
import type { TreeChunk } from "./view.ts";

/** XGBoost's base_score (its default before 2.0, and H2O's): the prediction every row starts from. */
const BASE_SCORE = 0.5;

/**
 * XGBoost's least loss reduction of a split (kRtEps): gains at or below it are rounding,
 * not structure, and would split pure nodes.
 */
const MIN_GAIN = 1e-6;

interface XgbGradArgs extends GradArgs {
  /** Weight of the positive rows of a bernoulli model (scale_pos_weight). */
  readonly scalePosWeight: number;
  /** Poisson: the hessian is exp(f + this) (XGBoost's safeguard, its max_delta_step, 0.7 by default). */
  readonly poissonSafeguard: number;
}

/**
 * max_delta_step as XGBoost runs it: count:poisson without one gets 0.7, for its hessian
 * safeguard and for the trees (leaf clipping, split scores) alike.
 */
function maxDeltaStep(p: TreeParams): number {
  const set = p.max_abs_leafnode_pred ?? 0;
  return set > 0 ? set : p.distribution === "poisson" ? 0.7 : 0;
}

/** Writes XGBoost's g and h of every training row; the partial is max |g| then max h, per class (as GradTask). */
export const XgbGradTask: Task<XgbGradArgs, Float64Array, TreeChunk> = {
  name: "ml.tree.xgboost.gradients",
  commutative: true,
  map(c, args) {
    computeGradients(c, args);
    const K = args.classes;
    // XGBoost's softmax hessian is 2p(1 − p) (floe's GBM uses p(1 − p)).
    // Poisson's hessian exp(f) is inflated to exp(f + max_delta_step), as XGBoost's objective does.
    const hFactor = args.distribution === "multinomial" ? 2 : args.distribution === "poisson" ? Math.exp(args.poissonSafeguard) : 1;
    const spw = args.distribution === "bernoulli" ? args.scalePosWeight : 1;
    const out = new Float64Array(2 * K);
    for (let i = 0; i < c.rows; i++) {
      const w = c.y[i] === 1 ? spw : 1;
      for (let k = 0; k < K; k++) {
        const at = i * K + k;
        c.g[at] *= w;
        c.h[at] *= w * hFactor;
        if (!(c.w[i] > 0)) continue;
        const ag = Math.abs(c.g[at]);
        if (ag > out[k]) out[k] = ag;
        if (c.h[at] > out[K + k]) out[K + k] = c.h[at];
      }
    }
    return out;
  },
  reduce: GradTask.reduce,
  empty: GradTask.empty,
};

function resolveDistribution(requested: string, c: TrainingColumns): Distribution {
  // H2O's XGBoost: a two-class response is binary:logistic, more classes multi:softprob.
  const fits = c.category === "Binomial" ? "bernoulli" : c.category === "Multinomial" ? "multinomial" : null;
  if (requested === "AUTO") return fits ?? "gaussian";
  const d = requested as Distribution;
  if (fits !== null && d !== fits) throw new FloeError("invalid_argument", `distribution=${d} does not fit '${c.yName}', an enum with ${c.yDomain?.length} classes: use ${fits} or AUTO`);
  if (fits === null && (d === "bernoulli" || d === "multinomial")) throw new FloeError("invalid_argument", `distribution=${d} needs an enum response; '${c.yName}' is numeric`);
  return d;
}

/** XGBoost's soft threshold of a gradient sum by the L1 penalty. */
function shrinkL1(g: number, alpha: number): number {
  return g > alpha ? g - alpha : g < -alpha ? g + alpha : 0;
}

function checkParams(p: TreeParams): void {
  if (p.booster !== undefined && p.booster !== "gbtree") throw new FloeError("unsupported", `xgboost booster=${p.booster} is not supported by floe: use gbtree`);
}

export const XGBOOST_STRATEGY: TreeStrategy = {
  algo: "xgboost",
  reportsDistribution: true,
  distribution: (p, columns) => resolveDistribution(p.distribution ?? "AUTO", columns),
  checkParams,
  // lossguide without a leaf limit splits every node that gains, up to max_depth: the trees depthwise grows.
  coverOf: (st) => st.h,
  maxLeaves: (p) => (p.grow_policy === "lossguide" ? (p.max_leaves ?? 0) : 0),
  limits: (p) => ({
    minRows: 1,
    minSplitImprovement: Math.max(p.min_split_improvement, MIN_GAIN),
    lambda: p.reg_lambda ?? 1,
    alpha: p.reg_alpha ?? 0,
    minChildHessian: p.min_rows,
    maxDeltaStep: maxDeltaStep(p),
  }),
  output: (d) => (d === "bernoulli" ? "logistic" : d === "multinomial" ? "softmax" : d === "poisson" || d === "gamma" || d === "tweedie" ? "exp" : "identity"),
  trainingOutputs: (output) => [output],
  async initScores(_executor, _view, s) {
    const d = s.distribution;
    // base_score on the link scale: logit(0.5) = 0 for bernoulli, log(0.5) for the log links.
    const f0 = d === "bernoulli" ? 0 : d === "poisson" || d === "gamma" || d === "tweedie" ? Math.log(BASE_SCORE) : BASE_SCORE;
    return { init: new Float64Array(s.K).fill(f0), huberDelta: 1 };
  },
  async start(executor, view, s, loss) {
    const p = s.input.params;
    const d = s.distribution;
    const eta = p.learn_rate ?? 0.3;
    const lambda = p.reg_lambda ?? 1;
    const alpha = p.reg_alpha ?? 0;
    const maxStep = maxDeltaStep(p);
    const minHessian = p.min_rows;
    const perLevel = p.col_sample_rate ?? 1;
    const perNode = p.colsample_bynode ?? 1;
    return {
      async gradients(_t, scores) {
        const maxes = await executor.run(XgbGradTask, view, {
          distribution: d,
          classes: s.K,
          loss,
          addFirst: scores.take(),
          scalePosWeight: p.scale_pos_weight ?? 1,
          poissonSafeguard: maxStep,
        });
        return { maxes, loss };
      },
      featuresPerLevel: (available) => Math.max(1, Math.round(perLevel * available)),
      featuresPerSplit: (available) => Math.max(1, Math.round(perNode * available)),
      leafValue(st: NodeStats) {
        if (!(st.h > 0) || st.h < minHessian) return 0;
        const w = -shrinkL1(st.g, alpha) / (st.h + lambda);
        return (maxStep > 0 ? Math.max(-maxStep, Math.min(maxStep, w)) : w) * eta;
      },
      finish: async (_t, grown) => ({ pending: grown.pending, oob: null, now: false }),
    };
  },
};
