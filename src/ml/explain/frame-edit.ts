// Frames the model-agnostic explanations score: the data with one column set to a value, or
// shuffled, or a few of its rows, and the model's response read back from scored chunks. A
// frame is immutable, so each edit is a new Frame sharing every other column's buffers.
// These edits read rows on this node: a cluster's spread frame must be gathered first (its
// stand-in chunks refuse to be read and say so).

import { type Chunk, gatherVec, sharedF64, sharedI32, type Vec } from "../../core/chunk.ts";
import { FloeError } from "../../core/errors.ts";
import { type ColumnSpec, Frame } from "../../core/frame.ts";
import { cancelledError } from "../../core/mr.ts";
import { Rng } from "../../core/rng.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import { type Model, modelInputs } from "../scoring.ts";

/** A grid or row value of a column: a number, an enum level, or null (missing). */
export type CellValue = number | string | null;

/** `frame` with column `col` replaced, chunk by chunk, by `vecOf(chunk)`. */
function withColumn(frame: Frame, col: number, vecOf: (chunk: Chunk) => Vec): Frame {
  return Frame.of(
    frame.columns,
    frame.chunks.map((c) => ({ ...c, vecs: c.vecs.map((v, i) => (i === col ? vecOf(c) : v)) })),
  );
}

/** The code of `value` in an enum column's domain (-1 for null); an unknown level is refused. */
export function levelCode(spec: ColumnSpec, value: CellValue): number {
  if (value === null) return -1;
  const code = (spec.domain ?? []).indexOf(String(value));
  if (code < 0) throw new FloeError("invalid_argument", `'${value}' is not a level of column '${spec.name}' (its levels: ${(spec.domain ?? []).slice(0, 20).join(", ")})`);
  return code;
}

/** `frame` with every row of column `col` set to `value` (null: missing). */
export function setColumn(frame: Frame, col: number, value: CellValue): Frame {
  const spec = frame.columns[col];
  if (spec.type === "enum") {
    const code = levelCode(spec, value);
    return withColumn(frame, col, (c) => ({ kind: "codes", codes: sharedI32(c.rows).fill(code) }));
  }
  if (spec.type === "string") throw new FloeError("unsupported", `column '${spec.name}' holds strings: convert it with asfactor first`);
  if (value !== null && typeof value !== "number") throw new FloeError("invalid_argument", `'${value}' is not a number, and column '${spec.name}' is numeric`);
  const x = value ?? Number.NaN;
  return withColumn(frame, col, (c) => ({ kind: "f64", values: sharedF64(c.rows).fill(x) }));
}

/**
 * `frame` with column `col` shuffled: a seeded Fisher–Yates permutation of the global row
 * ids, so the same seed gives the same rows whatever the chunking.
 */
export function permuteColumn(frame: Frame, col: number, rngState: number): Frame {
  const n = frame.rows;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(rngState);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const whole = columnVec(frame, col);
  return withColumn(frame, col, (c) => gatherVec(whole, order.subarray(c.start, c.start + c.rows)));
}

/** Column `col` of every chunk as one vector (rows in frame order). */
function columnVec(frame: Frame, col: number): Vec {
  if (frame.chunks.length === 1) return frame.chunks[0].vecs[col];
  const parts = frame.chunks.map((c) => c.vecs[col]);
  const kind = frame.columns[col].type;
  if (kind === "enum") {
    const codes = sharedI32(frame.rows);
    frame.chunks.forEach((c, k) => codes.set((parts[k] as { codes: Int32Array }).codes, c.start));
    return { kind: "codes", codes };
  }
  if (kind === "string") throw new FloeError("unsupported", `column '${frame.columns[col].name}' holds strings: convert it with asfactor first`);
  const values = sharedF64(frame.rows);
  frame.chunks.forEach((c, k) => values.set((parts[k] as { values: Float64Array }).values, c.start));
  return { kind: "f64", values };
}

/**
 * Rows `rows` of `frame` (global row ids, ascending; repeats allowed), each source chunk's
 * rows gathered into one chunk of the new frame.
 */
