// bench/ingest: floe's import (DuckDB parse → typed chunks → rollups) against DuckDB's own
// CREATE TABLE AS SELECT * FROM read_csv(...), in the same run, on
//   - flights-3m (npm vega-datasets data/flights-3m.parquet, written out as CSV)
//   - a generated CSV of 1M rows x 20 numeric columns
// Each side runs in its own process (3 runs, the median reported) so peak RSS is its own.
// With --cluster: flights-3m imported by two `floe serve` nodes, each parsing its share,
// against one node's import of it (one thread a node; --runs rounds, each on fresh nodes,
// the medians reported: the machine's noise moved one round's ratio by 0.2): the time ratio
// (target <= 0.6x), the CPU time of the busiest node against the one node's, and the peak
// RSS of the busiest node against the one node's (target <= 0.6x). First with each node
// pinned to a processor of its own (taskset), the one node to the first: two nodes then
// have twice the hardware of one, as two machines would; then with every node free to use
// both processors, where the cluster has no more hardware than the one node.
// --timeline with --cluster prints each node's resident memory every 250 ms of the last round.
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

/** What one round of the cluster case measured: one node's import, then two nodes' shared parse. */
interface ClusterRound {
  oneSeconds: number;
  oneMB: number;
  oneCpu: number;
  twoSeconds: number;
  copiedSeconds: number;
  /** Peak RSS of the receiving node and the other: at the import's end, and with the copies. */
  importMB: [number, number];
  peakMB: [number, number];
  importCpu: [number, number];
  cpu: [number, number];
  shares: number;
  sameFrame: boolean;
  timeline: { one: string[]; two: string[] };
}

/**
 * One node's import of `path` against two nodes' shared parse of it, each on fresh
 * processes. `pinned`: every node on a processor of its own (taskset), the one node on the
 * first, as on machines of one core each; otherwise all share the machine's processors.
 */
async function clusterRound(path: string, pinned: boolean): Promise<ClusterRound> {
  const nodes: Node[] = [];
  try {
    const single = await startNode([], pinned ? 0 : undefined);
    nodes.push(single);
    const oneCpuBefore = cpuSeconds(single.proc.pid);
    const oneTimeline = rssTimeline([single.proc.pid]);
    const oneSeconds = await timedImport(single, path, "flights");
    const oneLines = oneTimeline.stop();
    const oneCpu = cpuSeconds(single.proc.pid) - oneCpuBefore;
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
    const importCpu: [number, number] = [cpuSeconds(a.proc.pid) - cpuBefore[0], cpuSeconds(b.proc.pid) - cpuBefore[1]];
    const importMB: [number, number] = [peakMB(a.proc.pid), peakMB(b.proc.pid)];
    // The copies of the chunks come after the import: the receiving node tells the peer of
    // the new holders once for each node's share (two messages).
    while (((await call(a, "GET", "/cluster")).traffic?.holders?.calls ?? 0) < 2) await Bun.sleep(20);
    const copiedSeconds = (performance.now() - t) / 1000;
    const twoLines = twoTimeline.stop();
    const cpu: [number, number] = [cpuSeconds(a.proc.pid) - cpuBefore[0], cpuSeconds(b.proc.pid) - cpuBefore[1]];
    const twoFrame = await call(a, "GET", "/frames/flights");
    const stages = (await call(a, "GET", "/cluster")).traffic?.["parse-count"];
    const shape = (f: { rows: number; columns: { name: string; type: string; domain?: string[] }[] }) => JSON.stringify([f.rows, f.columns.map((c) => [c.name, c.type, c.domain ?? null])]);
    return {
      oneSeconds,
      oneMB,
      oneCpu,
      twoSeconds,
      copiedSeconds,
      importMB,
      peakMB: [peakMB(a.proc.pid), peakMB(b.proc.pid)],
      importCpu,
      cpu,
      shares: stages ? stages.calls + stages.local_calls : 0,
      sameFrame: shape(oneFrame) === shape(twoFrame),
      timeline: { one: oneLines, two: twoLines },
    };
  } finally {
    for (const n of nodes) n.proc.kill();
    await Promise.all(nodes.map((n) => n.proc.exited));
  }
}

