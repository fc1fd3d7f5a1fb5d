// Fitting a GLM at one lambda, warm-started: the solver loops that call the row passes
// (tasks.ts) and solve on the coordinator (solve.ts, lbfgs.ts).
//   IRLSM / COORDINATE_DESCENT  iteratively reweighted least squares: one Gram pass an
//       iteration, the penalised quadratic solved by Cholesky (no L1) or coordinate
//       descent; a step that raises the objective is halved back towards the last point.
//       Multinomial models cycle through the classes, one class's block a pass.
//   L_BFGS  one gradient pass an evaluation; OWL-QN for the L1 term.
// The objective is H2O's: ½·deviance / Σw + λ·(α·‖β‖₁ + (1 − α)/2·‖β‖²), intercept free.

import { FloeError } from "../../core/errors.ts";
import type { Chunked, Executor } from "../../core/mr.ts";
import { type Design, type DesignChunk, width } from "../design.ts";
import type { FamilyArgs } from "./family.ts";
import { lbfgs } from "./lbfgs.ts";
import { coordinateDescent, penalty, ridgeSolve, type Subproblem } from "./solve.ts";
import { GradientTask, IrlsGramTask, packedSize } from "./tasks.ts";

export interface FitContext {
  readonly executor: Executor;
  readonly view: Chunked<DesignChunk>;
  readonly design: Design;
  readonly family: FamilyArgs;
  /** Multinomial: classes; 0 otherwise. */
  readonly classes: number;
  readonly solver: "IRLSM" | "L_BFGS" | "COORDINATE_DESCENT";
  readonly alpha: number;
  readonly nonNegative: boolean;
  readonly maxIterations: number;
  readonly betaEpsilon: number;
  readonly objectiveEpsilon: number;
  readonly gradientEpsilon: number;
  /** Coordinate descent stops when no coefficient of the subproblem moves more than this. */
  readonly cdTolerance: number;
  /** A cross-validation fold's path: its fold, whose holdout deviance the gradient passes sum too (−1: none). */
  readonly holdoutFold: number;
  /** Drop collinear columns (at lambda 0) instead of failing; dropped columns are frozen at 0 here. */
  readonly removeCollinear: boolean;
  readonly frozen: Uint8Array;
  /** Binomial-like families at lambda 0: a diverging linear predictor means separable classes. */
  readonly checkSeparation: boolean;
  /** Names of the coefficients, for messages. */
  readonly names: readonly string[];
  readonly signal?: AbortSignal;
}

export interface FitResult {
  readonly beta: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** Σw·deviance and Σw at beta. */
  readonly deviance: number;
  readonly weight: number;
  /** Rows fitted, and Σ w·(y − mu)² / V(mu) at beta (for the dispersion). */
  readonly rows: number;
  readonly pearson: number;
  /** Single-response IRLS over every column: X'WX at beta, Q×Q lower triangle row-major (for standard errors). */
  readonly gram: Float64Array | null;
  /** Strong-rule fits: the gradient of ½·deviance / Σw over every column at beta. */
  readonly gradient?: Float64Array;
  /** Strong-rule fits with a holdout fold: that fold's Σ deviance at beta. */
  readonly heldOutDeviance?: number;
}

/** A linear predictor this large (|eta| > 36: mu within 2e-16 of 0 or 1) at lambda 0 means separation. */
const SEPARATION_ETA = 36;

function separationError(): FloeError {
  return new FloeError(
    "bad_input",
    "the classes are perfectly separable by the predictors: at lambda = 0 the coefficients grow without bound. Use regularisation (leave lambda at its default, or lambda > 0), or drop the predictors that separate the classes",
  );
}

/** The Q×Q lower triangle (row-major) of a packed one (IrlsGramTask's layout), each entry divided by `by`. */
function unpack(g: Float64Array, Q: number, by: number): Float64Array {
  const G = new Float64Array(Q * Q);
  for (let i = 0, k = 0; i < Q; i++) for (let j = 0; j <= i; j++) G[i * Q + j] = g[k++] / by;
  return G;
}

