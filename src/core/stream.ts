// Streaming reads: a source read chunk by chunk, without a staging table and without
// holding more than one batch, for work that needs only some columns with known types
// (scoring with a model: memory does not grow with the input). Ingest (ingest.ts) is for
// frames, which need every column typed from all the data first.

import { type Chunk, CHUNK_ROWS, type Vec } from "./chunk.ts";
import type { CsvOptions } from "./csv-dialect.ts";
import { type Db, sqlIdent } from "./duckdb.ts";
import { readerError, sqlError } from "./duckdb-errors.ts";
import { FloeError } from "./errors.ts";
import { resolveFile, type Source, type SourceFile } from "./source.ts";
import { readerSql } from "./ingest.ts";
import { raiseStreamError, readResultChunks, StreamEndedOnError } from "./result-chunks.ts";
import { fetchRemote } from "./sources/remote.ts";
import { stageDatabase } from "./sources/sql-db.ts";
import { selectQuery } from "./sql-query.ts";

let dbStageCounter = 0;

export interface StreamColumn {
  readonly name: string;
  /** numbers (text that is not a number is missing; dates become ms) or text. */
  readonly as: "number" | "text";
}

export interface StreamOptions extends CsvOptions {
  readonly chunkRows?: number;
  readonly signal?: AbortSignal;
  /** Columns the source must have: refused up front, before any row is read. */
  readonly required?: readonly string[];
  /** Sees the source's column names before any row is read; may refuse them by throwing. */
  readonly onColumns?: (names: readonly string[]) => void;
}

/**
 * Reads `columns` of a source in chunks of `chunkRows` rows, calling `onChunk` with each
 * (vectors in `columns` order: f64 for numbers, utf8 for text) and awaiting it before
 * reading on. Columns the source lacks are returned in `missing` and read as missing.
 */
export async function streamColumns(
  db: Db,
  source: Source,
  columns: readonly StreamColumn[],
  opts: StreamOptions,
  onChunk: (chunk: Chunk) => Promise<void>,
): Promise<{ rows: number; missing: string[] }> {
  if (source.kind === "remote") {
    const local = await fetchRemote(source, opts.signal);
    try {
      return await streamColumns(db, local.source, columns, opts, onChunk);
    } finally {
      local.cleanup();
    }
  }
  const session = await db.connect();
  const chunkRows = opts.chunkRows ?? CHUNK_ROWS;
  let staged: string | undefined;
  try {
    let from: string;
    let label = "SQL query";
    let files: readonly SourceFile[] = [];
    if (source.kind === "sql") from = await selectQuery(session, source.query);
    else if (source.kind === "db") {
      // A database's rows are staged in DuckDB first (dropped below): scoring one holds it there.
      from = `floe_stream_db_${++dbStageCounter}`;
      staged = from;
      label = (await stageDatabase(session, source, from, opts.signal)).label;
    } else {
      const file = resolveFile(source);
      label = file.label;
      const text = columns.filter((c) => c.as === "text").map((c) => c.name);
      files = file.files;
      try {
        from = await readerSql(session, file, opts, text, false);
      } catch (err) {
        throw readerError(err, file.label, files);
      }
    }
    const fail = (err: unknown) => (source.kind === "sql" ? sqlError(err) : readerError(err, label, files));
    let described: unknown[][];
    try {
      described = await session.rows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${from})`);
    } catch (err) {
      throw fail(err);
    }
    const types = new Map(described.map(([n, t]) => [String(n), String(t)]));
    const missing = columns.filter((c) => !types.has(c.name)).map((c) => c.name);
    const lacking = (opts.required ?? []).filter((name) => !types.has(name));
    if (lacking.length) throw new FloeError("bad_input", `${label}: no column ${lacking.map((n) => `'${n}'`).join(", ")}`);
    opts.onColumns?.([...types.keys()]);
    const exprs = columns.map((c) => {
      const t = types.get(c.name);
      const q = sqlIdent(c.name);
      if (t === undefined) return c.as === "number" ? "CAST(NULL AS DOUBLE)" : "CAST(NULL AS VARCHAR)";
      if (c.as === "text") return `CAST(${q} AS VARCHAR)`;
      if (t === "DATE" || t.startsWith("TIMESTAMP")) return `CAST(epoch_ms(${q}) AS DOUBLE)`;
      return `TRY_CAST(${q} AS DOUBLE)`;
    });
    const result = await session.stream(`SELECT ${exprs.join(", ")} FROM ${from}`).catch((err) => {
      throw fail(err);
    });
    let start = 0;
    let index = 0;
    const kinds = columns.map((c): Vec["kind"] => (c.as === "text" ? "utf8" : "f64"));
    try {
      await readResultChunks(
        result,
        kinds,
        chunkRows,
        async (vecs, rows) => {
          const chunk: Chunk = { index: index++, start, rows, vecs };
          start += rows;
          await onChunk(chunk);
        },
        {
          signal: opts.signal,
          onError: (err) => {
            throw err instanceof StreamEndedOnError ? err : fail(err);
          },
        },
      );
    } catch (err) {
      if (!(err instanceof StreamEndedOnError)) throw err;
      await raiseStreamError(session, exprs, from, label).catch((e) => {
        throw fail(e);
      });
    }
    return { rows: start, missing };
  } finally {
    if (staged) await session.run(`DROP TABLE IF EXISTS ${staged}`).catch(() => {});
    session.close();
  }
}
