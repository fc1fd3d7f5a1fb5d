// A fitted GLM: its coefficients on the design's scale, the coefficient tables H2O
// reports (original and standardized scales, with standard errors, z and p values when
// computed), and scoring: a frame is expanded with the training design (columns by name,
// levels by label) and each row's mean or class probabilities computed. GLM metrics add
// H2O's null and residual deviance, their degrees of freedom and AIC to the shared ones.

import gammaln from "@stdlib/math-base-special-gammaln";
import type { Frame } from "../../core/frame.ts";
import type { Executor, Task } from "../../core/mr.ts";
import { bindColumns, bindResponse } from "../bind.ts";
import { type Design, type DesignArgs, designColumns, expandChunk, termNames } from "../design.ts";
import { MetricsAccumulator, type Metrics, type MetricsSpec, type SupervisedCategory } from "../metrics/index.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import type { ModelCommon } from "../model.ts";
import { devianceDistribution, type Family, type FamilyArgs, type Link, lossParams, rowDeviance } from "./family.ts";
import { OutputTask } from "./tasks.ts";

/** H2O's coefficient table; multinomial models have one column of each kind per class. */
export interface CoefficientsTable {
  readonly names: readonly string[];
  readonly [column: string]: readonly (number | string)[];
}

export interface RegularizationPath {
  readonly lambdas: readonly number[];
  readonly explained_deviance_train: readonly number[];
  readonly explained_deviance_valid: readonly number[] | null;
  /** Coefficient names (design order, intercept last) and, per lambda, their values on the original scale. */
  readonly names: readonly string[];
  readonly coefficients: readonly (readonly number[])[];
}

export interface GlmExtras {
  readonly null_deviance: number;
  readonly residual_deviance: number;
  readonly null_degrees_of_freedom: number;
  readonly residual_degrees_of_freedom: number;
  readonly AIC: number;
}

export interface GlmModel extends ModelCommon {
  readonly algo: "glm";
  readonly response: { readonly name: string; readonly domain: readonly string[] | null };
  readonly category: SupervisedCategory;
  readonly family: Family;
  readonly link: Link;
  readonly familyArgs: FamilyArgs;
  readonly design: Design;
  /** Multinomial: the number of classes; 0 otherwise. */
  readonly classes: number;
  /** Coefficients on the design's scale, intercept last (classes × width for multinomial). */
  readonly beta: Float64Array;
  readonly alpha: number;
  readonly lambda: number;
  /** The mean response (or class shares) of the training rows: the null model of the deviance. */
  readonly nullMu: Float64Array;
  readonly iterations: number;
  readonly coefficients_table: CoefficientsTable;
  readonly regularization_path: RegularizationPath | null;
  readonly threshold: number;
}

/** Coefficients on the original scale (intercept last) from design-scale ones, per class. */
export function destandardize(d: Design, beta: Float64Array, classes: number): Float64Array {
  const Q = d.P + (d.intercept ? 1 : 0);
  const out = Float64Array.from(beta);
  for (let k = 0; k < Math.max(classes, 1); k++) {
    let shift = 0;
    for (let j = 0; j < d.nums.length; j++) {
      const t = d.nums[j];
      const b = beta[k * Q + d.numOffset + j] / t.scale;
      out[k * Q + d.numOffset + j] = b;
      shift += b * t.shift;
    }
    if (d.intercept) out[k * Q + d.P] -= shift;
  }
  return out;
}

/** Standardized coefficients: design-scale ones, or (standardize off) H2O's b·sd and intercept + Σ b·mean. */
export function standardized(d: Design, beta: Float64Array, classes: number): Float64Array {
  const Q = d.P + (d.intercept ? 1 : 0);
  const orig = destandardize(d, beta, classes);
  const out = Float64Array.from(orig);
  for (let k = 0; k < Math.max(classes, 1); k++) {
    let shift = 0;
    for (let j = 0; j < d.nums.length; j++) {
      const t = d.nums[j];
      const sd = t.sd > 0 ? t.sd : 1;
      out[k * Q + d.numOffset + j] = orig[k * Q + d.numOffset + j] * sd;
      shift += orig[k * Q + d.numOffset + j] * t.mean;
    }
    if (d.intercept) out[k * Q + d.P] += shift;
  }
  return out;
}

