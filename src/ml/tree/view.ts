// The training view of a frame for tree learners: per chunk, the binned features, the
// response and the per-row working state of boosting (raw scores, gradients, node ids).
// It lives beside the frame's chunks (built by a task from them) and the tasks of the
// grower read and update it in place; only trees and histograms travel.

import type { Task } from "../../core/mr.ts";
import { type ResponseColumn, readResponse } from "../bind.ts";
import { type BinColumn, binColumn } from "./binning.ts";
import { bundleCodes, type FeatureBundle } from "./bundle.ts";

export interface TreeChunk {
  readonly index: number;
  /** Global row id of the chunk's first row (for seeded per-row sampling). */
  readonly start: number;
  readonly rows: number;
  /** Bins of each feature, in feature order. */
  readonly bins: readonly Uint16Array[];
  /**
   * A training view's bundle of low-cardinality features (bundle.ts) and each row's bin of it,
   * which level passes sum large nodes through; null and empty without one.
   */
  readonly bundle: FeatureBundle | null;
  readonly bundleBins: Uint16Array;
  /** Response: class code or value; NaN when missing. */
  readonly y: Float64Array;
  /** Row weight: 0 leaves a row out of training (missing response, another fold). */
  readonly w: Float64Array;
  /** Cross-validation fold of each row (0 without cross-validation). */
  readonly fold: Int32Array;
  /**
   * Per-row state, `classes` values a row (row-major): raw score, gradient, hessian (a
   * gradient pass that starts the tree keeps g and h in a block of cache instead: startTreeByBlocks).
   */
  readonly score: Float64Array;
  /**
   * Bernoulli's exp(−score) of each row (one tree a row), kept by the root passes
   * (startAndSumRoot) while `expNegKept[0]` is 1: adding a tree multiplies it by exp(−value)
   * of the row's leaf instead of taking an exponential a row. Anything else that changes
   * the scores sets `expNegKept[0]` to 0.
   */
  readonly expNeg: Float64Array;
  readonly expNegKept: Uint8Array;
  readonly g: Float64Array;
  readonly h: Float64Array;
  /**
   * Quantized gradient and hessian: integers, so histogram sums are exact. Class by class
   * (qg[k·rows + i]), so a class's are one array to the histograms' loops.
   */
  readonly qg: Int32Array;
  readonly qh: Int32Array;
  /** Node of each row in the tree of each class being grown; −1 = not in it. */
  readonly node: Int32Array;
  /**
   * Rows grouped by node (LightGBM's data partition), per class: order[k·rows + j] is a
   * row; `parts` lists (node, start, end) of the growing nodes, in no set order, 3·rows + 3
   * entries a class, with their number in partCount[k].
   */
  readonly order: Int32Array;
  readonly parts: Int32Array;
  readonly partCount: Int32Array;
  /** Cross-validation: each row's prediction by the model of its own fold. */
  readonly holdout: Float64Array;
  /** Sum of out-of-bag predictions and their count (DRF's training metrics). */
  readonly oob: Float64Array;
  readonly oobCount: Float64Array;
}

export interface ViewArgs {
  readonly features: readonly BinColumn[];
  /** Response column and how to read it: numbers, or enum codes (recoded to training codes). */
  readonly y: ResponseColumn | null;
  readonly classes: number;
  /** A bundle of the features (training views) [default none]. */
  readonly bundle?: FeatureBundle | null;
}

const shared = {
  f64: (n: number) => new Float64Array(new SharedArrayBuffer(n * 8)),
  i32: (n: number) => new Int32Array(new SharedArrayBuffer(n * 4)),
};

/** Partial: the view chunk of each frame chunk (concatenated in chunk order). */
export const BuildViewTask: Task<ViewArgs, TreeChunk[]> = {
  name: "ml.tree.view",
  resident: true,
  map(chunk, args) {
    const n = chunk.rows;
    const K = args.classes;
    const y = shared.f64(n);
    const w = shared.f64(n);
    if (args.y) {
      readResponse(chunk, args.y, y);
      for (let i = 0; i < n; i++) w[i] = y[i] === y[i] ? 1 : 0;
    } else {
      y.fill(Number.NaN);
    }
    const bins = args.features.map((f) => binColumn(chunk, f));
    const bundle = args.bundle ?? null;
    const bundleBins = new Uint16Array(new SharedArrayBuffer(bundle ? n * 2 : 0));
    if (bundle) bundleCodes(bins, bundle, n, bundleBins);
    return [
      {
        index: chunk.index,
        start: chunk.start,
        rows: n,
        bins,
        bundle,
        bundleBins,
        y,
        w,
        fold: shared.i32(n),
        score: shared.f64(n * K),
        expNeg: shared.f64(K === 1 ? n : 0),
        expNegKept: new Uint8Array(new SharedArrayBuffer(1)),
        g: shared.f64(n * K),
        h: shared.f64(n * K),
        qg: shared.i32(n * K),
        qh: shared.i32(n * K),
        node: shared.i32(n * K),
        order: shared.i32(n * K),
        parts: shared.i32((3 * n + 3) * K),
        partCount: shared.i32(K),
        holdout: shared.f64(n * K),
        oob: shared.f64(n * K),
        oobCount: shared.f64(n),
      },
    ];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};
