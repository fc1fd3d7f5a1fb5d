// Issue 20: PostgreSQL as a source. A real server on 127.0.0.1 (test/support/postgres.ts)
// holds iris and a table of every mapped type; what floe reads from it must equal what it
// reads from the same data as CSV, and a GBM trained on either must predict the same.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { FloeError } from "../../src/core/errors.ts";
import { ingest } from "../../src/core/ingest.ts";
import { floe } from "../support/cli.ts";
import { expectSameFrame, frameValues } from "../support/frame-values.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";
import { testPostgres } from "../support/postgres.ts";
import { apiOf, testServer } from "../support/server.ts";

const node = testNode();
const dir = tempDir();
const pg = await testPostgres();
const iris = join(FIXTURES, "iris.csv");

await pg.sql`CREATE TABLE iris (sepal_length float8, sepal_width float8, petal_length float8, petal_width float8, species text)`;
await Bun.file(iris).stream().pipeTo(pg.sql`COPY iris FROM STDIN (FORMAT csv, HEADER)`.writable());
// Every mapped type, with a NULL in each column; the same rows as CSV below.
await pg.sql`CREATE TABLE kinds (i int, b bigint, n numeric(10,2), r real, t text, s text, ts timestamp, d date)`;
await pg.sql`INSERT INTO kinds VALUES
  (1, 9000000000, 1.25, 0.5, 'red', 'alpha one', '2024-01-02 03:04:05', '2024-01-02'),
  (2, -7, 2.50, 1.5, 'blue', 'beta two', '2024-02-03 04:05:06', '2024-02-03'),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 12, 3.75, 2.5, 'red', 'gamma three', '2024-03-04 05:06:07', '2024-03-04')`;
const kindsCsv = writeTemp(
  dir,
  "kinds.csv",
  "i,b,n,r,t,s,ts,d\n1,9000000000,1.25,0.5,red,alpha one,2024-01-02 03:04:05,2024-01-02\n2,-7,2.50,1.5,blue,beta two,2024-02-03 04:05:06,2024-02-03\n,,,,,,,\n4,12,3.75,2.5,red,gamma three,2024-03-04 05:06:07,2024-03-04\n",
);
// More rows than one cursor batch (10,000), so the read takes several.
await pg.sql`CREATE TABLE big AS SELECT g AS id, g % 7 AS k FROM generate_series(1, 25003) AS g`;

async function failure(source: Parameters<typeof ingest>[1]): Promise<FloeError> {
  const err = await ingest(await node.db(), source).catch((e) => e);
  expect(err).toBeInstanceOf(FloeError);
  return err;
}

describe("PostgreSQL source", () => {
  test("a table reads as the same frame as its CSV", async () => {
    const db = await node.db();
    const fromDb = await ingest(db, { kind: "db", url: pg.url, table: "iris" });
    const fromCsv = await ingest(db, { kind: "file", path: iris });
    expect(fromDb.rows).toBe(150);
    expect(fromDb.columns.map((c) => c.type)).toEqual(["numeric", "numeric", "numeric", "numeric", "enum"]);
    expectSameFrame(fromDb, fromCsv);
  });

  test("types map as CSV sniffing decides: numbers, text as enum, timestamps and dates as time; NULL is missing", async () => {
    const db = await node.db();
    const fromDb = await ingest(db, { kind: "db", url: pg.url, table: "kinds" });
    const fromCsv = await ingest(db, { kind: "file", path: kindsCsv });
    expect(fromDb.columns.map((c) => c.type)).toEqual(["numeric", "numeric", "numeric", "numeric", "enum", "enum", "time", "time"]);
    expectSameFrame(fromDb, fromCsv);
    expect(frameValues(fromDb)[6][0]).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
  });

  test("a SELECT is read, in several cursor batches", async () => {
    const frame = await ingest(await node.db(), { kind: "db", url: pg.url, query: "SELECT id, k FROM big WHERE id > 3 ORDER BY id" });
    expect(frame.rows).toBe(25000);
    const [ids] = frameValues(frame);
    expect(ids[0]).toBe(4);
    expect(ids[24999]).toBe(25003);
    expect((ids as number[]).reduce((s, v) => s + v, 0)).toBe((25003 * 25004) / 2 - 6);
  });

  test("an unreachable server is named by host:port, without the password", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const err = await failure({ kind: "db", url: `postgres://floe:${pg.password}@127.0.0.1:${port}/postgres`, table: "iris" });
    expect(err.message).toBe(`cannot connect to the database at 127.0.0.1:${port}: connection refused`);
  });

  test("a wrong password, an unknown database or table fail in one line without the password", async () => {
    const wrong = await failure({ kind: "db", url: pg.url.replace(pg.password, "not-the-password"), table: "iris" });
    expect(wrong.message).toContain('password authentication failed for user "floe"');
    expect(wrong.message).not.toContain("not-the-password");
    const table = await failure({ kind: "db", url: pg.url, table: "no_such_table" });
    expect(table.code).toBe("not_found");
    expect(table.message).toBe(`postgres://floe@127.0.0.1:${pg.port}/postgres: cannot read table no_such_table: relation "no_such_table" does not exist`);
    for (const err of [wrong, table]) expect(err.message).not.toContain(pg.password);
  });

  test("a query that is not one SELECT is refused before it runs", async () => {
    const drop = await failure({ kind: "db", url: pg.url, query: "DROP TABLE iris" });
    expect(drop.message).toBe("SQL: only a read-only SELECT may be run; refused a DROP statement");
    const two = await failure({ kind: "db", url: pg.url, query: "SELECT 1; DELETE FROM iris" });
    expect(two.message).toBe("SQL: give exactly one SELECT statement, got 2 statements");
    const cte = await failure({ kind: "db", url: pg.url, query: "WITH d AS (DELETE FROM iris RETURNING *) SELECT * FROM d" });
    expect(cte.message).toBe("SQL: Parser Error: A CTE needs a SELECT");
    const [{ count }] = await pg.sql`SELECT count(*)::int AS count FROM iris`;
    expect(count).toBe(150);
  });

  test("a URL that is not a database URL is refused without echoing it", async () => {
    const err = await failure({ kind: "db", url: `mysql2://u:${pg.password}@h/db`, table: "iris" });
    expect(err.message).toBe("--db: the mysql2 scheme is not supported: give postgres://user:password@host:port/database or mysql://...");
  });
});

