// Distributions (H2O's "distribution"): link, gradient and hessian of the loss with
// respect to the raw score f, and the per-row deviance used by mean_residual_deviance.
// Shared by the boosting loop, the metrics and, later, GLM and the MLP.
//
// Conventions: g = dL/df and h = d²L/df² for one row, so a Newton leaf is −Σg / Σh.

import { FloeError } from "../core/errors.ts";

export const DISTRIBUTIONS = ["AUTO", "gaussian", "bernoulli", "multinomial", "poisson", "gamma", "tweedie", "laplace", "quantile", "huber"] as const;
export type Distribution = Exclude<(typeof DISTRIBUTIONS)[number], "AUTO">;

export interface LossParams {
  readonly tweedie_power: number;
  readonly quantile_alpha: number;
  /** Residual size where huber turns from squared to absolute (from huber_alpha). */
  readonly huber_delta: number;
}

/** True for distributions whose raw score is on the log scale. */
export function logLink(d: Distribution): boolean {
  return d === "poisson" || d === "gamma" || d === "tweedie";
}

/** The response scale of a raw score (for bernoulli, the probability of class 1). */
export function linkInverse(d: Distribution, f: number): number {
  if (d === "bernoulli") return 1 / (1 + Math.exp(-f));
  return logLink(d) ? Math.exp(f) : f;
}

/** Writes g[i] and h[i] for rows [0, n) from actuals `y` and raw scores `f` (one a row). */
export function gradients(d: Distribution, y: Float64Array, f: Float64Array, n: number, g: Float64Array, h: Float64Array, p: LossParams): void {
  switch (d) {
    case "gaussian":
      for (let i = 0; i < n; i++) {
        g[i] = f[i] - y[i];
        h[i] = 1;
      }
      return;
    case "bernoulli":
      for (let i = 0; i < n; i++) {
        const q = 1 / (1 + Math.exp(-f[i]));
        g[i] = q - y[i];
        h[i] = Math.max(q * (1 - q), 1e-16);
      }
      return;
    case "poisson":
      for (let i = 0; i < n; i++) {
        const mu = Math.exp(f[i]);
        g[i] = mu - y[i];
        h[i] = mu;
      }
      return;
    case "gamma":
      for (let i = 0; i < n; i++) {
        const r = y[i] * Math.exp(-f[i]);
        g[i] = 1 - r;
        h[i] = Math.max(r, 1e-16);
      }
      return;
    case "tweedie": {
      const rho = p.tweedie_power;
      for (let i = 0; i < n; i++) {
        const a = y[i] * Math.exp((1 - rho) * f[i]);
        const b = Math.exp((2 - rho) * f[i]);
        g[i] = -a + b;
        h[i] = Math.max(-(1 - rho) * a + (2 - rho) * b, 1e-16);
      }
      return;
    }
    case "laplace":
      for (let i = 0; i < n; i++) {
        const r = f[i] - y[i];
        g[i] = r > 0 ? 1 : r < 0 ? -1 : 0;
        h[i] = 1;
      }
      return;
    case "quantile": {
      const a = p.quantile_alpha;
      for (let i = 0; i < n; i++) {
        g[i] = f[i] > y[i] ? 1 - a : -a;
        h[i] = 1;
      }
      return;
    }
    case "huber": {
      const delta = p.huber_delta;
      for (let i = 0; i < n; i++) {
        const r = f[i] - y[i];
        g[i] = r > delta ? delta : r < -delta ? -delta : r;
        h[i] = 1;
      }
      return;
    }
    case "multinomial":
      throw new FloeError("internal", "multinomial gradients are computed by softmaxGradients");
  }
}

/**
 * Bernoulli's g and h (as `gradients`) of rows [from, to) from their exp(−f) instead of f,
 * written from index 0 of g and h.
 */
