// The embedded DuckDB: one in-memory instance per process, opened by the entry point
// and handed down. DuckDB parses files and runs SQL; floe reads the vectors it produces
// (ingest.ts) and hands it chunks back for export (export.ts). Each ingest or export
// opens its own session (connection), so concurrent requests never share a statement.
// The package is imported lazily so that commands that never touch data start fast.

import type { DuckDBConnection, DuckDBInstance, DuckDBResult } from "@duckdb/node-api";

export class Db {
  private constructor(private readonly instance: DuckDBInstance) {}

  /** An in-memory DuckDB limited to `threads` threads. */
  static async open(threads: number): Promise<Db> {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const config = {
      threads: String(threads),
      // Give memory back to the system soon after a staging table is dropped: the frame,
      // not DuckDB's allocator cache, should be what an ingested dataset costs.
      allocator_flush_threshold: "16MB",
      allocator_background_threads: "true",
    };
    return new Db(await DuckDBInstance.create(":memory:", config));
  }

  async connect(): Promise<DbSession> {
    const connection = await this.instance.connect();
    // Track progress for long statements without DuckDB printing a bar of its own.
    await connection.run("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
    return new DbSession(connection);
  }

  close(): void {
    this.instance.closeSync();
  }
}

export class DbSession {
  constructor(readonly connection: DuckDBConnection) {}

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Rows of a query as arrays of JS values (for small results: schemas, domains, counts). */
  async rows(sql: string): Promise<unknown[][]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowsJS() as unknown[][];
  }

  /** A result to read chunk by chunk. */
  stream(sql: string): Promise<DuckDBResult> {
    return this.connection.stream(sql);
  }

  /** Fraction of the running statement done, 0..1, or -1 when DuckDB cannot tell. */
  get progress(): number {
    const p = this.connection.progress;
    return p.percentage < 0 ? -1 : p.percentage / 100;
  }

  /** Stops the running statement; it then fails with an "interrupted" error. */
  interrupt(): void {
    this.connection.interrupt();
  }

  close(): void {
    this.connection.closeSync();
  }
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A SQL quoted identifier. */
export function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}