describe("floe CLI --db", () => {
  test("describe --db --table equals describe of the CSV", async () => {
    const fromDb = await floe(["describe", "--db", pg.url, "--table", "iris", "--json", "--threads", "1"]);
    const fromCsv = await floe(["describe", iris, "--json", "--threads", "1"]);
    expect(fromDb.stderr).toBe("");
    expect(fromDb.code).toBe(0);
    expect(JSON.parse(fromDb.stdout)).toEqual(JSON.parse(fromCsv.stdout));
  }, 60_000);

  test("a GBM trained from the database predicts as one trained from the CSV", async () => {
    const [a, b] = [join(dir, "db.floe"), join(dir, "csv.floe")];
    const common = ["--y", "species", "--algo", "gbm", "--ntrees", "5", "--seed", "7", "--threads", "1"];
    const t1 = await floe(["train", "--db", pg.url, "--table", "iris", ...common, "--out", a]);
    expect(t1.code).toBe(0);
    expect((await floe(["train", iris, ...common, "--out", b])).code).toBe(0);
    const p1 = await floe(["predict", a, "--db", pg.url, "--sql", "SELECT * FROM iris", "--threads", "1"]);
    const p2 = await floe(["predict", b, iris, "--threads", "1"]);
    expect(p1.code).toBe(0);
    expect(p1.stdout.split("\n").length).toBe(152);
    expect(p1.stdout).toBe(p2.stdout);
  }, 60_000);

  test("an unreachable --db fails with one line naming host:port, never the password", async () => {
    const r = await floe(["describe", "--db", `postgres://floe:${pg.password}@127.0.0.1:1/postgres`, "--table", "iris"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("cannot connect to the database at 127.0.0.1:1: connection refused");
    expect(r.stderr + r.stdout).not.toContain(pg.password);
  }, 60_000);

  test("--table without --db, and --db without a table or query, are refused", async () => {
    expect((await floe(["describe", "--table", "iris"])).stderr).toContain("--table needs --db");
    expect((await floe(["describe", "--db", pg.url])).stderr).toContain("--db needs either --table NAME or --sql");
  }, 60_000);
});

describe("REST import of a database", () => {
  test("POST /frames/import {db, table|sql} imports the frame; a --data-root server refuses it", async () => {
    const api = apiOf(await testServer({ threads: 1 }));
    const importDb = async (body: Record<string, string>) => {
      const r = await api.post("/frames/import", { db: pg.url, ...body });
      expect(r.status).toBe(202);
      const job = await api.waitJob(r.body.job.job_id);
      expect(job.status).toBe("done");
      return job.dest.id as string;
    };
    expect(await importDb({ table: "iris", frame_id: "pg_iris" })).toBe("pg_iris");
    const frame = (await api.get("/frames/pg_iris")).body;
    expect(frame.rows).toBe(150);
    expect(frame.columns.map((c: { type: string }) => c.type)).toEqual(["numeric", "numeric", "numeric", "numeric", "enum"]);
    const setosa = await importDb({ sql: "SELECT * FROM iris WHERE species = 'Iris-setosa'" });
    expect((await api.get(`/frames/${setosa}`)).body.rows).toBe(50);
    const both = await api.post("/frames/import", { db: pg.url, table: "iris", sql: "SELECT 1" });
    expect(both.status).toBe(400);

    const confined = apiOf(await testServer({ threads: 1, dataRoot: dir }));
    const refused = await confined.post("/frames/import", { db: pg.url, table: "iris" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe("database imports are disabled when the server has a --data-root");
  }, 60_000);
});
