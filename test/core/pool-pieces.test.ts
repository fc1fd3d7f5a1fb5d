// The worker pool's commutative runs: the workers claim the chunks one at a time from a shared
// counter (or, for a run that reports progress, are handed pieces by whichever is free), and
// each folds what it mapped into one partial: a worker held up by a slow chunk maps no more
// than it claimed or was sent ahead, while the other maps the rest; a worker that dies or
// exits takes its partial with it, so its run fails rather than waiting or missing chunks.

import { afterAll, expect, test } from "bun:test";
import { FloeError } from "../../src/core/errors.ts";
import { WorkerPool } from "../../src/core/pool.ts";
import { CrashTask, ExitTask, numberFrame, WhoTask } from "../support/tasks.ts";

const pool = new WorkerPool(new URL("../support/worker.ts", import.meta.url), 2);
afterAll(() => pool.close());

const frame = numberFrame(new Float64Array(40), 1);

/** Options that make a commutative run go out in pieces: it reports progress. */
const inPieces = { onProgress: () => {} };

for (const [how, opts] of [
  ["claims", {}],
  ["pieces", inPieces],
] as const) {
  test(`a worker stuck on a slow chunk maps at most two chunks; the other maps the rest, every chunk once (${how})`, async () => {
    // Workers first mapped something, so both are up before the slow run starts.
    await pool.run(WhoTask, frame, { slowAt: -1, ms: 0 }, opts);
    const { mapped } = await pool.run(WhoTask, frame, { slowAt: 0, ms: 400 }, opts);
    expect(mapped.map(([, chunk]) => chunk).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const slowThread = mapped.find(([, chunk]) => chunk === 0)?.[0];
    const bySlow = mapped.filter(([thread]) => thread === slowThread).length;
    const threads = new Set(mapped.map(([thread]) => thread));
    expect(threads.size).toBe(2);
    // 40 chunks claimed one at a time, or 40 pieces: a fixed half each would have given the slow worker 20.
    expect(bySlow).toBeLessThanOrEqual(2);
  });
}

test("a run whose workers claim its chunks sends each worker one message for them", async () => {
  const sent: string[] = [];
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (this: Worker, msg: { t: string }, ...rest: unknown[]) {
    sent.push(msg.t);
    return (post as (this: Worker, m: unknown, ...r: unknown[]) => void).call(this, msg, ...rest);
  } as typeof Worker.prototype.postMessage;
  try {
    const { mapped } = await pool.run(WhoTask, frame, { slowAt: -1, ms: 0 });
    expect(mapped.length).toBe(40);
  } finally {
    Worker.prototype.postMessage = post;
  }
  expect(sent.filter((t) => t === "claim").length).toBe(2);
  expect(sent.filter((t) => t === "map").length).toBe(0);
});

test("a failing piece fails the run with its error, and the pool goes on running", async () => {
  const err = await pool.run(WhoTask, frame, { slowAt: -1, ms: 0, failAt: 17 }).catch((e) => e);
  expect(err).toBeInstanceOf(FloeError);
  expect(err.message).toBe("chunk 17 is bad");
  const { mapped } = await pool.run(WhoTask, frame, { slowAt: -1, ms: 0 });
  expect(mapped.length).toBe(40);
});

test("a worker that dies holding a partial fails its run, and the pool goes on with a new worker", async () => {
  // In pieces: the worker dies before it reads the collect it was sent after them. (Claiming,
  // it would map its chunks and send its partial before the microtask that kills it runs.)
  const err = await pool.run(CrashTask, frame, { crashAt: 0, ms: 10 }, inPieces).catch((e) => e);
  expect(err).toBeInstanceOf(FloeError);
  expect(err.message).toMatch(/^a worker crashed running test\.(crash|who): .*the worker died/s);
  const { mapped } = await pool.run(WhoTask, frame, { slowAt: -1, ms: 0 }, inPieces);
  expect(mapped.map(([, chunk]) => chunk).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  expect(new Set(mapped.map(([thread]) => thread)).size).toBe(2);
});

test("a worker that exits in a task fails the run with its exit code, and the pool goes on", async () => {
  const err = await pool.run(ExitTask, frame, { exitAt: 5 }).catch((e) => e);
  expect(err).toBeInstanceOf(FloeError);
  expect(err.message).toMatch(/^a worker exited \(code 3\) running test\.(exit|who)/);
  const { mapped } = await pool.run(WhoTask, frame, { slowAt: -1, ms: 0 });
  expect(mapped.length).toBe(40);
});
