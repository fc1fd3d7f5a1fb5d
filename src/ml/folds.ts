// Cross-validation folds, for any training view whose chunks carry the response and a
// fold slot per row: which fold each row is in (Random, Modulo, Stratified or a fold
// column), decided from the seed and the global row id (or the class counts of earlier
// chunks), so folds do not depend on chunking or threads.

import { type Chunk, concatF64 } from "../core/chunk.ts";
import { DistinctNumbersTask } from "../core/convert.ts";
import { FloeError } from "../core/errors.ts";
import type { Frame } from "../core/frame.ts";
import { type Executor, stateTask, type Task } from "../core/mr.ts";
import { keyState, Rng, rowUniform } from "../core/rng.ts";
import { lowerBound } from "../core/sorted.ts";
import type { TrainingColumns } from "./training-frame.ts";

/** What fold assignment needs of a view chunk: the response (class code) and a fold slot per row. */
export interface FoldChunk {
  readonly index: number;
  readonly rows: number;
  readonly y: Float64Array;
  readonly fold: Int32Array;
}

/** The parameters that choose folds (H2O's names). */
export interface FoldParams {
  readonly seed: number;
  readonly fold_assignment: "AUTO" | "Random" | "Modulo" | "Stratified";
  readonly fold_column: string | null;
}

export interface FoldArgs {
  /** Random or Modulo assignment of `nfolds` folds, Stratified, or fold ids read from a column. */
  readonly method: "Random" | "Modulo" | "Stratified" | "column";
  readonly nfolds: number;
  readonly state: number;
  /**
   * Stratified: folds go round-robin through each class's rows in row order, from a
   * seeded offset per class; `before[chunk · classes + k]` counts class k's rows in
   * earlier chunks, so each row's turn is known without a sequential pass.
   */
  readonly strata?: { readonly classes: number; readonly before: Float64Array; readonly offset: Int32Array };
  /** For "column": the column's fold id per enum code or per distinct value. */
  readonly column?: { readonly codes?: Int32Array; readonly values?: Float64Array; readonly col: number };
}

/**
 * Most folds cross-validation may have: each fold trains a model of its own, so the
 * count bounds a build's time and memory (nfolds=1000 on 150 rows ran past 500 s).
 */
export const MAX_NFOLDS = 100;

/**
 * Checks nfolds and fold_column as H2O does, before anything trains: nfolds is 0 or at
 * least 2, not given with a fold column, no more than the `rows` that have a response
 * (a fold without rows trains a model on everything and scores nothing), and at most
 * MAX_NFOLDS.
 */
export function checkFolds(p: { readonly nfolds: number; readonly fold_column: string | null }, rows: number): void {
  const bad = (why: string) => new FloeError("invalid_argument", why);
  if (p.nfolds === 1) throw bad("nfolds must be 0 (no cross-validation) or at least 2");
  if (p.fold_column && p.nfolds > 0) throw bad("give either nfolds or fold_column, not both");
  if (p.nfolds > rows) throw bad(`nfolds=${p.nfolds} is more than the ${rows} rows with a response: every fold needs rows to score`);
  if (p.nfolds > MAX_NFOLDS) throw bad(`nfolds=${p.nfolds} is more than floe allows (${MAX_NFOLDS}): each fold trains a model of its own`);
}

/** Writes each row's fold. Chunks of a frame, because a fold column is read from it. */
export const AssignFoldsTask = stateTask<FoldArgs & { views: readonly FoldChunk[] }, Chunk>("ml.folds.assign", (chunk, a) => {
  const v = a.views[chunk.index];
  const strata = a.strata;
  const seen = strata ? strata.before.slice(chunk.index * strata.classes, (chunk.index + 1) * strata.classes) : null;
  for (let i = 0; i < chunk.rows; i++) {
    const id = chunk.start + i;
    let f = 0;
    if (strata && seen && v.y[i] === v.y[i]) {
      const k = v.y[i];
      f = (seen[k] + strata.offset[k]) % a.nfolds;
      seen[k]++;
    } else if (a.method === "Random" || a.method === "Stratified") f = Math.min(a.nfolds - 1, Math.floor(rowUniform(a.state, id) * a.nfolds));
    else if (a.method === "Modulo") f = id % a.nfolds;
    else if (a.column) {
      const vec = chunk.vecs[a.column.col];
      if (vec.kind === "codes") f = vec.codes[i] < 0 ? -1 : (a.column.codes as Int32Array)[vec.codes[i]];
      else if (vec.kind === "f64") {
        const x = vec.values[i];
        f = x === x ? lowerBound(a.column.values as Float64Array, x) : -1;
      }
    }
    v.fold[i] = f;
  }
});

