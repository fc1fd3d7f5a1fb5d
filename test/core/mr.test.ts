// One conformance suite for every Executor: the inline one, the worker pool at several
// thread counts, and the cluster executor (an in-process cluster of three nodes, the
// frames spread over them).

import { afterAll, describe, expect, test } from "bun:test";
import { getEventListeners } from "node:events";
import { FloeError } from "../../src/core/errors.ts";
import type { Frame } from "../../src/core/frame.ts";
import { type Executor, InlineExecutor, taskRegistry } from "../../src/core/mr.ts";
import { WorkerPool } from "../../src/core/pool.ts";
import { memoryCluster } from "../support/memory-cluster.ts";
import { FailTask, IntSumTask, numberFrame, SlowTask, SumTask } from "../support/tasks.ts";

const workerUrl = new URL("../support/worker.ts", import.meta.url);

/** An executor and how a frame is handed to it (spread over the nodes for a cluster). */
interface Subject {
  readonly ex: Executor;
  readonly data: (frame: Frame) => Promise<Frame>;
}
const local = (ex: Executor): Subject => ({ ex, data: async (f) => f });
let spreadCount = 0;
function cluster(): Subject {
  const [coordinator] = memoryCluster(3, 1, taskRegistry([SumTask, FailTask, SlowTask, IntSumTask])).nodes;
  return { ex: coordinator.executor, data: (f) => coordinator.putFrame(`f${++spreadCount}`, f) };
}
const executors: [string, () => Subject][] = [
  ["inline", () => local(new InlineExecutor())],
  ["pool x1", () => local(new WorkerPool(workerUrl, 1))],
  ["pool x2", () => local(new WorkerPool(workerUrl, 2))],
  ["pool x3", () => local(new WorkerPool(workerUrl, 3))],
  ["cluster of 3", cluster],
];

// Values whose float sum depends on the order of additions.
const values = Float64Array.from({ length: 10_000 }, (_, i) => (i % 7 === 0 ? 1e16 : 0.1 * i) * (i % 2 ? -1 : 1));
const frame = numberFrame(values, 333);

// The reference: a left fold of per-chunk sums in chunk order, computed here by hand.
function referenceSum(): number {
  let total = 0;
  for (let start = 0; start < values.length; start += 333) {
    let s = 0;
    for (let i = start; i < Math.min(start + 333, values.length); i++) s += values[i] * 2;
    total += s;
  }
  return total;
}

for (const [name, make] of executors) {
  describe(`executor conformance: ${name}`, () => {
    const { ex, data } = make();
    afterAll(() => ex.close());

    test("folds partials in chunk order, bit for bit", async () => {
      const r = await ex.run(SumTask, await data(frame), { scale: 2 });
      expect(r.rows).toBe(values.length);
      expect(r.order).toEqual(frame.chunks.map((c) => c.index));
      expect(Object.is(r.sum, referenceSum())).toBe(true);
    });

    test("an empty frame gives the task's identity", async () => {
      const r = await ex.run(SumTask, await data(numberFrame([], 10)), { scale: 1 });
      expect(r).toEqual({ sum: 0, rows: 0, order: [] });
    });

    test("reports progress up to every chunk", async () => {
      const seen: number[] = [];
      await ex.run(SumTask, await data(frame), { scale: 1 }, { onProgress: (done, total) => seen.push(done / total) });
      expect(seen.at(-1)).toBe(1);
      // One report per chunk, or per node's share of chunks.
      expect(seen.length).toBeGreaterThanOrEqual(Math.min(3, frame.chunks.length));
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    });

    test("a failing map rejects the run with its error", async () => {
      const err = await ex.run(FailTask, await data(frame), { failAt: 5 }).catch((e) => e);
      expect(err).toBeInstanceOf(FloeError);
      expect(err.code).toBe("bad_input");
      expect(err.message).toBe("chunk 5 is bad");
      // and the executor still works afterwards
      expect((await ex.run(SumTask, await data(frame), { scale: 1 })).rows).toBe(values.length);
    });

    test("cancellation stops a run with a cancelled error", async () => {
      const ctl = new AbortController();
      const slow = await data(numberFrame(new Float64Array(200), 1));
      setTimeout(() => ctl.abort(), 50);
      const started = Date.now();
      const err = await ex.run(SlowTask, slow, { ms: 50 }, { signal: ctl.signal }).catch((e) => e);
      expect(err).toBeInstanceOf(FloeError);
      expect(err.code).toBe("cancelled");
      // 200 chunks x 50 ms would take 10 s / threads; the wide margin is for a loaded machine.
      expect(Date.now() - started).toBeLessThan(2_500);
    });

    test("a commutative task is folded per worker and still sees every chunk once", async () => {
      const ints = numberFrame(
        Float64Array.from({ length: 5000 }, (_, i) => (i * 7919) % 1000),
        97,
      );
      let expected = 0;
      for (let i = 0; i < 5000; i++) expected += (i * 7919) % 1000;
      const r = await ex.run(IntSumTask, await data(ints), {});
      expect(r).toEqual({ sum: expected, chunks: ints.chunks.length });
    });

    test("a run lets go of the caller's signal when it ends (a training's signal sees thousands of runs)", async () => {
      const ctl = new AbortController();
      const spread = await data(frame);
      for (let i = 0; i < 5; i++) await ex.run(SumTask, spread, { scale: 1 }, { signal: ctl.signal });
      await ex.run(FailTask, spread, { failAt: 2 }, { signal: ctl.signal }).catch(() => {});
      expect(getEventListeners(ctl.signal, "abort").length).toBe(0);
    });

    test("concurrent runs do not mix their partials", async () => {
      const spread = await data(frame);
      const [a, b] = await Promise.all([ex.run(SumTask, spread, { scale: 1 }), ex.run(SumTask, spread, { scale: -1 })]);
      expect(a.sum).toBe(-b.sum);
      expect(a.order).toEqual(b.order);
    });
  });
}

test("the same task gives identical bits on 1, 2 and 3 threads and on a cluster", async () => {
  const sums: number[] = [];
  for (const [, make] of executors) {
    const { ex, data } = make();
    sums.push((await ex.run(SumTask, await data(frame), { scale: 3 })).sum);
    await ex.close();
  }
  expect(new Set(sums).size).toBe(1);
});
