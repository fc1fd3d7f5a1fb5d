// Cluster nodes with `floe serve --data-dir`: a node killed with SIGKILL and restarted on the
// same directory rejoins holding its chunks (none is sent to it again), the frame is whole,
// and models trained before and after predict the same bytes; a node killed while it writes
// a chunk leaves no half-written chunk behind.

import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterOf, jobEnded, killAllNodes, nodeApi, startNode, type TestNode, waitFor } from "../support/cluster.ts";
import { FIXTURES } from "../support/node.ts";
import { ROWS, writeParseFixtures } from "./parse-fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-cluster-data-dir-"));
afterAll(() => {
  killAllNodes();
  rmSync(dir, { recursive: true, force: true });
});
const { parts } = writeParseFixtures(dir);
const GBM = { ntrees: 4, max_depth: 3, seed: 7, score_tree_interval: 4 };

/** Files under a data directory's cluster folder whose names end in `suffix`. */
function keptFiles(dataDir: string, suffix: string): string[] {
  const root = join(dataDir, "cluster");
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(suffix))
    .sort();
}

/** The inode of each chunk file kept: a chunk sent again would be written anew. */
function chunkFileIds(dataDir: string): Record<string, number> {
  return Object.fromEntries(keptFiles(dataDir, ".arrow").map((f) => [f, statSync(join(dataDir, "cluster", f)).ino]));
}

/** Calls of a route the node made, to others and to itself. */
async function calls(node: TestNode, route: string): Promise<number> {
  const t = (await nodeApi(node, "GET", "/cluster")).traffic?.[route];
  return t ? t.calls + t.local_calls : 0;
}

async function importParts(node: TestNode, id: string): Promise<void> {
  const imported = await nodeApi(node, "POST", "/frames/import", { path: parts, frame_id: id });
  const job = await jobEnded(node, imported.job.job_id);
  expect([job.status, job.error?.message]).toEqual(["done", undefined]);
}

async function train(node: TestNode, frame: string, model: string): Promise<void> {
  const started = await nodeApi(node, "POST", "/models", { algo: "gbm", training_frame: frame, response_column: "label", model_id: model, params: GBM });
  const job = await jobEnded(node, started.job.job_id);
  expect([job.status, job.error?.message]).toEqual(["done", undefined]);
}

async function predictions(node: TestNode, model: string, frame: string): Promise<string> {
  const predicted = await nodeApi(node, "POST", `/models/${model}/predict`, { frame });
  return nodeApi(node, "GET", `/frames/${predicted.frame_id}/download`);
}

const nodeArgs = (dataDir: string) => ["--data-dir", dataDir];

test("a cluster node killed and restarted on its --data-dir rejoins holding its chunks, none sent again", async () => {
  const dirA = join(dir, "a");
  const dirB = join(dir, "b");
  const a = await startNode({ name: "a", args: nodeArgs(dirA) });
  const b = await startNode({ name: "b", join: a.address, args: nodeArgs(dirB) });
  await importParts(a, "parts");
  // Both nodes hold every chunk once the copies are made: the same chunk files 0..n-1 in each directory.
  const chunkFiles = await waitFor(
    "both directories hold every chunk",
    async () => [keptFiles(dirA, ".arrow"), keptFiles(dirB, ".arrow")],
    ([inA, inB]) => inA.length > 0 && inA.join() === inB.join() && inA.every((f) => /chunk-\d+\.arrow$/.test(f)),
  );
  const chunks = chunkFiles[0].length;
  expect(chunkFiles[0].map((f) => Number(/chunk-(\d+)/.exec(f)?.[1])).sort((x, y) => x - y)).toEqual([...Array(chunks).keys()]);
  await train(a, "parts", "gbm_before");
  const before = await predictions(a, "gbm_before", "parts");
  expect(before.trim().split("\n")).toHaveLength(ROWS + 1);

  const putsBefore = await calls(a, "chunk-put");
  await b.kill9();
  // b kept the frame and the predictions' frame, each whole.
  const keptByB = [keptFiles(dirB, "entry.bin").length, keptFiles(dirB, ".arrow").length];
  const keptIds = chunkFileIds(dirB);
  expect(keptByB[0]).toBe(2);
  await waitFor(
    "a sees b dead",
    () => clusterOf(a),
    (c) => c.cloud_size === 1,
  );
  const b2 = await startNode({ name: "b", port: b.port, join: a.address, args: nodeArgs(dirB) });
  expect(b2.stderr()).toContain(`holds 2 frame(s), ${keptByB[1]} chunk(s) from before`);
  expect((await nodeApi(b2, "GET", "/frames/parts")).rows).toBe(ROWS);
  // A model trained with the restarted node predicts what the first one did.
  await train(b2, "parts", "gbm_after");
  expect(await predictions(b2, "gbm_after", "parts")).toBe(before);
  // No chunk travelled to the restarted node: the members count its kept chunks as copies
  // (from its directory entries, or by asking it before a copy).
  expect(await calls(a, "chunk-put")).toBe(putsBefore);
  const now = chunkFileIds(dirB);
  expect(Object.fromEntries(Object.keys(keptIds).map((f) => [f, now[f]]))).toEqual(keptIds);

  // The restarted node alone serves the frame from the chunks it kept, and the first model.
  await a.kill9();
  await waitFor(
    "b sees a dead",
    () => clusterOf(b2),
    (c) => c.cloud_size === 1,
  );
  expect(await predictions(b2, "gbm_before", "parts")).toBe(before);
  await b2.stop();
}, 180_000);

