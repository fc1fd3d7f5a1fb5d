// An import on a cluster is parsed by every node on its share: a large CSV file cut at line
// ends, the files of a glob. The frame is the one a single node's import gives: the same
// column types, the same enum levels in the same order (each share sees its levels in its
// own order), the same values.

import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Frame } from "../../src/core/frame.ts";
import { computeRollups } from "../../src/core/rollups.ts";
import type { Source } from "../../src/core/source.ts";
import { MIN_PIECE_BYTES, planImport } from "../../src/core/ingest-share.ts";
import { encode } from "../../src/cluster/wire.ts";
import { FloeNode } from "../../src/runtime.ts";
import { expectSameFrame } from "../support/frame-values.ts";
import { memoryCluster } from "../support/memory-cluster.ts";
import { writeParseFixtures } from "./parse-fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-parse-"));
const single = new FloeNode({ threads: 1 });
afterAll(async () => {
  await single.close();
  rmSync(dir, { recursive: true, force: true });
});

const { big, parts } = writeParseFixtures(dir);

const cluster = memoryCluster(2);
const [coordinator] = cluster.nodes;

async function both(source: Source) {
  const stages = cluster.calls.get("parse-count") ?? 0;
  const warnings: string[] = [];
  const { id, frame: shared } = await coordinator.importFrame(source, { onWarning: (m) => warnings.push(m), chunkRows: 7000 }).done;
  // The moments were mapped where each share was extracted: folded, they are the bits a
  // pass over the cluster's frame gives.
  expect(shared.rollups).toEqual(await computeRollups(coordinator.executor, shared));
  const one = (await single.importFrame(source).done).frame;
  return { id, shared: await coordinator.localFrame(shared), one, stages: (cluster.calls.get("parse-count") ?? 0) - stages, warnings };
}

/** The rollups of frames of the same values, chunked differently: equal counts and levels, sums within rounding. */
function expectSameRollups(a: Frame, b: Frame): void {
  const ra = a.rollups ?? [];
  const rb = b.rollups ?? [];
  expect(ra.length).toBe(a.columns.length);
  for (const [c, x] of ra.entries()) {
    const y = rb[c];
    expect([x.count, x.missing, x.zeros, x.min, x.max, x.cardinality, x.levelCounts, x.histogram?.counts]).toEqual([
      y.count,
      y.missing,
      y.zeros,
      y.min,
      y.max,
      y.cardinality,
      y.levelCounts,
      y.histogram?.counts,
    ]);
    if (x.mean !== null) expect(x.mean).toBeCloseTo(y.mean as number, 9);
    if (x.sd !== null) expect(x.sd).toBeCloseTo(y.sd as number, 9);
  }
}

const slices = () => readdirSync(tmpdir()).filter((f) => f.startsWith("floe-slice-")).length;

/** No node keeps a share's temporary file (a range of a file copied for DuckDB to read), nor an enum type made for one. */
async function expectNoShareLeft(before: number): Promise<void> {
  expect(slices()).toBe(before);
  for (const node of cluster.nodes) {
    const session = await (await node.db()).connect();
    expect(await session.rows("SELECT type_name FROM duckdb_types() WHERE type_name LIKE 'floe_share_%'")).toEqual([]);
    session.close();
  }
}

/** Waits until both nodes hold every chunk of frame `id` (each its own and a copy of the other's). */
async function copied(id: string, chunks: number): Promise<void> {
  const all = Array.from({ length: chunks }, (_, i) => i);
  for (let i = 0; i < 200 && !cluster.holdings.every((h) => h.heldIndices(id).length === chunks); i++) await Bun.sleep(10);
  for (const h of cluster.holdings) expect(h.heldIndices(id)).toEqual(all);
  for (const h of cluster.holdings) expect(h.frames.get(id)?.holders.every((nodes) => nodes.length === 2)).toBe(true);
}