/** The values of a coefficient vector (design order, intercept last) in display order: intercept first. */
export function displayOrder<T>(values: ArrayLike<T>, from: number, Q: number, intercept: boolean): T[] {
  const row = Array.from({ length: Q }, (_, j) => values[from + j]);
  if (intercept) row.unshift(row.pop() as T);
  return row;
}

export interface Inference {
  readonly std_error: Float64Array;
  readonly z_value: Float64Array;
  readonly p_value: Float64Array;
}

/** H2O's coefficient table of a model (display order: Intercept first). */
export function coefficientsTable(d: Design, beta: Float64Array, classes: number, domain: readonly string[] | null, inference: Inference | null): CoefficientsTable {
  const Q = d.P + (d.intercept ? 1 : 0);
  const names = displayOrder(termNames(d), 0, Q, d.intercept);
  const orig = destandardize(d, beta, classes);
  const std = standardized(d, beta, classes);
  if (classes > 0) {
    const table: Record<string, readonly (number | string)[]> = { names };
    for (let k = 0; k < classes; k++) table[`coefs_class_${domain?.[k] ?? k}`] = displayOrder(orig, k * Q, Q, d.intercept);
    for (let k = 0; k < classes; k++) table[`std_coefs_class_${domain?.[k] ?? k}`] = displayOrder(std, k * Q, Q, d.intercept);
    return table as CoefficientsTable;
  }
  return {
    names,
    coefficients: displayOrder(orig, 0, Q, d.intercept),
    ...(inference
      ? {
          std_error: displayOrder(inference.std_error, 0, Q, d.intercept),
          z_value: displayOrder(inference.z_value, 0, Q, d.intercept),
          p_value: displayOrder(inference.p_value, 0, Q, d.intercept),
        }
      : {}),
    standardized_coefficients: displayOrder(std, 0, Q, d.intercept),
  };
}

/** What scoring a frame needs: the design arguments plus the pass arguments. */
interface ScoreArgs {
  readonly expand: DesignArgs;
  readonly family: FamilyArgs;
  readonly beta: Float64Array;
  readonly classes: number;
}

