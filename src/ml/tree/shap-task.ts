// SHAP contributions of a tree ensemble (GBM, DRF, XGBoost) on a frame: the frame is binned
// as scoring bins it, and a map task over the view's chunks runs TreeSHAP (shap.ts) for every
// row and tree. Class k's trees give block k. A block's bias term is init[k] plus each tree's
// expected value (its leaves averaged by cover), so a block sums to the row's raw score: the
// link-space value predictions come from (log-odds, log, identity; DRF: the trees' average,
// which for a binomial DRF is the probability of class 1 itself, before clipping to [0, 1]).

import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Executor, Task } from "../../core/mr.ts";
import type { ContributionChunk, ContributionRequest, Contributions } from "../algorithm.ts";
import { linkInverse } from "../loss.ts";
import { bindFeatures, type TreeModel } from "./model.ts";
import { expectedValue, ShapWalker, treeDepth } from "./shap.ts";
import type { Tree } from "./tree.ts";
import { BuildViewTask, type TreeChunk } from "./view.ts";

export interface ContributionArgs {
  /** Trees of each iteration, one a class, with their covers (shared memory: sent without a copy). */
  readonly iterations: readonly (readonly Tree[])[];
  readonly covers: readonly (readonly Float64Array[])[];
  /** Per class: the bias term, already scaled. */
  readonly bias: Float64Array;
  /** What each tree's values are multiplied by: 1, or 1/trees for DRF's average. */
  readonly scale: number;
  readonly features: number;
  readonly maxDepth: number;
  readonly missingBin: Int32Array;
}

/** Partial: each chunk's contributions, rows × classes × (features + 1), bias last in a block. */
export const ContributionsTask: Task<ContributionArgs, ContributionChunk[], TreeChunk> = {
  name: "ml.tree.contributions",
  map(c, a) {
    const K = a.bias.length;
    const width = a.features + 1;
    const values = new Float64Array(new SharedArrayBuffer(c.rows * K * width * 8));
    const walker = new ShapWalker(a.maxDepth);
    walker.bins = c.bins;
    walker.missingBin = a.missingBin;
    walker.phi = values;
    for (let i = 0; i < c.rows; i++) {
      for (let k = 0; k < K; k++) {
        const base = (i * K + k) * width;
        for (let t = 0; t < a.iterations.length; t++) walker.add(a.iterations[t][k], a.covers[t][k], i, base, a.scale);
        values[base + a.features] = a.bias[k];
      }
    }
    return [{ index: c.index, rows: c.rows, values }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** The task's arguments for a model (its trees' covers checked, expected values summed). */
function contributionArgs(model: TreeModel): ContributionArgs {
  const covers = model.iterations.map((trees) =>
    trees.map((t) => {
      if (!t.cover) {
        throw new FloeError("bad_input", `model '${model.model_id}' was saved by a floe that did not record its trees' node covers, which contributions need: retrain it to get contributions`);
      }
      return t.cover;
    }),
  );
  const K = model.treesPerIteration;
  const scale = model.output === "average" ? 1 / Math.max(1, model.iterations.length) : 1;
  const bias = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let sum = model.init[k];
    model.iterations.forEach((trees, t) => {
      sum += expectedValue(trees[k], covers[t][k]);
    });
    bias[k] = sum * scale;
  }
  const maxDepth = model.iterations.reduce((d, trees) => trees.reduce((e, t) => Math.max(e, treeDepth(t)), d), 0);
  return {
    iterations: model.iterations,
    covers,
    bias,
    scale,
    features: model.features.length,
    maxDepth,
    missingBin: Int32Array.from(model.features, (f) => f.valueBins),
  };
}

/** TreeSHAP contributions of a frame's rows, in the model's link space (see the file's comment). */
export async function treeContributions(executor: Executor, model: TreeModel, frame: Frame, warnings: string[], request: ContributionRequest = {}): Promise<Contributions> {
  if (request.background) {
    throw new FloeError("invalid_argument", "background_frame: tree models give exact path-dependent TreeSHAP, which weighs by the training rows (node covers) and takes no background frame");
  }
  const args = contributionArgs(model);
  const features = bindFeatures(frame, model.features, warnings);
  const view = { chunks: await executor.run(BuildViewTask, frame, { features, y: null, classes: 1 }, { signal: request.signal }) };
  const chunks = await executor.run(ContributionsTask, view, args, { signal: request.signal });
  request.onProgress?.(1);
  // output_space: DRF's raw score is already the response scale (its trees' average).
  const inverseLink = model.algo === "drf" ? (z: number) => z : (z: number) => linkInverse(model.distribution, z);
  return { names: model.features.map((f) => f.name), classes: model.treesPerIteration, chunks: chunks.sort((a, b) => a.index - b.index), inverseLink };
}
