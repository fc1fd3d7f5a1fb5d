// Column and row selection and assignment: cols/cols_py, rows (slices and boolean
// filters), := and append (H2O's column assignment), cbind, rbind, type conversions and
// the frame's shape (nrow, ncol, dim) and column type tests.

import { cbind, rbind } from "../../../core/bind.ts";
import { asfactor, asnumeric } from "../../../core/convert.ts";
import { FloeError } from "../../../core/errors.ts";
import { Frame } from "../../../core/frame.ts";
import { slice } from "../../../core/ops.ts";
import { FilterRowsTask, filterRows, rowBits } from "../../../core/row-filter.ts";
import { type Ast, expandRanges } from "../parse.ts";
import { bindColumns, gather, isSpread, pickColumns, sourceOf, wholeFrame } from "../spread.ts";
import { arity, type Env, frameArg, type Operator, type Value, wrongArg } from "../value.ts";
import { computeColumns } from "./compute.ts";

/** Column indices an argument names: an index, a name, a list of either; all-negative indices exclude. */
async function columnIndices(env: Env, op: string, frame: Frame, ast: Ast): Promise<number[]> {
  const n = frame.columns.length;
  let picked: number[];
  if (ast.kind === "nums") picked = expandRanges(ast.ranges, n);
  else {
    const v =
      ast.kind === "num" || ast.kind === "str" || ast.kind === "strs"
        ? ast.kind === "num"
          ? { kind: "nums" as const, values: [ast.value] }
          : ast.kind === "str"
            ? { kind: "strs" as const, values: [ast.value] }
            : ast
        : await env.eval(ast);
    if (v.kind === "strs") return v.values.map((name) => frame.columnIndex(name));
    if (v.kind === "str") return [frame.columnIndex(v.value)];
    if (v.kind === "num") picked = [v.value];
    else if (v.kind === "nums") picked = [...v.values];
    else throw wrongArg(op, "column indices or names", v);
  }
  if (picked.length > 0 && picked.every((i) => i < 0)) {
    const drop = new Set(picked.map((i) => -i - 1));
    return frame.columns.map((_, i) => i).filter((i) => !drop.has(i));
  }
  for (const i of picked) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new FloeError("invalid_argument", `Rapids '${op}': column index ${i} is outside the frame's ${n} columns`);
  }
  return picked;
}

const cols: Operator = async (env, args, op) => {
  arity(op, args, 2);
  const frame = await frameArg(env, op, args[0]);
  return { kind: "frame", frame: pickColumns(frame, await columnIndices(env, op, frame, args[1])) };
};

/** The rows of a spread `frame` chosen by `mask`, filtered on the nodes holding its chunks. */
async function filterSpread(env: Env, frame: Frame, mask: number | Uint8Array): Promise<Frame> {
  const source = sourceOf(frame);
  const chunks = await env.node.executor.run(FilterRowsTask, source.frame, { mask, keep: source.cols });
  return Frame.of(frame.columns, chunks);
}

/**
 * The rows at `rows` in that order: each run of consecutive rows is a zero-copy slice; of a
 * spread frame, rows in ascending order are taken where they are held, others gathered.
 */
async function rowsAt(env: Env, frame: Frame, rows: readonly number[]): Promise<Frame> {
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= frame.rows) throw new FloeError("invalid_argument", `Rapids 'rows': row ${r} is outside the frame's ${frame.rows} rows`);
  }
  if (isSpread(frame) && rows.every((r, i) => i === 0 || r > rows[i - 1])) return filterSpread(env, frame, rowBits(frame.rows, rows));
  const local = await gather(env, frame);
  const chunks = [];
  for (let i = 0; i < rows.length; ) {
    let j = i + 1;
    while (j < rows.length && rows[j] === rows[j - 1] + 1) j++;
    chunks.push(...slice(local, rows[i], rows[j - 1] + 1).chunks);
    i = j;
  }
  return Frame.of(frame.columns, chunks);
}

