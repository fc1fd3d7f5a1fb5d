// The design matrix of GLM, PCA and deep learning's input layer: predictors expanded as
// H2O's DataInfo expands them. Enum columns come first, one-hot with their first level as the
// reference (dropped) unless all levels are kept; numeric columns follow, standardized
// (x − mean) / sd when asked; the intercept is last. Coefficients are named as H2O names
// them: `col.level`, `col`, `Intercept`.
//
// The expanded matrix is never materialised densely: a design chunk (built by a task
// beside each frame chunk) keeps per row the expanded index of each enum column's level
// and the numeric values, so a row has at most (enums + numerics + 1) non-zeros; the
// tasks over design chunks that no model owns are in design-tasks.ts.
// Missing values: MeanImputation puts a numeric's mean (0 once standardized) and an
// enum's most frequent level in their place; Skip leaves the row out (weight 0).

import type { Chunk } from "../core/chunk.ts";
import { FloeError } from "../core/errors.ts";
import type { Frame } from "../core/frame.ts";
import { type BoundColumn, type ResponseColumn, readResponse, type TrainedColumn } from "./bind.ts";

export type MissingHandling = "MeanImputation" | "Skip";

export interface EnumTerm {
  readonly name: string;
  readonly domain: readonly string[];
  /** Expanded index of level `first` (levels below `first` are the reference: no column). */
  readonly offset: number;
  /** 1 when the first level is the reference, 0 when every level has a column. */
  readonly first: number;
  /** The level that stands in for a missing value (the most frequent one). */
  readonly mode: number;
}

export interface NumericTerm {
  readonly name: string;
  readonly mean: number;
  /** The column's sample sd (n − 1), whatever the transform. */
  readonly sd: number;
  /** Divisor of the centred value: the column's sd when standardizing, else 1. */
  readonly scale: number;
  /** Subtracted before scaling: the mean when standardizing (or centring), else 0. */
  readonly shift: number;
}

export interface Design {
  readonly enums: readonly EnumTerm[];
  readonly nums: readonly NumericTerm[];
  /** Expanded columns of the enums; numeric column j is expanded column numOffset + j. */
  readonly numOffset: number;
  /** Expanded columns without the intercept. */
  readonly P: number;
  readonly intercept: boolean;
  readonly missing: MissingHandling;
}

/** The frame columns a design reads, enums with their training levels. */
export function designColumns(d: Design): TrainedColumn[] {
  return [...d.enums.map((e) => ({ name: e.name, domain: e.domain })), ...d.nums.map((t) => ({ name: t.name, domain: null }))];
}

/** Coefficients in the model: P, plus one for the intercept. */
export function width(d: Design): number {
  return d.P + (d.intercept ? 1 : 0);
}

/** H2O's names of the expanded columns, the intercept last. */
export function termNames(d: Design): string[] {
  const names: string[] = [];
  for (const e of d.enums) for (let l = e.first; l < e.domain.length; l++) names.push(`${e.name}.${e.domain[l]}`);
  for (const n of d.nums) names.push(n.name);
  if (d.intercept) names.push("Intercept");
  return names;
}

/**
 * H2O's transforms of numeric columns: STANDARDIZE (x − mean) / sd, NORMALIZE
 * (x − mean) / (max − min), DEMEAN x − mean, DESCALE x / sd, NONE.
 */
export type Transform = "NONE" | "STANDARDIZE" | "NORMALIZE" | "DEMEAN" | "DESCALE";

export interface DesignOptions {
  readonly transform: Transform;
  readonly intercept: boolean;
  readonly useAllFactorLevels: boolean;
  readonly missing: MissingHandling;
}

/**
 * The design of `cols` of a frame with rollups: enum columns first (frame order), then
 * numeric ones. A numeric column with no values is refused (nothing to impute from).
 */
export function makeDesign(frame: Frame, cols: readonly number[], o: DesignOptions): Design {
  const enums: EnumTerm[] = [];
  const nums: NumericTerm[] = [];
  let offset = 0;
  for (const c of cols) {
    const spec = frame.columns[c];
    const r = frame.rollups?.[c];
    if (!r) throw new FloeError("internal", "a design needs a frame with rollups");
    if (r.count === 0) throw new FloeError("bad_input", `column '${spec.name}' has no values (all ${r.missing} rows are missing)`);
    if (spec.type !== "enum") continue;
    const domain = spec.domain ?? [];
    const counts = r.levelCounts ?? [];
    let mode = 0;
    for (let l = 1; l < counts.length; l++) if (counts[l] > counts[mode]) mode = l;
    const first = o.useAllFactorLevels ? 0 : 1;
    enums.push({ name: spec.name, domain, offset, first, mode });
    offset += Math.max(0, domain.length - first);
  }
  for (const c of cols) {
    const spec = frame.columns[c];
    if (spec.type === "enum") continue;
    const r = frame.rollups?.[c];
    if (!r || r.mean === null) throw new FloeError("internal", `column '${spec.name}' has no mean`);
    const sd = r.sd ?? 0;
    const range = (r.max ?? 0) - (r.min ?? 0);
    const t = o.transform;
    const scale = (t === "STANDARDIZE" || t === "DESCALE") && sd > 0 ? sd : t === "NORMALIZE" && range > 0 ? range : 1;
    const shift = t === "STANDARDIZE" || t === "NORMALIZE" || t === "DEMEAN" ? r.mean : 0;
    nums.push({ name: spec.name, mean: r.mean, sd, scale, shift });
  }
  return { enums, nums, numOffset: offset, P: offset + nums.length, intercept: o.intercept, missing: o.missing };
}

