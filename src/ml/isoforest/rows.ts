// The values isolation trees split on, read from a chunk: numeric columns as they are,
// enum columns as their training level codes (so a split orders levels by code), every
// missing or unseen value as NaN. Training reads the frame's own columns, scoring the
// columns bound to the model's (bind.ts).

import type { Chunk } from "../../core/chunk.ts";
import type { BoundColumn } from "../bind.ts";

/** Writes row i's value of column j at out[i·p + j] for the chunk's rows (out: rows × p, row-major). */
export function readRows(chunk: Chunk, bound: readonly BoundColumn[], out: Float64Array): void {
  const p = bound.length;
  const n = chunk.rows;
  for (let j = 0; j < p; j++) {
    const b = bound[j];
    if (b.col < 0) {
      for (let i = 0; i < n; i++) out[i * p + j] = Number.NaN;
      continue;
    }
    const vec = chunk.vecs[b.col];
    if (vec.kind === "f64") {
      for (let i = 0; i < n; i++) out[i * p + j] = vec.values[i];
    } else if (vec.kind === "codes") {
      const recode = b.recode;
      for (let i = 0; i < n; i++) {
        const c = vec.codes[i];
        const code = c < 0 ? -1 : recode ? recode[c] : c;
        out[i * p + j] = code < 0 ? Number.NaN : code;
      }
    } else {
      for (let i = 0; i < n; i++) out[i * p + j] = Number.NaN;
    }
  }
}
