// Export to a database table: a frame (or `floe predict`'s rows, a batch at a time) written
// to a PostgreSQL or MySQL (MariaDB) table through Bun's SQL client. Column types: numeric
// -> DOUBLE PRECISION (MySQL DOUBLE), enum and string -> TEXT, time -> TIMESTAMP (MySQL
// DATETIME(3), which keeps milliseconds and has no time-zone conversion); missing -> NULL.
// Rows go in parameterised multi-row INSERTs, never SQL built from values.
//
// A failure leaves no half table. PostgreSQL: everything (DROP for replace, CREATE, the
// INSERTs) is one transaction. MySQL commits DDL implicitly, so a new table is filled
// under a staging name and renamed into place at the end (with replace, both renames in one
// atomic RENAME TABLE); a failure drops the staging table. A process killed mid-way leaves
// it (named floe_export_<hex>, never the target): each export holds the server's named lock
// of its staging table's name for as long as its connection lives, and drops the staging
// tables of the schema whose lock nobody holds (their writer is gone) before it begins.
// Appending to an existing table is one transaction in both (MySQL: on a transactional
// engine such as InnoDB).

import { SQL } from "bun";
import { isMissing, stringAt } from "./chunk.ts";
import type { Chunk, ColumnType } from "./chunk.ts";
import { FloeError } from "./errors.ts";
import type { Frame } from "./frame.ts";
import { cancelledError } from "./mr.ts";
import { type DbAddress, dbAddress, dbError, mysqlIdent, pgIdent } from "./sources/sql-db.ts";

/** MySQL staging tables are named this and 32 hex digits (also the name of the lock their export holds). */
const STAGING_PREFIX = "floe_export_";

/** What to do when the table exists: refuse (the default), drop and recreate it, or add rows. */
export type IfExists = "fail" | "replace" | "append";
export const IF_EXISTS: readonly IfExists[] = ["fail", "replace", "append"];

export interface DbTarget {
  readonly url: string;
  readonly table: string;
  readonly ifExists?: IfExists;
}

/** A cell as written: a number (a time as milliseconds since the epoch, UTC), text, or null for missing. */
export type Cell = number | string | null;

export interface OutputColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** Rows of one statement: a few thousand, under the 65,535 parameters both servers allow. */
const MAX_STATEMENT_ROWS = 2000;
const MAX_PARAMETERS = 60_000;
const CONNECT_SECONDS = 10;

/** The IfExists a flag or field names; anything else is refused by name. */
export function ifExistsOf(value: string | undefined, flag: string): IfExists {
  if (value === undefined) return "fail";
  if ((IF_EXISTS as readonly string[]).includes(value)) return value as IfExists;
  throw new FloeError("invalid_argument", `${flag} must be replace or append (or fail, the default), got '${value}'`);
}

/** One name (a column), quoted whole: a dot in it is part of the name. */
function quoteName(dialect: DbAddress["dialect"], name: string): string {
  return dialect === "postgres" ? `"${name.replaceAll('"', '""')}"` : `\`${name.replaceAll("`", "``")}\``;
}

function sqlType(dialect: DbAddress["dialect"], type: ColumnType): string {
  if (type === "numeric") return dialect === "postgres" ? "DOUBLE PRECISION" : "DOUBLE";
  if (type === "time") return dialect === "postgres" ? "TIMESTAMP" : "DATETIME(3)";
  return "TEXT";
}

/** A table name split into its schema (or MySQL database) and its own name. */
function splitTable(table: string): [string | null, string] {
  const dot = table.indexOf(".");
  return dot < 0 ? [null, table] : [table.slice(0, dot), table.slice(dot + 1)];
}

/**
 * A table being written: `open` connects and checks whether the table exists (so a refusal
 * comes before any work), `start` creates it once the columns are known, `append` inserts
 * rows, `commit` makes the table appear, `abort` leaves the database as it was.
 */
export class DbTableWriter {
  private columns: readonly OutputColumn[] = [];
  private insertInto = "";
  /** The table the rows go into: the target, or MySQL's staging table. */
  private writing = "";
  private rows = 0;
  private done = false;

