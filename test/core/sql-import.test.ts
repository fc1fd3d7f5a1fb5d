// Issue 14: SQL import runs exactly one read-only SELECT. Anything else (a second
// statement, COPY, SET, ATTACH, INSTALL...) is refused by name before it runs, and
// DuckDB's configuration and extensions are locked for the life of the process.

import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FloeError } from "../../src/core/errors.ts";
import { ingest } from "../../src/core/ingest.ts";
import { streamColumns } from "../../src/core/stream.ts";
import { FIXTURES, tempDir, testNode } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");

async function refusal(query: string): Promise<FloeError> {
  const err = await ingest(await node.db(), { kind: "sql", query }).catch((e) => e);
  expect(err).toBeInstanceOf(FloeError);
  return err;
}

describe("one read-only SELECT", () => {
  test("a second statement is refused and never runs", async () => {
    const out = join(dir, "second.csv");
    const err = await refusal(`SELECT 1 AS x; COPY (SELECT 42) TO '${out}'`);
    expect(err.message).toBe("SQL: give exactly one SELECT statement, got 2 statements");
    expect(existsSync(out)).toBe(false);
  });

  test("statements other than SELECT are refused by name", async () => {
    const out = join(dir, "copy.csv");
    const cases: [string, string][] = [
      [`COPY (SELECT 1) TO '${out}'`, "COPY"],
      ["SET memory_limit='10MB'", "SET"],
      ["PRAGMA memory_limit='10MB'", "SET"],
      [`ATTACH '${join(dir, "x.db")}'`, "ATTACH"],
      ["INSTALL httpfs", "LOAD"],
      ["LOAD httpfs", "LOAD"],
      ["CREATE TABLE t AS SELECT 1", "CREATE"],
      ["EXPLAIN SELECT 1", "EXPLAIN"],
      ["CALL pragma_version()", "CALL"],
    ];
    for (const [query, kind] of cases) {
      const err = await refusal(query);
      expect([query, err.message]).toEqual([query, `SQL: only a read-only SELECT may be run; refused a ${kind} statement`]);
    }
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, "x.db"))).toBe(false);
  });

  test("a refused SET leaves DuckDB as it was: the next import works", async () => {
    await refusal("SELECT 1 AS x; SET memory_limit='1MB'");
    const f = await ingest(await node.db(), { kind: "sql", query: `SELECT * FROM read_csv('${iris}')` });
    expect(f.rows).toBe(150);
  });

  test("an empty query is one clear error", async () => {
    expect((await refusal("  ;  ")).message).toBe("SQL: the query is empty");
  });

  test("SELECT in its usual forms reads: trailing semicolon, WITH, FROM-first, a comment", async () => {
    const db = await node.db();
    for (const query of ["SELECT 7 AS x;", "WITH a AS (SELECT 7 AS x) SELECT * FROM a", "FROM (SELECT 7 AS x)", "SELECT 7 AS x -- a comment"]) {
      const f = await ingest(db, { kind: "sql", query });
      expect([query, f.rows, f.rollups]).toEqual([query, 1, undefined]);
      const v = f.chunks[0].vecs[0];
      expect(v.kind === "f64" && v.values[0]).toBe(7);
    }
  });

  test("streaming reads (scoring) apply the same rule", async () => {
    const out = join(dir, "stream.csv");
    const err = await streamColumns(await node.db(), { kind: "sql", query: `COPY (SELECT 1 AS x) TO '${out}'` }, [{ name: "x", as: "number" }], {}, async () => {}).catch((e) => e);
    expect(err).toBeInstanceOf(FloeError);
    expect(err.message).toBe("SQL: only a read-only SELECT may be run; refused a COPY statement");
    expect(existsSync(out)).toBe(false);
  });
});

describe("DuckDB locked after start-up", () => {
  test("configuration cannot be changed, even from inside floe", async () => {
    const session = await (await node.db()).connect();
    try {
      await expect(session.run("SET memory_limit='10MB'")).rejects.toThrow("the configuration has been locked");
      const [[autoinstall, autoload, locked]] = await session.rows(
        "SELECT current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions'), current_setting('lock_configuration')",
      );
      expect([autoinstall, autoload, locked]).toEqual([false, false, true]);
    } finally {
      session.close();
    }
  });

  test("a remote path in SQL is refused clearly, not fetched through an auto-installed extension", async () => {
    const err = await refusal("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')");
    expect(err.message).toBe("SQL: remote files (http://127.0.0.1:9/x.csv) are not supported yet; download the file and read it locally");
  });
});
