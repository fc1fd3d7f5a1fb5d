// SQL databases as a source (H2O's import_sql_table / import_sql_select): PostgreSQL
// through Bun's SQL client. The rows are read through a server-side cursor inside a
// READ ONLY transaction, a batch at a time, and appended to a DuckDB staging table, so
// the ingest types and extracts them as it does a parsed file; no batch outlives its
// append. The connection URL's password is never part of a label or an error message.

import { DuckDBBooleanType, DuckDBDataChunk, DuckDBDoubleType, DuckDBTimestampValue, DuckDBTimestampType, type DuckDBType, type DuckDBValue, DuckDBVarCharType } from "@duckdb/node-api";
import { SQL } from "bun";
import { type DbSession, sqlIdent } from "../duckdb.ts";
import { FloeError } from "../errors.ts";
import { cancelledError } from "../mr.ts";
import { checkSelectOnly } from "../sql-query.ts";

/** A table or the result of one SELECT, in the database a URL names. */
export interface DbSourceSpec {
  readonly url: string;
  readonly table?: string;
  readonly query?: string;
}

/** What a database URL says, without its password. */
export interface DbAddress {
  readonly dialect: "postgres";
  /** host:port, as errors name the server. */
  readonly hostPort: string;
  /** The URL with the password left out: postgres://user@host:port/db. */
  readonly label: string;
  readonly password: string;
}

/** Rows fetched from the cursor at a time. */
const FETCH_ROWS = 10_000;
/** DuckDB's data chunks hold at most this many rows. */
const APPEND_ROWS = 2048;
const CONNECT_SECONDS = 10;

const DB_URL_HELP = "give postgres://user:password@host:port/database";

/** Parses a database URL; a bad one is refused without repeating it (it may hold a password). */
export function dbAddress(url: string): DbAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FloeError("invalid_argument", `--db is not a database URL: ${DB_URL_HELP}`);
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new FloeError("invalid_argument", `--db: the ${u.protocol.replace(/:$/, "")} scheme is not supported: ${DB_URL_HELP}`);
  }
  if (!u.hostname) throw new FloeError("invalid_argument", `--db names no host: ${DB_URL_HELP}`);
  const hostPort = `${u.hostname}:${u.port || "5432"}`;
  const user = u.username ? `${decodeURIComponent(u.username)}@` : "";
  return { dialect: "postgres", hostPort, label: `postgres://${user}${hostPort}${u.pathname}`, password: decodeURIComponent(u.password) };
}

/** A PostgreSQL identifier, schema-qualified names quoted part by part. */
export function pgIdent(name: string): string {
  return name
    .split(".")
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join(".");
}

/** How a column is staged: its DuckDB type and how a PostgreSQL value becomes a DuckDB one. */
interface Staging {
  readonly sqlType: string;
  readonly type: DuckDBType;
  readonly value: (v: unknown) => DuckDBValue;
}

const numberOf = (v: unknown): DuckDBValue => {
  const n = Number(v);
  return Number.isNaN(n) ? null : n;
};
const textOf = (v: unknown): DuckDBValue =>
  typeof v === "string" ? v : v instanceof Date ? v.toISOString() : ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex") : JSON.stringify(v);

const NUMERIC: Staging = { sqlType: "DOUBLE", type: DuckDBDoubleType.instance, value: numberOf };
const TIME: Staging = {
  sqlType: "TIMESTAMP",
  type: DuckDBTimestampType.instance,
  value: (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? new DuckDBTimestampValue(BigInt(v.getTime()) * 1000n) : null),
};
const BOOLEAN: Staging = { sqlType: "BOOLEAN", type: DuckDBBooleanType.instance, value: (v) => Boolean(v) };
const TEXT: Staging = { sqlType: "VARCHAR", type: DuckDBVarCharType.instance, value: textOf };

/** PostgreSQL type OIDs: integers, floats, numeric, oid; date, timestamp(tz); bool. Others are text. */
const PG_TYPES: Readonly<Record<number, Staging>> = {
  20: NUMERIC,
  21: NUMERIC,
  23: NUMERIC,
  26: NUMERIC,
  700: NUMERIC,
  701: NUMERIC,
  1700: NUMERIC,
  1082: TIME,
  1114: TIME,
  1184: TIME,
  16: BOOLEAN,
};

