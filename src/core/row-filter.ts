// Row filters: the rows of a frame where a mask is true, as H2O's Rapids `rows` with a
// boolean column. The mask is either a numeric column travelling beside the data in the
// same chunk (see bind.ts's cbind; true is non-zero and not missing), or one bit per global
// row, which a coordinator sends with the task when the mask was computed apart from the
// chunks (so the chunks are filtered where they are held). One map over the chunks.

import { type Chunk, gatherVec } from "./chunk.ts";
import { FloeError } from "./errors.ts";
import { Frame } from "./frame.ts";
import type { Executor, Task } from "./mr.ts";

export interface FilterRowsArgs {
  /** A numeric column of the chunk, or a bitset over global row ids (row r is bit r & 7 of byte r >> 3). */
  readonly mask: number | Uint8Array;
  /** The columns kept, in this order; default every column but the mask column. */
  readonly keep?: readonly number[];
}

/** Whether each row of `chunk` is kept. */
function keptRows(chunk: Chunk, mask: number | Uint8Array): (i: number) => boolean {
  if (typeof mask !== "number") {
    const at = chunk.start;
    return (i) => ((mask[(at + i) >> 3] >> ((at + i) & 7)) & 1) === 1;
  }
  const vec = chunk.vecs[mask];
  if (vec.kind !== "f64") throw new FloeError("invalid_argument", "a row filter needs a numeric (boolean) column");
  const m = vec.values;
  return (i) => m[i] === m[i] && m[i] !== 0;
}

/** Partial: the chunks of kept rows (kept columns only), empty chunks left out. */
export const FilterRowsTask: Task<FilterRowsArgs, Chunk[]> = {
  name: "core.filter_rows",
  map(chunk, { mask, keep }) {
    const kept = keptRows(chunk, mask);
    let n = 0;
    for (let i = 0; i < chunk.rows; i++) if (kept(i)) n++;
    if (n === 0) return [];
    const rows = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < chunk.rows; i++) if (kept(i)) rows[k++] = i;
    const cols = keep ?? chunk.vecs.map((_, c) => c).filter((c) => c !== mask);
    return [{ index: chunk.index, start: 0, rows: n, vecs: cols.map((c) => gatherVec(chunk.vecs[c], rows)) }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** A mask of one bit per row of `rows`, set for each row listed. */
export function rowBits(rows: number, listed: Iterable<number>): Uint8Array {
  const bits = new Uint8Array((rows + 7) >> 3);
  for (const r of listed) bits[r >> 3] |= 1 << (r & 7);
  return bits;
}

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
