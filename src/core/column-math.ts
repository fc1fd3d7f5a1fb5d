// Columns computed row by row from other columns of the same chunk and constants:
// arithmetic, comparisons, boolean logic, is-missing, if-else (H2O's Rapids operators
// over frames), and a uniform random column keyed by the global row id (h2o.runif, the
// first step of the client's split_frame). Outputs are numeric; NaN is missing.

import { type Chunk, sharedF64, type Vec } from "./chunk.ts";
import { FloeError } from "./errors.ts";
import type { Task } from "./mr.ts";
import { rowUniform } from "./rng.ts";

export type BinaryMathOp = "+" | "-" | "*" | "/" | "^" | "%%" | "intDiv" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "&" | "|";
export type MathOp = BinaryMathOp | "is.na" | "not" | "ifelse" | "value";

/** A column of the chunk (an enum column reads as its codes) or a constant. */
export type Operand = { readonly col: number } | { readonly value: number };

export interface MathOutput {
  readonly op: MathOp;
  /** Two for a binary op, three for ifelse (test, yes, no), one otherwise. */
  readonly args: readonly Operand[];
}

export interface ColumnMathArgs {
  readonly outputs: readonly MathOutput[];
}

const ARITY: Readonly<Record<MathOp, number>> = {
  "+": 2,
  "-": 2,
  "*": 2,
  "/": 2,
  "^": 2,
  "%%": 2,
  intDiv: 2,
  "==": 2,
  "!=": 2,
  "<": 2,
  "<=": 2,
  ">": 2,
  ">=": 2,
  "&": 2,
  "|": 2,
  "is.na": 1,
  not: 1,
  ifelse: 3,
  value: 1,
};

/** The value of a binary op on two numbers, NaN standing for missing (H2O's rules for & and |). */
export function binaryMath(op: BinaryMathOp, a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
    case "^":
      return a ** b;
    case "%%":
      return a - b * Math.floor(a / b);
    case "intDiv":
      return Math.floor(a / b);
    case "&":
      // False wins over missing; missing over true.
      return a === 0 || b === 0 ? 0 : a !== a || b !== b ? Number.NaN : 1;
    case "|":
      return (a === a && a !== 0) || (b === b && b !== 0) ? 1 : a !== a || b !== b ? Number.NaN : 0;
  }
  if (a !== a || b !== b) return Number.NaN;
  switch (op) {
    case "==":
      return a === b ? 1 : 0;
    case "!=":
      return a !== b ? 1 : 0;
    case "<":
      return a < b ? 1 : 0;
    case "<=":
      return a <= b ? 1 : 0;
    case ">":
      return a > b ? 1 : 0;
    case ">=":
      return a >= b ? 1 : 0;
  }
}

/** A reader of one operand's values over a chunk's rows. */
function reader(chunk: Chunk, operand: Operand): (i: number) => number {
  if ("value" in operand) {
    const v = operand.value;
    return () => v;
  }
  const vec: Vec = chunk.vecs[operand.col];
  if (vec.kind === "f64") {
    const values = vec.values;
    return (i) => values[i];
  }
  if (vec.kind === "codes") {
    const codes = vec.codes;
    return (i) => (codes[i] < 0 ? Number.NaN : codes[i]);
  }
  throw new FloeError("invalid_argument", "a string column cannot take part in arithmetic or comparisons; convert it with asfactor or asnumeric first");
}

function isMissingReader(chunk: Chunk, operand: Operand): (i: number) => number {
  if ("value" in operand) return () => (operand.value !== operand.value ? 1 : 0);
  const vec = chunk.vecs[operand.col];
  if (vec.kind === "utf8") {
    const missing = vec.missing;
    return (i) => ((missing[i >> 3] >> (i & 7)) & 1) as number;
  }
  const read = reader(chunk, operand);
  return (i) => (read(i) !== read(i) ? 1 : 0);
}

function compute(chunk: Chunk, { op, args }: MathOutput): Float64Array {
  if (args.length !== ARITY[op]) throw new FloeError("internal", `${op} takes ${ARITY[op]} operands, got ${args.length}`);
  const out = sharedF64(chunk.rows);
  const n = chunk.rows;
  if (op === "is.na") {
    const miss = isMissingReader(chunk, args[0]);
    for (let i = 0; i < n; i++) out[i] = miss(i);
    return out;
  }
  const [a, b, c] = args.map((o) => reader(chunk, o));
  switch (op) {
    case "value":
      for (let i = 0; i < n; i++) out[i] = a(i);
      return out;
    case "not":
      for (let i = 0; i < n; i++) {
        const x = a(i);
        out[i] = x !== x ? Number.NaN : x === 0 ? 1 : 0;
      }
      return out;
    case "ifelse":
      for (let i = 0; i < n; i++) {
        const t = a(i);
        out[i] = t !== t ? Number.NaN : t !== 0 ? b(i) : c(i);
      }
      return out;
    default:
      for (let i = 0; i < n; i++) out[i] = binaryMath(op, a(i), b(i));
      return out;
  }
}

/** Partial: each chunk with one numeric vector per output, in `outputs` order. */
export const ColumnMathTask: Task<ColumnMathArgs, Chunk[]> = {
  name: "core.column_math",
  map(chunk, { outputs }) {
    return [{ ...chunk, vecs: outputs.map((o) => ({ kind: "f64", values: compute(chunk, o) })) }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** Partial: each chunk as one column of uniform numbers in [0, 1), a hash of the seed and the global row id. */
export const RunifTask: Task<{ seedState: number }, Chunk[]> = {
  name: "core.runif",
  map(chunk, { seedState }) {
    const out = sharedF64(chunk.rows);
    for (let i = 0; i < chunk.rows; i++) out[i] = rowUniform(seedState, chunk.start + i);
    return [{ ...chunk, vecs: [{ kind: "f64", values: out }] }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};
