// DuckDB results read into chunk vectors: the one loop behind ingest's extraction and
// streaming reads. DuckDB hands out vectors of up to 2,048 rows; builders fill buffers
// of `chunkRows` rows, and each full chunk goes to the caller.

import type { DuckDBResult, DuckDBVarCharVector } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";
import type { Vec } from "./chunk.ts";
import type { DbSession } from "./duckdb.ts";
import { FloeError } from "./errors.ts";
import { cancelledError } from "./mr.ts";
import { CodeBuilder, F64Builder, Utf8Builder, type VecBuilder } from "./vec-builder.ts";

/**
 * How a result column is read: into a vector of that kind, or by a builder of the caller's
 * from DuckDB vectors of `rowBytes` bytes a row.
 */
export type ColumnRead = Vec["kind"] | { readonly builder: (capacity: number) => VecBuilder; readonly rowBytes: number };

/** Bytes a row of the DuckDB vectors a column is read from (a VARCHAR value is 16, its text inline or elsewhere). */
export function duckRowBytes(kind: ColumnRead): number {
  if (typeof kind === "object") return kind.rowBytes;
  return kind === "codes" ? 4 : kind === "utf8" ? 16 : 8;
}

function builderFor(kind: ColumnRead, capacity: number): VecBuilder {
  if (typeof kind === "object") return kind.builder(capacity);
  if (kind === "codes") return new CodeBuilder(capacity);
  if (kind === "utf8") return new Utf8Builder(capacity);
  return new F64Builder(capacity);
}

/**
 * Reads every row of `result` (columns cast to DOUBLE, INTEGER or VARCHAR for the f64,
 * codes and utf8 kinds, or as a caller's builder reads them) and calls `onChunk` with each chunk's vectors and row count,
 * awaiting it before reading on. `onRows` hears of every DuckDB vector read.
 */
export async function readResultChunks(
  result: DuckDBResult,
  kinds: readonly ColumnRead[],
  chunkRows: number,
  onChunk: (vecs: Vec[], rows: number) => void | Promise<void>,
  opts: { signal?: AbortSignal; onRows?: (rows: number) => void; onError?: (err: unknown) => never } = {},
): Promise<void> {
  const fresh = () => kinds.map((k) => builderFor(k, chunkRows));
  let builders = fresh();
  let filled = 0;
  const flush = async () => {
    const vecs = builders.map((b) => b.finish(filled));
    const rows = filled;
    filled = 0;
    builders = fresh();
    await onChunk(vecs, rows);
  };
  for (;;) {
    if (opts.signal?.aborted) throw cancelledError();
    let dc: Awaited<ReturnType<DuckDBResult["fetchChunk"]>>;
    try {
      dc = await result.fetchChunk();
    } catch (err) {
      if (opts.onError) opts.onError(err);
      throw err;
    }
    if (!dc || dc.rowCount === 0) break;
    const chunk = dc;
    const size = chunk.rowCount;
    const vectors = kinds.map((_, c) => duckdb.data_chunk_get_vector(chunk.chunk, c));
    let from = 0;
    while (from < size) {
      const count = Math.min(size - from, chunkRows - filled);
      for (let c = 0; c < kinds.length; c++) {
        const text = () => chunk.getColumnVector(c) as DuckDBVarCharVector;
        builders[c].append({ vector: vectors[c], size, from, count, text }, filled);
      }
      filled += count;
      from += count;
      if (filled === chunkRows) await flush();
    }
    opts.onRows?.(size);
  }
  // DuckDB's streaming API ends a result that failed as it ends one that finished (an empty
  // chunk, the error kept from us): only the result's return type tells them apart. Rows
  // were lost, not just those after the failing one (a 1M-row CSV with a bad value on row
  // 900,000 ended after 772,887).
  if (duckdb.result_return_type((result as unknown as { result: duckdb.Result }).result) === duckdb.ResultType.INVALID) {
    const err = new StreamEndedOnError();
    if (opts.onError) opts.onError(err);
    throw err;
  }
  if (filled > 0) await flush();
}

/** A streamed result that ended on an error DuckDB did not hand over (see raiseStreamError). */
export class StreamEndedOnError extends Error {
  constructor() {
    super("the read ended early on an error DuckDB did not report");
  }
}

/**
 * Throws the error that ended a streamed `SELECT exprs FROM from` early: the same values
 * aggregated, not streamed, raise it. A FloeError naming `label` if that runs clean.
 */
export async function raiseStreamError(session: DbSession, exprs: readonly string[], from: string, label: string): Promise<never> {
  await session.rows(`SELECT ${exprs.map((e) => `max(${e})`).join(", ")} FROM ${from}`);
  throw new FloeError("bad_input", `${label}: ${new StreamEndedOnError().message}`);
}
