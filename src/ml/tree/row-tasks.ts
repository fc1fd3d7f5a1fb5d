// The per-row passes of a tree ensemble over its training view (and over the views of
// validation and scoring frames): gradients before each iteration, score updates after
// it, and the model's output as scored chunks for the metrics.

import { stateTask, type Task } from "../../core/mr.ts";
import { rowUniform } from "../../core/rng.ts";
import { mergeSorted } from "../../core/sorted.ts";
import { type Distribution, gradients, type LossParams, linkInverse, softmaxGradients } from "../loss.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import { applySplits, finishedLeaf, type SplitTable } from "./histogram.ts";
import { routeRow, type Tree } from "./tree.ts";
import type { TreeChunk } from "./view.ts";

export interface GradArgs {
  /** "drf": fit the response itself (g = −y, h = 1), so a leaf is the mean response. */
  readonly distribution: Distribution | "drf";
  readonly classes: number;
  readonly loss: LossParams;
  /** The previous iteration's trees, added to the scores first (one pass instead of two). */
  readonly addFirst?: ScoreArgs | null;
}

/** Writes g and h of every training row; the partial is max |g| then max h, per class. */
export const GradTask: Task<GradArgs, Float64Array, TreeChunk> = {
  name: "ml.tree.gradients",
  commutative: true,
  map(c, { distribution, classes: K, loss, addFirst }) {
    if (addFirst) addTrees(c, addFirst);
    const n = c.rows;
    if (distribution === "drf") {
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < K; k++) {
          const y = K === 1 ? c.y[i] : c.y[i] === k ? 1 : 0;
          c.g[i * K + k] = c.w[i] > 0 ? -y : 0;
          c.h[i * K + k] = 1;
        }
      }
    } else if (distribution === "multinomial") {
      const g = new Float64Array(n);
      const h = new Float64Array(n);
      for (let k = 0; k < K; k++) {
        softmaxGradients(c.y, c.score, n, K, k, g, h);
        for (let i = 0; i < n; i++) {
          c.g[i * K + k] = g[i];
          c.h[i * K + k] = h[i];
        }
      }
    } else {
      gradients(distribution, c.y, c.score, n, c.g, c.h, loss);
    }
    const out = new Float64Array(2 * K);
    for (let i = 0; i < n; i++) {
      if (!(c.w[i] > 0)) continue;
      for (let k = 0; k < K; k++) {
        const ag = Math.abs(c.g[i * K + k]);
        if (ag > out[k]) out[k] = ag;
        if (c.h[i * K + k] > out[K + k]) out[K + k] = c.h[i * K + k];
      }
    }
    return out;
  },
  reduce(a, b) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = Math.max(a[i], b[i]);
    return out;
  },
  empty: ({ classes }) => new Float64Array(2 * classes),
};

export interface ScoreArgs {
  readonly trees: readonly Tree[];
  readonly missingBin: Int32Array;
  /** DRF: also add each tree's output to the out-of-bag sums of rows it did not train on. */
  readonly oob: { readonly bagState: number; readonly bagRate: number } | null;
  /**
   * On the view the trees grew on: the grower's pending splits. Rows that trained then
   * find their leaf in their node id; the others (and every row of another view) are
   * routed from the root.
   */
  readonly grown: { readonly pending: SplitTable | null } | null;
}

/** Adds an iteration's trees to the raw scores of a chunk's rows (see ScoreArgs). */
function addTrees(c: TreeChunk, { trees, missingBin, oob, grown }: ScoreArgs): void {
  const K = trees.length;
  if (grown?.pending) applySplits(c, grown.pending, K, missingBin);
  for (let i = 0; i < c.rows; i++) {
    const outOfBag = oob !== null && c.w[i] > 0 && !(oob.bagRate >= 1 || rowUniform(oob.bagState, c.start + i) < oob.bagRate);
    for (let k = 0; k < K; k++) {
      const t = trees[k];
      const n = grown ? c.node[i * K + k] : -1;
      const leaf = n >= 0 ? n : n <= -2 ? finishedLeaf(n) : routeRow(t, c.bins, missingBin, i);
      const v = t.value[leaf];
      c.score[i * K + k] += v;
      if (outOfBag) c.oob[i * K + k] += v;
    }
    if (outOfBag) c.oobCount[i] += 1;
  }
}

/** Adds the iteration's trees (one a class) to every row's raw scores. */
export const ScoreTask = stateTask<ScoreArgs, TreeChunk>("ml.tree.score", addTrees);

export interface OutputArgs {
  /** How raw scores become outputs. */
  readonly output: "identity" | "logistic" | "exp" | "softmax" | "average" | "average-oob";
  readonly classes: number;
  /** Trees so far, for averages. */
  readonly trees: number;
  /** Binomial models report class 1 only (the metrics want one probability). */
  readonly binomial: boolean;
  /** Weigh only the rows of this cross-validation fold (a fold model's holdout). */
  readonly holdoutFold?: number;
}

