// A frame 1.5x one node's --max-mem, on a 3-node cluster: each node parses a third and
// keeps it in memory; the second copy of every chunk, on another node, is kept on disk
// (cold-replicas.test.ts), so the frame fits where one node refuses it, and the nodes'
// memory holds it once. A second copy of it is refused by each node as soon as what it
// read of its share does not fit. A GBM trains on a wider frame 1.5x a node's --max-mem
// (its training view, 2 bytes a feature and ~100 a row, fits beside each node's third).

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatBytes, frameBytesEstimate } from "../../src/core/memory.ts";
import { jobEnded, killAllNodes, nodeApi, startCluster, startNode, waitFor } from "../support/cluster.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-big-frame-"));
afterAll(() => {
  killAllNodes();
  rmSync(dir, { recursive: true, force: true });
});

const MAX_MEM = 4 * 1024 ** 2;
const ROWS = 225_000;
const path = join(dir, "wide.csv");
const lines = Array.from({ length: ROWS }, (_, i) => {
  const x = (i * 7919) % 1000;
  // Long numbers: the file is cut only into pieces of at least a MiB, and needs three.
  return `${x}.0001234,${(i * 104_729) % 997}.0004321,${i % 101}.0009876,${x > 500 ? "yes" : "no"}`;
});
writeFileSync(path, `a,b,c,label\n${lines.join("\n")}\n`);
const frameBytes = frameBytesEstimate(ROWS, [
  { name: "a", type: "numeric" },
  { name: "b", type: "numeric" },
  { name: "c", type: "numeric" },
  { name: "label", type: "enum" },
]);

