// The passes GLM makes over the rows of its design chunks, as map/reduce tasks whose
// partials are plain sums (folded in chunk order, so 1 or N threads give the same bits):
//   IrlsGramTask  X'WX and X'Wz of one IRLS step at the current coefficients
//   GradientTask  the gradient of ½·deviance and the deviance (L-BFGS, strong rules' KKT check)
//   FoldDevianceTask  a cross-validation fold's holdout deviance (the lambda path's early exit)
//   OutputTask    per row, the model's output (scoring; CV's holdout predictions)
// The passes that no model owns (building the design, the null model's sums, fold
// weights, holdout collection) are in ../design-tasks.ts.
// Coefficients are on the design's (standardized) scale, the intercept last; a
// multinomial model holds K such vectors one after another.

import type { Task } from "../../core/mr.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import { type Design, type DesignChunk, rowTerms, width } from "../design.ts";
import { dmuDeta, type FamilyArgs, linkInv, rowDeviance, variance } from "./family.ts";

export interface GlmPassArgs {
  readonly design: Design;
  readonly family: FamilyArgs;
  /** width(design) coefficients, or classes × width for a multinomial model. */
  readonly beta: Float64Array;
  /** Multinomial: the number of classes; 0 otherwise. */
  readonly classes: number;
}

/** Slots after the Gram and X'Wz in an IRLS partial: Σw, Σw·deviance, Σw·pearson χ², rows, max |eta|. */
export const GRAM_STATS = 5;

export interface IrlsArgs extends GlmPassArgs {
  /** Multinomial: the class whose block this step fits. */
  readonly klass: number;
  /** The columns the step fits (ascending, the intercept included), or null: all of them. */
  readonly active?: Int32Array | null;
}

/** Entries of an A×A lower triangle packed row by row: (i, j ≤ i) is at i·(i + 1)/2 + j. */
export function packedSize(A: number): number {
  return (A * (A + 1)) / 2;
}

/** Position of each column among `active` (−1: left out); the identity without a subset. */
function activePositions(Q: number, active: Int32Array | null | undefined): { pos: Int32Array; A: number } {
  const pos = new Int32Array(Q);
  if (!active) {
    for (let j = 0; j < Q; j++) pos[j] = j;
    return { pos, A: Q };
  }
  pos.fill(-1);
  for (let a = 0; a < active.length; a++) pos[active[a]] = a;
  return { pos, A: active.length };
}

/** Linear predictor of class k (0 for a single-response model) of a row's terms. */
function eta(beta: Float64Array, base: number, idx: Int32Array, val: Float64Array, m: number): number {
  let s = 0;
  for (let a = 0; a < m; a++) s += beta[base + idx[a]] * val[a];
  return s;
}

/** Writes the softmax of a row's K linear predictors into `p`; returns nothing. */
function softmax(beta: Float64Array, W: number, K: number, idx: Int32Array, val: Float64Array, m: number, p: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) {
    p[k] = eta(beta, k * W, idx, val, m);
    if (p[k] > max) max = p[k];
  }
  let sum = 0;
  for (let k = 0; k < K; k++) {
    p[k] = Math.exp(p[k] - max);
    sum += p[k];
  }
  for (let k = 0; k < K; k++) p[k] /= sum;
}

function scratch(d: Design): { idx: Int32Array; val: Float64Array } {
  const n = d.enums.length + d.nums.length + 1;
  return { idx: new Int32Array(n), val: new Float64Array(n) };
}

/**
 * Partial: the A×A lower triangle of X'WX packed (packedSize), A of X'Wz, then GRAM_STATS slots; W and z
 * are IRLS's, A the active columns (all Q without a subset). The linear predictor reads every
 * coefficient: columns left out hold 0 (strong rules) and only their Gram rows are skipped.
 */