test("a large CSV file is cut at line ends and parsed by both nodes into the frame one node parses", async () => {
  const before = slices();
  const { id, shared, one, stages, warnings } = await both({ kind: "file", path: big });
  // Each node counts its share twice: 'n/a?' is past DuckDB's sniffing sample, so the
  // import is planned again sniffing every row, as one node's import re-sniffs.
  expect(stages).toBe(4);
  expect(shared.columns.find((c) => c.name === "city")?.domain).toEqual(["Aarau", "Basel", "Bern", "Chur", "Zug"]);
  expect(warnings).toEqual(["column 'code': 1 value(s) that are not numbers (such as \"n/a?\") read as missing"]);
  expectSameFrame(shared, one);
  expectSameRollups(shared, one);
  // Each node parsed its half; each then copies its chunks to the other, after the import.
  await copied(id, shared.chunks.length);
  // The first count failed on one node while the other's went on: that share was dropped too.
  await expectNoShareLeft(before);
});

test("a CSV file whose text looks like enums is read once by each node, its rollups without a pass", async () => {
  const path = join(dir, "once.csv");
  const rows = Array.from({ length: 150_000 }, (_, i) => `${i},${(i * 37) % 200}.25,${["ATL", "BOS", "DEN"][i % 3]}${i > 120_000 && i % 5 === 0 ? "X" : ""},${i % 11 === 0 ? "" : `n${i % 4}`}`);
  writeFileSync(path, `id,delay,origin,note\n${rows.join("\n")}\n`);
  expect(statSync(path).size).toBeGreaterThan(2 * MIN_PIECE_BYTES);
  const [maps, counts] = [cluster.calls.get("map") ?? 0, cluster.calls.get("parse-count") ?? 0];
  const frame = (await coordinator.importFrame({ kind: "file", path }).done).frame;
  // One count a node, and every numeric column's range came with it: the shares counted
  // the histograms as they made their chunks, so the rollups took no pass over the cluster.
  expect([(cluster.calls.get("parse-count") ?? 0) - counts, (cluster.calls.get("map") ?? 0) - maps]).toEqual([2, 0]);
  expect(frame.rollups).toEqual(await computeRollups(coordinator.executor, frame));
  const shared = await coordinator.localFrame(frame);
  const one = (await single.importFrame({ kind: "file", path }).done).frame;
  expect(shared.columns.map((c) => [c.name, c.type])).toEqual([
    ["id", "numeric"],
    ["delay", "numeric"],
    ["origin", "enum"],
    ["note", "enum"],
  ]);
  // Levels only the second share holds, merged in DuckDB's order.
  expect(shared.columns[2].domain).toEqual(["ATL", "ATLX", "BOS", "BOSX", "DEN", "DENX"]);
  expectSameFrame(shared, one);
  expectSameRollups(shared, one);
});

test("the files of a glob are shared between the nodes", async () => {
  const { shared, one, stages } = await both({ kind: "file", path: parts });
  expect(stages).toBe(2);
  expectSameFrame(shared, one);
  expectSameRollups(shared, one);
});

test("a large Parquet file is shared by row groups; numbers read as an enum keep their numeric order", async () => {
  const path = join(dir, "groups.parquet");
  const session = await (await single.db()).connect();
  // Levels 5..12 in the first half, 1..4 in the second: in byte order "10" < "2", not here.
  await session.run(
    `COPY (SELECT i AS id, hash(i) / 1e19 AS a, hash(i + 1) / 1e19 AS b, CASE WHEN i < 200000 THEN 5 + i % 8 ELSE 1 + i % 4 END AS k FROM range(400000) t(i)) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 30000)`,
  );
  session.close();
  expect(statSync(path).size).toBeGreaterThan(2 * MIN_PIECE_BYTES);
  const stages = cluster.calls.get("parse-count") ?? 0;
  const maps = cluster.calls.get("map") ?? 0;
  const opts = { colTypes: { k: "enum" as const } };
  const frame = (await coordinator.importFrame({ kind: "file", path }, opts).done).frame;
  // The shares map the moments as they extract: the rollups take one pass over the cluster
  // (a map on each node: the histograms, whose bins the moments' ranges give), and are
  // those two passes give.
  expect((cluster.calls.get("map") ?? 0) - maps).toBe(2);
  expect(frame.rollups).toEqual(await computeRollups(coordinator.executor, frame));
  const shared = await coordinator.localFrame(frame);
  expect((cluster.calls.get("parse-count") ?? 0) - stages).toBe(2);
  expect(shared.columns.find((c) => c.name === "k")?.domain).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]);
  expectSameFrame(shared, (await single.importFrame({ kind: "file", path }, opts).done).frame);
});