test("a frame 1.5x one node's --max-mem is refused by one node and imported by three, not twice", async () => {
  expect(frameBytes / MAX_MEM).toBeGreaterThan(1.5);
  const args = ["--max-mem", String(MAX_MEM)];
  const one = await startNode({ secret: null, args });
  const refused = await nodeApi(one, "POST", "/frames/import", { path, frame_id: "wide" });
  const failed = await jobEnded(one, refused.job.job_id);
  expect(failed.status).toBe("failed");
  expect(failed.error.message).toContain(`needs ${formatBytes(frameBytes)}`);
  await one.stop();

  const [a, b, c] = await startCluster(3, { args });
  const imported = await nodeApi(a, "POST", "/frames/import", { path, frame_id: "wide" });
  const job = await jobEnded(a, imported.job.job_id);
  expect([job.status, job.error?.message]).toEqual(["done", undefined]);
  expect((await nodeApi(c, "GET", "/frames/wide")).rows).toBe(ROWS);
  const frame = await nodeApi(b, "GET", "/frames/wide");
  expect(frame.columns.map((col: { name: string; type: string }) => [col.name, col.type])).toEqual([
    ["a", "numeric"],
    ["b", "numeric"],
    ["c", "numeric"],
    ["label", "enum"],
  ]);
  // Each node holds about a third of it in memory, its share (the copies of others' are on disk), under its budget.
  const held = (n: { max_mem: number; free_mem: number }) => n.max_mem - n.free_mem;
  const status = await waitFor(
    "every node's stats count its chunks",
    () => nodeApi(a, "GET", "/cluster"),
    (s) => s.nodes.every((n: { max_mem: number; free_mem: number }) => held(n) > frameBytes / 4),
  );
  for (const node of status.nodes) expect(held(node)).toBeLessThan(Math.min(MAX_MEM, frameBytes / 2));
  // A second copy of the frame does not fit: each node refuses its share as soon as what it
  // read of it does not (numeric columns only: a share is read once, at its count).
  const again = await nodeApi(a, "POST", "/frames/import", { path, frame_id: "wide2" });
  const refusedShare = await jobEnded(a, again.job.job_id);
  expect(refusedShare.status).toBe("failed");
  expect(refusedShare.error.message).toMatch(/^node \S+'s share of frame 'wide2' \(\d+ rows x 4 columns read so far\) needs .* but this node has .* free/);
  expect((await nodeApi(b, "GET", "/frames")).frames.map((f: { frame_id: string }) => f.frame_id)).toEqual(["wide"]);
}, 120_000);

// A GBM on a frame 1.5x one node's --max-mem: wide (60 numeric columns), so that a node's
// view of its third of the rows (2 bytes a feature) and its third of the frame fit its budget. Each node checks its own share of the view against its own
// free memory: the training runs, and predicts what one node with memory enough predicts.
const WIDE_COLUMNS = 60;
const WIDE_ROWS = 26_000;
const WIDE_MAX_MEM = 8 * 1024 ** 2;
const widePath = join(dir, "wider.csv");
const wideSpecs = [...Array.from({ length: WIDE_COLUMNS }, (_, c) => ({ name: `x${c}`, type: "numeric" as const })), { name: "label", type: "enum" as const }];
writeFileSync(
  widePath,
  `${wideSpecs.map((s) => s.name).join(",")}\n${Array.from({ length: WIDE_ROWS }, (_, i) => {
    const xs = Array.from({ length: WIDE_COLUMNS }, (_, c) => ((i * (7919 + c * 104_729)) % 1000) / 8);
    return `${xs.join(",")},${xs[0] + xs[1] > 125 ? "yes" : "no"}`;
  }).join("\n")}\n`,
);

type Node = Awaited<ReturnType<typeof startNode>>;
const wideBytes = frameBytesEstimate(WIDE_ROWS, wideSpecs);
const wideParams = { ntrees: 3, max_depth: 3, nbins: 16, seed: 11, score_tree_interval: 3 };

async function importWide(node: Node, nodes: number): Promise<void> {
  const imported = await nodeApi(node, "POST", "/frames/import", { path: widePath, frame_id: "wider" });
  const job = await jobEnded(node, imported.job.job_id);
  expect([job.status, job.error?.message]).toEqual(["done", undefined]);
  // A training reads the nodes' free memory from their heartbeats: wait until they count the chunks.
  await waitFor(
    "every node's stats count its chunks",
    () => nodeApi(node, "GET", "/cluster"),
    (s) => s.nodes.length === nodes && s.nodes.every((n: { max_mem: number; free_mem: number }) => n.max_mem - n.free_mem >= (nodes === 1 ? wideBytes : wideBytes / 4)),
  );
}

async function trainWide(node: Node): Promise<any> {
  const started = await nodeApi(node, "POST", "/models", { algo: "gbm", training_frame: "wider", response_column: "label", model_id: "gbm_wider", params: wideParams });
  return jobEnded(node, started.job.job_id);
}

async function predictWide(node: Node): Promise<string> {
  const trained = await trainWide(node);
  expect([trained.status, trained.error?.message]).toEqual(["done", undefined]);
  const predicted = await nodeApi(node, "POST", "/models/gbm_wider/predict", { frame: "wider" });
  return nodeApi(node, "GET", `/frames/${predicted.frame_id}/download`);
}

test("a GBM trains on a frame 1.5x one node's --max-mem on 3 nodes and predicts what one node does", async () => {
  expect(wideBytes / WIDE_MAX_MEM).toBeGreaterThan(1.5);
  const reference = await startNode({ secret: null });
  await importWide(reference, 1);
  const expected = await predictWide(reference);
  await reference.stop();
  const nodes = await startCluster(3, { args: ["--max-mem", String(WIDE_MAX_MEM)], clusterName: "wide" });
  await importWide(nodes[0], 3);
  const got = await predictWide(nodes[0]);
  expect(got.trim().split("\n")).toHaveLength(WIDE_ROWS + 1);
  expect(got).toBe(expected);
  await Promise.all(nodes.map((n) => n.stop()));
}, 180_000);

test("a training is refused when one node's share of the view does not fit its free memory, though the nodes' free memory together would hold it", async () => {
  const roomy = ["--max-mem", String(64 * 1024 ** 2)];
  const a = await startNode({ name: "a", clusterName: "uneven", args: roomy });
  const b = await startNode({ name: "b", clusterName: "uneven", join: a.address, args: roomy });
  // c holds its third of the frame in memory (a copy of another third on disk), and little more.
  const c = await startNode({ name: "c", clusterName: "uneven", join: b.address, args: ["--max-mem", String(Math.ceil(wideBytes * 0.4))] });
  await importWide(a, 3);
  const refused = await trainWide(a);
  expect(refused.status).toBe("failed");
  expect(refused.error.message).toMatch(/^training needs about \S+ \S+ on node c \(view of \d+ rows x 60 features: .*\) but \S+ \S+ is available on node c: /);
  await Promise.all([a, b, c].map((n) => n.stop()));
}, 180_000);
