// SHAP contributions of a tree ensemble (GBM, DRF, XGBoost) on a frame: the frame is binned
// as scoring bins it, and a map task over the view's chunks runs TreeSHAP (shap.ts) for every
// row and tree. Class k's trees give block k. A block's bias term is init[k] plus each tree's
// expected value (its leaves averaged by cover), so a block sums to the row's raw score: the
// link-space value predictions come from (log-odds, log, identity; DRF: the trees' average,
// which for a binomial DRF is the probability of class 1 itself, before clipping to [0, 1]).
// A tree whose leaves' tables fit (shap-table.ts) is read from its table, the others by the
// recursion: which one depends on the tree alone, so every thread and chunking agrees.

import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Executor, Task } from "../../core/mr.ts";
import type { ContributionChunk, ContributionRequest, Contributions } from "../algorithm.ts";
import { linkInverse } from "../loss.ts";
import { bindFeatures, type TreeModel } from "./model.ts";
import { expectedValue, ShapWalker, treeDepth } from "./shap.ts";
import { addTableShap, buildShapTable, type ShapTable, shapTableSize } from "./shap-table.ts";
import type { Tree } from "./tree.ts";
import { BuildViewTask, type TreeChunk } from "./view.ts";

export interface ContributionArgs {
  /** Trees of each iteration, one a class, with their covers (shared memory: sent without a copy). */
  readonly iterations: readonly (readonly Tree[])[];
  readonly covers: readonly (readonly Float64Array[])[];
  /** Each tree's SHAP table, or null where it is walked by the recursion. */
  readonly tables: readonly (readonly (ShapTable | null)[])[];
  /** Most nodes a tree has (the agreement masks' scratch). */
  readonly maxNodes: number;
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
    const agree = new Int32Array(a.maxNodes);
    for (let i = 0; i < c.rows; i++) {
      for (let k = 0; k < K; k++) {
        const base = (i * K + k) * width;
        for (let t = 0; t < a.iterations.length; t++) {
          const table = a.tables[t][k];
          if (table) addTableShap(a.iterations[t][k], table, c.bins, a.missingBin, i, values, base, agree);
          else walker.add(a.iterations[t][k], a.covers[t][k], i, base, a.scale);
        }
        values[base + a.features] = a.bias[k];
      }
    }
    return [{ index: c.index, rows: c.rows, values }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/**
 * Most entries one tree's table may hold, and all of a model's tables (8 bytes an entry: 32 MB,
 * kept while the model lives; 100 trees of depth 6 take at most 2.5M entries).
 */
const TREE_TABLE_ENTRIES = 2 ** 20;
const MODEL_TABLE_ENTRIES = 2 ** 22;

/** The tables of a model's trees, in order while they fit the budgets (null: walked by the recursion). */
function tablesOf(iterations: readonly (readonly Tree[])[], covers: readonly (readonly Float64Array[])[], scale: number): (ShapTable | null)[][] {
  let budget = MODEL_TABLE_ENTRIES;
  return iterations.map((trees, t) =>
    trees.map((tree, k) => {
      const size = shapTableSize(tree, covers[t][k]);
      if (size > TREE_TABLE_ENTRIES || size > budget) return null;
      budget -= size;
      return buildShapTable(tree, covers[t][k], scale);
    }),
  );
}

const argsCache = new WeakMap<object, ContributionArgs>();

/** The task's arguments for a model (its trees' covers checked, expected values summed, tables built), kept while its trees live. */
function contributionArgs(model: TreeModel): ContributionArgs {
  const cached = argsCache.get(model.iterations);
  if (cached) return cached;
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
  const args: ContributionArgs = {
    iterations: model.iterations,
    covers,
    tables: tablesOf(model.iterations, covers, scale),
    maxNodes: model.iterations.reduce((m, trees) => trees.reduce((e, t) => Math.max(e, t.feature.length), m), 1),
    bias,
    scale,
    features: model.features.length,
    maxDepth,
    missingBin: Int32Array.from(model.features, (f) => f.valueBins),
  };
  argsCache.set(model.iterations, args);
  return args;
}

/** TreeSHAP contributions of a frame's rows, in the model's link space (see the file's comment). */
export async function treeContributions(executor: Executor, model: TreeModel, frame: Frame, warnings: string[], request: ContributionRequest = {}): Promise<Contributions | null> {
  // Path-dependent TreeSHAP weighs by the training rows (node covers): against a background frame the shared baseline SHAP answers.
  if (request.background) return null;
  const args = contributionArgs(model);
  const features = bindFeatures(frame, model.features, warnings);
  const view = { chunks: await executor.run(BuildViewTask, frame, { features, y: null, classes: 1 }, { signal: request.signal }) };
  const onProgress = request.onProgress;
  const chunks = await executor.run(ContributionsTask, view, args, { signal: request.signal, onProgress: onProgress && ((done, total) => onProgress(done / total)) });
  // output_space: DRF's raw score is already the response scale (its trees' average).
  const inverseLink = model.algo === "drf" ? (z: number) => z : (z: number) => linkInverse(model.distribution, z);
  return { names: model.features.map((f) => f.name), classes: model.treesPerIteration, chunks: chunks.sort((a, b) => a.index - b.index), inverseLink };
}
