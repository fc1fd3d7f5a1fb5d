// Baseline SHAP for models without an exact method (deep learning, stacked ensembles, naive
// Bayes) and for tree models against a background frame (the game H2O's interventional TreeSHAP
// plays, exact here up to EXACT_MAX_COLUMNS inputs): against a reference row r, the Shapley values of the game v(S) = f(x_S, r_rest), f the
// model's output in link space, each hybrid row scored by the model itself through the registry.
// Model-agnostic, so it differs from H2O's, which propagates through the network (DeepSHAP) or
// chains the members' SHAP through the metalearner (stacked ensembles); for a model with few
// inputs floe's values are the exact Shapley values of that game.
//
// Up to EXACT_MAX_COLUMNS inputs every coalition is scored (2^p hybrids a pair). Above, seeded
// antithetic permutations (each drawn order and its reverse): along an order the marginal
// contributions telescope to f(x) − f(r), so the values always sum to it exactly.
//
// Link space: logit of the probability of class 1 (binomial), the log probability of each class
// (multinomial: a block per class), the prediction itself (regression), unless the caller names
// the link its model's raw score lives in. Probabilities are clipped to [1e-15, 1 − 1e-15] first.

import { type Chunk, type ColumnType, sharedF64, sharedI32, sliceVec, type Vec } from "../../core/chunk.ts";
import { FloeError } from "../../core/errors.ts";
import { type ColumnSpec, Frame } from "../../core/frame.ts";
import { cancelledError, type Executor } from "../../core/mr.ts";
import { keyState, Rng } from "../../core/rng.ts";
import type { ContributionChunk, Contributions } from "../algorithm.ts";
import { LOGLOSS_EPS } from "../metrics/scored.ts";
import { type Model, modelInputs, predictFrame } from "../scoring.ts";

/** Inputs up to which every coalition is scored. */
export const EXACT_MAX_COLUMNS = 10;
/** Permutations drawn above EXACT_MAX_COLUMNS inputs (antithetic pairs) unless the caller sets them. */
export const DEFAULT_PERMUTATIONS = 32;
/** Hybrid rows scored at once, cut in chunks of HYBRID_CHUNK_ROWS so the executor's threads share them. */
const BATCH_ROWS = 1 << 15;
const HYBRID_CHUNK_ROWS = 4096;

/** How a binomial or regression model's prediction maps to link space (a multinomial's is always log p per class). */
export type OutputLink = "logit" | "log" | "identity";

export interface BaselineOptions {
  /** Default: logit for a binomial model, identity for regression. */
  readonly link?: OutputLink;
  /** Permutations when sampling (even: antithetic pairs; default DEFAULT_PERMUTATIONS). */
  readonly permutations?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
}

/** An input column as the hybrids hold it: x's values per frame chunk, the references' values, one type. */
interface HybridColumn {
  readonly spec: ColumnSpec;
  /** The frame's column index (−1: absent, explained as missing). */
  readonly frameCol: number;
  /** Reference values: numbers, or codes into spec.domain. */
  readonly refs: Float64Array | Int32Array;
}

/** The coalitions scored for each (row, reference) pair and how their values combine into Shapley values. */
interface Plan {
  /** Coalitions × inputs: 1 when the input takes x's value. */
  readonly masks: Uint8Array;
  readonly coalitions: number;
  /** Adds the Shapley values of a pair (inputs values) from its coalitions' values `v` into `out`. */
  combine(v: Float64Array, at: number, stride: number, out: Float64Array, o: number): void;
}

function exactPlan(p: number): Plan {
  const H = 1 << p;
  const masks = new Uint8Array(H * p);
  for (let m = 0; m < H; m++) for (let j = 0; j < p; j++) masks[m * p + j] = (m >> j) & 1;
  // w(s) = s!(p − s − 1)!/p!: the weight of a coalition of size s joined by one more input.
  const weight = new Float64Array(p);
  for (let s = 0; s < p; s++) {
    let w = 1 / p;
    for (let t = 1; t <= s; t++) w *= t / (p - t);
    weight[s] = w;
  }
  const size = new Uint8Array(H);
  for (let m = 1; m < H; m++) size[m] = size[m >> 1] + (m & 1);
  return {
    masks,
    coalitions: H,
    combine(v, at, stride, out, o) {
      for (let j = 0; j < p; j++) {
        const bit = 1 << j;
        let phi = 0;
        for (let m = 0; m < H; m++) if ((m & bit) === 0) phi += weight[size[m]] * (v[at + (m | bit) * stride] - v[at + m * stride]);
        out[o + j] += phi;
      }
    },
  };
}