test("a cluster node killed while it writes a chunk restarts without a half-written chunk", async () => {
  const dirA = join(dir, "c");
  const dirB = join(dir, "d");
  const a = await startNode({ name: "c", args: nodeArgs(dirA) });
  const b = await startNode({ name: "d", join: a.address, args: nodeArgs(dirB), env: { FLOE_TEST_STALL_FRAME_WRITE: "1" } });
  const imported = await nodeApi(a, "POST", "/frames/import", { path: parts, frame_id: "stalled" });
  // The hook holds d's first chunk between its write and its rename.
  const cutShort = await waitFor(
    "d writes a chunk",
    async () => keptFiles(dirB, ".tmp"),
    (tmp) => tmp.length > 0,
    60_000,
  );
  expect(cutShort.every((f) => f.includes(".arrow."))).toBe(true);
  await b.kill9();
  // c parses the import alone once d is gone.
  const job = await jobEnded(a, imported.job.job_id);
  expect([job.status, job.error?.message]).toEqual(["done", undefined]);
  await train(a, "stalled", "gbm_one");
  const expected = await predictions(a, "gbm_one", "stalled");

  const b2 = await startNode({ name: "d", port: b.port, join: a.address, args: nodeArgs(dirB) });
  expect(b2.stderr()).not.toContain("skipping");
  // The chunk cut short is gone with its temporary file, and no chunk came back half-written.
  expect(cutShort.filter((f) => existsSync(join(dirB, "cluster", f)))).toEqual([]);
  expect(b2.stderr()).toContain("holds 0 frame(s), 0 chunk(s) from before");
  // d gets c's copies, so both directories end with every chunk, whole.
  await waitFor(
    "d holds every chunk",
    async () => [keptFiles(dirA, ".arrow"), keptFiles(dirB, ".arrow")],
    ([inA, inB]) => inA.length > 0 && inA.join() === inB.join(),
  );
  await a.kill9();
  await waitFor(
    "d sees c dead",
    () => clusterOf(b2),
    (c) => c.cloud_size === 1,
  );
  expect(await predictions(b2, "gbm_one", "stalled")).toBe(expected);
  await b2.stop();
}, 180_000);

