// The per-row passes of a tree ensemble over its training view (and over the views of
// validation and scoring frames): gradients before each iteration, score updates after
// it, and the model's output as scored chunks for the metrics.

import { stateTask, type Task } from "../../core/mr.ts";
import { rowUniform } from "../../core/rng.ts";
import { mergeSorted } from "../../core/sorted.ts";
import { linkInverse } from "../loss.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import { addTrees, computeGradients, finishedLeaf, finishRows, type GradArgs, type ScoreArgs, type SplitTable } from "./rows.ts";
import { type Router, routeRows, type Tree } from "./tree.ts";
import { type RootArgs, startTree } from "./histogram.ts";
import type { TreeChunk } from "./view.ts";

export interface GradTaskArgs extends GradArgs {
  /**
   * Scales known before the gradients (gradientBounds) of several trees a row (multinomial):
   * the pass also quantizes each chunk's rows and forms the trees' roots (startTree) while
   * they are in cache, and skips the maxes. (One tree a row: the root pass takes its
   * gradients itself, RootArgs.gradients.)
   */
  readonly root?: RootArgs | null;
}

/**
 * Writes g and h of every training row; the partial is max |g| then max h, per class. Given
 * the root's scales (GradTaskArgs.root), it starts the tree instead, and its partial is all zeros.
 */
export const GradTask: Task<GradTaskArgs, Float64Array, TreeChunk> = {
  name: "ml.tree.gradients",
  commutative: true,
  map(c, args) {
    const K = args.classes;
    const n = c.rows;
    const out = new Float64Array(2 * K);
    if (args.root) {
      computeGradients(c, args);
      startTree(c, args.root, K);
      return out;
    }
    computeGradients(c, args);
    if (K === 1) {
      // One tree a row: the maxes in locals.
      const { g, h, w } = c;
      let maxG = 0;
      let maxH = 0;
      for (let i = 0; i < n; i++) {
        if (!(w[i] > 0)) continue;
        const ag = Math.abs(g[i]);
        if (ag > maxG) maxG = ag;
        if (h[i] > maxH) maxH = h[i];
      }
      out[0] = maxG;
      out[1] = maxH;
      return out;
    }
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

/** Adds the iteration's trees (one a class) to the rows' raw scores; the partial: rows added to the out-of-bag sums. */
export const ScoreTask: Task<ScoreArgs, number, TreeChunk> = {
  name: "ml.tree.score",
  commutative: true,
  map: addTrees,
  reduce: (a, b) => a + b,
  empty: () => 0,
};

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

/**
 * The outputs of every row of the chunk into `p`, `width` values a row: a one-value output
 * (logistic, identity) in a loop of its own, not a call and a switch a row.
 */
function writeOutputs(c: TreeChunk, a: OutputArgs, p: Float64Array, width: number): void {
  const s = c.score;
  const one = width === 1 && a.classes === 1;
  if (one && a.output === "logistic") for (let i = 0; i < c.rows; i++) p[i] = linkInverse("bernoulli", s[i]);
  else if (one && a.output === "identity") p.set(s.subarray(0, c.rows));
  else for (let i = 0; i < c.rows; i++) writeOutput(c, i, a, p, i * width);
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
    writeOutputs(c, a, p, width);
    return [{ index: c.index, rows: c.rows, y: c.y, p, width, w: w ?? c.w }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

export interface EnsembleArgs {
  /** Trees of each iteration, one a class, and their routers (shared memory: sent without a copy). */
  readonly iterations: readonly (readonly Tree[])[];
  readonly routers: readonly (readonly Router[])[];
  readonly init: Float64Array;
  readonly missingBin: Int32Array;
}

let ensembleLeaves = new Int32Array(0);

/**
 * Sets every row's raw scores to init + the sum of all trees (scoring a new frame), a tree at a
 * time over the chunk's rows, so the tree's nodes stay in cache (each row's sum adds the trees
 * in the same order as one row at a time would, so the bits are the same).
 */
export const EnsembleScoreTask = stateTask<EnsembleArgs, TreeChunk>("ml.tree.ensemble_score", (c, args) => {
  const { iterations, routers, init, missingBin } = args;
  const K = init.length;
  const n = c.rows;
  if (ensembleLeaves.length < n) ensembleLeaves = new Int32Array(n);
  const leaves = ensembleLeaves;
  c.expNegKept[0] = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) c.score[i * K + k] = init[k];
  for (let t = 0; t < iterations.length; t++) {
    for (let k = 0; k < K; k++) {
      const value = iterations[t][k].value;
      routeRows(routers[t][k], c.bins, missingBin, null, n, leaves);
      for (let i = 0; i < n; i++) c.score[i * K + k] += value[leaves[i]];
    }
  }
});

/** Puts every row's raw scores back to `init` and, for a training that keeps them (`outOfBag`: DRF), clears the out-of-bag sums. */
export const ResetScoresTask = stateTask<{ init: Float64Array; outOfBag: boolean }, TreeChunk>("ml.tree.reset", (c, { init, outOfBag }) => {
  const K = init.length;
  c.expNegKept[0] = 0;
  for (let i = 0; i < c.rows; i++) for (let k = 0; k < K; k++) c.score[i * K + k] = init[k];
  // Only a training that sums out-of-bag scores (DRF) touches them: writing zeros over a new
  // view's (zero) pages faulted in 38 MB for 2.4M rows, a tenth of the first passes' time.
  if (outOfBag) {
    c.oob.fill(0);
    c.oobCount.fill(0);
  }
});

export interface LeafResidualArgs {
  /** The grower's pending splits: the task ends the tree's growth (finishRows) before it reads leaves. */
  readonly pending: SplitTable | null;
  readonly missingBin: Int32Array;
  /** Nodes in the tree: the partial holds one list per node id. */
  readonly nodes: number;
}

/**
 * The residuals y − f of each leaf's training rows, sorted (one class): for losses whose
 * leaf value is a quantile of its residuals (laplace: the median; quantile: alpha), as H2O.
 */
export const LeafResidualsTask: Task<LeafResidualArgs, Float64Array[], TreeChunk> = {
  name: "ml.tree.leaf_residuals",
  commutative: true,
  map(c, { pending, missingBin, nodes }) {
    finishRows(c, pending, 1, missingBin);
    const lists: number[][] = Array.from({ length: nodes }, () => []);
    for (let i = 0; i < c.rows; i++) {
      const n = c.node[i];
      const leaf = n <= -2 ? finishedLeaf(n) : -1;
      if (leaf >= 0) lists[leaf].push(c.y[i] - c.score[i]);
    }
    return lists.map((l) => Float64Array.from(l).sort());
  },
  reduce: (a, b) => a.map((x, i) => mergeSorted(x, b[i])),
  empty: ({ nodes }) => Array.from({ length: nodes }, () => new Float64Array(0)),
};

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

/**
 * A sorted sample of the training rows' response; of |y − center| when a center is given;
 * of |y − f|, the absolute residuals of the current scores, for center "score".
 */
export const ResponseSketchTask: Task<{ rate: number; state: number; center: number | "score" | null }, Float64Array, TreeChunk> = {
  name: "ml.tree.response_sketch",
  map(c, { rate, state, center }) {
    const out: number[] = [];
    for (let i = 0; i < c.rows; i++) {
      if (!(c.w[i] > 0 && (rate >= 1 || rowUniform(state, c.start + i) < rate))) continue;
      out.push(center === null ? c.y[i] : Math.abs(c.y[i] - (center === "score" ? c.score[i] : center)));
    }
    return Float64Array.from(out).sort();
  },
  reduce: mergeSorted,
  empty: () => new Float64Array(0),
};
