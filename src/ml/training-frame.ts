// What a supervised model trains on: the response (its column, category and classes)
// and the predictor columns, checked as H2O checks them. Constant columns are dropped
// with a note (ignore_const_cols); string columns cannot be predictors and are dropped
// too; a target that is missing, empty or single-class is refused with one clear error,
// and so is one that cannot mean what it says: a numeric column whose junk values made
// it an enum of many classes, or numbers that are infinite. Rows without a response are
// left out with a note saying how many.

import type { Chunk } from "../core/chunk.ts";
import { FloeError } from "../core/errors.ts";
import type { Frame } from "../core/frame.ts";
import type { Executor, Task } from "../core/mr.ts";
import { recodeLevels, type ResponseColumn } from "./bind.ts";
import type { SupervisedCategory } from "./metrics/index.ts";

export interface TrainingColumns {
  readonly yCol: number;
  readonly yName: string;
  /** Class labels of a classifier, in code order. */
  readonly yDomain: readonly string[] | null;
  readonly category: SupervisedCategory;
  /** Rows that have a response (the rows training uses). */
  readonly rows: number;
  /** Predictor columns, in frame order. */
  readonly xCols: readonly number[];
  /** What was left out and why, for the user. */
  readonly notes: readonly string[];
}

/**
 * Resolves the response `y` and predictors `x` (default: every other column) of a frame
 * with rollups. An enum response makes a classifier, a numeric one a regression.
 */
export function trainingColumns(frame: Frame, y: string, x: readonly string[] | null, ignoreConstCols: boolean): TrainingColumns {
  if (!frame.columns.some((c) => c.name === y)) {
    throw new FloeError("not_found", `response column '${y}' is not in the frame (columns: ${frame.names.slice(0, 20).join(", ")})`);
  }
  const yCol = frame.columnIndex(y);
  const ySpec = frame.columns[yCol];
  const rollup = frame.rollups?.[yCol];
  if (!rollup) throw new FloeError("internal", "training needs a frame with rollups");
  if (rollup.count === 0) throw new FloeError("bad_input", `response column '${y}' has no values (all ${rollup.missing} rows are missing)`);
  let category: SupervisedCategory;
  let yDomain: readonly string[] | null = null;
  if (ySpec.type === "enum") {
    const present = (rollup.levelCounts ?? []).filter((n) => n > 0).length;
    if (present < 2) {
      throw new FloeError("bad_input", `response column '${y}' has a single class ('${ySpec.domain?.[0] ?? ""}'): a classifier needs at least two`);
    }
    yDomain = ySpec.domain ?? [];
    refuseNumbersWithJunk(y, yDomain, rollup.levelCounts ?? []);
    category = yDomain.length === 2 ? "Binomial" : "Multinomial";
  } else if (ySpec.type === "numeric" || ySpec.type === "time") {
    category = "Regression";
  } else {
    throw new FloeError("bad_input", `response column '${y}' is a string column; make it an enum (--col-types ${y}:enum) or numeric`);
  }

  const names = x ?? frame.names.filter((n) => n !== y);
  const notes: string[] = [];
  if (rollup.missing > 0) notes.push(`${rowCount(rollup.missing)} with a missing response '${y}' ${rollup.missing === 1 ? "was" : "were"} left out of training`);
  const xCols: number[] = [];
  for (const name of names) {
    if (name === y) throw new FloeError("invalid_argument", `the response '${y}' cannot also be a predictor`);
    const c = frame.columnIndex(name);
    const spec = frame.columns[c];
    const r = frame.rollups?.[c];
    if (spec.type === "string") {
      notes.push(`dropped string column '${name}' (make it an enum to use it)`);
      continue;
    }
    const levelsPresent = (r?.levelCounts ?? []).filter((n) => n > 0).length;
    const constant = r && (r.count === 0 || (r.missing === 0 && (spec.type === "enum" ? levelsPresent <= 1 : r.min !== null && r.min === r.max)));
    if (ignoreConstCols && constant) {
      notes.push(`dropped constant column '${name}'`);
      continue;
    }
    xCols.push(c);
  }
  if (xCols.length === 0) throw new FloeError("bad_input", `no predictor columns left to train on (${notes.join("; ") || "none given"})`);
  return { yCol, yName: y, yDomain, category, rows: rollup.count, xCols: xCols.sort((a, b) => a - b), notes };
}

/** "1 row", "5 rows". */
function rowCount(n: number): string {
  return `${n} ${n === 1 ? "row" : "rows"}`;
}

/** Fewest number-like classes that make an enum response with some text look like junk. */
const NUMERIC_LOOKING_CLASSES = 10;

/** A level that reads as a number ("1.5", "-3", "1e3"), as H2O's parser would read it. */
function looksNumeric(level: string): boolean {
  return level.trim() !== "" && Number.isFinite(Number(level));
}

/**
 * Refuses an enum response that is a numeric column with a few junk values (too many for
 * the ingest to read it as numbers): most of its rows and at least NUMERIC_LOOKING_CLASSES
 * of its classes are numbers, and some classes are not. H2O would parse it as numbers;
 * a classifier over its values is almost surely not what was meant.
 */
