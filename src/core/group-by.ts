// Group-by: rows grouped by the values of some columns (enum codes or numbers), with
// aggregates per group (count, sum, mean, min, max, sd, var), as H2O's Rapids `GB`. One
// map/reduce pass: each chunk sums its groups' statistics and partials merge by key. The
// result has one row per group, sorted by the group's values (missing last).

import { type Chunk, sharedF64, sharedI32, type Vec } from "./chunk.ts";
import { FloeError } from "./errors.ts";
import { type ColumnSpec, Frame } from "./frame.ts";
import type { Executor, Task } from "./mr.ts";

export type GroupAggregate = "nrow" | "sum" | "mean" | "min" | "max" | "sdev" | "var";
/** H2O's missing-value rules: all (a missing value makes the result missing), rm (skip them), ignore (skip, yet count the row in a mean). */
export type MissingRule = "all" | "rm" | "ignore";

export interface GroupAgg {
  readonly op: GroupAggregate;
  readonly col: number;
  readonly na: MissingRule;
}

export interface GroupByArgs {
  readonly by: readonly number[];
  readonly aggs: readonly GroupAgg[];
}

// Per group and aggregate: rows, missing, sum, sum of squares, min, max.
const SLOTS = 6;

/** Group keys (one number per by-column, NaN for missing) and, per group, SLOTS statistics per aggregate. */
export interface GroupPartial {
  readonly keys: number[][];
  readonly stats: number[][];
}

function numbersOf(vec: Vec): (i: number) => number {
  if (vec.kind === "f64") return (i) => vec.values[i];
  if (vec.kind === "codes") return (i) => (vec.codes[i] < 0 ? Number.NaN : vec.codes[i]);
  throw new FloeError("unsupported", "group-by on or over a string column");
}

function emptyStats(aggs: number): number[] {
  const s = new Array<number>(aggs * SLOTS).fill(0);
  for (let a = 0; a < aggs; a++) {
    s[a * SLOTS + 4] = Infinity;
    s[a * SLOTS + 5] = -Infinity;
  }
  return s;
}

function mergeStats(into: number[], from: readonly number[]): void {
  for (let o = 0; o < into.length; o += SLOTS) {
    into[o] += from[o];
    into[o + 1] += from[o + 1];
    into[o + 2] += from[o + 2];
    into[o + 3] += from[o + 3];
    into[o + 4] = Math.min(into[o + 4], from[o + 4]);
    into[o + 5] = Math.max(into[o + 5], from[o + 5]);
  }
}

const slotKey = (key: readonly number[]) => key.join("\u0000");

export const GroupByTask: Task<GroupByArgs, GroupPartial> = {
  name: "core.group_by",
  map(chunk: Chunk, { by, aggs }) {
    const keyOf = by.map((c) => numbersOf(chunk.vecs[c]));
    const valueOf = aggs.map((a) => numbersOf(chunk.vecs[a.col]));
    const index = new Map<string, number>();
    const out: GroupPartial = { keys: [], stats: [] };
    for (let i = 0; i < chunk.rows; i++) {
      const key = keyOf.map((f) => f(i));
      const k = slotKey(key);
      let g = index.get(k);
      if (g === undefined) {
        g = out.keys.length;
        index.set(k, g);
        out.keys.push(key);
        out.stats.push(emptyStats(aggs.length));
      }
      const s = out.stats[g];
      for (let a = 0; a < aggs.length; a++) {
        const x = valueOf[a](i);
        const o = a * SLOTS;
        s[o]++;
        if (x !== x) {
          s[o + 1]++;
          continue;
        }
        s[o + 2] += x;
        s[o + 3] += x * x;
        if (x < s[o + 4]) s[o + 4] = x;
        if (x > s[o + 5]) s[o + 5] = x;
      }
    }
    return out;
  },
  reduce(a, b) {
    const index = new Map(a.keys.map((k, g) => [slotKey(k), g]));
    const keys = [...a.keys];
    const stats = a.stats.map((s) => [...s]);
    b.keys.forEach((k, g) => {
      const at = index.get(slotKey(k));
      if (at === undefined) {
        keys.push(k);
        stats.push([...b.stats[g]]);
      } else mergeStats(stats[at], b.stats[g]);
    });
    return { keys, stats };
  },
  empty: () => ({ keys: [], stats: [] }),
};