export function bernoulliFromExpNeg(y: Float64Array, expNeg: Float64Array, from: number, to: number, g: Float64Array, h: Float64Array): void {
  for (let i = from, j = 0; i < to; i++, j++) {
    const q = 1 / (1 + expNeg[i]);
    g[j] = q - y[i];
    h[j] = Math.max(q * (1 - q), 1e-16);
  }
}

/**
 * Bounds on every row's |g| and h, for distributions that have them: bernoulli's and
 * softmax's g = q − y lies in [−1, 1] and h = q(1 − q) is at most 1/4. Null for the others,
 * whose gradients grow with the response.
 */
export function gradientBounds(d: Distribution): { readonly g: number; readonly h: number } | null {
  return d === "bernoulli" || d === "multinomial" ? { g: 1, h: 0.25 } : null;
}

/**
 * Softmax gradients for K classes: `f` holds K scores per row; writes g and h for
 * class k of every row (length n).
 */
export function softmaxGradients(y: Float64Array, f: Float64Array, n: number, K: number, k: number, g: Float64Array, h: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const base = i * K;
    let max = f[base];
    for (let j = 1; j < K; j++) if (f[base + j] > max) max = f[base + j];
    let sum = 0;
    for (let j = 0; j < K; j++) sum += Math.exp(f[base + j] - max);
    const q = Math.exp(f[base + k] - max) / sum;
    g[i] = q - (y[i] === k ? 1 : 0);
    h[i] = Math.max(q * (1 - q), 1e-16);
  }
}

/**
 * Largest Newton step −G/H a bernoulli or multinomial leaf may take, before the learn
 * rate (XGBoost's max_delta_step, at the top of the 1–10 its docs advise for imbalanced
 * classes). Every row's |g| is at most 1 for these losses, so the bound binds only where
 * the leaf's hessian sum is under a tenth of its gradient sum: rows scored confidently
 * wrong, whose tiny hessians would otherwise ask for steps of 1e4 to 1e16 (H2O caps its
 * leaves only at ±1e4 after the learn rate).
 */
export const MAX_NEWTON_STEP = 10;

/**
 * The Newton step −G/H of a leaf with gradient and hessian sums G and H: 0 when H is
 * not positive (H2O's guard on the denominator), and within ±MAX_NEWTON_STEP for
 * bernoulli and multinomial, whose hessians q(1 − q) vanish as q nears 0 or 1.
 */
export function newtonStep(d: Distribution, G: number, H: number): number {
  if (!(H > 0)) return 0;
  const step = -G / H;
  if (d !== "bernoulli" && d !== "multinomial") return step;
  return Math.min(MAX_NEWTON_STEP, Math.max(-MAX_NEWTON_STEP, step));
}

/** Deviance of one row with actual y and prediction mu (response scale). */
export function deviance(d: Distribution, y: number, mu: number, p: LossParams): number {
  switch (d) {
    case "gaussian":
    case "multinomial":
      return (y - mu) * (y - mu);
    case "bernoulli": {
      const q = Math.min(Math.max(mu, 1e-15), 1 - 1e-15);
      return -2 * (y * Math.log(q) + (1 - y) * Math.log(1 - q));
    }
    case "poisson":
      return 2 * ((y > 0 ? y * Math.log(y / mu) : 0) - (y - mu));
    case "gamma":
      return 2 * (-Math.log(y / mu) + (y - mu) / mu);
    case "tweedie": {
      const r = p.tweedie_power;
      return 2 * ((y > 0 ? y ** (2 - r) / ((1 - r) * (2 - r)) : 0) - (y * mu ** (1 - r)) / (1 - r) + mu ** (2 - r) / (2 - r));
    }
    case "laplace":
      return Math.abs(y - mu);
    case "quantile":
      return y > mu ? p.quantile_alpha * (y - mu) : (1 - p.quantile_alpha) * (mu - y);
    case "huber": {
      const r = Math.abs(y - mu);
      const dlt = p.huber_delta;
      return r <= dlt ? r * r : 2 * dlt * r - dlt * dlt;
    }
  }
}