/** The output of one row's raw scores into `p` at `at` (`width` values). */
export function writeOutput(c: TreeChunk, i: number, a: OutputArgs, p: Float64Array, at: number): void {
  const K = a.classes;
  const s = c.score;
  switch (a.output) {
    case "identity":
      p[at] = s[i];
      return;
    case "logistic":
      p[at] = linkInverse("bernoulli", s[i]);
      return;
    case "exp":
      p[at] = Math.exp(s[i]);
      return;
    case "softmax": {
      let max = s[i * K];
      for (let k = 1; k < K; k++) if (s[i * K + k] > max) max = s[i * K + k];
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(s[i * K + k] - max);
      for (let k = 0; k < K; k++) p[at + k] = Math.exp(s[i * K + k] - max) / sum;
      return;
    }
    case "average":
    case "average-oob": {
      const oob = a.output === "average-oob";
      const n = oob ? c.oobCount[i] : a.trees;
      const src = oob ? c.oob : s;
      if (n === 0) {
        for (let k = 0; k < (a.binomial ? 1 : K); k++) p[at + k] = Number.NaN;
        return;
      }
      if (a.binomial) {
        p[at] = Math.min(1, Math.max(0, src[i] / n));
        return;
      }
      if (K === 1) {
        p[at] = src[i] / n;
        return;
      }
      // Class votes as probabilities: clip at 0 and normalise, as H2O's DRF does.
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.max(0, src[i * K + k]);
      for (let k = 0; k < K; k++) p[at + k] = sum > 0 ? Math.max(0, src[i * K + k]) / sum : 1 / K;
      return;
    }
  }
}

/** Partial: scored chunks (response, output) of the view's rows, for the metrics. */
export const OutputTask: Task<OutputArgs, ScoredChunk[], TreeChunk> = {
  name: "ml.tree.output",
  map(c, a) {
    const width = a.binomial ? 1 : a.classes;
    const p = new Float64Array(new SharedArrayBuffer(c.rows * width * 8));
    let w: Float64Array | undefined;
    if (a.output === "average-oob") {
      w = new Float64Array(new SharedArrayBuffer(c.rows * 8));
      for (let i = 0; i < c.rows; i++) w[i] = c.oobCount[i] > 0 ? c.w[i] : 0;
    } else if (a.holdoutFold !== undefined) {
      w = new Float64Array(new SharedArrayBuffer(c.rows * 8));
      for (let i = 0; i < c.rows; i++) w[i] = c.fold[i] === a.holdoutFold && c.y[i] === c.y[i] ? 1 : 0;
    }
    for (let i = 0; i < c.rows; i++) writeOutput(c, i, a, p, i * width);
    return [{ index: c.index, rows: c.rows, y: c.y, p, width, w: w ?? c.w }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

export interface EnsembleArgs {
  /** Trees of each iteration, one a class. */
  readonly iterations: readonly (readonly Tree[])[];
  readonly init: Float64Array;
  readonly missingBin: Int32Array;
}

/** Sets every row's raw scores to init + the sum of all trees (scoring a new frame). */
export const EnsembleScoreTask = stateTask<EnsembleArgs, TreeChunk>("ml.tree.ensemble_score", (c, { iterations, init, missingBin }) => {
  const K = init.length;
  for (let i = 0; i < c.rows; i++) {
    for (let k = 0; k < K; k++) {
      let s = init[k];
      for (let t = 0; t < iterations.length; t++) {
        const tree = iterations[t][k];
        s += tree.value[routeRow(tree, c.bins, missingBin, i)];
      }
      c.score[i * K + k] = s;
    }
  }
});

/** Puts every row's raw scores back to `init` and clears the out-of-bag sums. */
export const ResetScoresTask = stateTask<{ init: Float64Array }, TreeChunk>("ml.tree.reset", (c, { init }) => {
  const K = init.length;
  for (let i = 0; i < c.rows; i++) for (let k = 0; k < K; k++) c.score[i * K + k] = init[k];
  c.oob.fill(0);
  c.oobCount.fill(0);
});

/** Response statistics of the training rows: Σw, Σw·y, then Σw per class. */
export const ResponseStatsTask: Task<{ classes: number }, Float64Array, TreeChunk> = {
  name: "ml.tree.response_stats",
  map(c, { classes }) {
    const s = new Float64Array(2 + classes);
    for (let i = 0; i < c.rows; i++) {
      const w = c.w[i];
      if (!(w > 0)) continue;
      s[0] += w;
      s[1] += w * c.y[i];
      if (classes > 1) s[2 + c.y[i]] += w;
    }
    return s;
  },
  reduce(a, b) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
    return out;
  },
  empty: ({ classes }) => new Float64Array(2 + classes),
};

/** A sorted sample of the training rows' response, or of |y − center| when given. */
export const ResponseSketchTask: Task<{ rate: number; state: number; center: number | null }, Float64Array, TreeChunk> = {
  name: "ml.tree.response_sketch",
  map(c, { rate, state, center }) {
    const out: number[] = [];
    for (let i = 0; i < c.rows; i++) {
      if (c.w[i] > 0 && (rate >= 1 || rowUniform(state, c.start + i) < rate)) out.push(center === null ? c.y[i] : Math.abs(c.y[i] - center));
    }
    return Float64Array.from(out).sort();
  },
  reduce: mergeSorted,
  empty: () => new Float64Array(0),
};