test("a CSV file with its quote character is not cut: one node parses it, quoted line breaks and all", async () => {
  const path = join(dir, "quoted.csv");
  const rows = Array.from({ length: 80_000 }, (_, i) => `${i},"line ${i % 7}\nand more, ${i}",${i % 3}`);
  writeFileSync(path, `id,note,g\n${rows.join("\n")}\n`);
  expect(statSync(path).size).toBeGreaterThan(2 * MIN_PIECE_BYTES);
  const { shared, one, stages } = await both({ kind: "file", path });
  expect(stages).toBe(0);
  expect(shared.rows).toBe(80_000);
  expectSameFrame(shared, one);
});

test("Parquet files typing a column differently are read as the whole source types it", async () => {
  const session = await (await single.db()).connect();
  const sub = join(dir, "mixed");
  mkdirSync(sub);
  await session.run(`COPY (SELECT i AS id, 'level ' || (i % 3) AS v FROM range(100) t(i)) TO '${join(sub, "a.parquet")}' (FORMAT parquet)`);
  await session.run(`COPY (SELECT i AS id, TIMESTAMP '2024-01-01' + INTERVAL (i % 5) DAY AS v FROM range(100, 200) t(i)) TO '${join(sub, "b.parquet")}' (FORMAT parquet)`);
  session.close();
  const { shared, one, stages } = await both({ kind: "file", path: join(sub, "*.parquet") });
  expect(stages).toBe(2);
  expect(shared.columns[1]).toEqual(one.columns[1]);
  expectSameFrame(shared, one);
});

test("a cancelled shared parse leaves no chunk and no share's file on any node", async () => {
  const before = slices();
  const drops = cluster.calls.get("parse-drop") ?? 0;
  const { job, done } = coordinator.importFrame({ kind: "file", path: parts }, {}, "cancelled");
  job.cancel();
  await expect(done).rejects.toThrow("cancelled");
  expect(cluster.calls.get("parse-drop") ?? 0).toBe(drops + 2);
  for (const h of cluster.holdings) expect([h.heldIndices("cancelled"), h.frames.has("cancelled")]).toEqual([[], false]);
  for (const node of cluster.nodes) expect(node.store.ids("frame")).not.toContain("cancelled");
  await expectNoShareLeft(before);
});

test("a node that dies during a shared parse: the import is planned again over the nodes left", async () => {
  const three = memoryCluster(3);
  three.failAfter("node2", 1, "parse-count");
  const { frame } = await three.nodes[0].importFrame({ kind: "file", path: parts }).done;
  // The three shares were counted, node2 died answering; then two shares over node0 and node1.
  expect(three.calls.get("parse-count")).toBe(5);
  expectSameFrame(await three.nodes[0].localFrame(frame), (await single.importFrame({ kind: "file", path: parts }).done).frame);
});

test("a node drops the shares it counted for a coordinator that died before asking for them", async () => {
  const three = memoryCluster(3);
  // 'code' holds text now and then: a share is read twice, its range waiting in a temporary file.
  const path = join(dir, "waiting.csv");
  const rows = Array.from({ length: 150_000 }, (_, i) => `${i},${i % 50 === 3 ? "n/a?" : i % 97},${["Basel", "Bern"][i % 2]}`);
  writeFileSync(path, `id,code,city\n${rows.join("\n")}\n`);
  const { shares, ...plan } = (await planImport(await three.nodes[0].db(), { kind: "file", path }, {}, 2))!;
  const count = (parse: string, coordinator: string) => three.call(coordinator, "node1", "parse-count", encode({ parse, coordinator, frame: "f", chunkRows: 7000, plan, share: shares[0] }));
  const before = slices();
  await count("node2/f/1", "node2");
  await count("node0/f/1", "node0");
  expect(slices()).toBe(before + 2);
  three.kill("node2");
  // node2's share is gone; node0's waits for its extract, or its drop.
  expect(slices()).toBe(before + 1);
  await three.call("node0", "node1", "parse-drop", encode({ parse: "node0/f/1", frame: "f" }));
  expect(slices()).toBe(before);
});
