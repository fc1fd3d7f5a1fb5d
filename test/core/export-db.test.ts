// Issue 20: exporting a frame to a database table (PostgreSQL and MySQL, real servers on
// 127.0.0.1). What is read back with the SQL client must be exactly the frame's values;
// an existing table is refused unless replace or append is asked for; a failure part way
// through leaves no table (or the old one as it was).

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SQL } from "bun";
import { FloeError } from "../../src/core/errors.ts";
import { exportFrameToDb } from "../../src/core/export-db.ts";
import { Frame } from "../../src/core/frame.ts";
import { ingest } from "../../src/core/ingest.ts";
import { floe } from "../support/cli.ts";
import { testMysql } from "../support/mysql.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";
import { testPostgres } from "../support/postgres.ts";
import { apiOf, testServer } from "../support/server.ts";

const node = testNode();
const dir = tempDir();
const [pg, my] = await Promise.all([testPostgres(), testMysql()]);

// Every column type, a missing value in each, numbers that only an exact round trip keeps.
const kindsCsv = writeTemp(
  dir,
  "kinds.csv",
  'id,x,color,note,when\n1,1.5,red,alpha one,2024-01-02 03:04:05\n2,0.1,blue,"has, comma",2024-02-03 04:05:06.25\n3,,,,\n4,0.3333333333333333,red,"quote "" inside",1969-12-31 23:59:59\n5,9000000000,,gamma,\n6,-1e-300,blue,,2024-03-04 05:06:07\n',
);
const KINDS: unknown[][] = [
  [1, 1.5, "red", "alpha one", Date.UTC(2024, 0, 2, 3, 4, 5)],
  [2, 0.1, "blue", "has, comma", Date.UTC(2024, 1, 3, 4, 5, 6, 250)],
  [3, null, null, null, null],
  [4, 1 / 3, "red", 'quote " inside', Date.UTC(1969, 11, 31, 23, 59, 59)],
  [5, 9000000000, null, "gamma", null],
  [6, -1e-300, "blue", null, Date.UTC(2024, 2, 4, 5, 6, 7)],
];
const kinds = await ingest(await node.db(), { kind: "file", path: kindsCsv }, { colTypes: { color: "enum", note: "string", when: "time" } });

/**
 * 5,000 rows of (id, label), more than two INSERT statements' worth, row 4,501's label
 * `bad` (set in the enum's levels: a NUL character cannot pass through CSV).
 */
async function withBadRow(bad: string): Promise<Frame> {
  const lines = Array.from({ length: 5000 }, (_, i) => `${i + 1},row ${i}`);
  const path = writeTemp(dir, `labelled-${Math.random()}.csv`, `id,label\n${lines.join("\n")}\n`);
  const frame = await ingest(await node.db(), { kind: "file", path }, { colTypes: { label: "enum" } });
  const columns = frame.columns.map((c) => (c.name === "label" ? { ...c, domain: c.domain?.map((l) => (l === "row 4500" ? bad : l)) } : c));
  return Frame.of(columns, frame.chunks);
}

/** A table's rows, ordered by id, times as epoch milliseconds. */
async function tableRows(sql: SQL, table: string): Promise<unknown[][]> {
  const rows = (await sql.unsafe(`SELECT * FROM ${table} ORDER BY id`).values()) as unknown[][];
  return rows.map((r) => r.map((v) => (v instanceof Date ? v.getTime() : v)));
}

async function failure(p: Promise<unknown>): Promise<FloeError> {
  const err: unknown = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FloeError);
  return err as FloeError;
}