export const IrlsGramTask: Task<IrlsArgs, Float64Array, DesignChunk> = {
  name: "ml.glm.irls_gram",
  map(c, a) {
    const d = a.design;
    const Q = width(d);
    const { pos, A } = activePositions(Q, a.active);
    const out = new Float64Array(packedSize(A) + A + GRAM_STATS);
    const xz = packedSize(A);
    const st = xz + A;
    const { idx, val } = scratch(d);
    // The row's active terms: position among the active columns, value.
    const at = new Int32Array(idx.length);
    const atVal = new Float64Array(idx.length);
    const K = a.classes;
    const probs = new Float64Array(Math.max(K, 1));
    const f = a.family;
    for (let i = 0; i < c.rows; i++) {
      const w = c.w[i];
      if (w === 0) continue;
      const m = rowTerms(c, d, i, idx, val);
      let n = 0;
      for (let p = 0; p < m; p++) {
        const ap = pos[idx[p]];
        if (ap < 0) continue;
        at[n] = ap;
        atVal[n++] = val[p];
      }
      const y = c.y[i];
      let e: number;
      let mu: number;
      let deriv: number;
      let v: number;
      let dev: number;
      let z: number;
      if (K > 0) {
        softmax(a.beta, Q, K, idx, val, m, probs);
        mu = probs[a.klass];
        e = eta(a.beta, a.klass * Q, idx, val, m);
        deriv = Math.max(mu * (1 - mu), 1e-10);
        v = deriv;
        const yk = y === a.klass ? 1 : 0;
        z = e + (yk - mu) / deriv;
        dev = -2 * Math.log(Math.max(probs[y], 1e-15));
        out[st + 2] += (w * (yk - mu) * (yk - mu)) / v;
      } else {
        e = eta(a.beta, 0, idx, val, m);
        mu = linkInv(f, e);
        deriv = dmuDeta(f, e, mu);
        v = variance(f, mu);
        z = e + (y - mu) / deriv;
        dev = rowDeviance(f, y, mu);
        out[st + 2] += (w * (y - mu) * (y - mu)) / v;
      }
      const W = (w * deriv * deriv) / v;
      out[st + 1] += w * dev;
      const ae = Math.abs(e);
      if (ae > out[st + 4]) out[st + 4] = ae;
      out[st] += w;
      out[st + 3] += 1;
      for (let p = 0; p < n; p++) {
        const row = (at[p] * (at[p] + 1)) / 2;
        const wx = W * atVal[p];
        out[xz + at[p]] += wx * z;
        for (let q = 0; q <= p; q++) out[row + at[q]] += wx * atVal[q];
      }
    }
    return out;
  },
  reduce(a, b) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
    const st = a.length - GRAM_STATS;
    out[st + 4] = Math.max(a[st + 4], b[st + 4]);
    return out;
  },
  empty(a) {
    const A = a.active ? a.active.length : width(a.design);
    return new Float64Array(packedSize(A) + A + GRAM_STATS);
  },
};

/** Deviance of row i of a chunk at the pass's coefficients (its terms already in idx/val). */
function rowModelDeviance(a: GlmPassArgs, Q: number, y: number, idx: Int32Array, val: Float64Array, m: number, probs: Float64Array): number {
  if (a.classes > 0) {
    softmax(a.beta, Q, a.classes, idx, val, m, probs);
    return -2 * Math.log(Math.max(probs[y], 1e-15));
  }
  return rowDeviance(a.family, y, linkInv(a.family, eta(a.beta, 0, idx, val, m)));
}

export interface GradientArgs extends GlmPassArgs {
  /** A cross-validation fold whose own rows' Σ deviance the pass sums too (see GradientTask). */
  readonly holdoutFold?: number;
}

/**
 * Partial: the gradient of ½·Σ w·deviance (one per coefficient, classes × Q for
 * multinomial), then, with `holdoutFold`, the Σ deviance of that fold's usable rows (each
 * weighing 1; the fold's holdout deviance), then Σw, Σw·deviance and the largest |eta|.
 */