/** The subproblem over the columns `cols` fits (null: all of them) from their Gram partial. */
function subproblem(ctx: FitContext, g: Float64Array, sw: number, lambda: number, cols: Int32Array | null): Subproblem {
  const Q = cols ? cols.length : width(ctx.design);
  const G = unpack(g, Q, sw);
  const T = packedSize(Q);
  const b = Float64Array.from(g.subarray(T, T + Q), (v) => v / sw);
  const intercept = ctx.design.intercept ? (cols ? cols.indexOf(ctx.design.P) : ctx.design.P) : -1;
  const frozen = cols ? Uint8Array.from(cols, (c) => ctx.frozen[c]) : ctx.frozen;
  return { G, b, Q, intercept, l1: lambda * ctx.alpha, l2: lambda * (1 - ctx.alpha), frozen };
}

/** Solves one IRLS subproblem over the columns `cols` (null: all); collinear columns are frozen (or refused). */
function solveStep(ctx: FitContext, s: Subproblem, start: Float64Array, cols: Int32Array | null = null): Float64Array {
  if (ctx.solver === "IRLSM" && s.l1 === 0 && !ctx.nonNegative) {
    const { beta, dropped } = ridgeSolve(s);
    if (dropped.length) {
      const names = dropped.map((j) => ctx.names[cols ? cols[j] : j]);
      if (!ctx.removeCollinear) {
        throw new FloeError(
          "bad_input",
          `collinear columns: ${names.join(", ")} ${names.length > 1 ? "are linear combinations" : "is a linear combination"} of other columns. Set remove_collinear_columns, or use regularisation (lambda > 0)`,
        );
      }
      for (const j of dropped) ctx.frozen[cols ? cols[j] : j] = 1;
    }
    return beta;
  }
  return coordinateDescent(s, start, ctx.nonNegative, ctx.cdTolerance);
}

/** The coefficients of the columns `cols`. */
function gather(beta: Float64Array, cols: Int32Array): Float64Array {
  return Float64Array.from(cols, (c) => beta[c]);
}

/** A copy of `beta` with the columns `cols` set to `sub`. */
function scatter(beta: Float64Array, cols: Int32Array, sub: Float64Array): Float64Array {
  const out = Float64Array.from(beta);
  for (let a = 0; a < cols.length; a++) out[cols[a]] = sub[a];
  return out;
}

