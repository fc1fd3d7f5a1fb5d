// SQL databases as a source (H2O's import_sql_table / import_sql_select): PostgreSQL and
// MySQL (MariaDB) through Bun's SQL client, inside a READ ONLY transaction. The rows are
// read a batch at a time (PostgreSQL: a server-side cursor; MySQL, which has none outside
// stored procedures: pages of one consistent snapshot, a table with a primary key each after
// the last key read, else by LIMIT/OFFSET ordered by every column) and appended to a DuckDB staging table, so
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
  readonly dialect: "postgres" | "mysql";
  /** host:port, as errors name the server. */
  readonly hostPort: string;
  /** The URL with the password left out: postgres://user@host:port/db. */
  readonly label: string;
  readonly password: string;
}

/** Rows read from the database a batch at a time. */
const FETCH_ROWS = 10_000;
/** DuckDB's data chunks hold at most this many rows. */
const APPEND_ROWS = 2048;
const CONNECT_SECONDS = 10;

const DB_URL_HELP = "give postgres://user:password@host:port/database or mysql://...";

/** Parses a database URL; a bad one is refused without repeating it (it may hold a password). */
export function dbAddress(url: string): DbAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FloeError("invalid_argument", `--db is not a database URL: ${DB_URL_HELP}`);
  }
  const scheme = u.protocol.replace(/:$/, "");
  const dialect = scheme === "postgres" || scheme === "postgresql" ? "postgres" : scheme === "mysql" || scheme === "mariadb" ? "mysql" : null;
  if (dialect === null) throw new FloeError("invalid_argument", `--db: the ${scheme} scheme is not supported: ${DB_URL_HELP}`);
  if (!u.hostname) throw new FloeError("invalid_argument", `--db names no host: ${DB_URL_HELP}`);
  const hostPort = `${u.hostname}:${u.port || (dialect === "postgres" ? "5432" : "3306")}`;
  const user = u.username ? `${decodeURIComponent(u.username)}@` : "";
  return { dialect, hostPort, label: `${dialect}://${user}${hostPort}${u.pathname}`, password: decodeURIComponent(u.password) };
}

/** A PostgreSQL identifier, schema-qualified names quoted part by part. */
export function pgIdent(name: string): string {
  return name
    .split(".")
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join(".");
}

/** A MySQL identifier, database-qualified names quoted part by part. */
export function mysqlIdent(name: string): string {
  return name
    .split(".")
    .map((part) => `\`${part.replaceAll("`", "``")}\``)
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

/**
 * MySQL protocol type codes: DECIMAL, TINY, SHORT, LONG, FLOAT, DOUBLE, LONGLONG, INT24,
 * YEAR, NEWDECIMAL; TIMESTAMP, DATE, DATETIME. Others (text, TIME, JSON, blobs) are text.
 */
const MYSQL_TYPES: Readonly<Record<number, Staging>> = {
  0: NUMERIC,
  1: NUMERIC,
  2: NUMERIC,
  3: NUMERIC,
  4: NUMERIC,
  5: NUMERIC,
  8: NUMERIC,
  9: NUMERIC,
  13: NUMERIC,
  246: NUMERIC,
  7: TIME,
  10: TIME,
  12: TIME,
};

/** A batch of rows as arrays, with the result's columns. */
type Batch = unknown[][] & { columns: { name: string; type: number }[] | null };
type OnBatch = (batch: Batch) => Promise<void>;
type Tx = SQL;

/** PostgreSQL: a NO SCROLL cursor, FETCH_ROWS at a time (the cursor also takes only a SELECT or VALUES). */
async function postgresBatches(tx: Tx, query: string, onBatch: OnBatch): Promise<void> {
  await tx.unsafe(`DECLARE floe_cursor NO SCROLL CURSOR FOR ${query}`);
  for (;;) {
    const batch = (await tx.unsafe(`FETCH ${FETCH_ROWS} FROM floe_cursor`).values()) as Batch;
    await onBatch(batch);
    if (batch.length < FETCH_ROWS) return;
  }
}

/**
 * MySQL: pages of FETCH_ROWS in the transaction's one snapshot, in a total order so no row
 * is read twice or missed. A table with a primary key is read in key order, each page
 * starting after the last key read (the key's index finds it: reading the table costs one
 * pass, where OFFSET pages would read every row before each page again); a query, or a
 * table without one, by LIMIT/OFFSET ordered by every column. The first (empty) page gives
 * the columns even for an empty result.
 */
async function mysqlBatches(tx: Tx, query: string, table: string | undefined, onBatch: OnBatch): Promise<void> {
  const from = `(${query}) AS floe_q`;
  const head = (await tx.unsafe(`SELECT * FROM ${from} LIMIT 0`).values()) as Batch;
  const names = (head.columns ?? []).map((c) => c.name);
  if (!names.length) return onBatch(head);
  const key = table === undefined ? [] : await mysqlPrimaryKey(tx, table);
  const at = key.map((k) => names.indexOf(k));
  if (key.length && at.every((i) => i >= 0)) {
    const order = key.map(mysqlIdent).join(", ");
    let after: unknown[] | null = null;
    for (;;) {
      const where: string = after ? ` WHERE ${afterKey(key)}` : "";
      const params = after ? afterParams(after) : [];
      const batch = (await tx.unsafe(`SELECT * FROM ${mysqlIdent(table as string)}${where} ORDER BY ${order} LIMIT ${FETCH_ROWS}`, params).values()) as Batch;
      await onBatch(batch);
      if (batch.length < FETCH_ROWS) return;
      const last = batch[batch.length - 1];
      after = at.map((i) => last[i]);
    }
  }
  const all = names.map((_, i) => String(i + 1)).join(", ");
  for (let offset = 0; ; offset += FETCH_ROWS) {
    const batch = (await tx.unsafe(`SELECT * FROM ${from} ORDER BY ${all} LIMIT ${FETCH_ROWS} OFFSET ${offset}`).values()) as Batch;
    await onBatch(batch);
    if (batch.length < FETCH_ROWS) return;
  }
}

/** The columns of a MySQL table's primary key, in key order (none without one). */
async function mysqlPrimaryKey(tx: Tx, table: string): Promise<string[]> {
  const [schema, name] = table.includes(".") ? table.split(".", 2) : [null, table];
  const pk = await tx.unsafe(
    "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
    [schema, name],
  );
  return pk.map((r: { COLUMN_NAME: string }) => r.COLUMN_NAME);
}

/**
 * Rows after a key value (k1, ..., km) in key order, spelled out as k1 > ? OR (k1 = ? AND
 * k2 > ?) ... (a row comparison is not read as a range of the index by every MySQL).
 */
function afterKey(key: readonly string[]): string {
  return key.map((_, i) => `(${[...key.slice(0, i).map((k) => `${mysqlIdent(k)} = ?`), `${mysqlIdent(key[i])} > ?`].join(" AND ")})`).join(" OR ");
}

/** The parameters of afterKey for the key value `v`. */
function afterParams(v: readonly unknown[]): unknown[] {
  return v.flatMap((_, i) => v.slice(0, i + 1));
}

/** The one-line error for a failure talking to the database, never with the password. */
export function dbError(err: unknown, addr: DbAddress, what: string): FloeError {
  if (err instanceof FloeError) return err;
  const e = err as { code?: string; errno?: string; message?: string };
  const scrub = (text: string) => (addr.password ? text.replaceAll(addr.password, "***") : text);
  const message = scrub(String(e.message ?? err).split("\n")[0]);
  if (/CONNECTION_REFUSED|CONNECTION_TIMEOUT|ECONNREFUSED|ENOTFOUND|EAI_|CONNECTION_CLOSED|Failed to connect/i.test(`${e.code} ${message}`)) {
    const why = /REFUSED/i.test(e.code ?? "") ? "connection refused" : /TIMEOUT/i.test(e.code ?? "") ? "timed out" : message;
    return new FloeError("bad_input", `cannot connect to the database at ${addr.hostPort}: ${why}`);
  }
  // No such table: PostgreSQL's SQLSTATE 42P01, MySQL's error 1146.
  const code = e.errno === "42P01" || String(e.errno) === "1146" ? "not_found" : "bad_input";
  return new FloeError(code, `${addr.label}: ${what}: ${message}`);
}

/** MySQL's `quoted` names as standard "quoted" ones, so DuckDB's parser can check the query. */
function standardQuotes(query: string): string {
  return query.replace(/`((?:[^`]|``)*)`/g, (_, name: string) => `"${name.replaceAll("``", "`").replaceAll('"', '""')}"`);
}