function refuseNumbersWithJunk(y: string, domain: readonly string[], counts: readonly number[]): void {
  const numeric = domain.map(looksNumeric);
  const classes = numeric.filter(Boolean).length;
  if (classes < NUMERIC_LOOKING_CLASSES || classes === domain.length) return;
  let numberRows = 0;
  let rows = 0;
  domain.forEach((_, k) => {
    rows += counts[k] ?? 0;
    if (numeric[k]) numberRows += counts[k] ?? 0;
  });
  if (numberRows * 2 <= rows) return;
  const junk = domain.filter((_, k) => !numeric[k]);
  const shown = junk.slice(0, 5).join(", ") + (junk.length > 5 ? ", …" : "");
  throw new FloeError(
    "bad_input",
    `response column '${y}' looks numeric: ${classes} of its ${domain.length} classes are numbers and ${junk.length} are not (${shown}); ` +
      `read it as numbers with --col-types ${y}:numeric (the others become missing) or list them in --na-strings; ` +
      "to predict classes, make every value a class label (asfactor of a clean column)",
  );
}

/** Partial: rows whose value in column `col` is +Infinity or −Infinity. */
export const InfiniteCountTask: Task<{ col: number }, number> = {
  name: "ml.training.infinite_count",
  map(chunk: Chunk, { col }) {
    const vec = chunk.vecs[col];
    if (vec.kind !== "f64") return 0;
    let n = 0;
    for (let i = 0; i < chunk.rows; i++) if (vec.values[i] === Infinity || vec.values[i] === -Infinity) n++;
    return n;
  },
  reduce: (a, b) => a + b,
  empty: () => 0,
  commutative: true,
};

/**
 * Refuses a numeric response holding inf or −inf (its rollup's min or max is infinite):
 * every loss and metric of it would be NaN. Counts the rows to name them.
 */
export async function refuseInfiniteResponse(executor: Executor, frame: Frame, y: string): Promise<void> {
  const col = frame.columns.findIndex((c) => c.name === y);
  const r = col < 0 ? undefined : frame.rollups?.[col];
  if (!r || r.min === null || r.max === null || (Number.isFinite(r.min) && Number.isFinite(r.max))) return;
  const rows = await executor.run(InfiniteCountTask, frame, { col });
  throw new FloeError("bad_input", `response column '${y}' has ${rowCount(rows)} with infinite values (inf or -inf): make them missing (--na-strings inf,-inf) or leave those rows out`);
}

/**
 * The columns an unsupervised model (k-means, PCA) works on: `x` (default: all), without
 * string, all-missing and (optionally) constant columns, each dropped with a note.
 */
export function unsupervisedColumns(frame: Frame, x: readonly string[] | null, ignoreConstCols: boolean, purpose: string): { cols: number[]; notes: string[] } {
  const notes: string[] = [];
  const cols: number[] = [];
  for (const name of x ?? frame.names) {
    const c = frame.columnIndex(name);
    const spec = frame.columns[c];
    const r = frame.rollups?.[c];
    if (!r) throw new FloeError("internal", "training needs a frame with rollups");
    if (spec.type === "string") {
      notes.push(`dropped string column '${name}' (make it an enum to use it)`);
      continue;
    }
    if (r.count === 0) {
      notes.push(`dropped column '${name}': all ${r.missing} values are missing`);
      continue;
    }
    const levels = (r.levelCounts ?? []).filter((n) => n > 0).length;
    const constant = r.missing === 0 && (spec.type === "enum" ? levels <= 1 : r.min === r.max);
    if (ignoreConstCols && constant) {
      notes.push(`dropped constant column '${name}'`);
      continue;
    }
    cols.push(c);
  }
  if (cols.length === 0) throw new FloeError("bad_input", `no usable columns to ${purpose} (${notes.join("; ") || "none given"})`);
  return { cols: cols.sort((a, b) => a - b), notes };
}

/**
 * The response of a validation frame, read as training reads it: the column must be
 * there, and an enum when training's is; classes training never saw are left out (with a
 * warning), and a validation response that shares no class with training is refused.
 */
export function validationResponse(valid: Frame, c: TrainingColumns, warnings: string[]): ResponseColumn {
  const col = valid.columns.findIndex((s) => s.name === c.yName);
  if (col < 0) throw new FloeError("bad_input", `the validation frame has no response column '${c.yName}'`);
  const spec = valid.columns[col];
  if (!c.yDomain) return { col };
  if (spec.type !== "enum") throw new FloeError("bad_input", `the validation frame's '${c.yName}' is ${spec.type}, not an enum`);
  const levels = spec.domain ?? [];
  const recode = recodeLevels(levels, c.yDomain);
  const unknown = levels.filter((_, i) => recode[i] < 0);
  if (unknown.length === levels.length) {
    throw new FloeError("bad_input", `the validation frame's '${c.yName}' shares no class with the training data (${unknown.slice(0, 5).join(", ")})`);
  }
  if (unknown.length) warnings.push(`response classes not seen in training are left out: ${unknown.slice(0, 5).join(", ")}`);
  return { col, recode };
}