function permutationPlan(p: number, permutations: number, seed: number): Plan {
  const rng = new Rng(keyState(seed, p, permutations));
  const orders: Int32Array[] = [];
  for (let t = 0; t < permutations; t += 2) {
    const order = Int32Array.from({ length: p }, (_, j) => j);
    for (let j = p - 1; j > 0; j--) {
      const k = rng.int(j + 1);
      [order[j], order[k]] = [order[k], order[j]];
    }
    orders.push(order, order.slice().reverse());
  }
  // Coalition 0 is the reference, 1 the row itself, then each order's p − 1 proper prefixes.
  const H = 2 + permutations * (p - 1);
  const masks = new Uint8Array(H * p);
  masks.fill(1, p, 2 * p);
  orders.forEach((order, t) => {
    for (let s = 1; s < p; s++) {
      const m = 2 + t * (p - 1) + s - 1;
      for (let j = 0; j < s; j++) masks[m * p + order[j]] = 1;
    }
  });
  return {
    masks,
    coalitions: H,
    combine(v, at, stride, out, o) {
      orders.forEach((order, t) => {
        let prev = v[at];
        for (let s = 1; s <= p; s++) {
          const next = v[at + (s === p ? 1 : 2 + t * (p - 1) + s - 1) * stride];
          out[o + order[s - 1]] += (next - prev) / permutations;
          prev = next;
        }
      });
    },
  };
}

function planFor(p: number, options: BaselineOptions): Plan {
  if (p <= EXACT_MAX_COLUMNS) return exactPlan(p);
  const permutations = options.permutations ?? DEFAULT_PERMUTATIONS;
  if (!Number.isInteger(permutations) || permutations < 2 || permutations % 2 !== 0) {
    throw new FloeError("invalid_argument", `permutations must be an even integer of at least 2 (antithetic pairs), not ${permutations}`);
  }
  return permutationPlan(p, permutations, options.seed ?? 0);
}

function columnType(frame: Frame, col: number): ColumnType {
  return frame.columns[col].type;
}

/** The hybrid columns: one per model input, enums over the frame's levels then the background's new ones. */
function hybridColumns(model: Model, frame: Frame, background: Frame, warnings: string[]): HybridColumn[] {
  return modelInputs(model).map(({ name }) => {
    const frameCol = frame.columns.findIndex((c) => c.name === name);
    const bgCol = background.columnIndex(name);
    const type = columnType(background, bgCol);
    if (frameCol < 0) warnings.push(`column '${name}' is missing: explained as missing values`);
    else if (columnType(frame, frameCol) !== type) {
      throw new FloeError("bad_input", `column '${name}' is ${columnType(frame, frameCol)} in the frame but ${type} in the background frame`);
    }
    if (type === "string") throw new FloeError("bad_input", `column '${name}' is a string column: contributions read numeric and enum columns`);
    const R = background.rows;
    if (type !== "enum") {
      const refs = new Float64Array(R);
      for (const c of background.chunks) refs.set((c.vecs[bgCol] as { values: Float64Array }).values, c.start);
      return { spec: { name, type }, frameCol, refs };
    }
    const domain = [...(frameCol >= 0 ? (frame.columns[frameCol].domain ?? []) : [])];
    const index = new Map(domain.map((l, i) => [l, i]));
    const recode = Int32Array.from(background.columns[bgCol].domain ?? [], (level) => {
      let code = index.get(level);
      if (code === undefined) {
        code = domain.push(level) - 1;
        index.set(level, code);
      }
      return code;
    });
    const refs = new Int32Array(R);
    for (const c of background.chunks) {
      const codes = (c.vecs[bgCol] as { codes: Int32Array }).codes;
      for (let i = 0; i < c.rows; i++) refs[c.start + i] = codes[i] < 0 ? -1 : recode[codes[i]];
    }
    return { spec: { name, type, domain }, frameCol, refs };
  });
}

/** The hybrid rows of pairs [first, first + pairs) of a chunk (pair q: row q / R, reference q mod R), as a frame. */
function hybridFrame(columns: readonly HybridColumn[], chunk: Chunk, R: number, plan: Plan, first: number, pairs: number): Frame {
  const p = columns.length;
  const H = plan.coalitions;
  const n = pairs * H;
  const vecs = columns.map((col, c): Vec => {
    const vec = col.frameCol >= 0 ? chunk.vecs[col.frameCol] : null;
    if (col.refs instanceof Int32Array) {
      const x = vec?.kind === "codes" ? vec.codes : null;
      const out = sharedI32(n);
      for (let q = 0; q < pairs; q++) {
        const i = Math.floor((first + q) / R);
        const xv = x ? x[i] : -1;
        const rv = col.refs[(first + q) % R];
        for (let h = 0; h < H; h++) out[q * H + h] = plan.masks[h * p + c] ? xv : rv;
      }
      return { kind: "codes", codes: out };
    }
    const x = vec?.kind === "f64" ? vec.values : null;
    const out = sharedF64(n);
    for (let q = 0; q < pairs; q++) {
      const i = Math.floor((first + q) / R);
      const xv = x ? x[i] : Number.NaN;
      const rv = col.refs[(first + q) % R];
      for (let h = 0; h < H; h++) out[q * H + h] = plan.masks[h * p + c] ? xv : rv;
    }
    return { kind: "f64", values: out };
  });
  const chunks: Chunk[] = [];
  for (let from = 0; from < n; from += HYBRID_CHUNK_ROWS) {
    const to = Math.min(n, from + HYBRID_CHUNK_ROWS);
    chunks.push({ index: chunks.length, start: from, rows: to - from, vecs: vecs.map((v) => sliceVec(v, from, to)) });
  }
  return Frame.of(
    columns.map((c) => c.spec),
    chunks,
  );
}

