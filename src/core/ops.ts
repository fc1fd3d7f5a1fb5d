// Frame operations that pick rows or columns: select, slice/head and split. Each makes a
// new frame; select and slice share the parent's buffers, split gathers its rows in the
// workers. Type conversions (asfactor, asnumeric) live in convert.ts.

import { type Chunk, gatherVec, sliceVec } from "./chunk.ts";
import { FloeError } from "./errors.ts";
import { Frame } from "./frame.ts";
import type { Executor, Task } from "./mr.ts";
import { rowUniform, seedState } from "./rng.ts";

/** The named columns, in the order given, sharing the parent's chunks. */
export function select(frame: Frame, names: readonly string[]): Frame {
  const idx = names.map((n) => frame.columnIndex(n));
  return Frame.of(
    idx.map((i) => frame.columns[i]),
    frame.chunks.map((c) => ({ ...c, vecs: idx.map((i) => c.vecs[i]) })),
  );
}

/** Rows [from, to) as zero-copy views (clamped to the frame). */
export function slice(frame: Frame, from: number, to: number): Frame {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from) {
    throw new FloeError("invalid_argument", `row range [${from}, ${to}) is not a valid range`);
  }
  const chunks: Chunk[] = [];
  for (const c of frame.chunks) {
    const a = Math.max(from, c.start) - c.start;
    const b = Math.min(to, c.start + c.rows) - c.start;
    if (b <= a) continue;
    chunks.push({ ...c, rows: b - a, vecs: c.vecs.map((v) => sliceVec(v, a, b)) });
  }
  return Frame.of(frame.columns, chunks);
}

export function head(frame: Frame, n: number): Frame {
  return slice(frame, 0, Math.min(n, frame.rows));
}

export interface SplitArgs {
  /** Upper bounds of each part's share of [0, 1); the last part takes the rest. */
  readonly cuts: readonly number[];
  readonly seedState: number;
}

/**
 * Partial: for each part, the chunks of rows that fell into it (in chunk order).
 * A row's part is a hash of the seed and its global row id, so it does not depend on
 * chunk size or thread count.
 */
export const SplitTask: Task<SplitArgs, Chunk[][]> = {
  name: "core.split",
  map(chunk, { cuts, seedState: state }) {
    const parts = cuts.length + 1;
    const part = new Uint8Array(chunk.rows);
    const counts = new Int32Array(parts);
    for (let i = 0; i < chunk.rows; i++) {
      const u = rowUniform(state, chunk.start + i);
      let p = 0;
      while (p < cuts.length && u >= cuts[p]) p++;
      part[i] = p;
      counts[p]++;
    }
    const out: Chunk[][] = [];
    for (let p = 0; p < parts; p++) {
      const rows = new Int32Array(counts[p]);
      let k = 0;
      for (let i = 0; i < chunk.rows; i++) if (part[i] === p) rows[k++] = i;
      out.push(rows.length ? [{ index: chunk.index, start: 0, rows: rows.length, vecs: chunk.vecs.map((v) => gatherVec(v, rows)) }] : []);
    }
    return out;
  },
  reduce(a, b) {
    return a.map((chunks, p) => chunks.concat(b[p]));
  },
  empty({ cuts }) {
    return Array.from({ length: cuts.length + 1 }, () => []);
  },
};

/**
 * Splits rows at random into parts of about `ratios` of the rows each, plus a last part
 * with the rest (H2O's split_frame: ratios [0.8] → 80% / 20%). Same seed, same rows.
 */
export async function split(executor: Executor, frame: Frame, ratios: readonly number[], seed: number): Promise<Frame[]> {
  if (ratios.length === 0 || ratios.some((r) => !(r > 0 && r < 1))) {
    throw new FloeError("invalid_argument", `split ratios must each be in (0, 1), got [${ratios.join(", ")}]`);
  }
  const sum = ratios.reduce((s, r) => s + r, 0);
  if (sum >= 1) throw new FloeError("invalid_argument", `split ratios must sum below 1 (the last part takes the rest), got ${sum}`);
  if (!Number.isSafeInteger(seed)) throw new FloeError("invalid_argument", `seed must be an integer, got ${seed}`);
  const cuts: number[] = [];
  let acc = 0;
  for (const r of ratios) cuts.push((acc += r));
  const parts = await executor.run(SplitTask, frame, { cuts, seedState: seedState(seed) });
  return parts.map((chunks) => Frame.of(frame.columns, chunks));
}