export const GradientTask: Task<GradientArgs, Float64Array, DesignChunk> = {
  name: "ml.glm.gradient",
  map(c, a) {
    const d = a.design;
    const Q = width(d);
    const K = a.classes;
    const fold = a.holdoutFold ?? -1;
    const G = Q * Math.max(K, 1) + (fold >= 0 ? 1 : 0);
    const out = new Float64Array(G + 3);
    const { idx, val } = scratch(d);
    const probs = new Float64Array(Math.max(K, 1));
    const f = a.family;
    for (let i = 0; i < c.rows; i++) {
      const w = c.w[i];
      if (w === 0) {
        if (fold >= 0 && c.fold[i] === fold && c.ok[i] !== 0) out[G - 1] += rowModelDeviance(a, Q, c.y[i], idx, val, rowTerms(c, d, i, idx, val), probs);
        continue;
      }
      const y = c.y[i];
      const m = rowTerms(c, d, i, idx, val);
      out[G] += w;
      if (K > 0) {
        softmax(a.beta, Q, K, idx, val, m, probs);
        out[G + 1] -= 2 * w * Math.log(Math.max(probs[y], 1e-15));
        for (let k = 0; k < K; k++) out[G + 2] = Math.max(out[G + 2], Math.abs(eta(a.beta, k * Q, idx, val, m)));
        for (let k = 0; k < K; k++) {
          const r = w * (probs[k] - (y === k ? 1 : 0));
          for (let p = 0; p < m; p++) out[k * Q + idx[p]] += r * val[p];
        }
      } else {
        const e = eta(a.beta, 0, idx, val, m);
        const mu = linkInv(f, e);
        out[G + 1] += w * rowDeviance(f, y, mu);
        out[G + 2] = Math.max(out[G + 2], Math.abs(e));
        const r = (w * (mu - y) * dmuDeta(f, e, mu)) / variance(f, mu);
        for (let p = 0; p < m; p++) out[idx[p]] += r * val[p];
      }
    }
    return out;
  },
  reduce(a, b) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
    out[a.length - 1] = Math.max(a[a.length - 1], b[b.length - 1]);
    return out;
  },
  empty(a) {
    return new Float64Array(width(a.design) * Math.max(a.classes, 1) + ((a.holdoutFold ?? -1) >= 0 ? 1 : 0) + 3);
  },
};

export interface FoldDevianceArgs extends GlmPassArgs {
  readonly fold: number;
}

/**
 * Partial: Σ deviance of a cross-validation fold's own usable rows (each weighing 1,
 * whatever the fit's weights): the holdout deviance of the fold's model at each lambda.
 */
export const FoldDevianceTask: Task<FoldDevianceArgs, number, DesignChunk> = {
  name: "ml.glm.fold_deviance",
  map(c, a) {
    const d = a.design;
    const { idx, val } = scratch(d);
    const probs = new Float64Array(Math.max(a.classes, 1));
    let sum = 0;
    for (let i = 0; i < c.rows; i++) {
      if (c.fold[i] !== a.fold || c.ok[i] === 0) continue;
      sum += rowModelDeviance(a, width(d), c.y[i], idx, val, rowTerms(c, d, i, idx, val), probs);
    }
    return sum;
  },
  reduce: (a, b) => a + b,
  empty: () => 0,
};

export interface OutputArgs extends GlmPassArgs {
  /** Where to write: the chunk's holdout slots of this fold's rows, or a new array of every row. */
  readonly fold: number | null;
}

/**
 * Writes the model's output of each row: the mean (regression, binomial: P(class 1)) or
 * the K class probabilities. With `fold`, only that fold's rows, into the chunk's
 * holdout; without, every row (NaN where the row cannot be scored), returned in order.
 */
export const OutputTask: Task<OutputArgs, Float64Array[], DesignChunk> = {
  name: "ml.glm.output",
  map(c, a) {
    const d = a.design;
    const Q = width(d);
    const K = a.classes;
    const out = a.fold === null ? new Float64Array(c.rows * Math.max(K, 1)) : c.holdout;
    const { idx, val } = scratch(d);
    const probs = new Float64Array(Math.max(K, 1));
    for (let i = 0; i < c.rows; i++) {
      if (a.fold !== null && c.fold[i] !== a.fold) continue;
      const m = rowTerms(c, d, i, idx, val);
      const skipped = d.missing === "Skip" && c.ok[i] === 0;
      if (K > 0) {
        softmax(a.beta, Q, K, idx, val, m, probs);
        for (let k = 0; k < K; k++) out[i * K + k] = skipped ? Number.NaN : probs[k];
      } else {
        out[i] = skipped ? Number.NaN : linkInv(a.family, eta(a.beta, 0, idx, val, m));
      }
    }
    return a.fold === null ? [out] : [];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** Partial: each chunk scored for metrics, its response and fit weights beside the output. */
export const ScoredTask: Task<GlmPassArgs, ScoredChunk[], DesignChunk> = {
  name: "ml.glm.scored",
  map(c, a) {
    const [p] = OutputTask.map(c, { ...a, fold: null });
    return [{ index: c.index, rows: c.rows, y: c.y, p, width: Math.max(a.classes, 1), w: c.w }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};
