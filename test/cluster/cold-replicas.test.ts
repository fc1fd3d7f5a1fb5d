// Cold replicas: a chunk's work runs on its home (its first holder), so the second copy a
// node holds is kept on disk, not in memory, until the home dies. Each chunk is then in
// memory once in the cluster (on its home) and on disk once more; a node that becomes a
// chunk's home reads it back. Without --data-dir the copies are spilled to a folder of the
// node's own in the temporary directory, removed when the node stops.

import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Chunk } from "../../src/core/chunk.ts";
import type { Frame } from "../../src/core/frame.ts";
import { computeRollups } from "../../src/core/rollups.ts";
import { SpillDir } from "../../src/cluster/spill.ts";
import { memoryCluster } from "../support/memory-cluster.ts";
import { FIXTURES, testNode } from "../support/node.ts";
import { jobEnded, killAllNodes, nodeApi, startCluster } from "../support/cluster.ts";
import { expectSameFrame } from "../support/frame-values.ts";
import { writeParseFixtures } from "./parse-fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-cold-"));
afterAll(() => {
  killAllNodes();
  rmSync(dir, { recursive: true, force: true });
});

const penguins = join(FIXTURES, "penguins.csv");
const opts = { chunkRows: 40, naStrings: ["NA", "."] };
const single = testNode(1);

const bits = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
const chunkBits = (c: Chunk) => c.vecs.map((v) => (v.kind === "f64" ? bits(v.values) : v.kind === "codes" ? bits(v.codes) : bits(v.bytes) + bits(v.offsets)));

test("each chunk is in memory on its home only; its replica is a file on another node's disk", async () => {
  const cluster = memoryCluster(3);
  const frame = (await cluster.nodes[0].importFrame({ kind: "file", path: penguins }, opts).done).frame;
  const id = "penguins_1";
  expect(frame.chunks.length).toBe(9);
  const entry = cluster.holdings[0].frames.get(id);
  for (let i = 0; i < 9; i++) {
    const holders = entry?.holders[i] ?? [];
    expect(holders.length).toBe(2);
    const [home, replica] = holders.map((name) => cluster.holdings[cluster.names.indexOf(name)]);
    expect([home.heldIndices(id).includes(i), home.inMemoryIndices(id).includes(i)]).toEqual([true, true]);
    expect([replica.heldIndices(id).includes(i), replica.inMemoryIndices(id).includes(i)]).toEqual([true, false]);
    expect(readdirSync(join(replica.spillRoot as string, id))).toContain(`chunk-${i}.arrow`);
  }
  // The nodes' memory holds the frame once.
  const local = (await single.importFrame({ kind: "file", path: penguins }, opts).done).frame;
  const inMemory = cluster.holdings.reduce((n, h) => n + h.memoryBytes(), 0);
  expect(inMemory).toBe(local.chunks.reduce((n, c) => n + c.vecs.reduce((m, v) => m + (v.kind === "f64" ? v.values.byteLength : v.kind === "codes" ? v.codes.byteLength : 0), 0), 0));
});

test("a node whose chunks' home died reads them back: the same rollups and values, two copies again", async () => {
  const cluster = memoryCluster(3);
  const [coordinator] = cluster.nodes;
  const frame = (await coordinator.importFrame({ kind: "file", path: penguins }, opts).done).frame;
  const id = "penguins_1";
  const before = await computeRollups(coordinator.executor, frame);
  const victim = cluster.names[1];
  const lost = cluster.holdings[1].inMemoryIndices(id);
  expect(lost.length).toBeGreaterThan(0);
  cluster.kill(victim);
  expect(await computeRollups(coordinator.executor, frame)).toEqual(before);
  const survivors = cluster.holdings.filter((_, k) => k !== 1);
  // Every chunk the victim was home of is in memory on a survivor now, and has two copies again.
  for (const i of lost) expect(survivors.filter((h) => h.inMemoryIndices(id).includes(i)).length).toBeGreaterThanOrEqual(1);
  const copies = () => frame.chunks.map((_, i) => survivors.filter((h) => h.heldIndices(id).includes(i)).length);
  for (let k = 0; k < 500 && copies().some((n) => n < 2); k++) await Bun.sleep(10);
  expect(copies()).toEqual(frame.chunks.map(() => 2));
  const whole = await coordinator.localFrame(frame as Frame);
  const local = (await single.importFrame({ kind: "file", path: penguins }, opts).done).frame;
  for (let c = 0; c < whole.chunks.length; c++) expect(chunkBits(whole.chunks[c])).toEqual(chunkBits(local.chunks[c]));
});

