import { expect, test } from "bun:test";
import { join } from "node:path";
import type { Frame } from "../src/core/frame.ts";
import { jobKey } from "../src/core/jobs.ts";
import { key } from "../src/core/store.ts";
import { FIXTURES, testNode } from "./support/node.ts";

const node = testNode();

test("an import runs as a job and stores its frame under a fresh id", async () => {
  const { job, done } = node.importFrame({ kind: "file", path: join(FIXTURES, "iris.csv") });
  const progress: number[] = [];
  job.onChange((j) => progress.push(j.progress));
  const { id, frame } = await done;
  expect(id).toBe("iris_1"); // the file name without its extension, numbered
  expect(node.store.need(key<Frame>("frame", id))).toBe(frame);
  expect(node.store.need(jobKey(job.id)).status).toBe("done");
  expect(job.description).toBe("import iris.csv");
  expect(progress.at(-1)).toBe(1);
  expect(frame.rollups?.length).toBe(5);
});

test("cancelling an import stops DuckDB mid-statement and stores nothing", async () => {
  const before = node.store.ids("frame").length;
  const { job, done } = node.importFrame({ kind: "sql", query: "SELECT range AS x, range % 7 AS y FROM range(400000000)" });
  setTimeout(() => job.cancel(), 200);
  const started = Date.now();
  const err = await done.catch((e) => e);
  expect(err.code).toBe("cancelled");
  expect(job.status).toBe("cancelled");
  expect(Date.now() - started).toBeLessThan(5000);
  expect(node.store.ids("frame").length).toBe(before);
});