/** A one-column frame of this node as one bit per row: set where the value is true (non-zero, not missing). */
function maskBits(mask: Frame): Uint8Array {
  const bits = new Uint8Array((mask.rows + 7) >> 3);
  for (const chunk of mask.chunks) {
    const vec = chunk.vecs[0];
    if (vec.kind !== "f64") throw new FloeError("invalid_argument", "Rapids 'rows': a row filter needs a numeric (boolean) column");
    for (let i = 0; i < chunk.rows; i++) {
      const r = chunk.start + i;
      if (vec.values[i] === vec.values[i] && vec.values[i] !== 0) bits[r >> 3] |= 1 << (r & 7);
    }
  }
  return bits;
}

/**
 * The rows of `frame` where the one-column frame `mask` is true. A spread frame is filtered
 * where its chunks are: by its own column when the mask is one, else by the mask's bits.
 */
async function whereRows(env: Env, frame: Frame, mask: Frame): Promise<Frame> {
  if (mask.columns.length !== 1) throw new FloeError("invalid_argument", `Rapids 'rows': a row filter takes one boolean column, got ${mask.columns.length}`);
  if (mask.rows !== frame.rows) throw new FloeError("invalid_argument", `Rapids 'rows': a row filter of ${mask.rows} rows for a frame of ${frame.rows}`);
  if (!isSpread(frame)) return filterRows(env.node.executor, cbind([frame, await gather(env, mask)]), frame.columns.length);
  const own = sourceOf(mask);
  if (isSpread(mask) && own.frame === sourceOf(frame).frame) return filterSpread(env, frame, own.cols[0]);
  return filterSpread(env, frame, maskBits(await gather(env, mask)));
}

const rows: Operator = async (env, args, op) => {
  arity(op, args, 2);
  const frame = await frameArg(env, op, args[0]);
  const sel = args[1];
  if (sel.kind === "nums") {
    const picked = expandRanges(sel.ranges, frame.rows).filter((r) => r < frame.rows);
    if (picked.some((r) => r < 0)) throw new FloeError("unsupported", "Rapids 'rows': negative row indices (dropping rows) are not supported by floe");
    return { kind: "frame", frame: await rowsAt(env, frame, picked) };
  }
  const v = await env.eval(sel);
  if (v.kind === "num") return { kind: "frame", frame: await rowsAt(env, frame, [v.value]) };
  if (v.kind === "frame") return { kind: "frame", frame: await whereRows(env, frame, v.frame) };
  throw wrongArg(op, "row indices or a boolean column", v);
};

const cbindOp: Operator = async (env, args, op) => {
  if (args.length === 0) arity(op, args, 1, Infinity);
  const frames: Frame[] = [];
  for (const a of args) frames.push(await frameArg(env, op, a));
  return { kind: "frame", frame: await bindColumns(env, frames) };
};

const rbindOp: Operator = async (env, args, op) => {
  if (args.length === 0) arity(op, args, 1, Infinity);
  const frames: Frame[] = [];
  for (const a of args) frames.push(await gather(env, await frameArg(env, op, a)));
  return { kind: "frame", frame: await rbind(env.node.executor, frames) };
};

/** `frame` with column `col` replaced by the only column of `by`, keeping the name. */
function replaceColumn(frame: Frame, col: number, by: Frame): Frame {
  const zipped = cbind([frame, by]);
  const idx = frame.columns.map((_, i) => (i === col ? frame.columns.length : i));
  return Frame.of(
    idx.map((i, at) => (at === col ? { ...zipped.columns[i], name: frame.columns[col].name } : zipped.columns[i])),
    zipped.chunks.map((c) => ({ ...c, vecs: idx.map((i) => c.vecs[i]) })),
  );
}

/** The value `src` as a one-column frame shaped like `frame` (a constant spread over its rows). */
async function asColumn(env: Env, op: string, frame: Frame, src: Value): Promise<Frame> {
  if (src.kind === "frame") {
    if (src.frame.columns.length !== 1) throw new FloeError("unsupported", `Rapids '${op}': assigning a frame of ${src.frame.columns.length} columns; floe assigns one column at a time`);
    return gather(env, src.frame);
  }
  if (src.kind === "num") return computeColumns(env, frame, [{ op: "value", args: [{ value: src.value }] }], ["C1"]);
  throw wrongArg(op, "a column or a number to assign", src);
}

