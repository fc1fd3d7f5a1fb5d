// Reductions of columns to numbers, from the rollups task (core/rollups.ts: count,
// missing, min, max, mean, sd per column, one map/reduce pass): mean (a one-row frame,
// as H2O answers it), sd, min, max, sum, sumNA, naCnt, and getrow (a one-row frame's
// values).

import { FloeError } from "../../../core/errors.ts";
import type { ColumnRollup, Frame } from "../../../core/frame.ts";
import { computeRollups } from "../../../core/rollups.ts";
import { gather, wholeFrame } from "../spread.ts";
import { arity, boolArg, type Env, frameArg, type Operator } from "../value.ts";
import { rowFrame } from "./compute.ts";

async function rollupsOf(env: Env, frame: Frame): Promise<readonly ColumnRollup[]> {
  return frame.rollups ?? computeRollups(env.node.executor, await wholeFrame(env, frame));
}

/** A numeric statistic of each column; enum and string columns have none (NaN). */
function stat(frame: Frame, r: ColumnRollup, col: number, skipMissing: boolean, pick: (r: ColumnRollup) => number | null): number {
  const type = frame.columns[col].type;
  if (type !== "numeric" && type !== "time") return Number.NaN;
  if (!skipMissing && r.missing > 0) return Number.NaN;
  return pick(r) ?? Number.NaN;
}

// (mean frame skipna axis): axis 0 only, a one-row frame of column means.
const mean: Operator = async (env, args, op) => {
  arity(op, args, 1, 3);
  const frame = await frameArg(env, op, args[0]);
  const skip = args.length > 1 ? await boolArg(env, op, args[1]) : true;
  if (args.length > 2 && !(args[2].kind === "num" && args[2].value === 0)) throw new FloeError("unsupported", "Rapids 'mean': only axis 0 (column means) is supported by floe");
  const rollups = await rollupsOf(env, frame);
  return {
    kind: "frame",
    frame: rowFrame(
      frame.names,
      rollups.map((r, c) => stat(frame, r, c, skip, (x) => x.mean)),
    ),
  };
};

// (sd frame na_rm): a list of one number per column, as H2O answers it.
const sd: Operator = async (env, args, op) => {
  arity(op, args, 1, 2);
  const frame = await frameArg(env, op, args[0]);
  const skip = args.length > 1 ? await boolArg(env, op, args[1]) : false;
  const rollups = await rollupsOf(env, frame);
  return { kind: "nums", values: rollups.map((r, c) => stat(frame, r, c, skip, (x) => x.sd)) };
};

/** A number over every value of every column: `combine` of the columns' statistics. */
function overAll(skipMissing: boolean, pick: (r: ColumnRollup) => number | null, combine: (xs: number[]) => number): Operator {
  return async (env, args, op) => {
    arity(op, args, 1);
    const frame = await frameArg(env, op, args[0]);
    for (const c of frame.columns) {
      if (c.type !== "numeric" && c.type !== "time") throw new FloeError("invalid_argument", `Rapids '${op}': column '${c.name}' is ${c.type}, not numeric`);
    }
    const rollups = await rollupsOf(env, frame);
    return { kind: "num", value: combine(rollups.map((r, c) => stat(frame, r, c, skipMissing, pick))) };
  };
}

const sumOf = (r: ColumnRollup) => (r.count === 0 ? 0 : (r.mean ?? 0) * r.count);
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

const naCnt: Operator = async (env, args, op) => {
  arity(op, args, 1);
  const frame = await frameArg(env, op, args[0]);
  return { kind: "nums", values: (await rollupsOf(env, frame)).map((r) => r.missing) };
};

// (getrow frame): the values of a one-row frame (enum rows as codes, as H2O does).
const getrow: Operator = async (env, args, op) => {
  arity(op, args, 1);
  const row = await frameArg(env, op, args[0]);
  if (row.rows !== 1) throw new FloeError("invalid_argument", `Rapids 'getrow': the frame has ${row.rows} rows, not 1`);
  const frame = await gather(env, row);
  const chunk = frame.chunks.find((c) => c.rows === 1);
  const values = frame.columns.map((spec, c) => {
    const vec = chunk?.vecs[c];
    if (vec?.kind === "f64") return vec.values[0];
    if (vec?.kind === "codes") return vec.codes[0] < 0 ? Number.NaN : vec.codes[0];
    throw new FloeError("unsupported", `Rapids 'getrow': column '${spec.name}' is a string column`);
  });
  return { kind: "nums", values };
};

export const REDUCE_OPERATORS: Readonly<Record<string, Operator>> = {
  mean,
  sd,
  min: overAll(
    false,
    (r) => r.min,
    (xs) => Math.min(...xs),
  ),
  max: overAll(
    false,
    (r) => r.max,
    (xs) => Math.max(...xs),
  ),
  "min.na": overAll(
    true,
    (r) => r.min,
    (xs) => Math.min(...xs),
  ),
  "max.na": overAll(
    true,
    (r) => r.max,
    (xs) => Math.max(...xs),
  ),
  sum: overAll(false, sumOf, sum),
  sumNA: overAll(true, sumOf, sum),
  naCnt,
  getrow,
};
