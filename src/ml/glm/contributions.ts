// GLM's exact SHAP contributions, in link space. The linear predictor is a sum of one term per
// input column (an enum's level coefficient, a numeric's coefficient times its value) plus the
// intercept, so with independent features the SHAP value of column c against a reference row r
// is term_c(x) − term_c(r), and the bias is eta(r): they sum to eta(x) exactly. Values are read
// as scoring reads them (design scale, missing values imputed), so the sum is the model's eta.
//
// References: each row of a background frame (H2O's baseline SHAP; their mean for marginal
// SHAP, which for a linear model is the same as averaging), or without one the row GLM imputes
// missing values with: each numeric's training mean and each enum's most frequent level (H2O
// refuses GLM contributions without a background frame).

import { concatF64 } from "../../core/chunk.ts";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Executor, Task } from "../../core/mr.ts";
import type { ContributionChunk, ContributionRequest, Contributions } from "../algorithm.ts";
import { bindColumns } from "../bind.ts";
import { type Design, type DesignArgs, type DesignChunk, designColumns, expandChunk, width } from "../design.ts";
import { linkInv } from "./family.ts";
import type { GlmModel } from "./model.ts";

interface TermsArgs {
  readonly expand: DesignArgs;
  readonly beta: Float64Array;
  /** Multinomial: the number of classes; 0 otherwise. */
  readonly classes: number;
}

interface ContributionArgs extends TermsArgs {
  /** References × classes × columns: each reference's term of each input column. */
  readonly refs: Float64Array;
  readonly references: number;
}

/** Writes row i's term of each input column for each class into `out` at `at` (classes × columns). */
function rowTerms(dc: DesignChunk, d: Design, beta: Float64Array, K: number, i: number, out: Float64Array, at: number): void {
  const E = d.enums.length;
  const Q = d.nums.length;
  const W = width(d);
  for (let k = 0; k < K; k++) {
    const base = k * W;
    const o = at + k * (E + Q);
    for (let e = 0; e < E; e++) {
      const cat = dc.cats[i * E + e];
      out[o + e] = cat >= 0 ? beta[base + cat] : 0;
    }
    for (let j = 0; j < Q; j++) out[o + E + j] = beta[base + d.numOffset + j] * dc.nums[i * Q + j];
  }
}

/** Partial: the terms of a background chunk's rows (rows × classes × columns), in row order. */
export const GlmReferenceTermsTask: Task<TermsArgs, Float64Array> = {
  name: "ml.glm.reference_terms",
  map(chunk, a) {
    const d = a.expand.design;
    const K = Math.max(a.classes, 1);
    const C = d.enums.length + d.nums.length;
    const dc = expandChunk(chunk, a.expand);
    const out = new Float64Array(chunk.rows * K * C);
    for (let i = 0; i < chunk.rows; i++) rowTerms(dc, d, a.beta, K, i, out, i * K * C);
    return out;
  },
  reduce: concatF64,
  empty: () => new Float64Array(0),
};

/** Partial: each chunk's contributions against every reference (rows × references output rows). */
export const GlmContributionsTask: Task<ContributionArgs, ContributionChunk[]> = {
  name: "ml.glm.contributions",
  map(chunk, a) {
    const d = a.expand.design;
    const K = Math.max(a.classes, 1);
    const C = d.enums.length + d.nums.length;
    const W = width(d);
    const R = a.references;
    const dc = expandChunk(chunk, a.expand);
    const x = new Float64Array(K * C);
    const values = new Float64Array(chunk.rows * R * K * (C + 1));
    const skip = d.missing === "Skip";
    for (let i = 0; i < chunk.rows; i++) {
      rowTerms(dc, d, a.beta, K, i, x, 0);
      const unscored = skip && dc.ok[i] === 0;
      for (let r = 0; r < R; r++) {
        for (let k = 0; k < K; k++) {
          const o = ((i * R + r) * K + k) * (C + 1);
          const ref = (r * K + k) * C;
          let bias = d.intercept ? a.beta[k * W + d.P] : 0;
          for (let c = 0; c < C; c++) {
            values[o + c] = unscored ? Number.NaN : x[k * C + c] - a.refs[ref + c];
            bias += a.refs[ref + c];
          }
          values[o + C] = unscored ? Number.NaN : bias;
        }
      }
    }
    return [{ index: chunk.index, rows: chunk.rows * R, values }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** The terms of the row GLM imputes missing values with: numeric means, enums' most frequent levels. */
function imputedReference(m: GlmModel, K: number): Float64Array {
  const d = m.design;
  const E = d.enums.length;
  const C = E + d.nums.length;
  const W = width(d);
  const refs = new Float64Array(K * C);
  for (let k = 0; k < K; k++) {
    d.enums.forEach((e, c) => {
      refs[k * C + c] = e.mode >= e.first ? m.beta[k * W + e.offset + e.mode - e.first] : 0;
    });
    d.nums.forEach((t, j) => {
      refs[k * C + E + j] = m.beta[k * W + d.numOffset + j] * ((t.mean - t.shift) / t.scale);
    });
  }
  return refs;
}

/** The mean over references of their terms (marginal SHAP of a linear model). */
function meanReference(refs: Float64Array, references: number): Float64Array {
  const size = refs.length / references;
  const mean = new Float64Array(size);
  for (let r = 0; r < references; r++) for (let v = 0; v < size; v++) mean[v] += refs[r * size + v];
  for (let v = 0; v < size; v++) mean[v] /= references;
  return mean;
}

function designArgs(m: GlmModel, frame: Frame, warnings: string[]): DesignArgs {
  return { design: m.design, bound: bindColumns(frame, designColumns(m.design), warnings), y: null, needY: false, holdoutWidth: 0 };
}

/** A GLM's SHAP contributions (see the top of this file); names in the design's column order. */
export async function glmContributions(executor: Executor, m: GlmModel, frame: Frame, warnings: string[], request: ContributionRequest): Promise<Contributions> {
  const K = Math.max(m.classes, 1);
  const names = designColumns(m.design).map((c) => c.name);
  const background = request.background ?? null;
  if (request.outputPerReference && !background) throw new FloeError("invalid_argument", "output_per_reference needs a background_frame");
  let refs = imputedReference(m, K);
  let references = 1;
  if (background) {
    const all = await executor.run(GlmReferenceTermsTask, background, { expand: designArgs(m, background, []), beta: m.beta, classes: m.classes }, { signal: request.signal });
    references = background.rows;
    refs = request.outputPerReference ? all : meanReference(all, references);
    if (!request.outputPerReference) references = 1;
  }
  const args = { expand: designArgs(m, frame, warnings), beta: m.beta, classes: m.classes, refs, references };
  const onProgress = request.onProgress;
  const chunks = await executor.run(GlmContributionsTask, frame, args, {
    signal: request.signal,
    onProgress: onProgress && ((done, total) => onProgress(done / total)),
  });
  const inverseLink = m.classes > 0 ? undefined : (eta: number) => linkInv(m.familyArgs, eta);
  return { names, classes: K, chunks, inverseLink };
}