/** A frame chunk expanded by a design: what the statistical models' tasks read. */
export interface DesignChunk {
  readonly index: number;
  readonly start: number;
  readonly rows: number;
  /** rows × enums, row-major: the expanded index of the row's level, −1 for a reference level. */
  readonly cats: Int32Array;
  /** rows × nums, row-major: the transformed values, imputed. */
  readonly nums: Float64Array;
  /** Response: value or class code; NaN when missing or absent. */
  readonly y: Float64Array;
  /** 1 when the row can be used: a response (when there is one) and, with Skip, no missing predictor. */
  readonly ok: Uint8Array;
  /** Row weight of the current fit: ok and in the fit's folds. */
  readonly w: Float64Array;
  /** Cross-validation fold of each row. */
  readonly fold: Int32Array;
  /** Cross-validation: each row's prediction by its own fold's model (`holdoutWidth` a row). */
  readonly holdout: Float64Array;
}

export interface DesignArgs {
  readonly design: Design;
  /** The frame's column of each enum term, then of each numeric term. */
  readonly bound: readonly BoundColumn[];
  /** Response column and its recoding (enum codes to training codes); null: none. */
  readonly y: ResponseColumn | null;
  /** Rows without a response are unusable (training); scoring keeps them. */
  readonly needY: boolean;
  readonly holdoutWidth: number;
}

const shared = {
  f64: (n: number) => new Float64Array(new SharedArrayBuffer(n * 8)),
  i32: (n: number) => new Int32Array(new SharedArrayBuffer(n * 4)),
  u8: (n: number) => new Uint8Array(new SharedArrayBuffer(n)),
};

/** Expands one chunk (see DesignChunk). */
export function expandChunk(chunk: Chunk, a: DesignArgs): DesignChunk {
  const { design: d, bound } = a;
  const n = chunk.rows;
  const E = d.enums.length;
  const Q = d.nums.length;
  const cats = shared.i32(n * E);
  const nums = shared.f64(n * Q);
  const y = shared.f64(n);
  const ok = shared.u8(n);
  ok.fill(1);
  const skip = d.missing === "Skip";
  for (let e = 0; e < E; e++) {
    const term = d.enums[e];
    const b = bound[e];
    const vec = b.col >= 0 ? chunk.vecs[b.col] : null;
    const codes = vec?.kind === "codes" ? vec.codes : null;
    for (let i = 0; i < n; i++) {
      let level = codes ? codes[i] : -1;
      if (level >= 0 && b.recode) level = b.recode[level];
      if (level < 0) {
        if (skip) ok[i] = 0;
        level = term.mode;
      }
      cats[i * E + e] = level >= term.first ? term.offset + level - term.first : -1;
    }
  }
  for (let j = 0; j < Q; j++) {
    const term = d.nums[j];
    const b = bound[E + j];
    const vec = b.col >= 0 ? chunk.vecs[b.col] : null;
    const values = vec?.kind === "f64" ? vec.values : null;
    const fill = (term.mean - term.shift) / term.scale;
    for (let i = 0; i < n; i++) {
      const x = values ? values[i] : Number.NaN;
      if (x === x) nums[i * Q + j] = (x - term.shift) / term.scale;
      else {
        if (skip) ok[i] = 0;
        nums[i * Q + j] = fill;
      }
    }
  }
  if (a.y) {
    readResponse(chunk, a.y, y);
    if (a.needY) for (let i = 0; i < n; i++) if (y[i] !== y[i]) ok[i] = 0;
  } else y.fill(Number.NaN);
  const w = shared.f64(n);
  for (let i = 0; i < n; i++) w[i] = ok[i];
  return { index: chunk.index, start: chunk.start, rows: n, cats, nums, y, ok, w, fold: shared.i32(n), holdout: shared.f64(n * a.holdoutWidth) };
}

/**
 * Writes x_j of a row into `idx`/`val` (its non-zeros, ascending expanded index, the
 * intercept last as index P) and returns how many there are.
 */
export function rowTerms(c: DesignChunk, d: Design, i: number, idx: Int32Array, val: Float64Array): number {
  const E = d.enums.length;
  const Q = d.nums.length;
  let m = 0;
  for (let e = 0; e < E; e++) {
    const k = c.cats[i * E + e];
    if (k >= 0) {
      idx[m] = k;
      val[m++] = 1;
    }
  }
  for (let j = 0; j < Q; j++) {
    idx[m] = d.numOffset + j;
    val[m++] = c.nums[i * Q + j];
  }
  if (d.intercept) {
    idx[m] = d.P;
    val[m++] = 1;
  }
  return m;
}
