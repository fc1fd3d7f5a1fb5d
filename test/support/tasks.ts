// Tasks used only by the executor conformance tests, and the frames they run over.

import { type Chunk, sharedF64 } from "../../src/core/chunk.ts";
import { FloeError } from "../../src/core/errors.ts";
import { Frame } from "../../src/core/frame.ts";
import type { Task } from "../../src/core/mr.ts";
import { threadId } from "node:worker_threads";

/** Floating-point sum of column 0 in row order within a chunk; its result depends on fold order. */
export const SumTask: Task<{ scale: number }, { sum: number; rows: number; order: number[] }> = {
  name: "test.sum",
  map(chunk, { scale }) {
    const v = (chunk.vecs[0] as { values: Float64Array }).values;
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += v[i] * scale;
    return { sum, rows: chunk.rows, order: [chunk.index] };
  },
  reduce: (a, b) => ({ sum: a.sum + b.sum, rows: a.rows + b.rows, order: a.order.concat(b.order) }),
  empty: () => ({ sum: 0, rows: 0, order: [] }),
};

/** Fails on the chunk with index `failAt`. */
export const FailTask: Task<{ failAt: number }, number> = {
  name: "test.fail",
  map(chunk, { failAt }) {
    if (chunk.index === failAt) throw new FloeError("bad_input", `chunk ${failAt} is bad`);
    return 1;
  },
  reduce: (a, b) => a + b,
  empty: () => 0,
};

/** Burns time per chunk so that a cancel can land mid-run. */
export const SlowTask: Task<{ ms: number }, number> = {
  name: "test.slow",
  map(_chunk, { ms }) {
    const end = Date.now() + ms;
    while (Date.now() < end) {}
    return 1;
  },
  reduce: (a, b) => a + b,
  empty: () => 0,
};

/** A one-column numeric frame of `values`, cut into chunks of `chunkRows`. */
export function numberFrame(values: ArrayLike<number>, chunkRows: number): Frame {
  const chunks: Chunk[] = [];
  for (let start = 0; start < values.length; start += chunkRows) {
    const rows = Math.min(chunkRows, values.length - start);
    const v = sharedF64(rows);
    for (let i = 0; i < rows; i++) v[i] = values[start + i];
    chunks.push({ index: chunks.length, start, rows, vecs: [{ kind: "f64", values: v }] });
  }
  return Frame.of([{ name: "x", type: "numeric" }], chunks);
}

/** Integer sum of column 0 (rounded): exact, so the executor may fold it in any order. */
export const IntSumTask: Task<Record<string, never>, { sum: number; chunks: number }> = {
  name: "test.int_sum",
  commutative: true,
  map(chunk) {
    const v = (chunk.vecs[0] as { values: Float64Array }).values;
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += Math.round(v[i]);
    return { sum, chunks: 1 };
  },
  reduce: (a, b) => ({ sum: a.sum + b.sum, chunks: a.chunks + b.chunks }),
  empty: () => ({ sum: 0, chunks: 0 }),
};

/**
 * Which thread mapped which chunk, as [thread, chunk index] pairs (exact and commutative as a
 * set): the chunk with index `slowAt` first burns `ms`, and the one with index `failAt` fails.
 */
export const WhoTask: Task<{ slowAt: number; ms: number; failAt?: number }, { mapped: [number, number][] }> = {
  name: "test.who",
  commutative: true,
  map(chunk, { slowAt, ms, failAt }) {
    if (chunk.index === failAt) throw new FloeError("bad_input", `chunk ${failAt} is bad`);
    if (chunk.index === slowAt) {
      const end = Date.now() + ms;
      while (Date.now() < end) {}
    }
    return { mapped: [[threadId, chunk.index]] };
  },
  reduce: (a, b) => ({ mapped: a.mapped.concat(b.mapped) }),
  empty: () => ({ mapped: [] }),
};

/**
 * Kills its worker right after mapping the chunk with index `crashAt` (an error thrown from a
 * microtask, outside any map, before the worker reads its next message); other chunks burn
 * `ms` each. Commutative, so the worker holds a partial of the run when it dies.
 */
export const CrashTask: Task<{ crashAt: number; ms: number }, number> = {
  name: "test.crash",
  commutative: true,
  map(chunk, { crashAt, ms }) {
    if (chunk.index === crashAt) {
      queueMicrotask(() => {
        throw new Error("the worker died");
      });
      return 1;
    }
    const end = Date.now() + ms;
    while (Date.now() < end) {}
    return 1;
  },
  reduce: (a, b) => a + b,
  empty: () => 0,
};

/** Ends its worker (process.exit, no error) on the chunk with index `exitAt`. */
export const ExitTask: Task<{ exitAt: number }, number> = {
  name: "test.exit",
  commutative: true,
  map(chunk, { exitAt }) {
    if (chunk.index === exitAt) process.exit(3);
    return 1;
  },
  reduce: (a, b) => a + b,
  empty: () => 0,
};
