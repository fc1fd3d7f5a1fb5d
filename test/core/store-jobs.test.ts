import { expect, test } from "bun:test";
import { FloeError } from "../../src/core/errors.ts";
import { jobKey, Jobs } from "../../src/core/jobs.ts";
import { key, Store } from "../../src/core/store.ts";

test("store: typed keys, kinds kept apart, not_found names the key", () => {
  const store = new Store();
  const k = key<number[]>("frame", "iris.hex");
  store.put(k, [1, 2]);
  expect(store.get(k)).toEqual([1, 2]);
  expect(store.get(key("model", "iris.hex"))).toBeUndefined();
  expect(store.ids("frame")).toEqual(["iris.hex"]);
  expect(() => store.need(key("model", "m1"))).toThrow("no model 'm1'");
  expect(store.delete(k)).toBe(true);
  expect(() => key("frame", "a b")).toThrow(FloeError);
});

test("store: fresh ids never collide", () => {
  const store = new Store();
  const a = store.newId("frame", "iris.csv");
  store.put(key("frame", a), 1);
  store.put(key("frame", "iris.csv_2"), 2);
  expect(a).toBe("iris.csv_1");
  expect(store.newId("frame", "iris.csv")).toBe("iris.csv_3");
  expect(store.newId("frame", "/tmp/x y.csv")).toBe("tmp_x_y.csv_1");
});

test("jobs: progress, done, held in the store", async () => {
  const store = new Store();
  const jobs = new Jobs(store);
  const seen: number[] = [];
  const { job, done } = jobs.start("count", async (j) => {
    j.setProgress(0.5);
    j.setProgress(0.25); // never backwards
    return 42;
  });
  job.onChange((j) => seen.push(j.progress));
  expect(job.status).toBe("running");
  expect(await done).toBe(42);
  expect(job.status).toBe("done");
  expect(job.progress).toBe(1);
  expect(store.need(jobKey(job.id))).toBe(job);
  expect(seen).toContain(1);
});

test("jobs: failure keeps the error; cancel ends as cancelled", async () => {
  const jobs = new Jobs(new Store());
  const failed = jobs.start("bad", async () => {
    throw new FloeError("bad_input", "x.csv: line 3: ragged");
  });
  await expect(failed.done).rejects.toThrow("ragged");
  expect(failed.job.status).toBe("failed");
  expect(failed.job.error?.code).toBe("bad_input");

  const slow = jobs.start("slow", (j) => new Promise((resolve) => j.signal.addEventListener("abort", () => resolve(1))));
  slow.job.cancel();
  await expect(slow.done).rejects.toThrow("cancelled");
  expect(slow.job.status).toBe("cancelled");
});
