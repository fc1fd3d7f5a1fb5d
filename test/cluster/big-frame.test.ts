// A frame larger than one node's --max-mem, on a 3-node cluster: each node parses a third
// and keeps it with copies of other thirds (two copies of every chunk), so the frame fits
// where one node refuses it. With two copies, three nodes hold twice the frame: one of
// 1.5x a node's budget would fill all three exactly, so this one is 1.25x. A second copy
// of it is refused by each node before it reads its share.

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
const ROWS = 187_000;
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

test("a frame 1.25x one node's --max-mem is refused by one node and imported by three, not twice", async () => {
  expect(frameBytes / MAX_MEM).toBeGreaterThan(1.24);
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
  // Each node holds about two thirds of it: its share and copies of others', under its budget.
  const held = (n: { max_mem: number; free_mem: number }) => n.max_mem - n.free_mem;
  const status = await waitFor(
    "every node's stats count its chunks",
    () => nodeApi(a, "GET", "/cluster"),
    (s) => s.nodes.every((n: { max_mem: number; free_mem: number }) => held(n) > frameBytes / 2),
  );
  for (const node of status.nodes) expect(held(node)).toBeLessThan(MAX_MEM);
  // A second copy of the frame does not fit: each node refuses its share before reading it.
  const again = await nodeApi(a, "POST", "/frames/import", { path, frame_id: "wide2" });
  const refusedShare = await jobEnded(a, again.job.job_id);
  expect(refusedShare.status).toBe("failed");
  expect(refusedShare.error.message).toMatch(/^node \S+'s share of frame 'wide2' \(\d+ rows x 4 columns, 2 copies\) needs .* but this node has .* free/);
  expect((await nodeApi(b, "GET", "/frames")).frames.map((f: { frame_id: string }) => f.frame_id)).toEqual(["wide"]);
}, 120_000);
