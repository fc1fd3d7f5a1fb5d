// DuckDB results read into chunk vectors: the one loop behind ingest's extraction and
// streaming reads. DuckDB hands out vectors of up to 2,048 rows; builders fill buffers
// of `chunkRows` rows, and each full chunk goes to the caller.

import type { DuckDBResult, DuckDBVarCharVector } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";
import type { Vec } from "./chunk.ts";
import { cancelledError } from "./mr.ts";
import { CodeBuilder, F64Builder, Utf8Builder, type VecBuilder } from "./vec-builder.ts";

function builderFor(kind: Vec["kind"], capacity: number): VecBuilder {
  if (kind === "codes") return new CodeBuilder(capacity);
  if (kind === "utf8") return new Utf8Builder(capacity);
  return new F64Builder(capacity);
}

/**
 * Reads every row of `result` (columns cast to DOUBLE, INTEGER or VARCHAR for the f64,
 * codes and utf8 kinds) and calls `onChunk` with each chunk's vectors and row count,
 * awaiting it before reading on. `onRows` hears of every DuckDB vector read.
 */
export async function readResultChunks(
  result: DuckDBResult,
  kinds: readonly Vec["kind"][],
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
  if (filled > 0) await flush();
}