const servers = [
  {
    name: "PostgreSQL",
    url: pg.url,
    sql: pg.sql,
    password: pg.password,
    exists: async (t: string) => (await pg.sql`SELECT to_regclass(${t}) IS NOT NULL AS e`)[0].e as boolean,
    types: async (t: string) => (await pg.sql`SELECT data_type FROM information_schema.columns WHERE table_name = ${t} ORDER BY ordinal_position`).map((r: { data_type: string }) => r.data_type),
    expectedTypes: ["double precision", "double precision", "text", "text", "timestamp without time zone"],
    // PostgreSQL's text cannot hold a NUL character.
    badText: "bad\u0000value",
    tables: async () => (await pg.sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`).map((r: { table_name: string }) => r.table_name).sort(),
  },
  {
    name: "MySQL",
    url: my.url,
    sql: my.sql,
    password: my.password,
    exists: async (t: string) => Number((await my.sql`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${t}`)[0].n) > 0,
    types: async (t: string) =>
      (await my.sql`SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${t} ORDER BY ORDINAL_POSITION`).map((r: { t: string }) => String(r.t)),
    expectedTypes: ["double", "double", "text", "text", "datetime(3)"],
    // Longer than a TEXT column holds (65,535 bytes): refused in strict mode, MariaDB's default.
    badText: "x".repeat(70_000),
    tables: async () => (await my.sql`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`).map((r: { t: string }) => r.t).sort(),
  },
];

for (const s of servers) {
  describe(`export to a ${s.name} table`, () => {
    test("a frame of every column type reads back with exactly its values, missing as NULL", async () => {
      const out = await exportFrameToDb(kinds, { url: s.url, table: "kinds" });
      expect(out.rows).toBe(6);
      expect(out.label).not.toContain(s.password);
      expect(await tableRows(s.sql, "kinds")).toEqual(KINDS);
      expect(await s.types("kinds")).toEqual(s.expectedTypes);
    });

    test("an existing table is refused by name and left as it was", async () => {
      await s.sql.unsafe("CREATE TABLE taken (id int)");
      await s.sql.unsafe("INSERT INTO taken VALUES (7)");
      const err = await failure(exportFrameToDb(kinds, { url: s.url, table: "taken" }));
      expect(err.code).toBe("conflict");
      expect(err.message).toEndWith("table taken already exists; write it with if-exists replace or append");
      expect(err.message).not.toContain(s.password);
      expect(await tableRows(s.sql, "taken")).toEqual([[7]]);
    });

    test("replace drops and recreates the table; append adds rows to it", async () => {
      await s.sql.unsafe("CREATE TABLE again (id int, other text)");
      await exportFrameToDb(kinds, { url: s.url, table: "again", ifExists: "replace" });
      expect(await tableRows(s.sql, "again")).toEqual(KINDS);
      await exportFrameToDb(kinds, { url: s.url, table: "again", ifExists: "append" });
      const rows = await tableRows(s.sql, "again");
      expect(rows.length).toBe(12);
      expect(rows.filter((_, i) => i % 2 === 0)).toEqual(KINDS);
      // Append to a table that does not exist yet creates it.
      await exportFrameToDb(kinds, { url: s.url, table: "fresh", ifExists: "append" });
      expect(await tableRows(s.sql, "fresh")).toEqual(KINDS);
    });

    test("a value the column cannot take, rows after the first statements, leaves no table", async () => {
      const before = await s.tables();
      const frame = await withBadRow(s.badText);
      const err = await failure(exportFrameToDb(frame, { url: s.url, table: "half" }));
      expect(err.message).toStartWith(`${s.name === "PostgreSQL" ? "postgres" : "mysql"}://floe@127.0.0.1:`);
      // Row 4,501 is in the third statement of 2,000 rows.
      expect(err.message).toContain("cannot write table half (rows 4001-5000): ");
      expect(await s.exists("half")).toBe(false);
      expect(await s.tables()).toEqual(before);
    });

    test("a failed replace leaves the old table as it was; a failed append adds no row", async () => {
      await s.sql.unsafe("CREATE TABLE kept (id double precision, label text)");
      await s.sql.unsafe("INSERT INTO kept VALUES (1, 'old')");
      const frame = await withBadRow(s.badText);
      await failure(exportFrameToDb(frame, { url: s.url, table: "kept", ifExists: "replace" }));
      expect(await tableRows(s.sql, "kept")).toEqual([[1, "old"]]);
      await failure(exportFrameToDb(frame, { url: s.url, table: "kept", ifExists: "append" }));
      expect(await tableRows(s.sql, "kept")).toEqual([[1, "old"]]);
    });

    test("a cancel after the first statements leaves no table", async () => {
      const frame = await withBadRow("row 4500");
      // Not aborted for the first two statements' checks, then aborted.
      let checks = 0;
      const signal = {
        get aborted() {
          return ++checks > 2;
        },
      } as AbortSignal;
      const err = await failure(exportFrameToDb(frame, { url: s.url, table: "cancelled" }, signal));
      expect(err.code).toBe("cancelled");
      expect(checks).toBe(3);
      expect(await s.exists("cancelled")).toBe(false);
    });

    test("a wrong password fails in one line without the password", async () => {
      const wrong = "not-the-password";
      const err = await failure(exportFrameToDb(kinds, { url: s.url.replace(s.password, wrong), table: "never" }));
      expect(err.message).not.toContain(wrong);
      expect(err.message).not.toContain("\n");
      expect(err.message).toContain("127.0.0.1:");
      expect(await s.exists("never")).toBe(false);
    });
  });
}

