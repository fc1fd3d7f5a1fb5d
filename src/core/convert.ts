// Column type conversions: asfactor (numeric or string → enum) and asnumeric (enum,
// string or time → numeric). Distinct values are gathered with one map/reduce and the
// column recoded with another; the other columns keep their buffers.

import { type Chunk, ENUM_MAX_LEVELS, sharedF64, sharedI32, stringAt, type Vec } from "./chunk.ts";
import { FloeError } from "./errors.ts";
import { type ColumnSpec, Frame } from "./frame.ts";
import type { Executor, Task } from "./mr.ts";
import { lowerBound } from "./sorted.ts";

/** Merge of two ascending, duplicate-free lists into one. */
function mergeSortedUnique<T>(a: ArrayLike<T>, b: ArrayLike<T>, out: T[]): T[] {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
    else {
      out.push(a[i++]);
      j++;
    }
  }
  return out;
}

/** Partial: the ascending distinct values present in column `col`. */
export const DistinctNumbersTask: Task<{ col: number }, Float64Array> = {
  name: "core.distinct_numbers",
  map(chunk, { col }) {
    const vec = chunk.vecs[col];
    if (vec.kind !== "f64") return new Float64Array(0);
    const v = vec.values;
    const present = new Float64Array(v.length);
    let n = 0;
    for (let i = 0; i < v.length; i++) if (v[i] === v[i]) present[n++] = v[i];
    present.subarray(0, n).sort();
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || present[i] !== present[i - 1]) out.push(present[i]);
    return Float64Array.from(out);
  },
  reduce: (a, b) => Float64Array.from(mergeSortedUnique(a, b, [])),
  empty: () => new Float64Array(0),
};

/** Partial: the sorted distinct strings present in column `col`. */
export const DistinctStringsTask: Task<{ col: number }, string[]> = {
  name: "core.distinct_strings",
  map(chunk, { col }) {
    const vec = chunk.vecs[col];
    if (vec.kind !== "utf8") return [];
    const set = new Set<string>();
    for (let i = 0; i < chunk.rows; i++) {
      const s = stringAt(vec, i);
      if (s !== null) set.add(s);
    }
    return [...set].sort();
  },
  reduce: (a, b) => mergeSortedUnique(a, b, []),
  empty: () => [],
};

export interface RecodeArgs {
  readonly col: number;
  /** Numeric levels (ascending) when recoding numbers, string levels otherwise. */
  readonly numbers?: Float64Array;
  readonly strings?: readonly string[];
}

