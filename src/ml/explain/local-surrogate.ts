// A LIME-style local surrogate of one row: seeded perturbations around the row (a numeric
// feature drawn from a normal centred on the row's value with the column's sd, an enum
// feature's level drawn by the levels' frequencies), each weighted by an exponential kernel
// of its distance to the row in standardised space, and a weighted (slightly ridged) linear
// fit of the model's response on them. A numeric feature's weight is per unit of the column;
// an enum feature's is the effect of being at the row's level. maxFeatures keeps the
// features with the largest standardised weights of the full fit and fits again on them.

import { sharedF64, sharedI32, type Vec } from "../../core/chunk.ts";
import { FloeError } from "../../core/errors.ts";
import { type ColumnSpec, Frame } from "../../core/frame.ts";
import type { Executor } from "../../core/mr.ts";
import { keyState, Rng, randomSeed } from "../../core/rng.ts";
import { choleskyDropping, choleskySolve } from "../linalg.ts";
import { type Model, modelInputs, predictFrame } from "../scoring.ts";
import { type CellValue, cellAt, checkSignal, enumCodes, numericValues, pickRows, requireRow, requireSupervised, responseSlot, responses } from "./frame-edit.ts";

export interface LocalSurrogateOptions {
  /** Perturbed samples, the row itself first (default 5000). */
  samples?: number;
  /** Default: a random seed. */
  seed?: number;
  /** Features the surrogate keeps (default: all the model reads). */
  maxFeatures?: number;
  /** The kernel's width in standardised units (default 0.75·√features, as LIME). */
  kernelWidth?: number;
  /** The class whose probability is explained (multinomial; default: the class predicted for the row). */
  target?: string;
  signal?: AbortSignal;
}

export interface LocalSurrogate {
  readonly row: number;
  /** The model's response at the row (probability of class 1 for binomial, of the target class for multinomial). */
  readonly prediction: number;
  /** The surrogate's value at the row. */
  readonly localPrediction: number;
  /** The surrogate's value with every numeric feature at the row's value and no enum feature at the row's level. */
  readonly intercept: number;
  /** Kernel-weighted R² of the surrogate on the samples. */
  readonly r2: number;
  /** Largest standardised weight first. */
  readonly weights: { variable: string; value: number | string | null; weight: number }[];
}

const DEFAULT_SAMPLES = 5000;
const SAMPLE_CHUNK_ROWS = 1024;
/** Ridge on standardised columns, relative to the kernel weights' sum: only keeps collinear or constant columns solvable. */
const RIDGE = 1e-10;

interface Feature {
  readonly spec: ColumnSpec;
  readonly value: CellValue;
  /** Numeric: where samples are centred (the row's value, or the mean when it is missing) and the sd; enum: the row's code and cumulative level frequencies. */
  readonly center: number;
  readonly sd: number;
  readonly cumulative: Float64Array | null;
}

function featureOf(frame: Frame, col: number, row: number): Feature {
  const spec = frame.columns[col];
  const rollup = frame.rollups?.[col];
  const value = cellAt(frame, col, row);
  if (spec.type === "enum") {
    const levels = spec.domain?.length ?? 0;
    const counts = rollup?.levelCounts ?? countLevels(enumCodes(frame, col), levels);
    const cumulative = new Float64Array(levels);
    let total = 0;
    counts.forEach((n, k) => {
      total += n;
      cumulative[k] = total;
    });
    if (total === 0) throw new FloeError("bad_input", `column '${spec.name}' has no values to draw levels from`);
    return { spec, value, center: value === null ? -1 : (spec.domain as readonly string[]).indexOf(value as string), sd: 0, cumulative: cumulative.map((c) => c / total) };
  }
  const moments = rollup?.sd != null && rollup.mean != null ? { mean: rollup.mean, sd: rollup.sd } : momentsOf(numericValues(frame, col));
  return { spec, value, center: value === null ? moments.mean : (value as number), sd: moments.sd > 0 ? moments.sd : 0, cumulative: null };
}

function countLevels(codes: Int32Array, levels: number): number[] {
  const counts = new Array<number>(levels).fill(0);
  for (const c of codes) if (c >= 0) counts[c]++;
  return counts;
}