/** The median of `xs`. */
const mid = (xs: readonly number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

/** `rounds` rounds of the cluster case; each figure is the median over the rounds. */
async function clusterRun(path: string, pinned: boolean, rounds: number): Promise<void> {
  const done: ClusterRound[] = [];
  for (let r = 0; r < rounds; r++) done.push(await clusterRound(path, pinned));
  const m = (f: (r: ClusterRound) => number) => mid(done.map(f));
  const ratios = done.map((r) => r.twoSeconds / r.oneSeconds);
  const rssRatios = done.map((r) => Math.max(...r.peakMB) / r.oneMB);
  console.log(pinned ? "each node on a processor of its own (taskset; the one node on the first)" : "all nodes sharing the machine's processors");
  console.log(`  1 node import        ${m((r) => r.oneSeconds).toFixed(2)} s   peak RSS ${m((r) => r.oneMB).toFixed(0)} MB`);
  console.log(
    `  2 nodes, shared parse ${m((r) => r.twoSeconds).toFixed(2)} s   peak RSS ${m((r) => r.peakMB[0]).toFixed(0)} MB (receiving node), ${m((r) => r.peakMB[1]).toFixed(0)} MB; at the import's end ${m((r) => r.importMB[0]).toFixed(0)} and ${m((r) => r.importMB[1]).toFixed(0)} MB`,
  );
  console.log(`  every chunk copied   ${m((r) => r.copiedSeconds).toFixed(2)} s after the import began (a second copy of each chunk on the other node)`);
  console.log(
    `  CPU time             1 node ${m((r) => r.oneCpu).toFixed(2)} s; 2 nodes ${m((r) => r.importCpu[0]).toFixed(2)} s (receiving node) and ${m((r) => r.importCpu[1]).toFixed(2)} s to the import's end, ${m((r) => r.cpu[0]).toFixed(2)} s and ${m((r) => r.cpu[1]).toFixed(2)} s with the copies`,
  );
  console.log(
    `  busiest node's CPU   ${m((r) => Math.max(...r.importCpu) / r.oneCpu).toFixed(2)}x the one node's to the import's end, ${m((r) => Math.max(...r.cpu) / r.oneCpu).toFixed(2)}x with the copies`,
  );
  console.log(
    `  time ratio           ${mid(ratios).toFixed(2)}x (target <= 0.6x; rounds: ${ratios.map((x) => x.toFixed(2)).join(", ")}); ${m((r) => r.copiedSeconds / r.oneSeconds).toFixed(2)}x until copied`,
  );
  console.log(
    `  busiest node's RSS   ${mid(rssRatios).toFixed(2)}x the one node's (target <= 0.6x; rounds: ${rssRatios.map((x) => x.toFixed(2)).join(", ")}), copies included; ${m((r) => Math.max(...r.importMB) / r.oneMB).toFixed(2)}x to the import's end`,
  );
  console.log(`  shares parsed        ${done.map((r) => r.shares).join(", ")} (the peer's and the receiving node's, each round)`);
  console.log(`  same frame           ${done.every((r) => r.sameFrame) ? "yes (rows, column types, enum levels), every round" : "NO"}\n`);
  if (process.argv.includes("--timeline")) {
    const last = done[done.length - 1].timeline;
    console.log("  resident memory, highest in each 250 ms (the last round): one node's import");
    for (const line of last.one) console.log(`    ${line}`);
    console.log("  2 nodes (receiving node, other), to every chunk copied");
    for (const line of last.two) console.log(`    ${line}`);
    console.log("");
  }
}

async function clusterCase(): Promise<void> {
  const [{ path }] = await prepare();
  await Bun.file(path).arrayBuffer();
  console.log(`bench/ingest --cluster: flights-3m (${mb(statSync(path).size).toFixed(1)} MB CSV), one thread a node, median of ${runs} rounds (fresh nodes each)\n`);
  if (cpus().length >= 2) await clusterRun(path, true, runs);
  await clusterRun(path, false, runs);
}

if (process.argv.includes("--cluster")) await clusterCase();
else await againstDuckdb();