test("a restarted node does not bring back a frame deleted while it was down, nor its old copy of a frame made anew under the same id", async () => {
  const dirA = join(dir, "e");
  const dirB = join(dir, "f");
  const a = await startNode({ name: "e", args: nodeArgs(dirA) });
  const b = await startNode({ name: "f", join: a.address, args: nodeArgs(dirB) });
  await importParts(a, "gone");
  await importParts(a, "same");
  await waitFor(
    "f holds every chunk of both",
    async () => [keptFiles(dirA, ".arrow"), keptFiles(dirB, ".arrow")],
    ([inA, inB]) => inA.length > 0 && inA.join() === inB.join() && inA.some((f) => f.startsWith("frame-gone/")) && inA.some((f) => f.startsWith("frame-same/")),
  );
  await b.kill9();
  await waitFor(
    "e sees f dead",
    () => clusterOf(a),
    (c) => c.cloud_size === 1,
  );
  await nodeApi(a, "DELETE", "/frames/gone");
  await nodeApi(a, "DELETE", "/frames/same");
  const imported = await nodeApi(a, "POST", "/frames/import", { path: join(FIXTURES, "iris.csv"), frame_id: "same" });
  expect((await jobEnded(a, imported.job.job_id)).status).toBe("done");
  const iris = await nodeApi(a, "GET", "/frames/same/download");

  const b2 = await startNode({ name: "f", port: b.port, join: a.address, args: nodeArgs(dirB) });
  // f drops what the cluster deleted or made anew, on disk too, and takes e's copy of the new frame.
  await waitFor(
    "f drops its old frames",
    async () => keptFiles(dirB, ".arrow"),
    (files) => files.length > 0 && files.every((f) => f.startsWith("frame-same/")) && files.length === keptFiles(dirA, ".arrow").length,
  );
  for (const node of [a, b2]) expect((await nodeApi(node, "GET", "/frames")).frames.map((f: { frame_id: string }) => f.frame_id)).toEqual(["same"]);
  await a.kill9();
  await waitFor(
    "f sees e dead",
    () => clusterOf(b2),
    (c) => c.cloud_size === 1,
  );
  expect(await nodeApi(b2, "GET", "/frames/same/download")).toBe(iris);
  await b2.stop();
}, 180_000);

test("a node back after the others copied its chunks again: the copies beyond two go, the same ones on every node", async () => {
  const dirs = ["n1", "n2", "n3"].map((n) => join(dir, n));
  const n1 = await startNode({ name: "n1", args: nodeArgs(dirs[0]) });
  const second = await startNode({ name: "n2", join: n1.address, args: nodeArgs(dirs[1]) });
  const third = await startNode({ name: "n3", join: second.address, args: nodeArgs(dirs[2]) });
  await importParts(n1, "three");
  /** Which nodes' directories hold each chunk file (but `down`'s). */
  const where = (down?: string) => {
    const out: Record<string, string[]> = {};
    dirs.forEach((d, k) => {
      if (`n${k + 1}` !== down) for (const f of keptFiles(d, ".arrow")) (out[f] ??= []).push(`n${k + 1}`);
    });
    return out;
  };
  const twice = (w: Record<string, string[]>) => Object.keys(w).length > 0 && Object.values(w).every((h) => h.length === 2);
  const before = await waitFor("every chunk on two nodes", async () => where(), twice);
  const keptByN2 = chunkFileIds(dirs[1]);
  expect(Object.keys(keptByN2).length).toBeGreaterThan(0);
  await second.kill9();
  // n1 and n3 copy n2's chunks again: every chunk on both.
  await waitFor(
    "n1 and n3 hold every chunk",
    async () => where("n2"),
    (w) => Object.keys(w).length === Object.keys(before).length && Object.values(w).every((h) => h.join() === "n1,n3"),
  );
  const back = await startNode({ name: "n2", port: second.port, join: n1.address, args: nodeArgs(dirs[1]) });
  // Of each chunk's three holders the first two by name keep theirs: n3 drops the copies n2 kept.
  const after = await waitFor("every chunk on two nodes again", async () => where(), twice);
  for (const [file, holders] of Object.entries(after)) expect([file, holders]).toEqual([file, file in keptByN2 ? ["n1", "n2"] : ["n1", "n3"]]);
  expect(chunkFileIds(dirs[1])).toEqual(keptByN2);
  // n3 logs the drop once its files are gone: its line may still be on the way through the pipe.
  await waitFor(
    "n3 says it dropped the extra copies",
    async () => third.stderr(),
    (text) => text.includes("extra cop"),
  );
  // The frame is whole from the restarted node.
  const frame = await nodeApi(back, "GET", "/frames/three");
  expect(frame.rows).toBe(ROWS);
  await Promise.all([n1, back, third].map((n) => n.stop()));
}, 180_000);