  private constructor(
    private readonly client: SQL,
    private readonly addr: DbAddress,
    private readonly target: DbTarget,
    private readonly exists: boolean,
  ) {}

  /** `${label} table ${name}`, without the password. */
  get label(): string {
    return `${this.addr.label} table ${this.target.table}`;
  }

  static async open(target: DbTarget): Promise<DbTableWriter> {
    const addr = dbAddress(target.url);
    if (!target.table.trim()) throw new FloeError("invalid_argument", "the table name is empty");
    const client = new SQL(target.url, { max: 1, connectionTimeout: CONNECT_SECONDS });
    try {
      const [schema, name] = splitTable(target.table);
      const found =
        addr.dialect === "postgres"
          ? await client.unsafe("SELECT to_regclass($1) IS NOT NULL AS found", [pgIdent(target.table)])
          : await client.unsafe("SELECT COUNT(*) > 0 AS found FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?", [schema, name]);
      const exists = Boolean(Number(found[0].found));
      if (exists && (target.ifExists ?? "fail") === "fail") {
        throw new FloeError("conflict", `${addr.label}: table ${target.table} already exists; write it with if-exists replace or append`);
      }
      return new DbTableWriter(client, addr, target, exists);
    } catch (err) {
      await client.close().catch(() => {});
      throw dbError(err, addr, `cannot write table ${target.table}`);
    }
  }

  private ident(name: string): string {
    return this.addr.dialect === "postgres" ? pgIdent(name) : mysqlIdent(name);
  }

  /** Creates the table (unless appending to one that exists) and begins the transaction. */
  async start(columns: readonly OutputColumn[]): Promise<void> {
    if (!columns.length) throw new FloeError("bad_input", `${this.label}: there are no columns to write`);
    this.columns = columns;
    const { dialect } = this.addr;
    const defs = columns.map((c) => `${quoteName(dialect, c.name)} ${sqlType(dialect, c.type)}`).join(", ");
    const append = this.exists && this.target.ifExists === "append";
    await this.run(async () => {
      if (dialect === "postgres") {
        await this.client.unsafe("BEGIN");
        if (this.exists && !append) await this.client.unsafe(`DROP TABLE ${this.ident(this.target.table)}`);
        if (!append) await this.client.unsafe(`CREATE TABLE ${this.ident(this.target.table)} (${defs})`);
        this.writing = this.target.table;
      } else {
        if (append) this.writing = this.target.table;
        else {
          const [schema] = splitTable(this.target.table);
          const staging = `${STAGING_PREFIX}${crypto.randomUUID().replaceAll("-", "")}`;
          // Held until the connection closes, which a killed process's does too.
          await this.client.unsafe("SELECT GET_LOCK(?, 0)", [staging]);
          await this.dropAbandoned(schema);
          this.writing = `${schema === null ? "" : `${schema}.`}${staging}`;
          await this.client.unsafe(`CREATE TABLE ${this.ident(this.writing)} (${defs})`);
        }
        await this.client.unsafe("BEGIN");
      }
    });
    this.insertInto = `INSERT INTO ${this.ident(this.writing)} (${columns.map((c) => quoteName(dialect, c.name)).join(", ")}) VALUES `;
  }

  /**
   * Drops MySQL staging tables in `schema` (null: the connection's database) whose export is
   * gone: nobody holds the named lock of their name (a replace's `_old` table goes with its
   * staging table's lock).
   */
  private async dropAbandoned(schema: string | null): Promise<void> {
    const found = await this.client.unsafe("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME LIKE ?", [
      schema,
      `${STAGING_PREFIX.replaceAll("_", "\\_")}%`,
    ]);
    for (const { t } of found as { t: string }[]) {
      const lock = t.replace(/_old$/, "");
      if (!new RegExp(`^${STAGING_PREFIX}[0-9a-f]{32}$`).test(lock)) continue;
      const [{ free }] = await this.client.unsafe("SELECT IS_FREE_LOCK(?) AS free", [lock]);
      if (Number(free) === 1) await this.client.unsafe(`DROP TABLE IF EXISTS ${this.ident(`${schema === null ? "" : `${schema}.`}${t}`)}`);
    }
  }

