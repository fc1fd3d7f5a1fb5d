// Issue 20: MySQL (MariaDB) as a source. A real server on 127.0.0.1 (test/support/mysql.ts)
// holds iris with a primary key and a table of every mapped type; what floe reads from it
// must equal what it reads from the same data as CSV, and a GBM trained on either must
// predict the same. MySQL has no cursors: pages must neither skip nor repeat rows.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FloeError } from "../../src/core/errors.ts";
import { ingest } from "../../src/core/ingest.ts";
import { floe } from "../support/cli.ts";
import { expectSameFrame, frameValues } from "../support/frame-values.ts";
import { testMysql } from "../support/mysql.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const my = await testMysql();
const [header, ...lines] = readFileSync(join(FIXTURES, "iris.csv"), "utf8").trimEnd().split("\n");
// iris with a row id as its primary key: the order a table is read in.
const irisCsv = writeTemp(dir, "iris-id.csv", `id,${header}\n${lines.map((l, i) => `${i + 1},${l}`).join("\n")}\n`);
await my.sql.unsafe("CREATE TABLE iris (id int PRIMARY KEY, sepal_length double, sepal_width double, petal_length double, petal_width double, species varchar(32))");
await my.sql`INSERT INTO iris ${my.sql(
  lines.map((l, i) => {
    const f = l.split(",");
    return { id: i + 1, sepal_length: Number(f[0]), sepal_width: Number(f[1]), petal_length: Number(f[2]), petal_width: Number(f[3]), species: f[4] };
  }),
)}`;
await my.sql.unsafe("CREATE TABLE kinds (i int, b bigint, n decimal(10,2), r double, t text, ts datetime, d date)");
await my.sql.unsafe(`INSERT INTO kinds VALUES
  (1, 9000000000, 1.25, 0.5, 'red', '2024-01-02 03:04:05', '2024-01-02'),
  (2, -7, 2.50, 1.5, 'blue', '2024-02-03 04:05:06', '2024-02-03'),
  (4, 12, 3.75, 2.5, 'red', '2024-03-04 05:06:07', '2024-03-04'),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
// Without a primary key a table is read ordered by all its columns, NULLs first.
const kindsCsv = writeTemp(
  dir,
  "kinds.csv",
  "i,b,n,r,t,ts,d\n,,,,,,\n1,9000000000,1.25,0.5,red,2024-01-02 03:04:05,2024-01-02\n2,-7,2.50,1.5,blue,2024-02-03 04:05:06,2024-02-03\n4,12,3.75,2.5,red,2024-03-04 05:06:07,2024-03-04\n",
);
await my.sql.unsafe("CREATE TABLE big (id int PRIMARY KEY, k int)");
for (let a = 1; a <= 25003; a += 5000) {
  const rows = Array.from({ length: Math.min(5000, 25004 - a) }, (_, i) => ({ id: a + i, k: (a + i) % 7 }));
  await my.sql`INSERT INTO big ${my.sql(rows)}`;
}

// A two-column key whose pages end inside a run of equal first columns.
await my.sql.unsafe("CREATE TABLE pairs (a int, b int, v double, PRIMARY KEY (a, b))");
for (let a = 0; a < 3; a++) {
  for (let b0 = 0; b0 < 8000; b0 += 4000) await my.sql`INSERT INTO pairs ${my.sql(Array.from({ length: 4000 }, (_, i) => ({ a, b: b0 + i, v: a * 8000 + b0 + i })))}`;
}

async function failure(source: Parameters<typeof ingest>[1]): Promise<FloeError> {
  const err = await ingest(await node.db(), source).catch((e) => e);
  expect(err).toBeInstanceOf(FloeError);
  return err;
}

describe("MySQL source", () => {
  test("a table reads, in primary key order, as the same frame as its CSV", async () => {
    const db = await node.db();
    const fromDb = await ingest(db, { kind: "db", url: my.url, table: "iris" });
    expect(fromDb.rows).toBe(150);
    expectSameFrame(fromDb, await ingest(db, { kind: "file", path: irisCsv }));
  });

  test("types map as CSV sniffing decides; NULL is missing", async () => {
    const db = await node.db();
    const fromDb = await ingest(db, { kind: "db", url: my.url, table: "kinds" });
    expect(fromDb.columns.map((c) => c.type)).toEqual(["numeric", "numeric", "numeric", "numeric", "enum", "time", "time"]);
    expectSameFrame(fromDb, await ingest(db, { kind: "file", path: kindsCsv }));
  });

  test("a query is read in pages that neither skip nor repeat a row", async () => {
    const frame = await ingest(await node.db(), { kind: "db", url: my.url, query: "SELECT `k`, id FROM big WHERE id > 3" });
    expect(frame.rows).toBe(25000);
    const [ks, ids] = frameValues(frame) as number[][];
    expect(new Set(ids).size).toBe(25000);
    expect(ids.reduce((s, v) => s + v, 0)).toBe((25003 * 25004) / 2 - 6);
    // Ordered by every column: k, then id.
    expect([ks[0], ids[0]]).toEqual([0, 7]);
    expect([ks[24999], ids[24999]]).toEqual([6, 25003]); // 25003 % 7 is 6
  });

  test("a table with a primary key is read in one pass: each page starts after the last key read, not at an offset", async () => {
    // Rows the server's handlers step through: OFFSET pages read every row before a page
    // again (10,000 + 20,000 + 25,003 for this table), key pages each row once.
    const stepped = async () => {
      const rows = await my.sql.unsafe("SHOW GLOBAL STATUS WHERE Variable_name IN ('Handler_read_next', 'Handler_read_rnd_next')");
      return rows.reduce((n: number, r: { Value: string }) => n + Number(r.Value), 0);
    };
    const before = await stepped();
    const frame = await ingest(await node.db(), { kind: "db", url: my.url, table: "big" });
    const read = (await stepped()) - before;
    expect(frame.rows).toBe(25003);
    const [ids, ks] = frameValues(frame) as number[][];
    expect(ids).toEqual(Array.from({ length: 25003 }, (_, i) => i + 1));
    expect(ks.every((k, i) => k === (i + 1) % 7)).toBe(true);
    expect(read).toBeGreaterThanOrEqual(25003);
    expect(read).toBeLessThan(30000);
  });

  test("a two-column primary key pages in key order, every row once", async () => {
    const frame = await ingest(await node.db(), { kind: "db", url: my.url, table: "pairs" });
    const [a, b, v] = frameValues(frame) as number[][];
    expect(frame.rows).toBe(24000);
    expect(v).toEqual(Array.from({ length: 24000 }, (_, i) => i));
    expect([a[9999], b[9999], a[10000], b[10000]]).toEqual([1, 1999, 1, 2000]);
  });

  test("bad input fails in one line, never with the password", async () => {
    const refused = await failure({ kind: "db", url: `mysql://floe:${my.password}@127.0.0.1:1/floe`, table: "iris" });
    expect(refused.message).toBe("cannot connect to the database at 127.0.0.1:1: connection refused");
    const wrong = await failure({ kind: "db", url: my.url.replace(my.password, "not-it"), table: "iris" });
    expect(wrong.message).toContain("Access denied for user 'floe'");
    const table = await failure({ kind: "db", url: my.url, table: "no_such_table" });
    expect(table.code).toBe("not_found");
    expect(table.message).toBe(`mysql://floe@127.0.0.1:${my.port}/floe: cannot read table no_such_table: Table 'floe.no_such_table' doesn't exist`);
    const drop = await failure({ kind: "db", url: my.url, query: "DROP TABLE iris" });
    expect(drop.message).toBe("SQL: only a read-only SELECT may be run; refused a DROP statement");
    for (const err of [refused, wrong, table, drop]) expect(err.message).not.toContain(my.password);
    const [{ n }] = await my.sql`SELECT count(*) AS n FROM iris`;
    expect(Number(n)).toBe(150);
  });
});

describe("floe CLI --db mysql://", () => {
  test("a GBM trained from MySQL predicts as one trained from the CSV", async () => {
    const [a, b] = [join(dir, "my.floe"), join(dir, "csv.floe")];
    const common = ["--y", "species", "--x", "sepal_length,sepal_width,petal_length,petal_width", "--algo", "gbm", "--ntrees", "5", "--seed", "7", "--threads", "1"];
    const t1 = await floe(["train", "--db", my.url, "--table", "iris", ...common, "--out", a]);
    expect(t1.stderr).toBe("");
    expect((await floe(["train", irisCsv, ...common, "--out", b])).code).toBe(0);
    const p1 = await floe(["predict", a, irisCsv, "--threads", "1"]);
    const p2 = await floe(["predict", b, irisCsv, "--threads", "1"]);
    expect(p1.code).toBe(0);
    expect(p1.stdout.split("\n").length).toBe(152);
    expect(p1.stdout).toBe(p2.stdout);
  }, 60_000);
});