function maxDelta(a: Float64Array, b: Float64Array, from = 0, to = a.length): number {
  let d = 0;
  for (let i = from; i < to; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function cancelled(ctx: FitContext): void {
  if (ctx.signal?.aborted) throw new FloeError("cancelled", "cancelled by the user");
}

async function irls(ctx: FitContext, lambda: number, start: Float64Array): Promise<FitResult> {
  const Q = width(ctx.design);
  const icpt = ctx.design.intercept ? ctx.design.P : -1;
  const run = (beta: Float64Array) => ctx.executor.run(IrlsGramTask, ctx.view, { design: ctx.design, family: ctx.family, beta, classes: 0, klass: 0 });
  let beta = start;
  let prev: Float64Array | null = null;
  let prevObj = Number.POSITIVE_INFINITY;
  let halvings = 0;
  let converged = false;
  let iterations = 0;
  for (;;) {
    cancelled(ctx);
    const g = await run(beta);
    const st = g.subarray(packedSize(Q) + Q);
    const obj = st[1] / (2 * st[0]) + penalty(beta, Q, icpt, lambda * ctx.alpha, lambda * (1 - ctx.alpha));
    if (prev && !(obj <= prevObj * (1 + 1e-12)) && halvings < 30) {
      // The full step made things worse: go half way back.
      halvings++;
      const mid = new Float64Array(Q);
      for (let j = 0; j < Q; j++) mid[j] = 0.5 * (prev[j] + beta[j]);
      beta = mid;
      continue;
    }
    if (ctx.checkSeparation && st[4] > SEPARATION_ETA) throw separationError();
    if (converged || iterations >= ctx.maxIterations) {
      return { beta, iterations, converged, deviance: st[1], weight: st[0], rows: st[3], pearson: st[2], gram: unpack(g, Q, 1) };
    }
    const next = solveStep(ctx, subproblem(ctx, g, st[0], lambda, null), beta);
    iterations++;
    converged = maxDelta(next, beta) < ctx.betaEpsilon || (prev !== null && (prevObj - obj) / Math.abs(prevObj) < ctx.objectiveEpsilon);
    prev = beta;
    prevObj = obj;
    halvings = 0;
    beta = next;
  }
}

/**
 * The gradient of ½·deviance / Σw over every column at beta (single response), with
 * Σw·deviance, Σw and the holdout fold's Σ deviance (NaN without one).
 */
export async function gradientAt(ctx: FitContext, beta: Float64Array): Promise<{ gradient: Float64Array; deviance: number; weight: number; heldOut: number }> {
  const hold = ctx.holdoutFold >= 0;
  const r = await ctx.executor.run(GradientTask, ctx.view, { design: ctx.design, family: ctx.family, beta, classes: ctx.classes, ...(hold ? { holdoutFold: ctx.holdoutFold } : {}) });
  if (ctx.checkSeparation && r[r.length - 1] > SEPARATION_ETA) throw separationError();
  const n = r.length - 3;
  const G = hold ? n - 1 : n;
  const sw = r[n];
  return { gradient: Float64Array.from(r.subarray(0, G), (v) => v / sw), deviance: r[n + 1], weight: sw, heldOut: hold ? r[G] : Number.NaN };
}

/**
 * IRLS over the active columns `cols` (strong rules; the others stay at their start, 0).
 * Each step is judged by a gradient pass at it, not by another Gram pass: it gives the
 * objective there (a step that raises it is halved back), the convergence test (no
 * coefficient moved more than beta_epsilon, or the objective improved by less than
 * objective_epsilon, relatively), and at the result the gradient over every column for the
 * caller's KKT check. A step that converges thus costs one Gram pass and one gradient pass.
 */
async function irlsActive(ctx: FitContext, lambda: number, start: Float64Array, cols: Int32Array): Promise<FitResult> {
  const Q = width(ctx.design);
  const A = cols.length;
  const icpt = ctx.design.intercept ? ctx.design.P : -1;
  const objective = (deviance: number, weight: number, beta: Float64Array) => deviance / (2 * weight) + penalty(beta, Q, icpt, lambda * ctx.alpha, lambda * (1 - ctx.alpha));
  let beta = start;
  let iterations = 0;
  for (;;) {
    cancelled(ctx);
    const g = await ctx.executor.run(IrlsGramTask, ctx.view, { design: ctx.design, family: ctx.family, beta, classes: 0, klass: 0, active: cols });
    const st = g.subarray(packedSize(A) + A);
    if (ctx.checkSeparation && st[4] > SEPARATION_ETA) throw separationError();
    const obj = objective(st[1], st[0], beta);
    let next = scatter(beta, cols, solveStep(ctx, subproblem(ctx, g, st[0], lambda, cols), gather(beta, cols), cols));
    iterations++;
    let at = await gradientAt(ctx, next);
    let nextObj = objective(at.deviance, at.weight, next);
    for (let halvings = 0; !(nextObj <= obj * (1 + 1e-12)) && halvings < 30; halvings++) {
      // The full step made things worse: go half way back.
      const mid = new Float64Array(Q);
      for (let j = 0; j < Q; j++) mid[j] = 0.5 * (beta[j] + next[j]);
      next = mid;
      at = await gradientAt(ctx, next);
      nextObj = objective(at.deviance, at.weight, next);
    }
    const converged = maxDelta(next, beta) < ctx.betaEpsilon || (obj - nextObj) / Math.abs(obj) < ctx.objectiveEpsilon;
    if (converged || iterations >= ctx.maxIterations) {
      const heldOut = ctx.holdoutFold >= 0 ? { heldOutDeviance: at.heldOut } : {};
      return { beta: next, iterations, converged, deviance: at.deviance, weight: at.weight, rows: Number.NaN, pearson: Number.NaN, gram: null, gradient: at.gradient, ...heldOut };
    }
    beta = next;
  }
}

/** Deviance and weight of a model at beta (one gradient pass); refuses separated classes. */
async function devianceAt(ctx: FitContext, beta: Float64Array): Promise<{ deviance: number; weight: number }> {
  const r = await ctx.executor.run(GradientTask, ctx.view, { design: ctx.design, family: ctx.family, beta, classes: ctx.classes });
  if (ctx.checkSeparation && r[r.length - 1] > SEPARATION_ETA) throw separationError();
  return { weight: r[r.length - 3], deviance: r[r.length - 2] };
}

async function irlsMultinomial(ctx: FitContext, lambda: number, start: Float64Array): Promise<FitResult> {
  const Q = width(ctx.design);
  const K = ctx.classes;
  const icpt = ctx.design.intercept ? ctx.design.P : -1;
  const beta = Float64Array.from(start);
  let prevObj = Number.POSITIVE_INFINITY;
  let iterations = 0;
  let converged = false;
  let rows = 0;
  while (!converged && iterations < ctx.maxIterations) {
    cancelled(ctx);
    let moved = 0;
    let obj = Number.NaN;
    for (let k = 0; k < K; k++) {
      const g = await ctx.executor.run(IrlsGramTask, ctx.view, { design: ctx.design, family: ctx.family, beta, classes: K, klass: k });
      const st = g.subarray(packedSize(Q) + Q);
      rows = st[3];
      if (k === 0) obj = st[1] / (2 * st[0]) + penalty(beta, Q, icpt, lambda * ctx.alpha, lambda * (1 - ctx.alpha), K);
      if (ctx.checkSeparation && st[4] > SEPARATION_ETA) throw separationError();
      const block = beta.subarray(k * Q, (k + 1) * Q);
      const next = solveStep(ctx, subproblem(ctx, g, st[0], lambda, null), Float64Array.from(block));
      moved = Math.max(moved, maxDelta(next, block));
      block.set(next);
    }
    iterations++;
    converged = moved < ctx.betaEpsilon || (prevObj - obj) / Math.abs(prevObj) < ctx.objectiveEpsilon;
    prevObj = obj;
  }
  const { deviance, weight } = await devianceAt(ctx, beta);
  return { beta, iterations, converged, deviance, weight, rows, pearson: Number.NaN, gram: null };
}

async function byLbfgs(ctx: FitContext, lambda: number, start: Float64Array): Promise<FitResult> {
  const Q = width(ctx.design);
  const K = Math.max(ctx.classes, 1);
  const icpt = ctx.design.intercept ? ctx.design.P : -1;
  const l2 = lambda * (1 - ctx.alpha);
  const l1 = new Float64Array(Q * K);
  for (let i = 0; i < l1.length; i++) l1[i] = i % Q === icpt ? 0 : lambda * ctx.alpha;
  const evaluate = async (x: Float64Array) => {
    cancelled(ctx);
    const r = await ctx.executor.run(GradientTask, ctx.view, { design: ctx.design, family: ctx.family, beta: x, classes: ctx.classes });
    const G = Q * K;
    const sw = r[G];
    const gradient = new Float64Array(G);
    let ridge = 0;
    for (let i = 0; i < G; i++) {
      const free = i % Q === icpt;
      gradient[i] = r[i] / sw + (free ? 0 : l2 * x[i]);
      if (!free) ridge += x[i] * x[i];
    }
    return { value: r[G + 1] / (2 * sw) + 0.5 * l2 * ridge, gradient };
  };
  const res = await lbfgs(evaluate, start, {
    l1,
    maxIterations: ctx.maxIterations,
    gradientEpsilon: ctx.gradientEpsilon,
    objectiveEpsilon: ctx.objectiveEpsilon,
    signal: ctx.signal,
  });
  const at = await devianceAt(ctx, res.x);
  return { beta: res.x, iterations: res.iterations, converged: res.converged, deviance: at.deviance, weight: at.weight, rows: Number.NaN, pearson: Number.NaN, gram: null };
}

/**
 * Fits the model at `lambda` from `start` (width × classes coefficients). `active`
 * (ascending, the intercept included) restricts a single-response IRLS fit to those
 * columns, the others held at their start (strong rules), and returns the gradient over
 * every column at the result (see irlsActive); the other solvers take every column.
 */
export function fitAt(ctx: FitContext, lambda: number, start: Float64Array, active: Int32Array | null = null): Promise<FitResult> {
  if (ctx.solver === "L_BFGS") return byLbfgs(ctx, lambda, start);
  if (ctx.classes > 0) return irlsMultinomial(ctx, lambda, start);
  return active ? irlsActive(ctx, lambda, start, active) : irls(ctx, lambda, start);
}
