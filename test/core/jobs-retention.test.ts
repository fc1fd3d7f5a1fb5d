// Jobs do not pile up for ever: finished ones beyond the newest N, or ended longer ago than
// a time to live, leave the store (running ones always stay); a finished job can be
// removed, a running one not; and a destination id is held by the job writing it, so a
// second job to the same frame or model is refused instead of silently winning.

import { expect, test } from "bun:test";
import { jobKey, Jobs } from "../../src/core/jobs.ts";
import { key, Store } from "../../src/core/store.ts";

/** A job that runs until released. */
function held(jobs: Jobs, name: string, dest?: { kind: "frame" | "model"; id: string }) {
  let release = () => {};
  const started = jobs.start(name, () => new Promise<number>((resolve) => (release = () => resolve(1))), dest ?? null);
  return { ...started, release: () => release() };
}

test("only the newest maxFinished finished jobs are kept; running ones always are", async () => {
  const store = new Store();
  const jobs = new Jobs(store);
  jobs.retention = { maxFinished: 2, maxAgeMs: Number.POSITIVE_INFINITY };
  const running = held(jobs, "long");
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { job, done } = jobs.start(`quick ${i}`, async () => i);
    await done;
    ids.push(job.id);
  }
  expect(store.ids("job")).toEqual([running.job.id, ids[3], ids[4]]);
  running.release();
  await running.done;
  expect(store.ids("job")).toEqual([running.job.id, ids[4]]);
});

test("finished jobs older than maxAgeMs go at the next prune; younger and running ones stay", async () => {
  const store = new Store();
  const jobs = new Jobs(store);
  jobs.retention = { maxFinished: 100, maxAgeMs: 60_000 };
  const old = jobs.start("old", async () => 1);
  await old.done;
  const running = held(jobs, "long");
  const ended = old.job.endedAt as number;
  jobs.prune(ended + 59_000);
  expect(store.ids("job")).toEqual([old.job.id, running.job.id]);
  jobs.prune(ended + 61_000);
  expect(store.ids("job")).toEqual([running.job.id]);
  running.release();
  await running.done;
});

test("remove: a finished job goes, a running one is a conflict, an unknown one not_found", async () => {
  const store = new Store();
  const jobs = new Jobs(store);
  const running = held(jobs, "long");
  expect(() => jobs.remove(running.job.id)).toThrow("is running");
  running.release();
  await running.done;
  jobs.remove(running.job.id);
  expect(store.get(jobKey(running.job.id))).toBeUndefined();
  expect(() => jobs.remove("job_99")).toThrow("no job 'job_99'");
});

test("a destination being written by a running job is refused to a second job, and free once it ends", async () => {
  const store = new Store();
  const jobs = new Jobs(store);
  const first = held(jobs, "train m", { kind: "model", id: "m" });
  let second: unknown = null;
  try {
    jobs.start("train m again", async () => 2, { kind: "model", id: "m" });
  } catch (err) {
    second = err;
  }
  expect((second as { code?: string })?.code).toBe("conflict");
  expect(String(second)).toContain("model 'm' is being written");
  expect(() => store.claim(key("model", "m"))).toThrow("being written");
  expect(store.newId("model", "m")).not.toBe("m");
  first.release();
  await first.done;
  const again = jobs.start("train m later", async () => 3, { kind: "model", id: "m" });
  expect(await again.done).toBe(3);
});

test("an id that exists cannot be claimed", () => {
  const store = new Store();
  store.put(key("frame", "f"), 1);
  expect(() => store.claim(key("frame", "f"))).toThrow("frame 'f' already exists");
  const release = store.claim(key("frame", "g"));
  expect(store.newId("frame", "g")).toBe("g_1");
  release();
  expect(() => store.claim(key("frame", "g"))()).not.toThrow();
});
