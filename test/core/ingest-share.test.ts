// The node's side of a shared parse (core/ingest-share.ts): a CSV share whose text columns
// look like enums and whose other columns are numbers or times is read once, its text into
// codes of its own levels that the extract maps to the levels merged over every share (or
// back to text, for a column that turns out a string); any other share is read twice.
// Either way every row of a range comes once, in order, and nothing of the share stays in
// DuckDB or in temporary files. (What a node's import costs in resident memory
// is measured by `bun bench/ingest.ts --cluster`, not here: RSS is not a test's to assert.)

import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { type CodeVec, type F64Vec, stringAt, type Utf8Vec } from "../../src/core/chunk.ts";
import { decideShared, NodeShare, planImport } from "../../src/core/ingest-share.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode(1);
const dir = tempDir();

const ROWS = 200_000;
const AIRPORTS = ["ATL", "BOS", "DEN", "LAS", "ORD", "PHL", "SAV", "SFO"];
/** Longer than the 12 bytes DuckDB keeps inline. */
const FAR = "Los Angeles International";

const delayOf = (i: number) => (i * 37) % 200;
/** Levels of the last quarter only ("ZZZ", and the long one), and a missing value now and then. */
const originOf = (i: number) => (i % 101 === 0 ? null : i >= 0.75 * ROWS && i % 7 === 0 ? (i % 2 ? "ZZZ" : FAR) : AIRPORTS[i % 8]);
/** Five values in the sniffer's and probe's first rows, then a new one on most rows: text, not an enum. */
const noteOf = (i: number) => (i < 12_000 ? `n${i % 5}` : `note ${i}`);

/** Flights-like rows: a timestamp, two small integers, a three-letter code, a note. */
function flights(): string {
  const lines = ["date,delay,distance,origin,note"];
  for (let i = 0; i < ROWS; i++) {
    const minute = String(i % 60).padStart(2, "0");
    const hour = String(Math.floor(i / 60) % 24).padStart(2, "0");
    lines.push(`2001-01-01 ${hour}:${minute}:00,${delayOf(i)},${100 + ((i * 53) % 2500)},${originOf(i) ?? ""},${noteOf(i)}`);
  }
  return `${lines.join("\n")}\n`;
}

const slices = () => readdirSync(tmpdir()).filter((f) => f.startsWith("floe-slice-")).length;

async function tableBytes(): Promise<number> {
  const session = await (await node.db()).connect();
  const [[bytes]] = await session.rows("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'");
  session.close();
  return Number(bytes);
}

test("a share read once: text in its own levels, mapped to the merged ones; every row once, in order", async () => {
  const path = writeTemp(dir, "flights.csv", flights());
  const db = await node.db();
  const plan = await planImport(db, { kind: "file", path }, {}, 2);
  expect(plan?.shares.length).toBe(2);
  const { shares, ...rest } = plan!;
  const before = slices();
  const counted = [await NodeShare.count(db, rest, shares[0], { chunkRows: 10_000 }), await NodeShare.count(db, rest, shares[1], { chunkRows: 10_000 })];
  // Read at the count: no table in DuckDB, and the ranges' copies are gone already.
  expect([await tableBytes(), slices()]).toEqual([0, before]);
  expect(counted[0].counts.rows + counted[1].counts.rows).toBe(ROWS);
  // The first share never sees the late levels; the present values are counted.
  expect(counted[0].counts.text[3]?.levels).not.toContain("ZZZ");
  expect(counted[1].counts.text[3]?.levels).toContain(FAR);
  const present = Array.from({ length: ROWS }, (_, i) => originOf(i)).filter((o) => o !== null).length;
  expect((counted[0].counts.text[3]?.present ?? 0) + (counted[1].counts.text[3]?.present ?? 0)).toBe(present);
  const specs = await decideShared(
    rest,
    counted.map((c) => c.counts),
  );
  expect(specs.map((c) => c.type)).toEqual(["time", "numeric", "numeric", "enum", "string"]);
  // Byte order, as DuckDB sorts text.
  expect(specs[3].domain).toEqual(["ATL", "BOS", "DEN", "LAS", FAR, "ORD", "PHL", "SAV", "SFO", "ZZZ"]);
  const origins = specs[3].domain ?? [];
  let row = 0;
  let firstWrong = -1;
  for (const share of counted) {
    for (const chunk of await share.extract(specs)) {
      const delay = (chunk.vecs[1] as F64Vec).values;
      const origin = (chunk.vecs[3] as CodeVec).codes;
      const note = chunk.vecs[4] as Utf8Vec;
      for (let j = 0; j < chunk.rows; j++, row++) {
        const o = originOf(row);
        const ok = delay[j] === delayOf(row) && (o === null ? origin[j] === -1 : origins[origin[j]] === o) && stringAt(note, j) === noteOf(row);
        if (firstWrong < 0 && !ok) firstWrong = row;
      }
    }
  }
  expect([row, firstWrong]).toEqual([ROWS, -1]);
});