test("a node that becomes the home of more copies than its --max-mem holds reads the others from disk: the same rollups, memory within the budget", async () => {
  const { big } = writeParseFixtures(dir);
  const source = { kind: "file" as const, path: big };
  const ingest = { chunkRows: 10_000 };
  // What each node holds in memory after a shared parse, with no budget to speak of.
  const free = memoryCluster(3);
  const freeFrame = (await free.nodes[0].importFrame(source, ingest).done).frame;
  const held = free.holdings.map((h) => h.memoryBytes());
  const before = await computeRollups(free.nodes[0].executor, freeFrame);
  // The same import on nodes with room for their own share and a fifth more: once a node
  // dies, the two left are home to half of its share each, which is more than that.
  const maxMem = Math.ceil(1.2 * Math.max(...held));
  const cluster = memoryCluster(3, 1, undefined, [], maxMem);
  const [coordinator] = cluster.nodes;
  const { id, frame } = await coordinator.importFrame(source, ingest).done;
  expect(cluster.holdings.map((h) => h.memoryBytes())).toEqual(held);
  // The copies of a shared parse's chunks are made after the import.
  const copied = () => cluster.holdings.every((h) => h.frames.get(id)?.holders.every((nodes) => nodes.length === 2));
  for (let k = 0; k < 500 && !copied(); k++) await Bun.sleep(10);
  expect(copied()).toBe(true);
  const lost = cluster.holdings[1].inMemoryIndices(id);
  cluster.kill(cluster.names[1]);
  expect(await computeRollups(coordinator.executor, frame)).toEqual(before);
  const survivors = cluster.holdings.filter((_, k) => k !== 1);
  for (const h of survivors) expect(h.memoryBytes()).toBeLessThanOrEqual(maxMem);
  // Some of the dead node's chunks are served from a survivor's disk, not its memory.
  const inMemory = new Set(survivors.flatMap((h) => h.inMemoryIndices(id)));
  expect(lost.filter((i) => !inMemory.has(i)).length).toBeGreaterThan(0);
  // And they are read again whenever needed: the values are those of one node's import.
  const whole = await coordinator.localFrame(frame as Frame);
  const local = (await single.importFrame(source, ingest).done).frame;
  expectSameFrame(whole, local);
});

test("a spill folder is removed when closed, and folders of processes no longer running when a new one is made", () => {
  const base = join(dir, "tmp");
  mkdirSync(base);
  // No process has a pid this large (Linux caps them at 2^22).
  const stale = join(base, "floe-spill-99999999-abc");
  mkdirSync(stale);
  const mine = join(base, `floe-spill-${process.pid}-other`);
  mkdirSync(mine);
  const spill = SpillDir.create(base);
  expect(existsSync(stale)).toBe(false);
  expect(existsSync(mine)).toBe(true);
  expect(existsSync(spill.root)).toBe(true);
  spill.close();
  expect(existsSync(spill.root)).toBe(false);
});

test("a node spills the replicas it holds to its temporary directory and removes them when it stops", async () => {
  const tmp = join(dir, "node-tmp");
  mkdirSync(tmp);
  const nodes = await startCluster(2, { env: { TMPDIR: tmp }, clusterName: "cold" });
  // 150,000 rows in under a MiB (one piece, not cut): three chunks of at most 65,536 rows.
  const csv = join(dir, "rows.csv");
  await Bun.write(csv, `i\n${Array.from({ length: 150_000 }, (_, i) => i).join("\n")}\n`);
  const imported = await nodeApi(nodes[0], "POST", "/frames/import", { path: csv, frame_id: "p" });
  expect((await jobEnded(nodes[0], imported.job.job_id)).status).toBe("done");
  const spilled = () => readdirSync(tmp).filter((n) => n.startsWith("floe-spill-"));
  const files = () => spilled().flatMap((n) => (existsSync(join(tmp, n, "p")) ? readdirSync(join(tmp, n, "p")) : []));
  for (let k = 0; k < 500 && files().length < 3; k++) await Bun.sleep(10);
  // Each chunk is a replica on one of the two nodes.
  expect(files().length).toBe(3);
  await Promise.all(nodes.map((n) => n.stop()));
  expect(spilled()).toEqual([]);
}, 60_000);