test("an unreachable server is named by host:port, without the password", async () => {
  const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = closed.port;
  closed.stop(true);
  const err = await failure(exportFrameToDb(kinds, { url: `postgres://floe:${pg.password}@127.0.0.1:${port}/postgres`, table: "t" }));
  expect(err.message).toBe(`cannot connect to the database at 127.0.0.1:${port}: connection refused`);
});

test("MySQL: the staging tables of exports that died are dropped by the next export; a live export's is left alone", async () => {
  // What a process killed mid-way leaves: its staging table, or a replace's old table.
  const dead = `floe_export_${"d".repeat(32)}`;
  const live = `floe_export_${"a".repeat(32)}`;
  for (const t of [dead, `${dead}_old`, live]) await my.sql.unsafe(`CREATE TABLE ${t} (id double)`);
  // Another connection holds the live export's lock, as its writer does while it works.
  const holder = new SQL(my.url, { max: 1 });
  await holder.unsafe("SELECT GET_LOCK(?, 0)", [live]);
  try {
    await exportFrameToDb(kinds, { url: my.url, table: "after_dead" });
    const left = await my.sql`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'floe%'`;
    expect(left.map((r: { t: string }) => r.t)).toEqual([live]);
    expect(await tableRows(my.sql, "after_dead")).toEqual(KINDS);
  } finally {
    await holder.close();
    await my.sql.unsafe(`DROP TABLE IF EXISTS ${live}`);
  }
});

test("a column name with a dot or a quote is one column", async () => {
  const path = writeTemp(dir, "names.csv", 'id,"a.b","say ""hi"""\n1,2,3\n');
  const frame = await ingest(await node.db(), { kind: "file", path });
  await exportFrameToDb(frame, { url: pg.url, table: "names" });
  const cols = (await pg.sql`SELECT column_name FROM information_schema.columns WHERE table_name = 'names' ORDER BY ordinal_position`).map((r: { column_name: string }) => r.column_name);
  expect(cols).toEqual(["id", "a.b", 'say "hi"']);
  expect(await tableRows(pg.sql, "names")).toEqual([[1, 2, 3]]);
});