/**
 * Reads a database table or query into the DuckDB table `table` (created here), a batch of
 * FETCH_ROWS at a time. A query must be one SELECT (the rule of sql-query.ts, checked by
 * DuckDB's parser alone, MySQL's `quoted` names read as "quoted"); the database then runs
 * it in a READ ONLY transaction, which refuses any write a SELECT might hide.
 */
export async function stageDatabase(session: DbSession, spec: DbSourceSpec, table: string, signal?: AbortSignal): Promise<{ label: string; rows: number }> {
  const addr = dbAddress(spec.url);
  if ((spec.table === undefined) === (spec.query === undefined)) throw new FloeError("invalid_argument", "a database source needs either a table or a SQL query");
  if (spec.table !== undefined && !spec.table.trim()) throw new FloeError("invalid_argument", "the table name is empty");
  if (spec.query !== undefined) await checkSelectOnly(session, addr.dialect === "mysql" ? standardQuotes(spec.query) : spec.query);
  const ident = addr.dialect === "postgres" ? pgIdent : mysqlIdent;
  const query = spec.table !== undefined ? `SELECT * FROM ${ident(spec.table)}` : (spec.query as string);
  const label = spec.table !== undefined ? `${addr.label} table ${spec.table}` : `${addr.label} query`;
  let client: SQL | undefined;
  let rows = 0;
  try {
    // PostgreSQL's DECLARE and FETCH need no prepared statements; Bun's MySQL client always prepares.
    client = new SQL(spec.url, { max: 1, connectionTimeout: CONNECT_SECONDS, ...(addr.dialect === "postgres" ? { prepare: false } : {}) });
    const types = addr.dialect === "postgres" ? PG_TYPES : MYSQL_TYPES;
    let staging: Staging[] | undefined;
    const onBatch = async (batch: Batch) => {
      if (signal?.aborted) throw cancelledError();
      if (!staging) {
        const columns = batch.columns ?? [];
        if (!columns.length) throw new FloeError("bad_input", `${label}: the result has no columns`);
        const chosen = columns.map((c) => types[c.type] ?? TEXT);
        await session.run(`CREATE TABLE ${table} (${columns.map((c, i) => `${sqlIdent(c.name)} ${chosen[i].sqlType}`).join(", ")})`);
        staging = chosen;
      }
      if (batch.length) await appendRows(session, table, staging, batch);
      rows += batch.length;
    };
    await client.begin("READ ONLY", (tx) => (addr.dialect === "postgres" ? postgresBatches(tx, query, onBatch) : mysqlBatches(tx, query, spec.table, onBatch)));
  } catch (err) {
    if (signal?.aborted) throw cancelledError();
    throw dbError(err, addr, spec.table !== undefined ? `cannot read table ${spec.table}` : "the query failed");
  } finally {
    await client?.close().catch(() => {});
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