/** Partial: per chunk (in chunk order), the rows of each class: `classes` numbers a chunk. */
export const ClassCountsTask: Task<{ classes: number }, Float64Array, FoldChunk> = {
  name: "ml.folds.class_counts",
  map(c, { classes }) {
    const counts = new Float64Array(classes);
    for (let i = 0; i < c.rows; i++) if (c.y[i] === c.y[i]) counts[c.y[i]]++;
    return counts;
  },
  reduce: concatF64,
  empty: () => new Float64Array(0),
};

/** Partial: each chunk's fold ids (in chunk order), for per-fold metrics. */
export const FoldIdsTask: Task<Record<string, never>, Int32Array[], FoldChunk> = {
  name: "ml.folds.ids",
  map: (c) => [c.fold],
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** Puts every row of the view in a fold and returns the number of folds. */
export async function assignFolds(executor: Executor, frame: Frame, view: { chunks: readonly FoldChunk[] }, p: FoldParams, nfolds: number, columns: TrainingColumns): Promise<number> {
  if (p.fold_column) {
    const col = frame.columnIndex(p.fold_column);
    const spec = frame.columns[col];
    if (col === columns.yCol) throw new FloeError("invalid_argument", "fold_column cannot be the response");
    const tooMany = (n: number) => new FloeError("bad_input", `fold_column '${p.fold_column}' has ${n} distinct values: more folds than floe allows (${MAX_NFOLDS}), each training a model of its own`);
    if (spec.type === "enum") {
      const n = spec.domain?.length ?? 0;
      if (n < 2) throw new FloeError("bad_input", `fold_column '${p.fold_column}' needs at least two distinct values`);
      if (n > MAX_NFOLDS) throw tooMany(n);
      await executor.run(AssignFoldsTask, frame, { method: "column", nfolds: n, state: 0, column: { col, codes: Int32Array.from({ length: n }, (_, i) => i) }, views: view.chunks });
      return n;
    }
    if (spec.type !== "numeric") throw new FloeError("bad_input", `fold_column '${p.fold_column}' must be an enum or numeric column`);
    const values = await executor.run(DistinctNumbersTask, frame, { col });
    if (values.length < 2) throw new FloeError("bad_input", `fold_column '${p.fold_column}' needs at least two distinct values`);
    if (values.length > MAX_NFOLDS) throw tooMany(values.length);
    await executor.run(AssignFoldsTask, frame, { method: "column", nfolds: values.length, state: 0, column: { col, values }, views: view.chunks });
    return values.length;
  }
  const state = keyState(p.seed, 7);
  if (p.fold_assignment === "Stratified" && columns.yDomain) {
    const classes = columns.yDomain.length;
    const perChunk = await executor.run(ClassCountsTask, view, { classes });
    const before = new Float64Array(perChunk.length);
    for (let k = 0; k < classes; k++) {
      let sum = 0;
      for (let c = 0; c < view.chunks.length; c++) {
        before[c * classes + k] = sum;
        sum += perChunk[c * classes + k];
      }
    }
    const rng = new Rng(keyState(p.seed, 8));
    const offset = Int32Array.from({ length: classes }, () => rng.int(nfolds));
    await executor.run(AssignFoldsTask, frame, { method: "Stratified", nfolds, state, strata: { classes, before, offset }, views: view.chunks });
    return nfolds;
  }
  // AUTO is Random, as in H2O; Stratified needs classes (a regression falls back to Random).
  const method = p.fold_assignment === "Modulo" ? "Modulo" : "Random";
  await executor.run(AssignFoldsTask, frame, { method, nfolds, state, views: view.chunks });
  return nfolds;
}
