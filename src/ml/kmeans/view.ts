// The training view of k-means: per chunk, the encoded rows (rows × p, row-major, see
// encoding.ts) and the per-row working state of the passes: each row's cluster, its
// squared distance to the nearest initial center chosen so far, and a lower bound on its
// distance to every center but its own (Lloyd's pruning, tasks.ts). Built once by a task
// beside the frame's chunks; later tasks read it and update the state in place.

import { sharedF64, sharedI32 } from "../../core/chunk.ts";
import type { Task } from "../../core/mr.ts";
import type { BoundColumn } from "../bind.ts";
import { type Encoding, encodeChunk } from "./encoding.ts";

export interface KMeansChunk {
  readonly index: number;
  /** Global row id of the chunk's first row (seeded draws and tie-breaks use it). */
  readonly start: number;
  readonly rows: number;
  /** Encoded values, rows × p, row-major. */
  readonly x: Float64Array;
  /** Cluster of each row in the last Lloyd pass (−1 before the first). */
  readonly assign: Int32Array;
  /** Squared distance to the nearest initial center so far (Infinity before the first). */
  readonly dmin: Float64Array;
  /** Lower bound on the distance (not squared) to every center but the row's own, as of the last Lloyd pass. */
  readonly lower: Float64Array;
}

export interface ViewArgs {
  readonly bound: readonly BoundColumn[];
  readonly encoding: Encoding;
}

/** Partial: the view chunk of each frame chunk, concatenated in chunk order. */
export const BuildKMeansViewTask: Task<ViewArgs, KMeansChunk[]> = {
  name: "ml.kmeans.view",
  resident: true,
  map(chunk, { bound, encoding }) {
    const x = sharedF64(chunk.rows * bound.length);
    encodeChunk(chunk, bound, encoding, x);
    const assign = sharedI32(chunk.rows).fill(-1);
    const dmin = sharedF64(chunk.rows).fill(Infinity);
    const lower = sharedF64(chunk.rows);
    return [{ index: chunk.index, start: chunk.start, rows: chunk.rows, x, assign, dmin, lower }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};