/** The one-line error for a failure talking to the database, never with the password. */
function dbError(err: unknown, addr: DbAddress, what: string): FloeError {
  if (err instanceof FloeError) return err;
  const e = err as { code?: string; errno?: string; message?: string };
  const scrub = (text: string) => (addr.password ? text.replaceAll(addr.password, "***") : text);
  const message = scrub(String(e.message ?? err).split("\n")[0]);
  if (/CONNECTION_REFUSED|CONNECTION_TIMEOUT|ECONNREFUSED|ENOTFOUND|EAI_|CONNECTION_CLOSED|Failed to connect/i.test(`${e.code} ${message}`)) {
    const why = /REFUSED/i.test(e.code ?? "") ? "connection refused" : /TIMEOUT/i.test(e.code ?? "") ? "timed out" : message;
    return new FloeError("bad_input", `cannot connect to the database at ${addr.hostPort}: ${why}`);
  }
  // PostgreSQL's SQLSTATE classes: 28 authentication, 3D no such database, 42P01 no such table.
  const code = e.errno === "42P01" ? "not_found" : "bad_input";
  return new FloeError(code, `${addr.label}: ${what}: ${message}`);
}

/**
 * Reads a database table or query into the DuckDB table `table` (created here), a batch of
 * FETCH_ROWS at a time. A query must be one SELECT (the rule of sql-query.ts, checked by
 * DuckDB's parser alone); PostgreSQL then runs it in a READ ONLY transaction through a cursor,
 * which again takes only a SELECT or VALUES.
 */
export async function stageDatabase(session: DbSession, spec: DbSourceSpec, table: string, signal?: AbortSignal): Promise<{ label: string; rows: number }> {
  const addr = dbAddress(spec.url);
  if ((spec.table === undefined) === (spec.query === undefined)) throw new FloeError("invalid_argument", "a database source needs either a table or a SQL query");
  if (spec.table !== undefined && !spec.table.trim()) throw new FloeError("invalid_argument", "the table name is empty");
  if (spec.query !== undefined) await checkSelectOnly(session, spec.query);
  const query = spec.table !== undefined ? `SELECT * FROM ${pgIdent(spec.table)}` : (spec.query as string);
  const label = spec.table !== undefined ? `${addr.label} table ${spec.table}` : `${addr.label} query`;
  const client = new SQL(spec.url, { max: 1, connectionTimeout: CONNECT_SECONDS, prepare: false });
  let rows = 0;
  try {
    await client.begin("READ ONLY", async (tx) => {
      await tx.unsafe(`DECLARE floe_cursor NO SCROLL CURSOR FOR ${query}`);
      let staging: Staging[] | undefined;
      for (;;) {
        if (signal?.aborted) throw cancelledError();
        const batch = await tx.unsafe(`FETCH ${FETCH_ROWS} FROM floe_cursor`).values();
        if (!staging) {
          staging = (batch.columns ?? []).map((c: { type: number }) => PG_TYPES[c.type] ?? TEXT);
          const defs = (batch.columns ?? []).map((c: { name: string }, i: number) => `${sqlIdent(c.name)} ${staging?.[i].sqlType}`);
          if (!defs.length) throw new FloeError("bad_input", `${label}: the result has no columns`);
          await session.run(`CREATE TABLE ${table} (${defs.join(", ")})`);
        }
        if (batch.length) await appendRows(session, table, staging as Staging[], batch as unknown[][]);
        rows += batch.length;
        if (batch.length < FETCH_ROWS) break;
      }
    });
  } catch (err) {
    if (signal?.aborted) throw cancelledError();
    throw dbError(err, addr, spec.table !== undefined ? `cannot read table ${spec.table}` : "the query failed");
  } finally {
    await client.close().catch(() => {});
  }
  return { label, rows };
}

async function appendRows(session: DbSession, table: string, staging: readonly Staging[], batch: readonly unknown[][]): Promise<void> {
  const appender = await session.connection.createAppender(table);
  try {
    for (let from = 0; from < batch.length; from += APPEND_ROWS) {
      const n = Math.min(APPEND_ROWS, batch.length - from);
      const dc = DuckDBDataChunk.create(
        staging.map((s) => s.type),
        n,
      );
      staging.forEach((s, c) => {
        const values: DuckDBValue[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const v = batch[from + i][c];
          values[i] = v === null || v === undefined ? null : s.value(v);
        }
        dc.setColumnValues(c, values);
      });
      appender.appendDataChunk(dc);
    }
  } finally {
    appender.closeSync();
  }
}
