// One side of bench/ingest, in its own process so that its peak RSS is its own:
//   bun bench/ingest-one.ts floe|duckdb <file.csv> <threads>
// Prints one JSON line: {seconds, rows, frameBytes?, rawBytes?, rssAfterMB?, peakRssMB}.

import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Frame } from "../src/core/frame.ts";
import { importFrame } from "../src/core/ingest.ts";
import { FloeNode } from "../src/runtime.ts";

const [side, path, threadsArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 2);

/** What the columns take as plain typed arrays: 8 bytes a number, 4 a code, text as UTF-8 + offsets. */
function rawBytes(frame: Frame): number {
  let n = 0;
  for (const chunk of frame.chunks) {
    for (const v of chunk.vecs) {
      if (v.kind === "f64") n += v.values.length * 8;
      else if (v.kind === "codes") n += v.codes.length * 4;
      else n += v.bytes.length + v.offsets.length * 4;
    }
  }
  return n;
}

const rssMB = () => process.memoryUsage().rss / 2 ** 20;
const peakMB = () => process.resourceUsage().maxRSS / 1024;

if (side === "duckdb") {
  const db = await DuckDBInstance.create(":memory:", { threads: String(threads) });
  const con = await db.connect();
  const t0 = performance.now();
  await con.run(`CREATE TABLE t AS SELECT * FROM read_csv('${path}')`);
  const seconds = (performance.now() - t0) / 1000;
  const rows = Number((await con.runAndReadAll("SELECT count(*) FROM t")).getRows()[0][0]);
  console.log(JSON.stringify({ seconds, rows, peakRssMB: peakMB() }));
} else {
  const node = new FloeNode({ threads });
  const db = await node.db();
  // A running node: DuckDB open and the worker pool started (DuckDB's side is timed the
  // same way, its instance created before the clock starts).
  await importFrame(db, node.executor, { kind: "file", path: join(import.meta.dir, "..", "fixtures", "iris.csv") });
  const before = rssMB();
  const t0 = performance.now();
  const frame = await importFrame(db, node.executor, { kind: "file", path });
  const seconds = (performance.now() - t0) / 1000;
  // DuckDB hands its staging memory back on a background thread: let it settle.
  await Bun.sleep(2000);
  Bun.gc(true);
  const rssAfterMB = rssMB() - before;
  console.log(JSON.stringify({ seconds, rows: frame.rows, frameBytes: frame.byteSize, rawBytes: rawBytes(frame), rssAfterMB, peakRssMB: peakMB() }));
  await node.close();
}
