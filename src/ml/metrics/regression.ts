// Regression metrics with H2O's names: MSE, RMSE, mae, rmsle, r2,
// mean_residual_deviance. One map/reduce pass of sums, folded in chunk order.

import type { Task } from "../../core/mr.ts";
import { type Distribution, deviance } from "../loss.ts";
import type { ScoredChunk } from "./scored.ts";

export interface RegressionMetrics {
  readonly nobs: number;
  readonly MSE: number;
  readonly RMSE: number;
  readonly mae: number;
  /** NaN when an actual or predicted value is below −1, as in H2O. */
  readonly rmsle: number;
  readonly r2: number;
  readonly mean_residual_deviance: number;
}

export interface RegressionArgs {
  readonly distribution: Distribution;
  readonly tweedie_power: number;
  readonly quantile_alpha: number;
  readonly huber_delta: number;
}

// Partial slots: weight, Σw·err², Σw·|err|, Σw·(log1p err)², Σw·y, Σw·y², Σw·deviance, bad-log flag
const SLOTS = 8;

export const RegressionMetricsTask: Task<RegressionArgs, Float64Array, ScoredChunk> = {
  name: "ml.metrics.regression",
  map(c, args) {
    const s = new Float64Array(SLOTS);
    for (let i = 0; i < c.rows; i++) {
      const y = c.y[i];
      const w = c.w ? c.w[i] : 1;
      if (y !== y || w === 0) continue;
      const p = c.p[i];
      const e = p - y;
      s[0] += w;
      s[1] += w * e * e;
      s[2] += w * Math.abs(e);
      if (y > -1 && p > -1) {
        const le = Math.log1p(p) - Math.log1p(y);
        s[3] += w * le * le;
      } else s[7] = 1;
      s[4] += w * y;
      s[5] += w * y * y;
      s[6] += w * deviance(args.distribution, y, p, args);
    }
    return s;
  },
  reduce(a, b) {
    const out = new Float64Array(SLOTS);
    for (let k = 0; k < SLOTS; k++) out[k] = a[k] + b[k];
    out[7] = Math.max(a[7], b[7]);
    return out;
  },
  empty: () => new Float64Array(SLOTS),
};

export function regressionMetrics(s: Float64Array): RegressionMetrics {
  const n = s[0];
  const mse = s[1] / n;
  const mean = s[4] / n;
  const variance = s[5] / n - mean * mean;
  return {
    nobs: n,
    MSE: mse,
    RMSE: Math.sqrt(mse),
    mae: s[2] / n,
    rmsle: s[7] ? Number.NaN : Math.sqrt(s[3] / n),
    r2: 1 - mse / variance,
    mean_residual_deviance: s[6] / n,
  };
}
