// The lambda path of a GLM (H2O's lambda search): lambdas fitted from the largest down,
// each warm-started from the last solution, with
//   strong rules (Tibshirani et al. 2012)  a column whose gradient at the last solution is
//       below α·(2λ − λ_prev) is left out of the fit at λ (its coefficient stays 0, its Gram
//       rows are never summed); after the fit a gradient pass checks the KKT conditions of
//       every column left out, and any violator joins the fit, which runs again
//   early exit  the path ends once the deviance of held-out rows has not improved for
//       `patience` lambdas (a validation frame: three, as H2O; a cross-validation fold's own
//       rows: ten), or, with no held-out rows, once the training deviance stops improving
//   a deadline  max_runtime_secs: the lambdas fitted so far

import type { Clock } from "../../core/clock.ts";
import { width } from "../design.ts";
import { type FitContext, type FitResult, fitAt, gradientAt } from "./fit.ts";

export interface Path {
  readonly lambdas: number[];
  readonly fits: FitResult[];
  /** Held-out Σ deviance at each lambda (when the path has held-out rows). */
  readonly heldOutDeviance: number[] | null;
  /** The path ended early because its deviance stopped improving. */
  readonly stoppedEarly: boolean;
}

/** When a path must stop: after this time on this clock (the first lambda is always fitted). */
export interface PathDeadline {
  readonly clock: Clock;
  readonly at: number;
}

export interface PathOptions {
  /** H2O's lambda_max: at or above it an L1 penalty keeps every coefficient at zero. */
  readonly lambdaMax: number;
  /** Σ deviance of held-out rows at coefficients, or null when there are none. */
  readonly heldOut: ((beta: Float64Array) => Promise<number>) | null;
  /** End the path when its deviance stops improving. */
  readonly stopEarly: boolean;
  /** Lambdas without improvement of the held-out deviance that end the path (H2O: 3). */
  readonly patience: number;
  /** Leave columns out by the strong rules (single-response IRLS or coordinate descent with α > 0). */
  readonly strongRules: boolean;
  readonly progress: (fraction: number) => void;
  readonly deadline: PathDeadline | null;
}

/** Fits `lambdas` in order from `start` (see the file's comment). */
export async function runPath(ctx: FitContext, lambdas: readonly number[], start: Float64Array, o: PathOptions): Promise<Path> {
  const fits: FitResult[] = [];
  const heldOutDeviance: number[] | null = o.heldOut ? [] : null;
  let beta = start;
  // The training gradient at `beta` (strong rules), known after each lambda.
  let gradient: Float64Array | null = null;
  let stoppedEarly = false;
  for (let i = 0; i < lambdas.length; i++) {
    if (i > 0 && o.deadline && o.deadline.clock.now() >= o.deadline.at) break;
    const lambda = lambdas[i];
    let fit: FitResult;
    if (lambda >= o.lambdaMax && ctx.alpha > 0 && i === 0 && lambdas.length > 1) {
      const at = await gradientAt(ctx, start);
      gradient = at.gradient;
      const heldOut = ctx.holdoutFold >= 0 ? { heldOutDeviance: at.heldOut } : {};
      fit = { beta: start, iterations: 0, converged: true, deviance: at.deviance, weight: at.weight, rows: Number.NaN, pearson: Number.NaN, gram: null, ...heldOut };
    } else if (o.strongRules) {
      gradient ??= (await gradientAt(ctx, beta)).gradient;
      const strong = ctx.alpha * (2 * lambda - (i > 0 ? lambdas[i - 1] : o.lambdaMax));
      const r = await fitStrong(ctx, lambda, beta, gradient, strong);
      fit = r.fit;
      gradient = r.gradient;
    } else {
      fit = await fitAt(ctx, lambda, beta);
    }
    fits.push(fit);
    beta = fit.beta;
    // A fold's strong-rule fits bring their holdout deviance from their last gradient pass.
    if (o.heldOut && heldOutDeviance) heldOutDeviance.push(fit.heldOutDeviance ?? (await o.heldOut(beta)));
    o.progress((i + 1) / lambdas.length);
    if (o.stopEarly && i >= Math.max(5, o.patience) && i < lambdas.length - 1 && stalled(fits, heldOutDeviance, o.patience)) {
      stoppedEarly = true;
      break;
    }
  }
  return { lambdas: lambdas.slice(0, fits.length), fits, heldOutDeviance, stoppedEarly };
}

/**
 * H2O's early stop of a path: the held-out deviance has not improved for `patience` lambdas
 * or, without held-out rows, the training deviance improved by less than 1e-4, relatively,
 * over the last five lambdas.
 */
function stalled(fits: readonly FitResult[], heldOut: readonly number[] | null, patience: number): boolean {
  if (heldOut) {
    const best = Math.min(...heldOut.slice(0, -patience));
    return heldOut.slice(-patience).every((d) => d >= best);
  }
  const then = fits[fits.length - 6].deviance;
  return (then - fits[fits.length - 1].deviance) / Math.max(then, 1e-300) < 1e-4;
}

/**
 * The fit at `lambda` over the columns the strong rule keeps (|gradient| ≥ `strong`, a
 * non-zero coefficient, the intercept), repeated with the violators of the KKT conditions
 * (|gradient| > α·λ at a zero coefficient left out) until there are none. Returns the fit
 * and the gradient at it.
 */
async function fitStrong(ctx: FitContext, lambda: number, start: Float64Array, gradient: Float64Array, strong: number): Promise<{ fit: FitResult; gradient: Float64Array }> {
  const Q = width(ctx.design);
  const intercept = ctx.design.intercept ? ctx.design.P : -1;
  const keep = new Uint8Array(Q);
  for (let j = 0; j < Q; j++) keep[j] = j === intercept || start[j] !== 0 || Math.abs(gradient[j]) >= strong ? 1 : 0;
  let beta = start;
  let iterations = 0;
  for (;;) {
    const active: number[] = [];
    for (let j = 0; j < Q; j++) if (keep[j]) active.push(j);
    const fit = await fitAt(ctx, lambda, beta, Int32Array.from(active));
    iterations += fit.iterations;
    const at = fit.gradient as Float64Array;
    let violated = false;
    for (let j = 0; j < Q; j++) {
      if (!keep[j] && !ctx.frozen[j] && Math.abs(at[j]) > ctx.alpha * lambda) {
        keep[j] = 1;
        violated = true;
      }
    }
    if (!violated) return { fit: { ...fit, iterations }, gradient: at };
    beta = fit.beta;
  }
}
