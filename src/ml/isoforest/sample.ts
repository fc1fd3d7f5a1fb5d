// The rows each isolation tree is grown on, drawn in one map/reduce pass over the training
// frame. Tree t gives global row r the draw u = rowUniform(keyState(seed, 1, t), r), so the
// samples depend on the seed and the rows only, never on chunks, threads or nodes:
//   rate mode   (isolation forest): the rows with u < rate, in row order;
//   count mode  (extended forest):  the `count` rows with the smallest (u, row), a sample
//                                   without replacement of exactly `count` rows.
// A map keeps its chunk's candidates (a bounded max-heap in count mode); reduce merges the
// sorted lists (count) or appends them in chunk order (rate), which the executor keeps.

import { type Chunk, concatF64 } from "../../core/chunk.ts";
import type { Task } from "../../core/mr.ts";
import { keyState, rowUniform } from "../../core/rng.ts";
import type { BoundColumn } from "../bind.ts";
import { readRows } from "./rows.ts";

export interface SampleArgs {
  readonly bound: readonly BoundColumn[];
  readonly seed: number;
  readonly ntrees: number;
  /** Rate mode: rows with a draw below this are taken (1: every row). */
  readonly rate: number;
  /** Count mode when above 0: the rows with the smallest draws, at most this many. */
  readonly count: number;
}

/** Per tree: the sampled rows' draws, global row ids and values (rows × p, row-major). */
export interface TreeSamples {
  /** The sampling's mode and width, which reduce needs (count 0: rate mode). */
  readonly count: number;
  readonly p: number;
  readonly u: readonly Float64Array[];
  readonly row: readonly Float64Array[];
  readonly x: readonly Float64Array[];
}

/** The draw state of tree t. */
export function treeDrawState(seed: number, t: number): number {
  return keyState(seed, 1, t);
}

/** (ua, ra) orders after (ub, rb): larger draw, ties by larger row id. */
function after(ua: number, ra: number, ub: number, rb: number): boolean {
  return ua > ub || (ua === ub && ra > rb);
}

/** Local rows of the chunk's `k` smallest draws, sorted by (draw, row). */
function smallest(u: Float64Array, k: number): Int32Array {
  const heap = new Int32Array(Math.min(k, u.length));
  let size = 0;
  for (let i = 0; i < u.length; i++) {
    if (size < heap.length) {
      // Sift up: a max-heap on (u, row).
      let c = size++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!after(u[i], i, u[heap[parent]], heap[parent])) break;
        heap[c] = heap[parent];
        c = parent;
      }
      heap[c] = i;
    } else if (size > 0 && after(u[heap[0]], heap[0], u[i], i)) {
      // Replace the largest and sift down.
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= size) break;
        const m = l + 1 < size && after(u[heap[l + 1]], heap[l + 1], u[heap[l]], heap[l]) ? l + 1 : l;
        if (!after(u[heap[m]], heap[m], u[i], i)) break;
        heap[c] = heap[m];
        c = m;
      }
      heap[c] = i;
    }
  }
  return heap.sort((a, b) => u[a] - u[b] || a - b);
}

function take(chunk: Chunk, x: Float64Array, p: number, u: Float64Array, picked: ArrayLike<number>): { u: Float64Array; row: Float64Array; x: Float64Array } {
  const m = picked.length;
  const out = { u: new Float64Array(m), row: new Float64Array(m), x: new Float64Array(m * p) };
  for (let s = 0; s < m; s++) {
    const i = picked[s];
    out.u[s] = u[i];
    out.row[s] = chunk.start + i;
    out.x.set(x.subarray(i * p, (i + 1) * p), s * p);
  }
  return out;
}

/** The first `count` of two lists sorted by (draw, row). */
function mergeSmallest(a: TreeSamples, b: TreeSamples, t: number, count: number, p: number) {
  const [ua, ra, xa, ub, rb, xb] = [a.u[t], a.row[t], a.x[t], b.u[t], b.row[t], b.x[t]];
  const m = Math.min(count, ua.length + ub.length);
  const out = { u: new Float64Array(m), row: new Float64Array(m), x: new Float64Array(m * p) };
  let i = 0;
  let j = 0;
  for (let s = 0; s < m; s++) {
    const fromA = j >= ub.length || (i < ua.length && !after(ua[i], ra[i], ub[j], rb[j]));
    const [u, r, x, k] = fromA ? [ua, ra, xa, i++] : [ub, rb, xb, j++];
    out.u[s] = u[k];
    out.row[s] = r[k];
    out.x.set(x.subarray(k * p, (k + 1) * p), s * p);
  }
  return out;
}

function assemble(count: number, p: number, parts: { u: Float64Array; row: Float64Array; x: Float64Array }[]): TreeSamples {
  return { count, p, u: parts.map((q) => q.u), row: parts.map((q) => q.row), x: parts.map((q) => q.x) };
}

/** Partial: the sampled rows of every tree (see the file's head). */
export const SampleTask: Task<SampleArgs, TreeSamples> = {
  name: "ml.isoforest.sample",
  map(chunk, { bound, seed, ntrees, rate, count }) {
    const p = bound.length;
    const n = chunk.rows;
    const x = new Float64Array(n * p);
    readRows(chunk, bound, x);
    const u = new Float64Array(n);
    const parts = [];
    for (let t = 0; t < ntrees; t++) {
      const state = treeDrawState(seed, t);
      for (let i = 0; i < n; i++) u[i] = rowUniform(state, chunk.start + i);
      if (count > 0) parts.push(take(chunk, x, p, u, smallest(u, count)));
      else {
        const picked: number[] = [];
        for (let i = 0; i < n; i++) if (u[i] < rate) picked.push(i);
        parts.push(take(chunk, x, p, u, picked));
      }
    }
    return assemble(count, p, parts);
  },
  reduce(a, b) {
    const { count, p } = a;
    const trees = a.u.map((_, t) => (count > 0 ? mergeSmallest(a, b, t, count, p) : { u: concatF64(a.u[t], b.u[t]), row: concatF64(a.row[t], b.row[t]), x: concatF64(a.x[t], b.x[t]) }));
    return assemble(count, p, trees);
  },
  empty: ({ bound, ntrees, count }) => {
    const none = () => new Float64Array(0);
    return assemble(
      count,
      bound.length,
      Array.from({ length: ntrees }, () => ({ u: none(), row: none(), x: none() })),
    );
  },
};