  /** Inserts rows (cells in the columns' order), a statement of up to MAX_STATEMENT_ROWS at a time. */
  async append(rows: readonly (readonly Cell[])[], signal?: AbortSignal): Promise<void> {
    const width = this.columns.length;
    const per = Math.max(1, Math.min(MAX_STATEMENT_ROWS, Math.floor(MAX_PARAMETERS / width)));
    const time = this.columns.map((c) => c.type === "time");
    for (let from = 0; from < rows.length; from += per) {
      if (signal?.aborted) throw cancelledError();
      const batch = rows.slice(from, from + per);
      const params: unknown[] = [];
      const tuples = batch.map((row) => {
        const marks = row.map((v, c) => {
          params.push(v !== null && time[c] ? new Date(v as number) : v);
          return this.addr.dialect === "postgres" ? `$${params.length}` : "?";
        });
        return `(${marks.join(", ")})`;
      });
      // The server numbers rows within the statement: the error says which rows of the output those are.
      const span = `rows ${this.rows + 1}-${this.rows + batch.length}`;
      await this.run(() => this.client.unsafe(this.insertInto + tuples.join(", "), params), span);
      this.rows += batch.length;
    }
  }

  /** Commits: the table, with every row, is there from now on. Returns the rows written. */
  async commit(): Promise<number> {
    await this.run(async () => {
      await this.client.unsafe("COMMIT");
      if (this.addr.dialect === "mysql" && this.writing !== this.target.table) {
        const target = this.ident(this.target.table);
        if (!this.exists) await this.client.unsafe(`RENAME TABLE ${this.ident(this.writing)} TO ${target}`);
        else {
          const old = `${this.writing}_old`;
          await this.client.unsafe(`RENAME TABLE ${target} TO ${this.ident(old)}, ${this.ident(this.writing)} TO ${target}`);
          await this.client.unsafe(`DROP TABLE ${this.ident(old)}`);
        }
      }
    });
    this.done = true;
    await this.client.close().catch(() => {});
    return this.rows;
  }

  /** Rolls back (and drops MySQL's staging table); errors here are moot: the write failed already. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.client.unsafe("ROLLBACK").catch(() => {});
    if (this.addr.dialect === "mysql" && this.writing && this.writing !== this.target.table) {
      await this.client.unsafe(`DROP TABLE IF EXISTS ${this.ident(this.writing)}`).catch(() => {});
    }
    await this.client.close().catch(() => {});
  }

  private async run<T>(step: () => Promise<T>, span?: string): Promise<T> {
    try {
      return await step();
    } catch (err) {
      throw dbError(err, this.addr, `cannot write table ${this.target.table}${span ? ` (${span})` : ""}`);
    }
  }
}

/** Row `i` of a chunk as cells: enum codes as their level, time as epoch milliseconds. */
export function chunkRow(frame: Frame, chunk: Chunk, i: number): Cell[] {
  return chunk.vecs.map((vec, c) => {
    if (isMissing(vec, i)) return null;
    if (vec.kind === "f64") return vec.values[i];
    if (vec.kind === "codes") return frame.columns[c].domain?.[vec.codes[i]] ?? null;
    return stringAt(vec, i);
  });
}

/** Writes a whole frame through an open writer, in one transaction; a failure aborts it. */
export async function writeFrame(writer: DbTableWriter, frame: Frame, signal?: AbortSignal): Promise<{ label: string; rows: number }> {
  try {
    await writer.start(frame.columns.map((c) => ({ name: c.name, type: c.type })));
    for (const chunk of frame.chunks) {
      const rows: Cell[][] = [];
      for (let i = 0; i < chunk.rows; i++) rows.push(chunkRow(frame, chunk, i));
      await writer.append(rows, signal);
    }
    return { label: writer.label, rows: await writer.commit() };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** Writes a whole frame to a new (or, by `ifExists`, replaced or appended) table. */
export async function exportFrameToDb(frame: Frame, target: DbTarget, signal?: AbortSignal): Promise<{ label: string; rows: number }> {
  return writeFrame(await DbTableWriter.open(target), frame, signal);
}
