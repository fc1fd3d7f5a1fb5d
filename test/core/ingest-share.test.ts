// The node's side of a shared parse (core/ingest-share.ts) and what it keeps in the node's
// DuckDB: a share waits between its count and its extract compressed, and is staged in
// batches cut at line ends that lose or repeat no row. (What that saves in resident memory
// is measured by `bun bench/ingest.ts --cluster`, not here: RSS is not a test's to assert.)

import { expect, test } from "bun:test";
import type { CodeVec, F64Vec } from "../../src/core/chunk.ts";
import { decideShared, NodeShare, planImport } from "../../src/core/ingest-share.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode(1);
const dir = tempDir();

const ROWS = 200_000;
const AIRPORTS = ["ATL", "BOS", "DEN", "LAS", "ORD", "PHL", "SAV", "SFO"];

const delayOf = (i: number) => (i * 37) % 200;
const originOf = (i: number) => AIRPORTS[i % 8];

/** Flights-like rows: a timestamp, two small integers, two three-letter codes. */
function flights(): string {
  const lines = ["date,delay,distance,origin,destination"];
  for (let i = 0; i < ROWS; i++) {
    const minute = String(i % 60).padStart(2, "0");
    const hour = String(Math.floor(i / 60) % 24).padStart(2, "0");
    lines.push(`2001-01-01 ${hour}:${minute}:00,${delayOf(i)},${100 + ((i * 53) % 2500)},${originOf(i)},${AIRPORTS[(i * 3 + 1) % 8]}`);
  }
  return `${lines.join("\n")}\n`;
}

const path = writeTemp(dir, "flights.csv", flights());

test("a counted share waits for its extract compressed, not at DuckDB's full width", async () => {
  const db = await node.db();
  const plan = await planImport(db, { kind: "file", path }, {}, 2);
  expect(plan?.shares.length).toBe(2);
  const { shares, ...rest } = plan!;
  const share = await NodeShare.count(db, rest, shares[0]);
  try {
    const session = await db.connect();
    const [[tableBytes]] = await session.rows("SELECT sum(memory_usage_bytes) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'");
    session.close();
    // DuckDB's uncompressed widths: TIMESTAMP, BIGINT and BIGINT 8 bytes, VARCHAR 16 each.
    const fullWidth = share.counts.rows * (8 + 8 + 8 + 16 + 16);
    expect(share.counts.rows).toBeGreaterThan(ROWS / 3);
    expect(Number(tableBytes)).toBeLessThan(fullWidth / 4);
  } finally {
    await share.drop();
  }
  const session = await db.connect();
  const [[left]] = await session.rows("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'");
  session.close();
  expect(Number(left)).toBe(0);
});

test("a share staged in many small batches holds every row of its range once, in order", async () => {
  const db = await node.db();
  const plan = await planImport(db, { kind: "file", path }, {}, 2);
  const { shares, ...rest } = plan!;
  // About 3.5 MB a share in batches of 64 KiB: some 50 temporary files and checkpoints each.
  const counted = [await NodeShare.count(db, rest, shares[0], 64 * 1024), await NodeShare.count(db, rest, shares[1], 64 * 1024)];
  expect(counted[0].counts.rows + counted[1].counts.rows).toBe(ROWS);
  const specs = await decideShared(
    rest,
    counted.map((c) => c.counts),
  );
  expect(specs.map((c) => c.type)).toEqual(["time", "numeric", "numeric", "enum", "enum"]);
  const origins = specs[3].domain ?? [];
  let row = 0;
  let firstWrong = -1;
  for (const share of counted) {
    for (const chunk of await share.extract(specs, 10_000)) {
      const delay = (chunk.vecs[1] as F64Vec).values;
      const origin = (chunk.vecs[3] as CodeVec).codes;
      for (let j = 0; j < chunk.rows; j++, row++) {
        if (firstWrong < 0 && (delay[j] !== delayOf(row) || origins[origin[j]] !== originOf(row))) firstWrong = row;
      }
    }
  }
  expect(row).toBe(ROWS);
  expect(firstWrong).toBe(-1);
});
