// Export: a frame written to CSV or Parquet by DuckDB. The frame's chunks are appended
// to a temporary DuckDB table (enum codes as their level text, time as TIMESTAMP) and
// DuckDB's COPY writes the file. In CSV, numbers are written as JavaScript prints them
// (the shortest text that reads back as the same double: 181, 1e-7), as `floe predict`
// does, rather than DuckDB's 181.0 and 1e-07, so every CSV floe writes agrees.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBDataChunk, DuckDBDoubleType, DuckDBVarCharType, type DuckDBValue } from "@duckdb/node-api";
import { isMissing, stringAt } from "./chunk.ts";
import { type Db, sqlIdent, sqlString } from "./duckdb.ts";
import { FloeError } from "./errors.ts";
import type { Frame } from "./frame.ts";
import { isS3Url, uploadS3 } from "./sources/s3.ts";

export type ExportFormat = "csv" | "parquet";

/** DuckDB's data chunks hold at most this many rows. */
const APPEND_ROWS = 2048;

let exportCounter = 0;

/**
 * Writes `frame` to `path`, a local file or s3://bucket/key (written locally, then
 * uploaded); the format defaults from the extension (csv otherwise).
 */
export async function exportFrame(db: Db, frame: Frame, path: string, format?: ExportFormat, s3Endpoint?: string): Promise<void> {
  const fmt: ExportFormat = format ?? (/\.(parquet|pq)$/i.test(path) ? "parquet" : "csv");
  if (isS3Url(path)) {
    const dir = mkdtempSync(join(tmpdir(), "floe-export-"));
    try {
      const local = join(dir, `frame.${fmt}`);
      await exportFrame(db, frame, local, fmt);
      await uploadS3(local, path, s3Endpoint);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const session = await db.connect();
  const table = `floe_export_${++exportCounter}`;
  try {
    const numeric = frame.columns.map((c) => c.type === "time" || (c.type === "numeric" && fmt === "parquet"));
    const defs = frame.columns.map((c, i) => `${sqlIdent(c.name)} ${numeric[i] ? "DOUBLE" : "VARCHAR"}`);
    await session.run(`CREATE TABLE ${table} (${defs.join(", ")})`);
    const appender = await session.connection.createAppender(table);
    const types = numeric.map((n) => (n ? DuckDBDoubleType.instance : DuckDBVarCharType.instance));
    for (const chunk of frame.chunks) {
      for (let from = 0; from < chunk.rows; from += APPEND_ROWS) {
        const n = Math.min(APPEND_ROWS, chunk.rows - from);
        const dc = DuckDBDataChunk.create(types, n);
        frame.columns.forEach((spec, c) => {
          const vec = chunk.vecs[c];
          const values: DuckDBValue[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const r = from + i;
            if (isMissing(vec, r)) values[i] = null;
            else if (vec.kind === "f64") values[i] = numeric[c] ? vec.values[r] : String(vec.values[r]);
            else if (vec.kind === "codes") values[i] = spec.domain?.[vec.codes[r]] ?? null;
            else values[i] = stringAt(vec, r);
          }
          dc.setColumnValues(c, values);
        });
        appender.appendDataChunk(dc);
      }
    }
    appender.closeSync();
    const cols = frame.columns.map((c) => (c.type === "time" ? `make_timestamp(CAST(${sqlIdent(c.name)} * 1000 AS BIGINT)) AS ${sqlIdent(c.name)}` : sqlIdent(c.name)));
    const options = fmt === "csv" ? "FORMAT csv, HEADER" : "FORMAT parquet";
    await session.run(`COPY (SELECT ${cols.join(", ")} FROM ${table}) TO ${sqlString(path)} (${options})`);
  } catch (err) {
    if (err instanceof FloeError) throw err;
    throw new FloeError("bad_input", `cannot write ${path}: ${(err as Error).message.split("\n")[0]}`);
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    session.close();
  }
}

/**
 * `frame` as a stream of CSV bytes for a download: written to a temporary file that goes
 * once the stream has been read to its end.
 */
export async function csvDownload(db: Db, frame: Frame): Promise<ReadableStream<Uint8Array>> {
  const dir = mkdtempSync(join(tmpdir(), "floe-download-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const path = join(dir, "frame.csv");
    await exportFrame(db, frame, path, "csv");
    return Bun.file(path)
      .stream()
      .pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: cleanup }));
  } catch (err) {
    cleanup();
    throw err;
  }
}
