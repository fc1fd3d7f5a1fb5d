// The worker pool's kept chunks: a chunk all on shared memory is sent to a worker once and
// named by id afterwards; a chunk with private memory is sent whole every time (a kept copy
// would miss the main thread's changes); release and garbage collection make the workers
// forget chunks. The messages are watched on their way to the workers.

import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { Frame } from "../../src/core/frame.ts";
import { WorkerPool } from "../../src/core/pool.ts";
import type { ToWorker } from "../../src/core/worker.ts";
import { numberFrame, SumTask } from "../support/tasks.ts";

const workerUrl = new URL("../support/worker.ts", import.meta.url);
const pool = new WorkerPool(workerUrl, 2);

const sent: ToWorker[] = [];
const post = Worker.prototype.postMessage;
beforeAll(() => {
  Worker.prototype.postMessage = function (this: Worker, msg: ToWorker, ...rest: unknown[]) {
    sent.push(msg);
    return (post as (this: Worker, m: unknown, ...r: unknown[]) => void).call(this, msg, ...rest);
  } as typeof Worker.prototype.postMessage;
});
afterEach(() => {
  sent.length = 0;
});
afterAll(async () => {
  Worker.prototype.postMessage = post;
  await pool.close();
});

/** The chunk references of the map messages sent since the last test (numbers: ids of kept chunks). */
function mapRefs(): unknown[] {
  return sent.flatMap((m) => (m.t === "map" ? m.chunks : []));
}

const sum = (values: Float64Array) => values.reduce((a, b) => a + b, 0);

test("shared chunks are sent to each worker once and then named by id; the workers still see changes to them", async () => {
  const frame = numberFrame(
    Float64Array.from({ length: 1000 }, (_, i) => i),
    100,
  );
  let expected = 499500;
  for (let run = 0; run < 4; run++) {
    expect((await pool.run(SumTask, frame, { scale: 1 })).sum).toBe(expected);
    // Shared memory: a change on this thread is the workers' too.
    (frame.chunks[3].vecs[0] as { values: Float64Array }).values[run] += 1000;
    expected += 1000;
  }
  const refs = mapRefs();
  expect(refs.length).toBe(40);
  // Chunks go to whichever worker is free: each is sent whole at most once to each of the two.
  const whole = new Map<number, number>();
  for (const r of refs) if (typeof r === "object") whole.set((r as { id: number }).id, (whole.get((r as { id: number }).id) ?? 0) + 1);
  expect(whole.size).toBe(10);
  expect(Math.max(...whole.values())).toBeLessThanOrEqual(2);
  expect(refs.filter((r) => typeof r === "number").length).toBeGreaterThanOrEqual(20);
});

test("a chunk with private memory is sent whole every run, so the workers see the main thread's changes", async () => {
  const values = Float64Array.from({ length: 50 }, (_, i) => i + 1);
  const frame = Frame.of([{ name: "x", type: "numeric" }], [{ index: 0, start: 0, rows: 50, vecs: [{ kind: "f64", values }] }]);
  expect((await pool.run(SumTask, frame, { scale: 1 })).sum).toBe(sum(values));
  values[0] = 1000;
  expect((await pool.run(SumTask, frame, { scale: 1 })).sum).toBe(sum(values));
  expect(mapRefs().every((r) => typeof r === "object")).toBe(true);
});

test("release makes the workers forget a view's chunks; a later run sends them again", async () => {
  const frame = numberFrame(
    Float64Array.from({ length: 400 }, () => 2),
    100,
  );
  await pool.run(SumTask, frame, { scale: 1 });
  sent.length = 0;
  await pool.release(frame);
  const forgotten = sent.flatMap((m) => (m.t === "forget" ? m.chunks : []));
  expect(forgotten.length).toBe(4);
  sent.length = 0;
  expect((await pool.run(SumTask, frame, { scale: 1 })).sum).toBe(800);
  expect(mapRefs().every((r) => typeof r === "object")).toBe(true);
});

test("chunks the main thread lets go of are forgotten by the workers", async () => {
  // Made and dropped in a function of its own, so nothing here keeps the frame.
  const run = async () => (await pool.run(SumTask, numberFrame(new Float64Array(300).fill(1), 100), { scale: 1 })).sum;
  expect(await run()).toBe(300);
  const ids = mapRefs().map((r) => (r as { id: number }).id);
  expect(ids.length).toBe(3);
  // The watched messages hold the chunks too.
  sent.length = 0;
  let forgotten: number[] = [];
  for (let tries = 0; tries < 100 && !ids.every((id) => forgotten.includes(id)); tries++) {
    Bun.gc(true);
    await Bun.sleep(10);
    forgotten = sent.flatMap((m) => (m.t === "forget" ? m.chunks : []));
  }
  expect(forgotten).toEqual(expect.arrayContaining(ids));
});