describe("floe predict --out-db --out-table", () => {
  const iris = join(FIXTURES, "iris.csv");
  const model = join(dir, "iris.floe");

  /** The CSV predictions as cells: the label as text, numbers as the doubles they print. */
  const csvRows = (text: string) =>
    text
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",").map((v, k) => (k === 0 ? v : Number(v))));

  test("writes the predictions table, the CSV's values exactly; a second run is refused, --if-exists replace rewrites it", async () => {
    const t = await floe(["train", iris, "--y", "species", "--algo", "gbm", "--ntrees", "3", "--seed", "7", "--threads", "1", "--out", model]);
    expect(t.code).toBe(0);
    const csv = await floe(["predict", model, iris, "--threads", "1"]);
    expect(csv.code).toBe(0);
    const expected = csvRows(csv.stdout);
    expect(expected.length).toBe(150);

    const p = await floe(["predict", model, iris, "--threads", "1", "--out-db", pg.url, "--out-table", "preds"]);
    expect(p.stdout).toBe("");
    expect(p.stderr).toMatch(/^floe: wrote 150 rows to postgres:\/\/floe@127\.0\.0\.1:\d+\/postgres table preds\n$/);
    expect(p.code).toBe(0);
    const cols = (await pg.sql`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'preds' ORDER BY ordinal_position`).map(
      (r: { column_name: string; data_type: string }) => `${r.column_name} ${r.data_type}`,
    );
    expect(cols).toEqual(["predict text", "Iris-setosa double precision", "Iris-versicolor double precision", "Iris-virginica double precision"]);
    // Insertion order is the input's: a fresh table read whole returns it.
    expect(await pg.sql.unsafe("SELECT * FROM preds").values()).toEqual(expected);

    const again = await floe(["predict", model, iris, "--threads", "1", "--out-db", pg.url, "--out-table", "preds"]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("table preds already exists; write it with if-exists replace or append");
    expect(again.stderr + again.stdout).not.toContain(pg.password);

    const replaced = await floe(["predict", model, iris, "--threads", "1", "--out-db", pg.url, "--out-table", "preds", "--if-exists", "replace"]);
    expect(replaced.code).toBe(0);
    expect((await pg.sql`SELECT count(*)::int AS n FROM preds`)[0].n).toBe(150);
  }, 60_000);

  test("reads from one database and writes to another (PostgreSQL to MySQL)", async () => {
    await pg.sql`CREATE TABLE iris (sepal_length float8, sepal_width float8, petal_length float8, petal_width float8, species text)`;
    await Bun.file(iris).stream().pipeTo(pg.sql`COPY iris FROM STDIN (FORMAT csv, HEADER)`.writable());
    const csv = await floe(["predict", model, iris, "--threads", "1"]);
    const p = await floe(["predict", model, "--db", pg.url, "--table", "iris", "--threads", "1", "--out-db", my.url, "--out-table", "iris_preds"]);
    expect(p.stderr).toContain("wrote 150 rows to mysql://floe@127.0.0.1:");
    expect(p.code).toBe(0);
    expect(await my.sql.unsafe("SELECT * FROM iris_preds").values()).toEqual(csvRows(csv.stdout));
  }, 60_000);

  test("an unreachable --out-db fails before scoring, naming host:port, never the password", async () => {
    const r = await floe(["predict", model, iris, "--out-db", `postgres://floe:${pg.password}@127.0.0.1:1/postgres`, "--out-table", "p"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("cannot connect to the database at 127.0.0.1:1: connection refused");
    expect(r.stderr + r.stdout).not.toContain(pg.password);
  }, 60_000);

  test("flag combinations that cannot work are refused by name", async () => {
    const cases: [string[], string][] = [
      [["--out-db", pg.url], "--out-db needs --out-table NAME"],
      [["--out-table", "p"], "--out-table needs --out-db"],
      [["--out-db", pg.url, "--out-table", "p", "--out", join(dir, "p.csv")], "give either --out (a file) or --out-db (a database table), not both"],
      [["--if-exists", "replace"], "--if-exists needs --out-db and --out-table"],
      [["--out-db", pg.url, "--out-table", "p", "--if-exists", "overwrite"], "--if-exists must be replace or append (or fail, the default), got 'overwrite'"],
    ];
    for (const [flags, message] of cases) {
      const r = await floe(["predict", model, iris, ...flags]);
      expect([flags, r.code !== 0, r.stderr.includes(message)]).toEqual([flags, true, true]);
      expect(r.stderr).not.toContain(pg.password);
    }
    expect(await servers[0].exists("p")).toBe(false);
  }, 60_000);
});

describe("POST /frames/{id}/export {db, table}", () => {
  test("writes the frame to the table as a job; an existing table is 409 unless if_exists; never echoes the password", async () => {
    const api = apiOf(await testServer({ threads: 1 }));
    const imported = await api.post("/frames/import", { path: kindsCsv, frame_id: "kinds", col_types: { color: "enum", note: "string", when: "time" } });
    expect((await api.waitJob(imported.body.job.job_id)).status).toBe("done");

    const r = await api.post("/frames/kinds/export", { db: pg.url, table: "rest_kinds" });
    expect(r.status).toBe(202);
    expect(r.body.job.description).toMatch(/^export kinds to postgres:\/\/floe@127\.0\.0\.1:\d+\/postgres table rest_kinds$/);
    expect((await api.waitJob(r.body.job.job_id)).status).toBe("done");
    expect(await tableRows(pg.sql, "rest_kinds")).toEqual(KINDS);

    const taken = await api.post("/frames/kinds/export", { db: pg.url, table: "rest_kinds" });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toEndWith("table rest_kinds already exists; write it with if-exists replace or append");
    expect(JSON.stringify(taken.body)).not.toContain(pg.password);

    const appended = await api.post("/frames/kinds/export", { db: my.url, table: "rest_kinds", if_exists: "append" });
    expect((await api.waitJob(appended.body.job.job_id)).status).toBe("done");
    expect(await tableRows(my.sql, "rest_kinds")).toEqual(KINDS);

    const unreachable = await api.post("/frames/kinds/export", { db: `postgres://floe:${pg.password}@127.0.0.1:1/postgres`, table: "t" });
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.error.message).toBe("cannot connect to the database at 127.0.0.1:1: connection refused");
    expect((await api.post("/frames/kinds/export", { db: pg.url, table: "t", if_exists: "overwrite" })).status).toBe(400);
    expect((await api.post("/frames/kinds/export", { db: pg.url })).status).toBe(400);
    expect((await api.post("/frames/nope/export", { db: pg.url, table: "t" })).status).toBe(404);
  }, 60_000);

  test("a --data-root server refuses database exports", async () => {
    const api = apiOf(await testServer({ threads: 1, dataRoot: dir }));
    const imported = await api.post("/frames/import", { path: "kinds.csv", frame_id: "kinds" });
    expect((await api.waitJob(imported.body.job.job_id)).status).toBe("done");
    const refused = await api.post("/frames/kinds/export", { db: pg.url, table: "confined" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe("database exports are disabled when the server has a --data-root");
    expect(await servers[0].exists("confined")).toBe(false);
  }, 60_000);
});