function momentsOf(values: Float64Array): { mean: number; sd: number } {
  let n = 0;
  let sum = 0;
  for (const x of values) {
    if (!Number.isFinite(x)) continue;
    n++;
    sum += x;
  }
  const mean = n ? sum / n : 0;
  let ss = 0;
  for (const x of values) if (Number.isFinite(x)) ss += (x - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

/** A standard normal draw (Box–Muller). */
function normal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * The samples as a frame of the features' columns, and their standardised design: per
 * sample and feature, (x − centre)/sd for a numeric feature, 1 when at the row's level for an
 * enum feature. Sample 0 is the row itself.
 */
function perturb(features: readonly Feature[], n: number, seed: number): { frame: Frame; design: Float64Array } {
  const p = features.length;
  const design = new Float64Array(n * p);
  const vecs: Vec[] = features.map((f, j) => {
    const rng = new Rng(keyState(seed, j));
    if (f.cumulative) {
      const codes = sharedI32(n);
      codes[0] = f.center;
      for (let i = 1; i < n; i++) {
        const u = rng.next();
        let k = 0;
        while (k < f.cumulative.length - 1 && u >= f.cumulative[k]) k++;
        codes[i] = k;
      }
      for (let i = 0; i < n; i++) design[i * p + j] = codes[i] === f.center ? 1 : 0;
      return { kind: "codes", codes };
    }
    const values = sharedF64(n);
    values[0] = f.value === null ? Number.NaN : f.center;
    for (let i = 1; i < n; i++) {
      const z = normal(rng);
      values[i] = f.center + f.sd * z;
      design[i * p + j] = f.sd > 0 ? z : 0;
    }
    return { kind: "f64", values };
  });
  const chunks = [];
  for (let start = 0; start < n; start += SAMPLE_CHUNK_ROWS) {
    const end = Math.min(n, start + SAMPLE_CHUNK_ROWS);
    chunks.push({
      index: 0,
      start: 0,
      rows: end - start,
      vecs: vecs.map((v): Vec => (v.kind === "codes" ? { kind: "codes", codes: v.codes.subarray(start, end) } : { kind: "f64", values: (v as { values: Float64Array }).values.subarray(start, end) })),
    });
  }
  return {
    frame: Frame.of(
      features.map((f) => f.spec),
      chunks,
    ),
    design,
  };
}

/** Kernel weights exp(−d²/width²), d the distance to the row in the standardised design (an enum feature counts 1 when off the row's level). */
function kernel(features: readonly Feature[], design: Float64Array, n: number, width: number): Float64Array {
  const p = features.length;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let d2 = 0;
    for (let j = 0; j < p; j++) {
      const x = design[i * p + j];
      d2 += features[j].cumulative ? (1 - x) ** 2 : x * x;
    }
    w[i] = Math.exp(-d2 / (width * width));
  }
  return w;
}

/** Weighted ridge least squares of y on the design's columns `cols` (intercept unpenalised): coefficients, intercept and weighted R². */
function fit(design: Float64Array, p: number, cols: readonly number[], y: Float64Array, w: Float64Array): { beta: Float64Array; intercept: number; r2: number } {
  const n = y.length;
  const q = cols.length;
  let sw = 0;
  let my = 0;
  const mx = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    sw += w[i];
    my += w[i] * y[i];
    for (let a = 0; a < q; a++) mx[a] += w[i] * design[i * p + cols[a]];
  }
  my /= sw;
  for (let a = 0; a < q; a++) mx[a] /= sw;
  const A = new Float64Array(q * q);
  const b = new Float64Array(q);
  const xc = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < q; a++) xc[a] = design[i * p + cols[a]] - mx[a];
    for (let a = 0; a < q; a++) {
      b[a] += w[i] * xc[a] * (y[i] - my);
      for (let c = 0; c <= a; c++) A[a * q + c] += w[i] * xc[a] * xc[c];
    }
  }
  for (let a = 0; a < q; a++) A[a * q + a] += RIDGE * sw;
  const beta = q ? choleskySolve(choleskyDropping(A, q, 1e-14).L, q, b) : new Float64Array(0);
  let intercept = my;
  for (let a = 0; a < q; a++) intercept -= beta[a] * mx[a];
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    let yhat = intercept;
    for (let a = 0; a < q; a++) yhat += beta[a] * design[i * p + cols[a]];
    sse += w[i] * (y[i] - yhat) ** 2;
    sst += w[i] * (y[i] - my) ** 2;
  }
  return { beta, intercept, r2: sst > 0 ? 1 - sse / sst : 1 };
}

