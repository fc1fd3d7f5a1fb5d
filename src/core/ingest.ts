// Ingest: a source (file, glob, stdin spool, SQL) → DuckDB → a Frame of chunks.
//   1. stage   DuckDB parses the source into a staging table (the one full parse)
//   2. type    each column becomes numeric, enum, string or time (column-types.ts)
//   3. extract a SELECT casts every column to its vector layout (DOUBLE, INTEGER codes
//              through an ENUM type, VARCHAR) and its vectors are copied into chunks
// Rollups are computed afterwards through the executor (importFrame).

import { CHUNK_ROWS, type Chunk, type ColumnType, ENUM_MAX_LEVELS, vecKindOf } from "./chunk.ts";
import { COLUMN_TYPES, classify, decideTypes, enumType, extractExpr, type StagedColumn, tooManyLevels } from "./column-types.ts";
import { type CsvOptions, csvReader } from "./csv-dialect.ts";
import { type Db, type DbSession, sqlIdent, sqlString } from "./duckdb.ts";
import { readerError, sqlError } from "./duckdb-errors.ts";
import { FloeError } from "./errors.ts";
import { type ColumnSpec, Frame } from "./frame.ts";
import { GarbageMeter } from "./memory.ts";
import type { Executor } from "./mr.ts";
import { cancelledError } from "./mr.ts";
import { computeRollups } from "./rollups.ts";
import { checkIntact, checkSameColumns, literalPath, type ResolvedFile, resolveFile, type Source, type SourceFile } from "./source.ts";
import { type ColumnRead, duckRowBytes, readResultChunks } from "./result-chunks.ts";
import { fetchRemote } from "./sources/remote.ts";
import { stageDatabase } from "./sources/sql-db.ts";
import { selectQuery } from "./sql-query.ts";

export interface IngestOptions extends CsvOptions {
  /** Rows per chunk (default CHUNK_ROWS). */
  readonly chunkRows?: number;
  /** Column types that override the inferred ones, by column name. */
  readonly colTypes?: Readonly<Record<string, ColumnType>>;
  readonly signal?: AbortSignal;
  /** Progress of the whole ingest, 0..1. */
  readonly onProgress?: (fraction: number) => void;
  /** Told what was read other than as written (values made missing, and the like). */
  readonly onWarning?: (message: string) => void;
  /** Told the rows and columns before any value is read into chunks; throws to refuse (a node's memory budget). */
  readonly beforeRead?: (rows: number, columns: readonly ColumnSpec[]) => void;
}

let stageCounter = 0;