function aggregate(op: GroupAggregate, na: MissingRule, s: readonly number[], o: number): number {
  const [rows, missing, sum, squares, min, max] = s.slice(o, o + SLOTS);
  if (op === "nrow") return na === "rm" ? rows - missing : rows;
  if (na === "all" && missing > 0) return Number.NaN;
  const n = rows - missing;
  switch (op) {
    case "sum":
      return sum;
    case "mean":
      return na === "ignore" ? sum / rows : n > 0 ? sum / n : Number.NaN;
    case "min":
      return n > 0 ? min : Number.NaN;
    case "max":
      return n > 0 ? max : Number.NaN;
    case "var":
    case "sdev": {
      if (n < 2) return Number.NaN;
      const variance = Math.max(0, (squares - (sum * sum) / n) / (n - 1));
      return op === "var" ? variance : Math.sqrt(variance);
    }
  }
}

/** Missing keys sort last; otherwise ascending by each by-column in turn. */
function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i] || (a[i] !== a[i] && b[i] !== b[i])) continue;
    if (a[i] !== a[i]) return 1;
    if (b[i] !== b[i]) return -1;
    return a[i] - b[i];
  }
  return 0;
}

/** The aggregate column's name, as H2O names them: nrow, or op_column. */
export function aggregateName(agg: GroupAgg, frame: Frame): string {
  return agg.op === "nrow" ? "nrow" : `${agg.op}_${frame.columns[agg.col].name}`;
}

/**
 * Where a frame's columns are read from when it is a selection of another frame's columns
 * (a cluster's frame, whose chunks tasks map over as they are stored): column c of the
 * selection is column cols[c] of `frame`.
 */
export interface ColumnSource {
  readonly frame: Frame;
  readonly cols: readonly number[];
}

/**
 * One row per group of the `by` columns: those columns (same types and domains), then one
 * numeric column per aggregate. `dropMissingKeys` leaves out the groups with a missing key.
 * With `over`, the task maps over that frame's chunks instead of `frame`'s.
 */
export async function groupBy(executor: Executor, frame: Frame, args: GroupByArgs, dropMissingKeys = false, over?: ColumnSource): Promise<Frame> {
  for (const c of [...args.by, ...args.aggs.map((a) => a.col)]) {
    if (!Number.isInteger(c) || c < 0 || c >= frame.columns.length) throw new FloeError("invalid_argument", `group-by: column index ${c} is outside the frame's ${frame.columns.length} columns`);
  }
  const partial = over
    ? await executor.run(GroupByTask, over.frame, { by: args.by.map((c) => over.cols[c]), aggs: args.aggs.map((a) => ({ ...a, col: over.cols[a.col] })) })
    : await executor.run(GroupByTask, frame, args);
  const order = partial.keys.map((_, g) => g).filter((g) => !dropMissingKeys || partial.keys[g].every((x) => x === x));
  order.sort((x, y) => compareKeys(partial.keys[x], partial.keys[y]));
  const n = order.length;
  const keyVecs: Vec[] = args.by.map((c, j) => {
    if (frame.columns[c].type === "enum") {
      const codes = sharedI32(n);
      order.forEach((g, r) => {
        const x = partial.keys[g][j];
        codes[r] = x === x ? x : -1;
      });
      return { kind: "codes", codes };
    }
    const values = sharedF64(n);
    order.forEach((g, r) => (values[r] = partial.keys[g][j]));
    return { kind: "f64", values };
  });
  const aggVecs: Vec[] = args.aggs.map((agg, a) => {
    const values = sharedF64(n);
    order.forEach((g, r) => (values[r] = aggregate(agg.op, agg.na, partial.stats[g], a * SLOTS)));
    return { kind: "f64", values };
  });
  const columns: ColumnSpec[] = [...args.by.map((c) => frame.columns[c]), ...args.aggs.map((agg) => ({ name: aggregateName(agg, frame), type: "numeric" as const }))];
  return Frame.of(columns, n === 0 ? [] : [{ index: 0, start: 0, rows: n, vecs: [...keyVecs, ...aggVecs] }]);
}