/** Partial: the scored chunk of each frame chunk (outputs; rows that cannot be scored weigh 0). */
export const GlmScoreTask: Task<ScoreArgs, ScoredChunk[]> = {
  name: "ml.glm.score",
  map(chunk, a) {
    const dc = expandChunk(chunk, a.expand);
    const [p] = OutputTask.map(dc, { design: a.expand.design, family: a.family, beta: a.beta, classes: a.classes, fold: null });
    const w = new Float64Array(dc.rows);
    for (let i = 0; i < dc.rows; i++) w[i] = dc.ok[i];
    return [{ index: chunk.index, rows: chunk.rows, y: dc.y, p, width: Math.max(a.classes, 1), w }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** The model's outputs on a frame (with the response where the frame has it). */
export async function predictGlm(executor: Executor, m: GlmModel, frame: Frame, warnings: string[]): Promise<ScoredChunk[]> {
  const d = m.design;
  const bound = bindColumns(frame, designColumns(d), warnings);
  // A binomial GLM may have been trained on a 0/1 column: its numbers are the class codes.
  const y = bindResponse(frame, m.response, m.category === "Binomial");
  const expand: DesignArgs = { design: d, bound, y, needY: false, holdoutWidth: 0 };
  return executor.run(GlmScoreTask, frame, { expand, family: m.familyArgs, beta: m.beta, classes: m.classes });
}

export function glmMetricsSpec(m: Pick<GlmModel, "category" | "response" | "family" | "familyArgs">): MetricsSpec {
  return { category: m.category, classes: m.response.domain?.length ?? 1, distribution: devianceDistribution(m.family), lossParams: lossParams(m.familyArgs.variancePower) };
}

interface DevianceArgs {
  readonly family: FamilyArgs;
  readonly classes: number;
  readonly nullMu: Float64Array;
  readonly poisson: boolean;
}

/** Partial: rows, Σw·deviance, Σw·null deviance, Σw·Poisson log-likelihood, Σw·(y − mu)². */
export const GlmDevianceTask: Task<DevianceArgs, Float64Array, ScoredChunk> = {
  name: "ml.glm.deviance",
  map(c, a) {
    const s = new Float64Array(5);
    const K = a.classes;
    for (let i = 0; i < c.rows; i++) {
      const y = c.y[i];
      const w = c.w ? c.w[i] : 1;
      if (y !== y || w === 0) continue;
      s[0] += 1;
      if (K > 0) {
        s[1] -= 2 * w * Math.log(Math.max(c.p[i * K + y], 1e-15));
        s[2] -= 2 * w * Math.log(Math.max(a.nullMu[y], 1e-15));
        continue;
      }
      const mu = c.p[i];
      s[1] += w * rowDeviance(a.family, y, mu);
      s[2] += w * rowDeviance(a.family, y, a.nullMu[0]);
      if (a.poisson) s[3] += w * ((y > 0 ? y * Math.log(mu) : 0) - gammaln(y + 1) - mu);
      s[4] += w * (y - mu) * (y - mu);
    }
    return s;
  },
  reduce(a, b) {
    return Float64Array.from(a, (v, i) => v + b[i]);
  },
  empty: () => new Float64Array(5),
};

/** H2O's GLM extras from a deviance partial; `rank` counts the non-zero coefficients, intercept included. */
export function glmExtras(s: Float64Array, family: Family, rank: number, intercept: boolean): GlmExtras {
  const nobs = s[0];
  let aic = Number.NaN;
  if (family === "gaussian") aic = nobs * (Math.log((2 * Math.PI * s[4]) / nobs) + 1) + 2 + 2 * rank;
  else if (family === "binomial" || family === "quasibinomial") aic = s[1] + 2 * rank;
  else if (family === "poisson") aic = -2 * s[3] + 2 * rank;
  return {
    null_deviance: s[2],
    residual_deviance: s[1],
    null_degrees_of_freedom: nobs - (intercept ? 1 : 0),
    residual_degrees_of_freedom: nobs - rank,
    AIC: aic,
  };
}

/** Non-zero coefficients, intercept included. */
export function rankOf(beta: Float64Array): number {
  let r = 0;
  for (const b of beta) if (b !== 0) r++;
  return r;
}

/** Metrics fed scored chunks batch by batch: the shared ones plus the GLM extras. */
export class GlmMetrics {
  private readonly shared: MetricsAccumulator;
  private dev: Float64Array = new Float64Array(5);

  constructor(
    private readonly executor: Executor,
    private readonly m: Pick<GlmModel, "category" | "response" | "family" | "familyArgs" | "classes" | "nullMu" | "beta" | "design">,
  ) {
    this.shared = new MetricsAccumulator(executor, glmMetricsSpec(m));
  }

  async add(scored: readonly ScoredChunk[]): Promise<void> {
    await this.shared.add({ chunks: scored });
    const args = { family: this.m.familyArgs, classes: this.m.classes, nullMu: this.m.nullMu, poisson: this.m.family === "poisson" };
    this.dev = GlmDevianceTask.reduce(this.dev, await this.executor.run(GlmDevianceTask, { chunks: scored }, args));
  }

  result(): Metrics & GlmExtras {
    return { ...this.shared.result(), ...glmExtras(this.dev, this.m.family, rankOf(this.m.beta), this.m.design.intercept) };
  }
}
