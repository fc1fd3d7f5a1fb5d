// SQL import runs exactly one read-only SELECT (H2O's import_sql_select): never a COPY
// that writes a file, a SET that changes DuckDB for every later import, an ATTACH or an
// INSTALL. DuckDB's own parser decides before anything runs, and the query is then read
// through DuckDB's query() table function, which again accepts a single SELECT only.

import { type DbSession, sqlString } from "./duckdb.ts";
import { sqlError } from "./duckdb-errors.ts";
import { FloeError } from "./errors.ts";

/**
 * The table expression that reads the result of `query`, once DuckDB's parser has found
 * it to be one SELECT; otherwise a FloeError naming what was refused.
 */
export async function selectQuery(session: DbSession, query: string): Promise<string> {
  let kinds: string[];
  try {
    kinds = await session.statementKinds(query);
  } catch (err) {
    throw sqlError(err);
  }
  if (kinds.length === 0) throw new FloeError("invalid_argument", "SQL: the query is empty");
  if (kinds.length > 1) throw new FloeError("forbidden", `SQL: give exactly one SELECT statement, got ${kinds.length} statements`);
  if (kinds[0] !== "SELECT") throw new FloeError("forbidden", `SQL: only a read-only SELECT may be run; refused a ${kinds[0]} statement`);
  return `query(${sqlString(query)})`;
}

/**
 * The same rule for a query another database runs (sources/sql-db.ts), whose tables DuckDB
 * cannot bind: DuckDB's parser alone counts the statements, and json_serialize_sql, which
 * serializes SELECTs only, decides that the one is a SELECT.
 */
export async function checkSelectOnly(session: DbSession, query: string): Promise<void> {
  let count: number;
  try {
    count = (await session.connection.extractStatements(query)).count;
  } catch (err) {
    if (/^Failed to extract statements: \S/.test((err as Error).message)) throw sqlError(err);
    count = 0;
  }
  if (count === 0) throw new FloeError("invalid_argument", "SQL: the query is empty");
  if (count > 1) throw new FloeError("forbidden", `SQL: give exactly one SELECT statement, got ${count} statements`);
  const [[json]] = await session.rows(`SELECT json_serialize_sql(${sqlString(query)})`);
  const parsed = JSON.parse(String(json)) as { error?: boolean; error_message?: string };
  if (parsed.error) {
    const keyword = /^\s*([A-Za-z]+)/.exec(query)?.[1]?.toUpperCase() ?? "?";
    throw new FloeError("forbidden", `SQL: only a read-only SELECT may be run; refused a ${keyword} statement`);
  }
}
