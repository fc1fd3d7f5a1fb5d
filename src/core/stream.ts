// Streaming reads: a source read chunk by chunk, without a staging table and without
// holding more than one batch, for work that needs only some columns with known types
// (scoring with a model: memory does not grow with the input). Ingest (ingest.ts) is for
// frames, which need every column typed from all the data first.

import type { DuckDBVarCharVector } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";
import { type Chunk, CHUNK_ROWS } from "./chunk.ts";
import { type CsvOptions, csvReader } from "./csv-dialect.ts";
import { type Db, sqlIdent, sqlString } from "./duckdb.ts";
import { readerError, sqlError } from "./duckdb-errors.ts";
import { cancelledError } from "./mr.ts";
import { resolveFile, type Source } from "./source.ts";
import { F64Builder, Utf8Builder, type VecBuilder } from "./vec-builder.ts";

export interface StreamColumn {
  readonly name: string;
  /** numbers (text that is not a number is missing; dates become ms) or text. */
  readonly as: "number" | "text";
}

export interface StreamOptions extends CsvOptions {
  readonly chunkRows?: number;
  readonly signal?: AbortSignal;
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
  const session = await db.connect();
  const chunkRows = opts.chunkRows ?? CHUNK_ROWS;
  try {
    let from: string;
    let label = "SQL query";
    if (source.kind === "sql") from = `(${source.query})`;
    else {
      const file = resolveFile(source);
      label = file.label;
      const text = columns.filter((c) => c.as === "text").map((c) => c.name);
      try {
        if (file.format === "csv") from = await csvReader(session, file, opts, text, false);
        else from = file.format === "parquet" ? `read_parquet(${sqlString(file.path)})` : `read_json_auto(${sqlString(file.path)})`;
      } catch (err) {
        throw readerError(err, file.label);
      }
    }
    const fail = (err: unknown) => (source.kind === "sql" ? sqlError(err) : readerError(err, label));
    let described: unknown[][];
    try {
      described = await session.rows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${from})`);
    } catch (err) {
      throw fail(err);
    }
    const types = new Map(described.map(([n, t]) => [String(n), String(t)]));
    const missing = columns.filter((c) => !types.has(c.name)).map((c) => c.name);
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
    const fresh = () => columns.map((c): VecBuilder => (c.as === "text" ? new Utf8Builder(chunkRows) : new F64Builder(chunkRows)));
    let builders = fresh();
    let filled = 0;
    let start = 0;
    let index = 0;
    const flush = async () => {
      const chunk: Chunk = { index: index++, start, rows: filled, vecs: builders.map((b) => b.finish(filled)) };
      start += filled;
      filled = 0;
      builders = fresh();
      await onChunk(chunk);
    };
    for (;;) {
      if (opts.signal?.aborted) throw cancelledError();
      const dc = await result.fetchChunk().catch((err) => {
        throw fail(err);
      });
      if (!dc || dc.rowCount === 0) break;
      const size = dc.rowCount;
      const vectors = columns.map((_, c) => duckdb.data_chunk_get_vector(dc.chunk, c));
      let at = 0;
      while (at < size) {
        const count = Math.min(size - at, chunkRows - filled);
        for (let c = 0; c < columns.length; c++) {
          const text = () => dc.getColumnVector(c) as DuckDBVarCharVector;
          builders[c].append({ vector: vectors[c], size, from: at, count, text }, filled);
        }
        filled += count;
        at += count;
        if (filled === chunkRows) await flush();
      }
    }
    if (filled > 0) await flush();
    return { rows: start, missing };
  } finally {
    session.close();
  }
}
