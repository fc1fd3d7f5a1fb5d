// Row filters: the rows of a frame where a numeric mask column is true (non-zero and not
// missing), as H2O's Rapids `rows` with a boolean column. The mask travels beside the
// data in the same chunk (see bind.ts's cbind), so the filter is one map over the chunks.

import { type Chunk, gatherVec } from "./chunk.ts";
import { FloeError } from "./errors.ts";
import { Frame } from "./frame.ts";
import type { Executor, Task } from "./mr.ts";

/** Partial: the chunks of kept rows (mask column dropped), empty chunks left out. */
export const FilterRowsTask: Task<{ mask: number }, Chunk[]> = {
  name: "core.filter_rows",
  map(chunk, { mask }) {
    const vec = chunk.vecs[mask];
    if (vec.kind !== "f64") throw new FloeError("invalid_argument", "a row filter needs a numeric (boolean) column");
    const m = vec.values;
    let n = 0;
    for (let i = 0; i < chunk.rows; i++) if (m[i] === m[i] && m[i] !== 0) n++;
    if (n === 0) return [];
    const rows = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < chunk.rows; i++) if (m[i] === m[i] && m[i] !== 0) rows[k++] = i;
    const vecs = chunk.vecs.filter((_, c) => c !== mask).map((v) => gatherVec(v, rows));
    return [{ index: chunk.index, start: 0, rows: n, vecs }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/**
 * The rows of `frame` where column `mask` (the last column, added for the purpose) is true,
 * without that column.
 */
export async function filterRows(executor: Executor, frame: Frame, mask: number): Promise<Frame> {
  const chunks = await executor.run(FilterRowsTask, frame, { mask });
  return Frame.of(
    frame.columns.filter((_, c) => c !== mask),
    chunks,
  );
}
