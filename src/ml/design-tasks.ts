// The passes over design chunks that do not depend on a model, shared by every algorithm
// that reads the design matrix (GLM, PCA, deep learning):
//   BuildDesignTask  expands each frame chunk into a design chunk, kept beside it
//   GramTask         the weighted Gram matrix X'WX with the fit's row weights (PCA's decomposition)
//   ResponseTask     Σw, Σw·y and the class weights (a null model; the usable rows)
//   FoldWeightsTask  the fit's row weights for a cross-validation fold
//   HoldoutTask      the out-of-fold predictions written into the chunks, as scored chunks
// Partials are plain sums folded in chunk order, so 1 or N threads give the same bits.

import { stateTask, type Task } from "../core/mr.ts";
import { type DesignArgs, type DesignChunk, type Design, expandChunk, rowTerms, width } from "./design.ts";
import type { ScoredChunk } from "./metrics/scored.ts";

/** Partial: the design chunk of each frame chunk, in chunk order. */
export const BuildDesignTask: Task<DesignArgs, DesignChunk[]> = {
  name: "ml.design.build",
  resident: true,
  map: (chunk, args) => [expandChunk(chunk, args)],
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** Partial: Q×Q lower triangle of X'WX (row-major, Q = width(design), the intercept last), then Σw. */
export const GramTask: Task<{ design: Design }, Float64Array, DesignChunk> = {
  name: "ml.design.gram",
  map(c, { design: d }) {
    const Q = width(d);
    const out = new Float64Array(Q * Q + 1);
    const idx = new Int32Array(d.enums.length + d.nums.length + 1);
    const val = new Float64Array(idx.length);
    for (let i = 0; i < c.rows; i++) {
      const w = c.w[i];
      if (w === 0) continue;
      const m = rowTerms(c, d, i, idx, val);
      out[Q * Q] += w;
      for (let p = 0; p < m; p++) {
        const row = idx[p] * Q;
        const wx = w * val[p];
        for (let q = 0; q <= p; q++) out[row + idx[q]] += wx * val[q];
      }
    }
    return out;
  },
  reduce: (a, b) => Float64Array.from(a, (v, i) => v + b[i]),
  empty: ({ design }) => new Float64Array(width(design) ** 2 + 1),
};

/** Partial: Σw, Σw·y, then Σw per class (classes > 0): the null model's mean or class shares. */
export const ResponseTask: Task<{ classes: number }, Float64Array, DesignChunk> = {
  name: "ml.design.response",
  map(c, { classes }) {
    const out = new Float64Array(2 + classes);
    for (let i = 0; i < c.rows; i++) {
      const w = c.w[i];
      if (w === 0) continue;
      out[0] += w;
      out[1] += w * c.y[i];
      if (classes > 0) out[2 + c.y[i]] += w;
    }
    return out;
  },
  reduce: (a, b) => Float64Array.from(a, (v, i) => v + b[i]),
  empty: ({ classes }) => new Float64Array(2 + classes),
};

/** Sets the fit's row weights: usable rows of fold `fold` (keep) or of every other fold; fold −1: every usable row. */
export const FoldWeightsTask = stateTask<{ fold: number; keep: boolean }, DesignChunk>("ml.design.fold_weights", (c, { fold, keep }) => {
  for (let i = 0; i < c.rows; i++) {
    const inFold = c.fold[i] === fold;
    c.w[i] = c.ok[i] && (fold < 0 || inFold === keep) ? 1 : 0;
  }
});

/** Partial: the out-of-fold predictions of every usable row, as scored chunks. */
export const HoldoutTask: Task<{ width: number }, ScoredChunk[], DesignChunk> = {
  name: "ml.design.holdout",
  map(c, { width }) {
    const w = new Float64Array(c.rows);
    for (let i = 0; i < c.rows; i++) w[i] = c.ok[i] && c.fold[i] >= 0 ? 1 : 0;
    return [{ index: c.index, rows: c.rows, y: c.y, p: c.holdout.subarray(0, c.rows * width), width, w }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};