/** Partial: chunks whose column `col` is replaced by enum codes. */
export const RecodeTask: Task<RecodeArgs, Chunk[]> = {
  name: "core.recode",
  map(chunk, args) {
    const vec = chunk.vecs[args.col];
    const codes = sharedI32(chunk.rows);
    if (vec.kind === "f64" && args.numbers) {
      const levels = args.numbers;
      const v = vec.values;
      for (let i = 0; i < chunk.rows; i++) {
        const x = v[i];
        if (x !== x) {
          codes[i] = -1;
          continue;
        }
        codes[i] = lowerBound(levels, x);
      }
    } else if (vec.kind === "utf8" && args.strings) {
      const index = new Map(args.strings.map((s, k) => [s, k]));
      for (let i = 0; i < chunk.rows; i++) {
        const s = stringAt(vec, i);
        codes[i] = s === null ? -1 : (index.get(s) ?? -1);
      }
    } else {
      throw new FloeError("internal", `recode of a ${vec.kind} vector`);
    }
    return [replaceVec(chunk, args.col, { kind: "codes", codes })];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

export interface ToNumberArgs {
  readonly col: number;
  /** For an enum column: each level's numeric value (NaN when it is not a number). */
  readonly levelValues?: Float64Array;
}

/** Partial: chunks whose column `col` is replaced by numbers. */
export const ToNumberTask: Task<ToNumberArgs, Chunk[]> = {
  name: "core.to_number",
  map(chunk, { col, levelValues }) {
    const vec = chunk.vecs[col];
    const out = sharedF64(chunk.rows);
    if (vec.kind === "codes" && levelValues) {
      for (let i = 0; i < chunk.rows; i++) {
        const k = vec.codes[i];
        out[i] = k < 0 ? Number.NaN : levelValues[k];
      }
    } else if (vec.kind === "utf8") {
      for (let i = 0; i < chunk.rows; i++) out[i] = parseNumber(stringAt(vec, i));
    } else if (vec.kind === "f64") {
      out.set(vec.values);
    } else {
      throw new FloeError("internal", `to_number of a ${vec.kind} vector`);
    }
    return [replaceVec(chunk, col, { kind: "f64", values: out })];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

function replaceVec(chunk: Chunk, col: number, vec: Vec): Chunk {
  return { ...chunk, vecs: chunk.vecs.map((v, i) => (i === col ? vec : v)) };
}

/** A number from text the way the CSV reader would read it; NaN (missing) otherwise. */
export function parseNumber(s: string | null): number {
  if (s === null) return Number.NaN;
  const t = s.trim();
  if (t === "" || !/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|inf(inity)?)$/i.test(t)) return Number.NaN;
  return /inf/i.test(t) ? (t.startsWith("-") ? -Infinity : Infinity) : Number(t);
}

/** How a numeric level is named in an enum domain: integers without a decimal point. */
export function numberLabel(x: number): string {
  return Number.isInteger(x) ? x.toFixed(0) : String(x);
}

function withColumn(frame: Frame, col: number, spec: ColumnSpec, chunks: Chunk[]): Frame {
  return Frame.of(
    frame.columns.map((c, i) => (i === col ? spec : c)),
    chunks,
  );
}

/** The frame with column `name` as an enum (H2O's asfactor); enums are returned as they are. */
export async function asfactor(executor: Executor, frame: Frame, name: string): Promise<Frame> {
  const col = frame.columnIndex(name);
  const spec = frame.columns[col];
  if (spec.type === "enum") return frame;
  const tooMany = (n: number) =>
    new FloeError("bad_input", `column '${name}': ${n.toLocaleString("en-US")} distinct values is more than an enum column can hold (${ENUM_MAX_LEVELS.toLocaleString("en-US")})`);
  if (spec.type === "string") {
    const strings = await executor.run(DistinctStringsTask, frame, { col });
    if (strings.length > ENUM_MAX_LEVELS) throw tooMany(strings.length);
    const chunks = await executor.run(RecodeTask, frame, { col, strings });
    return withColumn(frame, col, { name, type: "enum", domain: strings }, chunks);
  }
  const numbers = await executor.run(DistinctNumbersTask, frame, { col });
  if (numbers.length > ENUM_MAX_LEVELS) throw tooMany(numbers.length);
  const chunks = await executor.run(RecodeTask, frame, { col, numbers });
  return withColumn(frame, col, { name, type: "enum", domain: Array.from(numbers, numberLabel) }, chunks);
}

/**
 * The frame with column `name` as numbers: an enum's levels and a string's values are
 * read as numbers (those that are not become missing); time becomes ms since the epoch.
 */
export async function asnumeric(executor: Executor, frame: Frame, name: string): Promise<Frame> {
  const col = frame.columnIndex(name);
  const spec = frame.columns[col];
  if (spec.type === "numeric") return frame;
  if (spec.type === "time") {
    return Frame.of(
      frame.columns.map((c, i) => (i === col ? { name, type: "numeric" as const } : c)),
      frame.chunks,
    );
  }
  const levelValues = spec.type === "enum" ? Float64Array.from(spec.domain ?? [], parseNumber) : undefined;
  const chunks = await executor.run(ToNumberTask, frame, { col, levelValues });
  return withColumn(frame, col, { name, type: "numeric" }, chunks);
}
