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
