// The embedded DuckDB: one in-memory instance per process, opened by the entry point
// and handed down. DuckDB parses files and runs SQL; floe reads the vectors it produces
// (ingest.ts) and hands it chunks back for export (export.ts). Each ingest or export
// opens its own session (connection), so concurrent requests never share a statement.
// The package is imported lazily so that commands that never touch data start fast.

import type { DuckDBConnection, DuckDBInstance, DuckDBResult } from "@duckdb/node-api";

/**
 * Sessions opened before the configuration is locked, with progress tracking on: it is a
 * per-connection setting, which the lock forbids changing afterwards. Ingests borrow one
 * to report DuckDB's progress; when all are busy a session runs without it.
 */
const TRACKED_SESSIONS = 4;

export class Db {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly tracked: DuckDBConnection[],
  ) {}

  /**
   * An in-memory DuckDB limited to `threads` threads. Extensions are never installed or
   * loaded on demand (a path like http://... must not fetch code), and the configuration
   * is locked once set up: no statement can change it for the life of the process.
   */
  static async open(threads: number): Promise<Db> {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const config = {
      threads: String(threads),
      // Give memory back to the system soon after a staging table is dropped: the frame,
      // not DuckDB's allocator cache, should be what an ingested dataset costs.
      allocator_flush_threshold: "16MB",
      allocator_background_threads: "true",
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    };
    const instance = await DuckDBInstance.create(":memory:", config);
    const tracked: DuckDBConnection[] = [];
    for (let i = 0; i < TRACKED_SESSIONS; i++) {
      const connection = await instance.connect();
      // Track progress for long statements without DuckDB printing a bar of its own.
      await connection.run("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
      tracked.push(connection);
    }
    const setup = await instance.connect();
    await setup.run("SET lock_configuration = true");
    setup.closeSync();
    return new Db(instance, tracked);
  }

  /** A session; `tracked` asks for one whose `progress` DuckDB reports, when one is free. */
  async connect(opts: { tracked?: boolean } = {}): Promise<DbSession> {
    const borrowed = opts.tracked ? this.tracked.pop() : undefined;
    if (borrowed) return new DbSession(borrowed, () => this.tracked.push(borrowed));
    return new DbSession(await this.instance.connect());
  }

  /**
   * Closes the instance. Only when the process is done with DuckDB: closing any instance turns
   * DuckDB's allocator background threads off for the whole process, and memory other
   * instances free then stays resident (a short-lived instance for an import's plan, closed
   * after it, left the node's own holding ~100 MB more after the parse).
   */
  close(): void {
    for (const connection of this.tracked.splice(0)) connection.closeSync();
    this.instance.closeSync();
  }
}

export class DbSession {
  private closed = false;

  /** `release` hands a borrowed connection back instead of closing it. */
  constructor(
    readonly connection: DuckDBConnection,
    private readonly release?: () => void,
  ) {}

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

  /**
   * DuckDB's kind of each statement in `sql` ("SELECT", "COPY", "SET"...), from its own
   * parser; the first statement only is bound (prepared, never run) to learn its kind,
   * so with several statements the rest are reported as "?". Parse errors throw.
   */
  async statementKinds(sql: string): Promise<string[]> {
    const { StatementType } = await import("@duckdb/node-api");
    let extracted: Awaited<ReturnType<DuckDBConnection["extractStatements"]>>;
    try {
      extracted = await this.connection.extractStatements(sql);
    } catch (err) {
      // node-api reports "no statements" as a failure without a parser message.
      if (/^Failed to extract statements: \S/.test((err as Error).message)) throw err;
      return [];
    }
    if (extracted.count !== 1) return Array.from({ length: extracted.count }, () => "?");
    const prepared = await extracted.prepare(0);
    try {
      return [StatementType[prepared.statementType]];
    } finally {
      prepared.destroySync();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.release) this.release();
    else this.connection.closeSync();
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
