// The penalised least-squares subproblem of one IRLS step, solved on the coordinator from
// the Gram partial: minimise ½·βᵀGβ − bᵀβ + l1·‖β‖₁ + ½·l2·‖β‖² over the coefficients,
// the intercept unpenalised, where G = X'WX / Σw and b = X'Wz / Σw.
//   ridgeSolve       no L1 and no sign constraint: (G + l2·I) β = b by Cholesky, dropping
//                    columns that are linear combinations of others (collinear)
//   coordinateDescent  the elastic net and non-negative coefficients: cyclic coordinate
//                    descent with covariance updates (glmnet's method; H2O's IRLSM uses
//                    ADMM here, which solves the same problem)

import { choleskyDropping, choleskySolve } from "../linalg.ts";

export interface Subproblem {
  /** Q × Q, lower triangle filled (row-major). */
  readonly G: Float64Array;
  readonly b: Float64Array;
  readonly Q: number;
  /** Index of the intercept, or −1. */
  readonly intercept: number;
  readonly l1: number;
  readonly l2: number;
  /** Coefficients held at zero (collinear columns removed earlier). */
  readonly frozen?: Uint8Array;
}

/** Relative pivot under which a column counts as collinear (1 − R² < 1e-7, as H2O). */
export const COLLINEAR_TOL = 1e-7;

/**
 * Ridge (or plain least squares at l2 = 0) by Cholesky. The intercept is factored first so
 * that a collinear group always loses one of its predictors, never the intercept; the
 * columns dropped are returned (their coefficients are zero).
 */
export function ridgeSolve(s: Subproblem): { beta: Float64Array; dropped: number[] } {
  const { Q, intercept } = s;
  const order = intercept >= 0 ? [intercept, ...Array.from({ length: Q }, (_, j) => j).filter((j) => j !== intercept)] : Array.from({ length: Q }, (_, j) => j);
  const A = new Float64Array(Q * Q);
  const rhs = new Float64Array(Q);
  for (let i = 0; i < Q; i++) {
    const oi = order[i];
    rhs[i] = s.b[oi];
    for (let j = 0; j <= i; j++) {
      const oj = order[j];
      A[i * Q + j] = oi >= oj ? s.G[oi * Q + oj] : s.G[oj * Q + oi];
    }
    if (oi !== intercept) A[i * Q + i] += s.l2;
  }
  const keep = order.map((o) => !s.frozen?.[o]);
  const { L, dropped } = choleskyDropping(A, Q, COLLINEAR_TOL, keep);
  for (let i = 0; i < Q; i++) if (!keep[i]) rhs[i] = 0;
  for (const d of dropped) rhs[d] = 0;
  const x = choleskySolve(L, Q, rhs);
  const beta = new Float64Array(Q);
  for (let i = 0; i < Q; i++) beta[order[i]] = keep[i] && !dropped.includes(i) ? x[i] : 0;
  return { beta, dropped: dropped.map((i) => order[i]).sort((a, b) => a - b) };
}

/**
 * Cyclic coordinate descent from `start` until no coefficient moves more than `tol`
 * (or `maxSweeps`): β_j = S(b_j − Σ_{k≠j} G_jk β_k, l1) / (G_jj + l2), clipped at 0 when
 * `nonNegative` (the intercept is free).
 */
export function coordinateDescent(s: Subproblem, start: Float64Array, nonNegative: boolean, tol = 1e-9, maxSweeps = 10_000): Float64Array {
  const { G, Q } = s;
  // G filled out symmetrically, so that column j (= row j) is contiguous for the updates of gb.
  const S = new Float64Array(Q * Q);
  for (let i = 0; i < Q; i++) {
    for (let j = 0; j <= i; j++) S[i * Q + j] = S[j * Q + i] = G[i * Q + j];
  }
  const beta = Float64Array.from(start);
  // gb = G β, kept current as coefficients change.
  const gb = new Float64Array(Q);
  for (let i = 0; i < Q; i++) {
    let sum = 0;
    for (let j = 0; j < Q; j++) sum += S[i * Q + j] * beta[j];
    gb[i] = sum;
  }
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let moved = 0;
    for (let j = 0; j < Q; j++) {
      if (s.frozen?.[j]) continue;
      const gjj = S[j * Q + j];
      if (!(gjj > 0)) continue;
      const free = j === s.intercept;
      const r = s.b[j] - gb[j] + gjj * beta[j];
      let next: number;
      if (free) next = r / gjj;
      else {
        next = Math.abs(r) <= s.l1 ? 0 : (r - Math.sign(r) * s.l1) / (gjj + s.l2);
        if (nonNegative && next < 0) next = 0;
      }
      const delta = next - beta[j];
      if (delta === 0) continue;
      beta[j] = next;
      const row = j * Q;
      for (let i = 0; i < Q; i++) gb[i] += S[row + i] * delta;
      moved = Math.max(moved, Math.abs(delta));
    }
    if (moved < tol) break;
  }
  return beta;
}

/** The penalty l1·‖β‖₁ + ½·l2·‖β‖² of coefficients (intercept excluded). */
export function penalty(beta: Float64Array, Q: number, intercept: number, l1: number, l2: number, classes = 1): number {
  let a = 0;
  let b = 0;
  for (let k = 0; k < classes; k++) {
    for (let j = 0; j < Q; j++) {
      if (j === intercept) continue;
      const v = beta[k * Q + j];
      a += Math.abs(v);
      b += v * v;
    }
  }
  return l1 * a + 0.5 * l2 * b;
}