export function pickRows(frame: Frame, rows: readonly number[]): Frame {
  for (let k = 0; k < rows.length; k++) {
    requireRow(frame, rows[k]);
    if (k > 0 && rows[k] < rows[k - 1]) throw new FloeError("internal", "pickRows needs ascending row ids");
  }
  const chunks: Chunk[] = [];
  let k = 0;
  for (const c of frame.chunks) {
    const from = k;
    while (k < rows.length && rows[k] < c.start + c.rows) k++;
    if (k === from) continue;
    const at = Int32Array.from(rows.slice(from, k), (r) => r - c.start);
    chunks.push({ index: 0, start: 0, rows: at.length, vecs: c.vecs.map((v) => gatherVec(v, at)) });
  }
  return Frame.of(frame.columns, chunks);
}

/** Refuses a row index outside the frame. */
export function requireRow(frame: Frame, row: number): void {
  if (!Number.isInteger(row) || row < 0 || row >= frame.rows) {
    throw new FloeError("invalid_argument", `row index ${row} is out of range: the frame has ${frame.rows} rows (0 to ${frame.rows - 1})`);
  }
}

/** The value of column `col` at global row `row` (a level for enum columns, null when missing). */
export function cellAt(frame: Frame, col: number, row: number): CellValue {
  requireRow(frame, row);
  const chunk = frame.chunks.find((c) => row >= c.start && row < c.start + c.rows) as Chunk;
  const vec = chunk.vecs[col];
  const i = row - chunk.start;
  if (vec.kind === "codes") return vec.codes[i] < 0 ? null : (frame.columns[col].domain?.[vec.codes[i]] ?? null);
  if (vec.kind === "f64") return Number.isNaN(vec.values[i]) ? null : vec.values[i];
  throw new FloeError("unsupported", `column '${frame.columns[col].name}' holds strings: convert it with asfactor first`);
}

/** Every value of numeric column `col`, in row order. */
export function numericValues(frame: Frame, col: number): Float64Array {
  const vec = columnVec(frame, col);
  if (vec.kind !== "f64") throw new FloeError("internal", `column '${frame.columns[col].name}' is not numeric`);
  return vec.values;
}

/** Every code of enum column `col`, in row order. */
export function enumCodes(frame: Frame, col: number): Int32Array {
  const vec = columnVec(frame, col);
  if (vec.kind !== "codes") throw new FloeError("internal", `column '${frame.columns[col].name}' is not an enum`);
  return vec.codes;
}

/** Refuses a model without a response (clustering, PCA, anomaly detection): nothing to explain a prediction of. */
export function requireSupervised(model: Model, what: string): void {
  if (!model.response) throw new FloeError("unsupported", `${what} explains supervised models; ${model.model_id} is a ${model.category} model`);
}

/**
 * The index of column `name` in `frame`, refusing a column that is not in the frame or that
 * the model does not read (its value cannot change a prediction).
 */
export function modelColumn(model: Model, frame: Frame, name: string): number {
  const col = frame.columnIndex(name);
  if (!modelInputs(model).some((c) => c.name === name)) {
    throw new FloeError("invalid_argument", `column '${name}' is not used by model ${model.model_id} (it reads: ${inputNames(model).join(", ")})`);
  }
  if (frame.columns[col].type === "string") throw new FloeError("unsupported", `column '${name}' holds strings: convert it with asfactor first`);
  return col;
}

/** The names of the model's input columns (at most 20, then a count). */
function inputNames(model: Model): string[] {
  const names = modelInputs(model).map((c) => c.name);
  return names.length > 20 ? [...names.slice(0, 20), `… (${names.length} in all)`] : names;
}

/**
 * Which output a response is read from: the prediction (regression), the probability of
 * class 1 (binomial) or of one class (multinomial, whose class must be named).
 */
export function responseSlot(model: Model, target: string | null | undefined): { slot: number; target: string | null } {
  const domain = model.response?.domain ?? null;
  if (!domain || domain.length <= 2) return { slot: 0, target: null };
  if (target === null || target === undefined) {
    throw new FloeError("invalid_argument", `model ${model.model_id} is multinomial: name a target class (one of ${domain.join(", ")})`);
  }
  const slot = domain.indexOf(target);
  if (slot < 0) throw new FloeError("invalid_argument", `'${target}' is not a class of model ${model.model_id} (its classes: ${domain.join(", ")})`);
  return { slot, target };
}

/** Row after row, the output at `slot` of each scored row. */
export function responses(scored: readonly ScoredChunk[], slot: number): Float64Array {
  const n = scored.reduce((s, c) => s + c.rows, 0);
  const out = new Float64Array(n);
  let k = 0;
  for (const c of scored) for (let i = 0; i < c.rows; i++) out[k++] = c.p[i * c.width + slot];
  return out;
}

export function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}