/** Runs a long statement, reporting DuckDB's progress and honouring cancellation. */
async function runTracked(session: DbSession, sql: string, opts: IngestOptions, span: [number, number]): Promise<void> {
  const onAbort = () => session.interrupt();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = opts.onProgress
    ? setInterval(() => {
        const p = session.progress;
        if (p >= 0) opts.onProgress?.(span[0] + (span[1] - span[0]) * p);
      }, 100)
    : undefined;
  try {
    await session.run(sql);
  } finally {
    clearInterval(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
  if (opts.signal?.aborted) throw cancelledError();
}

async function stage(session: DbSession, source: Source, table: string, opts: IngestOptions): Promise<string> {
  if (source.kind === "sql") {
    const from = await selectQuery(session, source.query);
    try {
      await runTracked(session, `CREATE TABLE ${table} AS FROM ${from}`, opts, [0, 0.7]);
    } catch (err) {
      if (opts.signal?.aborted) throw cancelledError();
      throw sqlError(err);
    }
    return "SQL query";
  }
  if (source.kind === "db") return (await stageDatabase(session, source, table, opts.signal)).label;
  if (source.kind === "remote") {
    // Downloaded, staged (DuckDB reads the files whole), and the downloads removed.
    const local = await fetchRemote(source, opts.signal);
    try {
      return await stage(session, local.source, table, opts);
    } finally {
      local.cleanup();
    }
  }
  const file = resolveFile(source);
  const varchar = Object.entries(opts.colTypes ?? {})
    .filter(([, t]) => t === "enum" || t === "string")
    .map(([n]) => n);
  const create = async (sampleAll: boolean) => runTracked(session, `CREATE TABLE ${table} AS SELECT * FROM ${await readerSql(session, file, opts, varchar, sampleAll)}`, opts, [0, 0.7]);
  try {
    try {
      await create(false);
    } catch (err) {
      // A value unlike the sniffed sample further down: sniff the whole file instead.
      if (file.format !== "csv" || !/Could not convert string/.test(String(err))) throw err;
      await create(true);
    }
  } catch (err) {
    if (opts.signal?.aborted) throw cancelledError();
    throw readerError(err, file.label, file.files);
  }
  return file.label;
}

/**
 * The DuckDB table expression that reads checked files; `varchar` columns are read as text.
 * Files are passed as a list of literal paths: DuckDB expands no glob of its own. The
 * files of one source must have the same columns (DuckDB would union JSON's into junk).
 */
export async function readerSql(session: DbSession, file: ResolvedFile, opts: CsvOptions, varchar: readonly string[], sampleAll: boolean): Promise<string> {
  for (const f of file.files) await checkIntact(f, file.compression);
  if (file.format === "csv") return csvReader(session, file, opts, varchar, sampleAll);
  const reader = (files: readonly SourceFile[]) => {
    const paths = `[${files.map((f) => sqlString(literalPath(f.path))).join(", ")}]`;
    if (file.format === "parquet") return `read_parquet(${paths})`;
    // read_json spells no compression "uncompressed" where read_csv says "none".
    return `read_json_auto(${paths}, compression=${sqlString(file.compression === "none" ? "uncompressed" : file.compression)})`;
  };
  const [first, ...rest] = file.files;
  if (rest.length) {
    const columnsOf = async (f: SourceFile) => (await session.rows(`SELECT column_name FROM (DESCRIBE SELECT * FROM ${reader([f])})`)).map(([name]) => ({ name: String(name) }));
    const firstColumns = await columnsOf(first);
    for (const f of rest) checkSameColumns(first, firstColumns, f, await columnsOf(f));
  }
  return reader(file.files);
}

/**
 * Result streams read at once: each DuckDB fetch is a round trip through the addon's
 * thread pool, so several streams over disjoint row ranges overlap their waits.
 */
const EXTRACT_STREAMS = 4;

/** Row ranges [a, b) for `streams` extraction streams, cut at multiples of `chunkRows`. */
function extractionRanges(total: number, chunkRows: number, streams: number): [number, number][] {
  const chunks = Math.ceil(total / chunkRows);
  const per = Math.ceil(chunks / Math.min(streams, chunks)) * chunkRows;
  const ranges: [number, number][] = [];
  for (let a = 0; a < total; a += per) ranges.push([a, Math.min(total, a + per)]);
  return ranges;
}

/**
 * The chunks of `queries`' results in order (their columns read as `columns` says): each
 * query's rows in chunks of `chunkRows` rows (its last may be shorter), numbered from 0,
 * all queries streamed at once. `total` rows in all; progress runs from 0.7 to 1 of the ingest.
 * `onChunk` hears of each chunk as it is read, and throws to stop the read.
 */
export async function extractChunks(
  db: Db,
  queries: readonly string[],
  columns: readonly ColumnRead[],
  total: number,
  chunkRows: number,
  opts: Pick<IngestOptions, "signal" | "onProgress"> & { readonly onChunk?: (chunk: Chunk) => void },
): Promise<Chunk[]> {
  let read = 0;
  // DuckDB's result chunks, each dropped once copied, are native memory freed only by their
  // finalizers, which a small JS heap seldom runs: without collections an import's peak held
  // them all (flights-3m: 457 MB, 378 with them). A collection of the young generation every
  // 8 MB of them finds them for less than a full one: bench/ingest --cluster's busiest node
  // peaked at 0.53-0.55x the one node's with young ones, 0.55-0.59x with full ones.
  const garbage = new GarbageMeter(8 * 1024 ** 2, true);
  const rowBytes = columns.reduce((n, c) => n + duckRowBytes(c), 0);
  const parts = await Promise.all(
    queries.map(async (query) => {
      const part = await db.connect();
      try {
        const result = await part.stream(query);
        const chunks: Chunk[] = [];
        const onRows = (rows: number) => {
          read += rows;
          opts.onProgress?.(0.7 + (0.3 * read) / total);
        };
        await readResultChunks(
          result,
          columns,
          chunkRows,
          (vecs, rows) => {
            const chunk = { index: chunks.length, start: 0, rows, vecs };
            chunks.push(chunk);
            opts.onChunk?.(chunk);
            garbage.add(rows * rowBytes);
          },
          { signal: opts.signal, onRows },
        );
        return chunks;
      } finally {
        part.close();
      }
    }),
  );
  return parts.flat().map((c, index) => ({ ...c, index }));
}

/** Refuses a bad chunk size or column type; the rows per chunk. */
export function checkIngestOptions(opts: IngestOptions): number {
  const chunkRows = opts.chunkRows ?? CHUNK_ROWS;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) {
    throw new FloeError("invalid_argument", `chunk rows must be a positive integer, got ${chunkRows}`);
  }
  for (const [name, t] of Object.entries(opts.colTypes ?? {})) {
    if (!COLUMN_TYPES.includes(t)) {
      throw new FloeError("invalid_argument", `column type '${t}' for '${name}' is not one of ${COLUMN_TYPES.join(", ")}`);
    }
  }
  return chunkRows;
}

/** Reads a source into a Frame (without rollups). */
export async function ingest(db: Db, source: Source, opts: IngestOptions = {}): Promise<Frame> {
  const chunkRows = checkIngestOptions(opts);
  const session = await db.connect({ tracked: true });
  const id = ++stageCounter;
  const table = `floe_stage_${id}`;
  const enumTypes: string[] = [];
  try {
    const label = await stage(session, source, table, opts);
    const described = await session.rows(`SELECT column_name, column_type FROM (DESCRIBE ${table})`);
    const cols: StagedColumn[] = described.map(([name, duckType]) => ({
      name: String(name),
      duckType: String(duckType),
      cls: classify(String(duckType)),
    }));
    for (const name of Object.keys(opts.colTypes ?? {})) {
      if (!cols.some((c) => c.name === name)) {
        throw new FloeError("not_found", `--col-types names '${name}', which is not a column of ${label}`);
      }
    }
    const [[rowCount]] = await session.rows(`SELECT count(*) FROM ${table}`);
    const total = Number(rowCount);
    if (total === 0) throw new FloeError("bad_input", `${label}: no data rows${cols.length ? " (only a header)" : ""}`);

    const decisions = await decideTypes(session, table, cols, opts);
    const specs: ColumnSpec[] = [];
    const exprs: string[] = [];
    const types: ColumnType[] = [];
    for (const [i, col] of cols.entries()) {
      let { type } = decisions[i];
      let domain: string[] | undefined;
      const typeName = `floe_enum_${id}_${i}`;
      let known = decisions[i].domain;
      if (type === "enum") {
        if (!known) {
          const [[approx]] = await session.rows(`SELECT approx_count_distinct(${sqlIdent(col.name)}) FROM ${table}`);
          // approx_count_distinct errs by a few percent: refuse up front only when clearly over.
          if (Number(approx) > ENUM_MAX_LEVELS * 1.1) throw tooManyLevels(col.name, Number(approx));
          if (Number(approx) === 0) known = [];
        }
        domain = known && known.length === 0 ? [] : await enumType(session, table, col, typeName, known);
        if (domain.length > 0) enumTypes.push(typeName);
        if (domain.length > ENUM_MAX_LEVELS) throw tooManyLevels(col.name, domain.length);
      }
      types.push(type);
      specs.push(domain ? { name: col.name, type, domain } : { name: col.name, type });
      exprs.push(extractExpr(col, type, domain && domain.length === 0 ? null : typeName));
    }
    opts.beforeRead?.(total, specs);
    // A fresh table's rowids are its row numbers, and DuckDB keeps insertion order.
    const queries = extractionRanges(total, chunkRows, EXTRACT_STREAMS).map(([a, b]) => `SELECT ${exprs.join(", ")} FROM ${table} WHERE rowid >= ${a} AND rowid < ${b}`);
    const chunks = await extractChunks(db, queries, types.map(vecKindOf), total, chunkRows, opts);
    opts.onProgress?.(1);
    return Frame.of(specs, chunks);
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    for (const t of enumTypes) await session.run(`DROP TYPE IF EXISTS ${t}`).catch(() => {});
    session.close();
  }
}

/** Ingest plus rollups: the frame as `floe describe` and the store hold it. */
export async function importFrame(db: Db, executor: Executor, source: Source, opts: IngestOptions = {}): Promise<Frame> {
  const frame = await ingest(db, source, opts);
  return frame.withRollups(await computeRollups(executor, frame, { signal: opts.signal }));
}