// (:= dst src cols rows): rows [] is every row, else a boolean column choosing the rows.
const assignColumns: Operator = async (env, args, op) => {
  arity(op, args, 4);
  // Assignment rebuilds the frame's chunks here.
  let frame = await gather(env, await frameArg(env, op, args[0]));
  const src = await env.eval(args[1]);
  const targets = await columnIndices(env, op, frame, args[2]);
  const all = args[3].kind === "nums" && args[3].ranges.length === 0;
  const mask = all ? null : await env.eval(args[3]);
  if (mask && (mask.kind !== "frame" || mask.frame.columns.length !== 1)) throw new FloeError("unsupported", "Rapids ':=': rows are chosen by a boolean column or [] (all rows) in floe");
  for (const col of targets) {
    let column = await asColumn(env, op, frame, src);
    if (mask?.kind === "frame") {
      if (frame.columns[col].type !== "numeric" || column.columns[0].type !== "numeric") {
        throw new FloeError("unsupported", `Rapids ':=': assigning some rows of column '${frame.columns[col].name}' needs numeric columns in floe`);
      }
      const z = cbind([frame, await gather(env, mask.frame), column]);
      const n = frame.columns.length;
      column = await computeColumns(env, z, [{ op: "ifelse", args: [{ col: n }, { col: n + 1 }, { col }] }], [frame.columns[col].name]);
    }
    frame = replaceColumn(frame, col, column);
  }
  return { kind: "frame", frame };
};

// (append dst src 'name'): a new column at the end.
const append: Operator = async (env, args, op) => {
  arity(op, args, 3);
  const frame = await gather(env, await frameArg(env, op, args[0]));
  const column = await asColumn(env, op, frame, await env.eval(args[1]));
  const name = args[2].kind === "str" ? args[2].value : null;
  if (name === null) throw new FloeError("invalid_argument", "Rapids 'append': the new column's name must be a string");
  if (frame.names.includes(name)) throw new FloeError("conflict", `Rapids 'append': the frame has a column '${name}' already`);
  const renamed = Frame.of([{ ...column.columns[0], name }], column.chunks);
  return { kind: "frame", frame: cbind([frame, renamed]) };
};

function convertEach(convert: typeof asfactor): Operator {
  return async (env, args, op) => {
    arity(op, args, 1);
    let frame = await wholeFrame(env, await frameArg(env, op, args[0]));
    for (const name of frame.names) frame = await convert(env.node.executor, frame, name);
    return { kind: "frame", frame };
  };
}

function typeTest(type: "string" | "numeric" | "enum"): Operator {
  return async (env, args, op) => {
    arity(op, args, 1);
    const frame = await frameArg(env, op, args[0]);
    return { kind: "nums", values: frame.columns.map((c) => (c.type === type ? 1 : 0)) };
  };
}

const shape =
  (f: (frame: Frame) => Value): Operator =>
  async (env, args, op) => {
    arity(op, args, 1);
    return f(await frameArg(env, op, args[0]));
  };

export const COLUMN_OPERATORS: Readonly<Record<string, Operator>> = {
  cols,
  cols_py: cols,
  rows,
  cbind: cbindOp,
  rbind: rbindOp,
  ":=": assignColumns,
  append,
  "as.factor": convertEach(asfactor),
  "as.numeric": convertEach(asnumeric),
  "is.character": typeTest("string"),
  "is.numeric": typeTest("numeric"),
  "is.factor": typeTest("enum"),
  nrow: shape((f) => ({ kind: "num", value: f.rows })),
  ncol: shape((f) => ({ kind: "num", value: f.columns.length })),
  dim: shape((f) => ({ kind: "nums", values: [f.rows, f.columns.length] })),
};
