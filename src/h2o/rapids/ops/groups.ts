// Grouping: GB (H2O's group_by with nrow/sum/mean/min/max/sdev/var aggregates), table
// (counts per value), unique (distinct values) through core's group-by task, and levels
// (each enum column's domain as a column). The group-by task maps over the stored frame
// a selection of columns reads, where its chunks are.

import { sharedI32, type Vec } from "../../../core/chunk.ts";
import { FloeError } from "../../../core/errors.ts";
import { type ColumnSpec, Frame } from "../../../core/frame.ts";
import { type GroupAgg, type GroupAggregate, groupBy, type MissingRule } from "../../../core/group-by.ts";
import { expandRanges } from "../parse.ts";
import { sourceOf } from "../spread.ts";
import { arity, boolArg, frameArg, numArg, type Operator, strArg } from "../value.ts";

const AGGREGATES: readonly GroupAggregate[] = ["nrow", "sum", "mean", "min", "max", "sdev", "var"];
const MISSING_RULES: readonly MissingRule[] = ["all", "rm", "ignore"];

// (GB frame [by...] op col na op col na ...)
const gb: Operator = async (env, args, op) => {
  if (args.length < 2 || (args.length - 2) % 3 !== 0) throw new FloeError("invalid_argument", "Rapids 'GB' takes a frame, the group columns and (aggregate column na) triples");
  const frame = await frameArg(env, op, args[0]);
  const byAst = args[1];
  const by = byAst.kind === "nums" ? expandRanges(byAst.ranges, frame.columns.length) : [await numArg(env, op, byAst)];
  const aggs: GroupAgg[] = [];
  for (let i = 2; i < args.length; i += 3) {
    const name = await strArg(env, op, args[i]);
    const col = await numArg(env, op, args[i + 1]);
    const na = await strArg(env, op, args[i + 2]);
    if (!AGGREGATES.includes(name as GroupAggregate)) throw new FloeError("unsupported", `Rapids 'GB': aggregate '${name}' is not supported by floe (it has ${AGGREGATES.join(", ")})`);
    if (!MISSING_RULES.includes(na as MissingRule)) throw new FloeError("invalid_argument", `Rapids 'GB': na must be one of ${MISSING_RULES.join(", ")}, got '${na}'`);
    aggs.push({ op: name as GroupAggregate, col, na: na as MissingRule });
  }
  return { kind: "frame", frame: await groupBy(env.node.executor, frame, { by, aggs }, false, sourceOf(frame)) };
};

// (table column dense): the count of each value present.
const table: Operator = async (env, args, op) => {
  arity(op, args, 1, 2);
  const frame = await frameArg(env, op, args[0]);
  if (frame.columns.length !== 1) throw new FloeError("unsupported", `Rapids 'table': floe counts the values of one column, got ${frame.columns.length}`);
  const counts = await groupBy(env.node.executor, frame, { by: [0], aggs: [{ op: "nrow", col: 0, na: "all" }] }, true, sourceOf(frame));
  return { kind: "frame", frame: Frame.of([counts.columns[0], { name: "Counts", type: "numeric" }], counts.chunks) };
};

// (unique column include_nas)
const unique: Operator = async (env, args, op) => {
  arity(op, args, 1, 2);
  const frame = await frameArg(env, op, args[0]);
  if (frame.columns.length !== 1) throw new FloeError("unsupported", `Rapids 'unique': floe finds the distinct values of one column, got ${frame.columns.length}`);
  const withMissing = args.length > 1 ? await boolArg(env, op, args[1]) : false;
  return { kind: "frame", frame: await groupBy(env.node.executor, frame, { by: [0], aggs: [] }, !withMissing, sourceOf(frame)) };
};

// (levels frame): one enum column per column holding its levels, shorter ones padded with missing.
const levels: Operator = async (env, args, op) => {
  arity(op, args, 1);
  const frame = await frameArg(env, op, args[0]);
  const domains = frame.columns.map((c) => (c.type === "enum" ? (c.domain ?? []) : []));
  const rows = Math.max(0, ...domains.map((d) => d.length));
  const columns: ColumnSpec[] = frame.columns.map((c, i) => ({ name: c.name, type: "enum", domain: domains[i] }));
  const vecs: Vec[] = domains.map((d) => {
    const codes = sharedI32(rows).fill(-1);
    for (let k = 0; k < d.length; k++) codes[k] = k;
    return { kind: "codes", codes };
  });
  return { kind: "frame", frame: Frame.of(columns, rows === 0 ? [] : [{ index: 0, start: 0, rows, vecs }]) };
};

export const GROUP_OPERATORS: Readonly<Record<string, Operator>> = { GB: gb, table, unique, levels };