function requireOptions(samples: number, maxFeatures: number | undefined, width: number | undefined, seed: number): void {
  if (!Number.isInteger(samples) || samples < 2) throw new FloeError("invalid_argument", `samples must be an integer of at least 2, got ${samples}`);
  if (maxFeatures !== undefined && (!Number.isInteger(maxFeatures) || maxFeatures < 1)) throw new FloeError("invalid_argument", `max_features must be an integer of at least 1, got ${maxFeatures}`);
  if (width !== undefined && !(width > 0 && Number.isFinite(width))) throw new FloeError("invalid_argument", `kernel_width must be a positive number, got ${width}`);
  if (!Number.isSafeInteger(seed)) throw new FloeError("invalid_argument", `seed must be an integer, got ${seed}`);
}

export async function localSurrogate(executor: Executor, model: Model, frame: Frame, row: number, options: LocalSurrogateOptions): Promise<LocalSurrogate> {
  requireSupervised(model, "a local surrogate");
  requireRow(frame, row);
  const samples = options.samples ?? DEFAULT_SAMPLES;
  const seed = options.seed ?? randomSeed();
  requireOptions(samples, options.maxFeatures, options.kernelWidth, seed);
  const names = modelInputs(model)
    .map((c) => c.name)
    .filter((name) => frame.names.includes(name) && frame.columns[frame.columnIndex(name)].type !== "string");
  if (names.length === 0) throw new FloeError("invalid_argument", "the frame holds none of the model's numeric or enum columns: nothing to perturb");
  const features = names.map((name) => featureOf(frame, frame.columnIndex(name), row));

  const rowScored = await predictFrame(executor, model, pickRows(frame, [row]), []);
  const { slot } = responseSlot(model, options.target ?? predictedClass(model, rowScored[0].p));
  const prediction = rowScored[0].p[slot];

  checkSignal(options.signal);
  const { frame: perturbed, design } = perturb(features, samples, seed);
  const y = responses(await predictFrame(executor, model, perturbed, []), slot);
  checkSignal(options.signal);
  const p = features.length;
  const w = kernel(features, design, samples, options.kernelWidth ?? 0.75 * Math.sqrt(p));

  const all = features.map((_, j) => j);
  let kept = all;
  let result = fit(design, p, all, y, w);
  if (options.maxFeatures !== undefined && options.maxFeatures < p) {
    kept = [...all].sort((a, b) => Math.abs(result.beta[b]) - Math.abs(result.beta[a])).slice(0, options.maxFeatures);
    result = fit(design, p, kept, y, w);
  }
  let localPrediction = result.intercept;
  const weights = kept.map((j, a) => {
    const f = features[j];
    if (f.cumulative) localPrediction += result.beta[a];
    return { variable: f.spec.name, value: f.value, weight: f.cumulative ? result.beta[a] : f.sd > 0 ? result.beta[a] / f.sd : 0, standardised: Math.abs(result.beta[a]) };
  });
  weights.sort((a, b) => b.standardised - a.standardised);
  return {
    row,
    prediction,
    localPrediction,
    intercept: result.intercept,
    r2: result.r2,
    weights: weights.map(({ variable, value, weight }) => ({ variable, value, weight })),
  };
}

/** A multinomial model's most probable class for one row of scored probabilities (others need no target). */
function predictedClass(model: Model, probabilities: Float64Array): string | null {
  const domain = model.response?.domain ?? null;
  if (!domain || domain.length <= 2) return null;
  let best = 0;
  for (let k = 1; k < domain.length; k++) if (probabilities[k] > probabilities[best]) best = k;
  return domain[best];
}
