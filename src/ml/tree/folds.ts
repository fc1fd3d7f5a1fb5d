// Cross-validation over the tree training view: which rows a fold model trains on, and
// the out-of-fold predictions gathered beside the chunks (fold assignment: ../folds.ts).

import { stateTask, type Task } from "../../core/mr.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import { type OutputArgs, writeOutput } from "./row-tasks.ts";
import type { TreeChunk } from "./view.ts";

/** Trains on every row with a response except those of fold `drop` (−1: none). */
export const FoldWeightsTask = stateTask<{ drop: number }, TreeChunk>("ml.tree.fold_weights", (c, { drop }) => {
  for (let i = 0; i < c.rows; i++) c.w[i] = c.y[i] === c.y[i] && c.fold[i] !== drop && c.fold[i] >= 0 ? 1 : 0;
});

/** Cross-validation: keeps the fold model's outputs for the rows of its own fold. */
export const CollectHoldoutTask = stateTask<OutputArgs & { fold: number }, TreeChunk>("ml.tree.collect_holdout", (c, a) => {
  const width = a.binomial ? 1 : a.classes;
  for (let i = 0; i < c.rows; i++) if (c.fold[i] === a.fold) writeOutput(c, i, a, c.holdout, i * width);
});

/** Partial: the out-of-fold predictions of every row with a response and a fold. */
export const HoldoutOutputTask: Task<{ width: number }, ScoredChunk[], TreeChunk> = {
  name: "ml.tree.holdout_output",
  map(c, { width }) {
    const w = new Float64Array(new SharedArrayBuffer(c.rows * 8));
    for (let i = 0; i < c.rows; i++) w[i] = c.fold[i] >= 0 && c.y[i] === c.y[i] ? 1 : 0;
    return [{ index: c.index, rows: c.rows, y: c.y, p: c.holdout.subarray(0, c.rows * width), width, w }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};
