// h2o.import_sql_table and import_sql_select, with H2O's own client, against a real
// PostgreSQL on 127.0.0.1 (test/support/postgres.ts): the script checks the frames and a
// GBM's predictions against the same data from CSV; here, the failures' messages.

import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { testPostgres } from "../support/postgres.ts";
import { testServer } from "../support/server.ts";
import { runH2OScript, scriptResult } from "./support.ts";

const IRIS = resolve(import.meta.dir, "..", "..", "fixtures", "iris.csv");

test("import_sql_table and import_sql_select read PostgreSQL as import_file reads the CSV", async () => {
  const pg = await testPostgres();
  await pg.sql`CREATE TABLE iris (sepal_length float8, sepal_width float8, petal_length float8, petal_width float8, species text)`;
  await Bun.file(IRIS).stream().pipeTo(pg.sql`COPY iris FROM STDIN (FORMAT csv, HEADER)`.writable());
  const server = await testServer({ threads: 1 });
  const run = await runH2OScript("sql.py", server.url, {
    IRIS_PATH: IRIS,
    JDBC_URL: `jdbc:postgresql://127.0.0.1:${pg.port}/postgres?sslmode=disable`,
    DEAD_JDBC_URL: "jdbc:postgresql://127.0.0.1:1/postgres",
    PG_USER: "floe",
    PG_PASSWORD: pg.password,
  });
  expect(run.stderr).not.toContain("Traceback");
  expect(run.code).toBe(0);
  expect(run.stdout + run.stderr).not.toContain(pg.password);
  const out = scriptResult(run.stdout);
  expect(out.rows).toBe(150);
  expect(out.setosa).toBe(50);
  expect(out.refused).toContain("cannot connect to the database at 127.0.0.1:1: connection refused");
  expect(out.wrong).toContain('password authentication failed for user "floe"');
  expect(out.missing).toContain('relation "no_such_table" does not exist');
  expect(out.mssql).toContain("floe reads PostgreSQL and MySQL databases (jdbc:postgresql://..., jdbc:mysql://...), not sqlserver");
  expect(out.delete).toContain("SQL: only a read-only SELECT may be run; refused a DELETE statement");
}, 120_000);