/** The model's outputs of hybrid rows in link space: `classes` values a row. */
async function linkOutputs(executor: Executor, model: Model, hybrids: Frame, classes: number, link: OutputLink, warnings: string[]): Promise<Float64Array> {
  const scored = await predictFrame(executor, model, hybrids, warnings);
  const out = new Float64Array(hybrids.rows * classes);
  const clip = (p: number) => Math.min(Math.max(p, LOGLOSS_EPS), 1 - LOGLOSS_EPS);
  const multinomial = model.category === "Multinomial";
  let at = 0;
  for (const sc of scored) {
    for (let v = 0; v < sc.rows * classes; v++) {
      const p = sc.p[v];
      out[at + v] = multinomial ? Math.log(clip(p)) : link === "logit" ? Math.log(clip(p) / (1 - clip(p))) : link === "log" ? Math.log(p) : p;
    }
    at += sc.rows * classes;
  }
  return out;
}

function addUnique(into: string[], from: readonly string[]): void {
  for (const w of from) if (!into.includes(w)) into.push(w);
}

/**
 * Baseline SHAP of every row of `frame` against every row of `background` (see the top of this
 * file): per (row, reference) pair with `perReference`, else their mean over the references.
 */
export async function baselineShap(executor: Executor, model: Model, frame: Frame, background: Frame, perReference: boolean, options: BaselineOptions, warnings: string[]): Promise<Contributions> {
  const columns = hybridColumns(model, frame, background, warnings);
  const p = columns.length;
  if (p === 0) throw new FloeError("unsupported", `${model.algo} model '${model.model_id}' reads no columns: there is nothing to attribute its prediction to`);
  const plan = planFor(p, options);
  const K = model.category === "Multinomial" ? (model.response?.domain?.length ?? 1) : 1;
  const link = options.link ?? (model.category === "Binomial" ? "logit" : "identity");
  const R = background.rows;
  const H = plan.coalitions;
  const block = p + 1;
  const pairsPerBatch = Math.max(1, Math.floor(BATCH_ROWS / H));
  const totalPairs = frame.rows * R;
  let donePairs = 0;
  const phi = new Float64Array(p);
  const chunks: ContributionChunk[] = [];
  for (const chunk of frame.chunks) {
    const pairs = chunk.rows * R;
    const values = new Float64Array((perReference ? pairs : chunk.rows) * K * block);
    for (let first = 0; first < pairs; first += pairsPerBatch) {
      if (options.signal?.aborted) throw cancelledError();
      const batch = Math.min(pairsPerBatch, pairs - first);
      const batchWarnings: string[] = [];
      const v = await linkOutputs(executor, model, hybridFrame(columns, chunk, R, plan, first, batch), K, link, batchWarnings);
      addUnique(warnings, batchWarnings);
      for (let q = 0; q < batch; q++) {
        const pair = first + q;
        const row = perReference ? pair : Math.floor(pair / R);
        const scale = perReference ? 1 : 1 / R;
        for (let k = 0; k < K; k++) {
          const o = (row * K + k) * block;
          const at = q * H * K + k;
          if (perReference) plan.combine(v, at, K, values, o);
          else {
            phi.fill(0);
            plan.combine(v, at, K, phi, 0);
            for (let j = 0; j < p; j++) values[o + j] += phi[j] * scale;
          }
          // Coalition 0 (no input from x) is the reference itself: the bias.
          values[o + p] += v[at] * scale;
        }
      }
      donePairs += batch;
      options.onProgress?.(donePairs / totalPairs);
    }
    chunks.push({ index: chunk.index, rows: perReference ? pairs : chunk.rows, values });
  }
  const inverseLink = model.category === "Multinomial" ? undefined : link === "logit" ? (z: number) => 1 / (1 + Math.exp(-z)) : link === "log" ? Math.exp : (z: number) => z;
  return { names: columns.map((c) => c.spec.name), classes: K, chunks, inverseLink };
}
