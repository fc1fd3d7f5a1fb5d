// bench/ingest: floe's import (DuckDB parse → typed chunks → rollups) against DuckDB's own
// CREATE TABLE AS SELECT * FROM read_csv(...), in the same run, on
//   - flights-3m (npm vega-datasets data/flights-3m.parquet, written out as CSV)
//   - a generated CSV of 1M rows x 20 numeric columns
// Each side runs in its own process (3 runs, the median reported) so peak RSS is its own.
// With --cluster: flights-3m imported by two `floe serve` nodes, each parsing its share,
// against one node's import of it (one thread a node, one run each way): the time ratio
// (target <= 0.6x), the CPU time of the busiest node against the one node's, and the peak
// RSS of the busiest node against the one node's (target <= 0.6x). First with each node
// pinned to a processor of its own (taskset), the one node to the first: two nodes then
// have twice the hardware of one, as two machines would; then with every node free to use
// both processors, where the cluster has no more hardware than the one node.
// --timeline with --cluster prints each node's resident memory every 250 ms of the imports.
// Usage: npm run bench:ingest   (or: bun bench/ingest.ts [--threads N] [--runs N] [--cluster [--timeline]])

import { existsSync, mkdirSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { call, cpuSeconds, job, type Node, peakMB, rssTimeline, startNode } from "./nodes.ts";

const root = join(import.meta.dir, "..");
const out = join(root, "bench", "out");
mkdirSync(out, { recursive: true });
const flag = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const threads = flag("threads", 2);
const runs = flag("runs", 3);

async function prepare(): Promise<{ name: string; path: string }[]> {
  const flights = join(out, "flights-3m.csv");
  const wide = join(out, "numeric-1m-x20.csv");
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  if (!existsSync(flights)) {
    const parquet = join(root, "node_modules", "vega-datasets", "data", "flights-3m.parquet");
    await con.run(`COPY (SELECT * FROM '${parquet}') TO '${flights}' (HEADER)`);
  }
  if (!existsSync(wide)) {
    const cols = Array.from({ length: 20 }, (_, j) => `round(random() * 1000, 3) AS x${j}`).join(", ");
    await con.run("SELECT setseed(0.42)");
    await con.run(`COPY (SELECT ${cols} FROM range(1000000)) TO '${wide}' (HEADER)`);
  }
  return [
    { name: "flights-3m", path: flights },
    { name: "numeric 1M x 20", path: wide },
  ];
}

interface Side {
  seconds: number;
  rows: number;
  peakRssMB: number;
  frameBytes?: number;
  rawBytes?: number;
  rssAfterMB?: number;
}

async function once(side: "floe" | "duckdb", path: string): Promise<Side> {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "ingest-one.ts"), side, path, String(threads)], { stdout: "pipe", stderr: "inherit" });
  const text = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`${side} run failed`);
  return JSON.parse(text);
}

const median = (xs: Side[]) => [...xs].sort((a, b) => a.seconds - b.seconds)[Math.floor(xs.length / 2)];

const mb = (b: number) => b / 2 ** 20;

async function againstDuckdb(): Promise<void> {
  console.log(`bench/ingest: ${threads} threads, median of ${runs} runs, each side in its own process\n`);
  for (const { name, path } of await prepare()) {
    const size = mb(statSync(path).size);
    await Bun.file(path).arrayBuffer(); // warm the page cache for both sides alike
    const floeRuns: Side[] = [];
    const duckRuns: Side[] = [];
    for (let r = 0; r < runs; r++) {
      duckRuns.push(await once("duckdb", path));
      floeRuns.push(await once("floe", path));
    }
    const f = median(floeRuns);
    const d = median(duckRuns);
    const peak = (xs: Side[]) => Math.max(...xs.map((x) => x.peakRssMB));
    console.log(`${name}: ${size.toFixed(1)} MB CSV, ${f.rows.toLocaleString("en-US")} rows`);
    console.log(`  duckdb CTAS   ${d.seconds.toFixed(3)} s  ${(size / d.seconds).toFixed(1)} MB/s  peak RSS ${peak(duckRuns).toFixed(0)} MB`);
    console.log(`  floe import   ${f.seconds.toFixed(3)} s  ${(size / f.seconds).toFixed(1)} MB/s  peak RSS ${peak(floeRuns).toFixed(0)} MB`);
    console.log(`  throughput ratio floe/duckdb: ${(d.seconds / f.seconds).toFixed(2)}x (target >= 0.5x)`);
    console.log(
      `  frame memory: buffers ${mb(f.frameBytes!).toFixed(1)} MB, RSS growth ${f.rssAfterMB!.toFixed(1)} MB, raw typed arrays ${mb(f.rawBytes!).toFixed(1)} MB` +
        ` -> ${(f.frameBytes! / f.rawBytes!).toFixed(2)}x buffers, ${(mb(f.rawBytes!) ? f.rssAfterMB! / mb(f.rawBytes!) : 0).toFixed(2)}x RSS (target <= 1.5x)\n`,
    );
  }
}

/** Imports `path` on `node` as frame `id`; the seconds from the request to the job's end. */
async function timedImport(node: Node, path: string, id: string): Promise<number> {
  const t = performance.now();
  await job(node, await call(node, "POST", "/frames/import", { path, frame_id: id }));
  return (performance.now() - t) / 1000;
}

/**
 * One node's import of `path` against two nodes' shared parse of it. `pinned`: every node on
 * a processor of its own (taskset), the one node on the first, as on machines of one core
 * each; otherwise all share the machine's processors.
 */