test("a share with a column that looks numeric is read twice: counted, then cast; its temporary file goes with the extract", async () => {
  // 'code': numbers but one row in 50 (DuckDB's sniffer reads it as text, the probe finds numbers).
  const codeOf = (i: number) => (i % 50 === 3 ? "n/a?" : String(i % 97));
  const lines = ["id,code,city"];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},${codeOf(i)},${["Basel", "Bern", "Zug"][i % 3]}`);
  const path = writeTemp(dir, "codes.csv", `${lines.join("\n")}\n`);
  const db = await node.db();
  const { shares, ...rest } = (await planImport(db, { kind: "file", path }, {}, 2))!;
  expect(rest.looks[1]).toBe("number or time");
  const before = slices();
  const counted = [await NodeShare.count(db, rest, shares[0], { chunkRows: 7_000 }), await NodeShare.count(db, rest, shares[1], { chunkRows: 7_000 })];
  // Each share's range waits in a temporary file for its second read.
  expect(slices()).toBe(before + 2);
  const warnings: string[] = [];
  const specs = await decideShared(
    rest,
    counted.map((c) => c.counts),
    (m) => warnings.push(m),
  );
  expect(specs.map((c) => c.type)).toEqual(["numeric", "numeric", "enum"]);
  expect(warnings).toEqual([`column 'code': ${ROWS / 50} value(s) that are not numbers (such as "n/a?") read as missing`]);
  let row = 0;
  let firstWrong = -1;
  for (const share of counted) {
    for (const chunk of await share.extract(specs)) {
      const [id, code] = [(chunk.vecs[0] as F64Vec).values, (chunk.vecs[1] as F64Vec).values];
      for (let j = 0; j < chunk.rows; j++, row++) {
        const want = codeOf(row) === "n/a?" ? Number.NaN : row % 97;
        if (firstWrong < 0 && !(id[j] === row && Object.is(code[j], want))) firstWrong = row;
      }
    }
  }
  expect([row, firstWrong, slices()]).toEqual([ROWS, -1, before]);
});

test("a share with text like ids is read twice, its text read a chunk at a time by the extract", async () => {
  const lines = ["id,key"];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},key-${(i * 7919) % ROWS}`);
  const path = writeTemp(dir, "keys.csv", `${lines.join("\n")}\n`);
  const db = await node.db();
  const { shares, ...rest } = (await planImport(db, { kind: "file", path }, {}, 2))!;
  expect(rest.looks).toEqual([null, "string"]);
  const before = slices();
  const counted = [await NodeShare.count(db, rest, shares[0], { chunkRows: 50_000 }), await NodeShare.count(db, rest, shares[1], { chunkRows: 50_000 })];
  // Not read yet: each share's range waits in its temporary file.
  expect(slices()).toBe(before + 2);
  const specs = await decideShared(
    rest,
    counted.map((c) => c.counts),
  );
  expect(specs.map((c) => c.type)).toEqual(["numeric", "string"]);
  let row = 0;
  let firstWrong = -1;
  for (const share of counted) {
    for (const chunk of await share.extract(specs)) {
      const key = chunk.vecs[1] as Utf8Vec;
      for (let j = 0; j < chunk.rows; j++, row++) if (firstWrong < 0 && stringAt(key, j) !== `key-${(row * 7919) % ROWS}`) firstWrong = row;
    }
  }
  expect([row, firstWrong, slices()]).toEqual([ROWS, -1, before]);
});

test("a share read once is refused as soon as what it read does not fit", async () => {
  const path = writeTemp(dir, "refused.csv", flights());
  const db = await node.db();
  const { shares, ...rest } = (await planImport(db, { kind: "file", path }, {}, 2))!;
  const before = slices();
  const seen: number[] = [];
  const reserve = (bytes: number, rows: number) => {
    seen.push(rows);
    // Five columns: three of 8 bytes a row, two of 4.
    expect(bytes).toBe(rows * 32);
    if (rows > 25_000) throw new Error(`refused at ${rows} rows`);
  };
  await expect(NodeShare.count(db, rest, shares[1], { chunkRows: 10_000, reserve })).rejects.toThrow("refused at 30000 rows");
  expect(seen).toEqual([10_000, 20_000, 30_000]);
  expect(slices()).toBe(before);
});