async function clusterRun(path: string, pinned: boolean): Promise<void> {
  const nodes: Node[] = [];
  try {
    const single = await startNode([], pinned ? 0 : undefined);
    nodes.push(single);
    const oneCpu = cpuSeconds(single.proc.pid);
    const oneTimeline = rssTimeline([single.proc.pid]);
    const oneSeconds = await timedImport(single, path, "flights");
    const oneLines = oneTimeline.stop();
    const oneCpuUsed = cpuSeconds(single.proc.pid) - oneCpu;
    const oneFrame = await call(single, "GET", "/frames/flights");
    const oneMB = peakMB(single.proc.pid);
    single.proc.kill();
    await single.proc.exited;

    const a = await startNode(["--secret", "bench-ingest-secret", "--node-name", "a"], pinned ? 0 : undefined);
    nodes.push(a);
    const b = await startNode(["--secret", "bench-ingest-secret", "--node-name", "b", "--join", new URL(a.url).host], pinned ? 1 : undefined);
    nodes.push(b);
    const cpuBefore = [cpuSeconds(a.proc.pid), cpuSeconds(b.proc.pid)];
    const t = performance.now();
    const twoTimeline = rssTimeline([a.proc.pid, b.proc.pid]);
    const twoSeconds = await timedImport(a, path, "flights");
    const [aImportCpu, bImportCpu] = [cpuSeconds(a.proc.pid) - cpuBefore[0], cpuSeconds(b.proc.pid) - cpuBefore[1]];
    const [aImportMB, bImportMB] = [peakMB(a.proc.pid), peakMB(b.proc.pid)];
    // The copies of the chunks come after the import: the receiving node tells the peer of
    // the new holders once for each node's share (two messages).
    while (((await call(a, "GET", "/cluster")).traffic?.holders?.calls ?? 0) < 2) await Bun.sleep(20);
    const copiedSeconds = (performance.now() - t) / 1000;
    const twoLines = twoTimeline.stop();
    const [aCpu, bCpu] = [cpuSeconds(a.proc.pid) - cpuBefore[0], cpuSeconds(b.proc.pid) - cpuBefore[1]];
    const twoFrame = await call(a, "GET", "/frames/flights");
    const [aMB, bMB] = [peakMB(a.proc.pid), peakMB(b.proc.pid)];
    const stages = (await call(a, "GET", "/cluster")).traffic?.["parse-count"];
    const busiest = Math.max(aMB, bMB);
    const shape = (f: { rows: number; columns: { name: string; type: string; domain?: string[] }[] }) => JSON.stringify([f.rows, f.columns.map((c) => [c.name, c.type, c.domain ?? null])]);
    console.log(pinned ? "each node on a processor of its own (taskset; the one node on the first)" : "all nodes sharing the machine's processors");
    console.log(`  1 node import        ${oneSeconds.toFixed(2)} s   peak RSS ${oneMB.toFixed(0)} MB`);
    console.log(
      `  2 nodes, shared parse ${twoSeconds.toFixed(2)} s   peak RSS ${aMB.toFixed(0)} MB (receiving node), ${bMB.toFixed(0)} MB; at the import's end ${aImportMB.toFixed(0)} and ${bImportMB.toFixed(0)} MB`,
    );
    console.log(`  every chunk copied   ${copiedSeconds.toFixed(2)} s after the import began (a second copy of each chunk on the other node)`);
    console.log(
      `  CPU time             1 node ${oneCpuUsed.toFixed(2)} s; 2 nodes ${aImportCpu.toFixed(2)} s (receiving node) and ${bImportCpu.toFixed(2)} s to the import's end, ${aCpu.toFixed(2)} s and ${bCpu.toFixed(2)} s with the copies`,
    );
    console.log(
      `  busiest node's CPU   ${(Math.max(aImportCpu, bImportCpu) / oneCpuUsed).toFixed(2)}x the one node's to the import's end, ${(Math.max(aCpu, bCpu) / oneCpuUsed).toFixed(2)}x with the copies`,
    );
    console.log(`  time ratio           ${(twoSeconds / oneSeconds).toFixed(2)}x (target <= 0.6x); ${(copiedSeconds / oneSeconds).toFixed(2)}x until copied`);
    console.log(
      `  busiest node's RSS   ${(busiest / oneMB).toFixed(2)}x the one node's (target <= 0.6x), copies included; ${(Math.max(aImportMB, bImportMB) / oneMB).toFixed(2)}x to the import's end`,
    );
    console.log(`  shares parsed        ${stages ? stages.calls + stages.local_calls : 0} (the peer's and the receiving node's)`);
    console.log(`  same frame           ${shape(oneFrame) === shape(twoFrame) ? "yes (rows, column types, enum levels)" : "NO"}\n`);
    if (process.argv.includes("--timeline")) {
      console.log("  resident memory, highest in each 250 ms: one node's import");
      for (const line of oneLines) console.log(`    ${line}`);
      console.log("  2 nodes (receiving node, other), to every chunk copied");
      for (const line of twoLines) console.log(`    ${line}`);
      console.log("");
    }
  } finally {
    for (const n of nodes) n.proc.kill();
    await Promise.all(nodes.map((n) => n.proc.exited));
  }
}

async function clusterCase(): Promise<void> {
  const [{ path }] = await prepare();
  await Bun.file(path).arrayBuffer();
  console.log(`bench/ingest --cluster: flights-3m (${mb(statSync(path).size).toFixed(1)} MB CSV), one thread a node\n`);
  if (cpus().length >= 2) await clusterRun(path, true);
  await clusterRun(path, false);
}

if (process.argv.includes("--cluster")) await clusterCase();
else await againstDuckdb();
