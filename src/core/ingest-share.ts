// A distributed import, the part every node runs (src/cluster/parse.ts carries the messages):
//   plan      the receiving node checks the source, pins the CSV dialect and column types,
//             probes the first rows as one node's import would, and cuts the source into
//             shares: the files of a glob, a large CSV file's data at line ends, a large
//             Parquet file's row groups
//   count     each node reads its share (a range copied to a file of its own) and counts
//             what typing needs: into chunks at once, text in codes of the share's own
//             levels, when every text column looks like an enum and every other is settled
//             as a number or time; else reading only the columns whose type is still open
//   decide    the counts add up and the enum levels unite (sorted as DuckDB sorts them), so
//             every column gets the type and levels one node's import of the whole gives
//   extract   each node maps its chunks' codes to the merged levels, or reads its share
//             again, cast into chunks with them (no node stages its share: see NodeShare)
// A CSV file holding its quote character anywhere is not cut (a quoted field may hold a
// line break, and a cut inside it would misread both halves): one node parses it whole.
// A remote CSV object (an http(s):// URL whose server serves byte ranges, or one s3:// key)
// is cut too: planned on its first MiBs, each node streams its range (sources/object-ranges.ts). Its whole content cannot
// be scanned for quotes beforehand: it is cut only when the sniffed dialect has no quote
// character (the sample holds none, so a quote further on is read as text, as one node does).

import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { type Chunk, type CodeVec, type ColumnType, ENUM_MAX_LEVELS, vecBytes, vecKindOf } from "./chunk.ts";
import { classify, decideText, extractExpr, PROBE_ROWS, probeText, type StagedColumn, settledType, type TextCount, type TextLook, textCountAt, textCountExprs, tooManyLevels } from "./column-types.ts";
import { type PinnedCsv, pinCsv, pinnedCsvReader } from "./csv-dialect.ts";
import type { Db, DbSession } from "./duckdb.ts";
import { sqlIdent, sqlString } from "./duckdb.ts";
import { readerError } from "./duckdb-errors.ts";
import { FloeError } from "./errors.ts";
import type { ColumnSpec } from "./frame.ts";
import { extractChunks, type IngestOptions, readerSql } from "./ingest.ts";
import { LocalCodeBuilder, LocalLevels, remapCodes, utf8FromCodes } from "./local-levels.ts";
import { type ColumnRead, raiseStreamError, StreamEndedOnError } from "./result-chunks.ts";
import { type FileSource, literalPath, type ResolvedFile, resolveFile, type Source } from "./source.ts";
import { fetchRange, isRangedUrl, isRemoteObjects, isS3Glob, lineEndAt, type RemoteObject, s3GlobObjects, streamRange } from "./sources/object-ranges.ts";

/** A file, or a part of one, is cut only into pieces of at least this many bytes. */
export const MIN_PIECE_BYTES = 1024 ** 2;

/** What one node reads of one file: all of it, a byte range of its data lines, or a range of its rows. */
export interface Piece {
  readonly path: string;
  readonly label: string;
  /** The file's size when planned: a node that sees another size does not share the filesystem. */
  readonly size: number;
  /** The bytes of the file it stands for, to balance the shares. */
  readonly weight: number;
  readonly bytes?: readonly [number, number];
  readonly rows?: readonly [number, number];
  /** A range of a remote object (`path` its URL): the length of its header line, read with the range. */
  readonly header?: number;
  /** An s3:// piece's S3-compatible endpoint, when not the environment's. */
  readonly endpoint?: string;
}

export interface ImportPlan {
  readonly label: string;
  readonly format: "csv" | "parquet";
  readonly csv: PinnedCsv | null;
  /** The whole source's columns as DuckDB types them. */
  readonly columns: readonly StagedColumn[];
  /** For each column the rules type from its text, what the first rows suggest; null for the others. */
  readonly looks: readonly (TextLook | null)[];
  readonly colTypes: Readonly<Record<string, ColumnType>>;
  /** Pieces of each share, in row order: share k's rows come before share k+1's. */
  readonly shares: readonly (readonly Piece[])[];
}

/** What a node's share holds, for the typing decisions. */
export interface ShareCounts {
  readonly rows: number;
  /** Per column: the full count of a text column left to the rules. */
  readonly text: readonly (TextCount | null)[];
  /** Per column: a value that is not a number, where a text column looked numeric but has some. */
  readonly examples: readonly (string | null)[];
  /** Per column: the levels of a column settled as an enum (unsorted from a share read once: decideShared sorts their union). */
  readonly levels: readonly (readonly string[] | null)[];
  /**
   * Per column settled as numeric or time, in a share read once: the least and greatest
   * value its chunks hold (NaN left out, as the rollups' moments leave it); null when it
   * holds none, or when the count did not read the column.
   */
  readonly ranges: readonly (readonly [number, number] | null)[];
}

/** spoolToFile's directories (source.ts): an upload or stdin, on the receiving node only. */
const isSpool = (path: string) => basename(dirname(path)).startsWith("floe-spool-");

/**
 * The shares of `source` for `nodes` nodes; null when one node parses it (not files, one
 * share, JSON, uploads). `sampleAll` sniffs CSV types over every row, not a sample.
 */
export async function planImport(db: Db, source: Source, opts: IngestOptions, nodes: number, sampleAll = false): Promise<ImportPlan | null> {
  if (nodes < 2) return null;
  if (source.kind === "remote") return planRemote(db, source, opts, nodes, sampleAll);
  if (source.kind !== "file" && source.kind !== "files") return null;
  const resolved = resolveFile(source as FileSource);
  const { format } = resolved;
  if (format === "json" || resolved.files.some((f) => isSpool(f.path))) return null;
  const files = resolved.files.map((f) => ({ ...f, path: resolve(f.path) }));
  // One file too small to cut: not worth a plan.
  if (files.length === 1 && statSync(files[0].path).size < 2 * MIN_PIECE_BYTES) return null;
  return plan(db, { ...resolved, files, format }, opts, nodes, sampleAll, async (session, csv) => {
    const pieces: Piece[] = [];
    for (const f of files) pieces.push(...(await cutFile(session, f.path, f.label, format, resolved.compression === "none" ? csv : null, nodes)));
    return pieces;
  });
}

/** Bytes of a remote object read to plan its import (DuckDB sniffs its first 20,480 rows). */
const REMOTE_SAMPLE_BYTES = 8 * 1024 ** 2;

/**
 * The plan of a remote CSV source (an http(s):// object, an s3:// key or glob), made from
 * the first REMOTE_SAMPLE_BYTES of its first object: the objects of a glob in runs, a large
 * object cut into byte ranges. Null when one node imports it: a server without ranges, a
 * small, compressed or non-CSV object, objects of a glob whose header lines differ from the
 * first's, or a value unlike the sample (sniffed whole).
 */
async function planRemote(db: Db, source: Extract<Source, { kind: "remote" }>, opts: IngestOptions, nodes: number, sampleAll: boolean): Promise<ImportPlan | null> {
  const { url, endpoint } = source;
  if (sampleAll || !isRemoteObjects(url)) return null;
  if ((source.format ?? (/\.(csv|tsv|txt)$/i.test(url.replace(/[?#].*$/, "")) ? "csv" : undefined)) !== "csv") return null;
  const listed = isS3Glob(url) ? await s3GlobObjects(url, endpoint) : [{ url, endpoint, size: -1 }];
  const head = await fetchRange(listed[0], 0, REMOTE_SAMPLE_BYTES, opts.signal);
  if (!head) return null;
  const objects = listed.map((o, k) => (k === 0 ? { ...o, size: head.size } : o));
  const total = objects.reduce((n, o) => n + o.size, 0);
  if ((objects.length === 1 && head.size < 2 * MIN_PIECE_BYTES) || (source.maxBytes !== undefined && total > source.maxBytes)) return null;
  // Whole lines only.
  const sample = head.bytes.subarray(0, head.bytes.lastIndexOf(0x0a) + 1);
  if (sample.length === 0) return null;
  const dir = mkdtempSync(join(tmpdir(), "floe-sample-"));
  try {
    const path = join(dir, "sample.csv");
    writeFileSync(path, sample);
    const resolved = resolveFile({ kind: "file", path, label: url, format: "csv" });
    if (resolved.compression !== "none") return null;
    return await plan(db, { ...resolved, format: "csv" }, opts, nodes, sampleAll, async (_, csv) => {
      if (!csv) return [];
      const header = csv.dialect.header ? sample.subarray(0, sample.indexOf(0x0a) + 1) : new Uint8Array(0);
      const pieces: Piece[] = [];
      for (const object of objects) {
        // The files of one source must have the same columns: a glob's objects, the first's header line.
        if (object !== objects[0] && header.length && !sameBytes((await fetchRange(object, 0, header.length, opts.signal))?.bytes, header)) return [];
        pieces.push(...(await cutRemote(object, header.length, csv, nodes, opts.signal)));
      }
      return pieces;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/**
 * The pieces of a remote CSV object of `size` bytes, its header line `header` bytes long:
 * a large one cut at line ends found by reading a little at each cut, else the whole object
 * (the dialect quotes, or lines are skipped before the header).
 */
async function cutRemote(object: RemoteObject & { readonly size: number }, header: number, csv: PinnedCsv, nodes: number, signal?: AbortSignal): Promise<Piece[]> {
  const { url, endpoint, size } = object;
  const whole: Piece[] = [{ path: url, label: url, size, weight: size, endpoint }];
  const parts = Math.min(nodes, Math.floor(size / MIN_PIECE_BYTES));
  if (parts < 2 || csv.dialect.skip > 0 || csv.dialect.quote) return whole;
  const cuts = [header];
  for (let k = 1; k < parts; k++) {
    const at = await lineEndAt(object, Math.max(cuts[cuts.length - 1], header + Math.floor(((size - header) * k) / parts)), size, signal);
    if (at < size) cuts.push(at);
  }
  cuts.push(size);
  const pieces: Piece[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) if (cuts[k + 1] > cuts[k]) pieces.push({ path: url, label: url, size, weight: cuts[k + 1] - cuts[k], bytes: [cuts[k], cuts[k + 1]], header, endpoint });
  return pieces.length < 2 ? whole : pieces;
}

/** The plan of checked files, sniffed and probed as one node's import of them is; `cut` gives their pieces. */
async function plan(
  db: Db,
  resolved: ResolvedFile & { readonly format: "csv" | "parquet" },
  opts: IngestOptions,
  nodes: number,
  sampleAll: boolean,
  cut: (session: DbSession, csv: PinnedCsv | null) => Promise<Piece[]>,
): Promise<ImportPlan | null> {
  const { files } = resolved;
  const session = await db.connect();
  const sample = `floe_plan_${++planCounter}`;
  try {
    const varchar = Object.entries(opts.colTypes ?? {})
      .filter(([, t]) => t === "enum" || t === "string")
      .map(([n]) => n);
    const csv = resolved.format === "csv" ? await pinCsv(session, { ...resolved, files }, opts, varchar, sampleAll) : null;
    const reader = csv
      ? pinnedCsvReader(
          files.map((f) => f.path),
          csv,
        )
      : await readerSql(session, { ...resolved, files }, opts, [], false);
    const described = await session.rows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${reader})`);
    const columns: StagedColumn[] = described.map(([name, t]) => ({ name: String(name), duckType: String(t), cls: classify(String(t)) }));
    for (const name of Object.keys(opts.colTypes ?? {})) {
      if (!columns.some((c) => c.name === name)) throw new FloeError("not_found", `--col-types names '${name}', which is not a column of ${resolved.label}`);
    }
    // The first rows of the source, as one node's staged table begins.
    try {
      await session.run(`CREATE TEMP TABLE ${sample} AS SELECT * FROM ${reader} LIMIT ${PROBE_ROWS}`);
    } catch (err) {
      if (/Could not convert string/.test(String(err))) throw unlikeSample(err, resolved.label);
      throw readerError(err, resolved.label, files);
    }
    const text = columns.filter((c) => settledType(c, opts.colTypes ?? {}) === undefined);
    const probed = text.length ? await probeText(session, sample, text) : [];
    const looks = columns.map((c) => (text.includes(c) ? probed[text.indexOf(c)] : null));
    const shares = groupPieces(await cut(session, csv), nodes);
    if (shares.length < 2) return null;
    return { label: resolved.label, format: resolved.format, csv, columns, looks, colTypes: opts.colTypes ?? {}, shares };
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${sample}`).catch(() => {});
    session.close();
  }
}

let planCounter = 0;

/** A value unlike the sniffed sample further down: the import is planned again, sniffing every row. */
function unlikeSample(err: unknown, label: string): FloeError {
  return new FloeError("bad_input", readerError(err, label).message, { sniffWhole: true });
}

/**
 * A file's pieces: a CSV file (uncompressed, without its quote character) cut at line ends,
 * a Parquet file cut between row groups, each into at most `nodes` pieces of at least
 * MIN_PIECE_BYTES; any other file whole. `csv` is null for a compressed CSV file.
 */
async function cutFile(session: DbSession, path: string, label: string, format: "csv" | "parquet", csv: PinnedCsv | null, nodes: number): Promise<Piece[]> {
  const size = statSync(path).size;
  const whole: Piece[] = [{ path, label, size, weight: size }];
  const parts = Math.min(nodes, Math.floor(size / MIN_PIECE_BYTES));
  if (parts < 2) return whole;
  if (format === "parquet") {
    const groups = await session.rows(`SELECT row_group_id, any_value(row_group_num_rows) FROM parquet_metadata(${sqlString(literalPath(path))}) GROUP BY row_group_id ORDER BY row_group_id`);
    const counts = groups.map(([, n]) => Number(n));
    const total = counts.reduce((a, b) => a + b, 0);
    const pieces: Piece[] = [];
    let from = 0;
    let at = 0;
    for (const [g, n] of counts.entries()) {
      at += n;
      const due = (total * (pieces.length + 1)) / parts;
      if ((at >= due && pieces.length < parts - 1) || g === counts.length - 1) {
        pieces.push({ path, label, size, weight: (size * (at - from)) / total, rows: [from, at] });
        from = at;
      }
    }
    return pieces.length < 2 ? whole : pieces;
  }
  if (!csv) return whole;
  const fd = openSync(path, "r");
  try {
    // Lines skipped before the header would be skipped again in every cut piece.
    if (csv.dialect.skip > 0 || (csv.dialect.quote && contains(fd, size, csv.dialect.quote.charCodeAt(0)))) return whole;
    const start = lineEnd(fd, 0, csv.dialect.header ? 1 : 0);
    const cuts = [start];
    for (let k = 1; k < parts; k++) {
      const at = lineEnd(fd, Math.max(cuts[cuts.length - 1], start + Math.floor(((size - start) * k) / parts)), 1);
      if (at < size) cuts.push(at);
    }
    cuts.push(size);
    const pieces: Piece[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) if (cuts[k + 1] > cuts[k]) pieces.push({ path, label, size, weight: cuts[k + 1] - cuts[k], bytes: [cuts[k], cuts[k + 1]] });
    return pieces.length < 2 ? whole : pieces;
  } finally {
    closeSync(fd);
  }
}

const BLOCK = 1 << 20;

function contains(fd: number, size: number, byte: number): boolean {
  const buf = Buffer.allocUnsafe(BLOCK);
  for (let pos = 0; pos < size; pos += BLOCK) {
    const n = readSync(fd, buf, 0, BLOCK, pos);
    if (buf.subarray(0, n).includes(byte)) return true;
  }
  return false;
}

/** The offset just past the `lines`-th line break at or after `from` (the file's end when there are fewer). */
function lineEnd(fd: number, from: number, lines: number): number {
  const buf = Buffer.allocUnsafe(BLOCK);
  let pos = from;
  let left = lines;
  if (left === 0) return from;
  for (;;) {
    const n = readSync(fd, buf, 0, BLOCK, pos);
    if (n <= 0) return pos;
    for (let i = buf.indexOf(0x0a); i >= 0 && i < n; i = buf.indexOf(0x0a, i + 1)) if (--left === 0) return pos + i + 1;
    pos += n;
  }
}

/** Pieces in order grouped into at most `nodes` contiguous shares of about equal weight. */
function groupPieces(pieces: readonly Piece[], nodes: number): Piece[][] {
  const total = pieces.reduce((a, p) => a + p.weight, 0);
  const shares: Piece[][] = [[]];
  let done = 0;
  for (const p of pieces) {
    const current = shares[shares.length - 1];
    if (current.length > 0 && shares.length < nodes && done + p.weight / 2 > (total * shares.length) / nodes) shares.push([p]);
    else current.push(p);
    done += p.weight;
  }
  return shares;
}

let shareCounter = 0;

/**
 * A node's share: its files (a local range copied to a temporary file, a remote object or
 * range streamed to one), read by DuckDB and held nowhere but in its chunks. A CSV share
 * whose text columns all look like enums and whose other columns are settled as numbers or
 * times (see readsOnce) is read once, at the count: its text columns into codes of their own
 * levels (local-levels.ts), which the extract maps to the merged domain. Any other share is
 * read twice: the count reads only the columns whose type is open, the extract casts every
 * column with the types and levels decided over every share. flights-3m, a node's 1.5M-row
 * share on one thread: read once in 0.63-0.76 s, where staging it in a compressed table,
 * counting and extracting it took 0.66 + 0.15 + 0.25 s.
 */
export class NodeShare {
  private constructor(
    private readonly db: Db,
    private readonly plan: Omit<ImportPlan, "shares">,
    /** The table expression reading the share, its columns as the whole source types them. */
    private readonly reader: string,
    private readonly files: readonly ShareFile[],
    /** Temporary files this share made, removed once it is extracted or dropped. */
    private readonly slices: readonly string[],
    private readonly label: string,
    private readonly chunkRows: number,
    readonly counts: ShareCounts,
    /** A share read once: its chunks, the local levels of its text columns and the ranges of the others (see ShareCounts). */
    private readonly read: ShareRead | null,
  ) {}

  /**
   * Finds `share` of `plan` (copying a local range, fetching a remote one) and counts what
   * the typing decisions need; `reserve` hears the bytes and rows of the chunks read so
   * far by a share read once, and throws to refuse them.
   */
  static async count(db: Db, plan: Omit<ImportPlan, "shares">, share: readonly Piece[], opts: ShareReadOptions): Promise<NodeShare> {
    for (const piece of share) if (!isRangedUrl(piece.path)) checkSameFile(piece);
    const slices: string[] = [];
    try {
      // The files read, in row order, each with its piece's label.
      const files: ShareFile[] = [];
      for (const piece of share) {
        let path = piece.path;
        if (isRangedUrl(piece.path)) path = await fetchSlice(piece, piece.bytes ?? [0, piece.size]);
        else if (piece.bytes) path = copyRange(piece.path, piece.bytes, plan.csv as PinnedCsv);
        if (path !== piece.path) slices.push(path);
        files.push({ path, label: piece.label });
      }
      const label = share.length === 1 ? share[0].label : `${share[0].label} and ${share.length - 1} more`;
      const reader = shareReader(plan, share, files);
      try {
        if (readsOnce(plan)) {
          const read = await readOnce(db, plan, reader, label, opts);
          removeSlices(slices.splice(0));
          return new NodeShare(db, plan, reader, files, [], label, opts.chunkRows, onceCounts(plan, read), read);
        }
        const session = await db.connect();
        try {
          return new NodeShare(db, plan, reader, files, slices, label, opts.chunkRows, await countShare(session, reader, plan), null);
        } finally {
          session.close();
        }
      } catch (err) {
        throw shareError(err, label, files);
      }
    } catch (err) {
      removeSlices(slices);
      throw err;
    }
  }

  /** The share's chunks, cast to `specs` (decided over every share), numbered from 0; its temporary files are removed. */
  async extract(specs: readonly ColumnSpec[]): Promise<Chunk[]> {
    try {
      if (this.read) return mergedLevels(this.read, specs);
      return await this.readAgain(specs);
    } finally {
      this.drop();
    }
  }

  private async readAgain(specs: readonly ColumnSpec[]): Promise<Chunk[]> {
    const session = await this.db.connect();
    const id = ++shareCounter;
    const enumTypes: string[] = [];
    try {
      const exprs: string[] = [];
      for (const [i, spec] of specs.entries()) {
        const domain = spec.domain ?? [];
        let typeName: string | null = null;
        if (spec.type === "enum" && domain.length > 0) {
          typeName = `floe_share_${id}_enum_${i}`;
          await session.run(`CREATE TYPE ${typeName} AS ENUM (${domain.map(sqlString).join(", ")})`);
          enumTypes.push(typeName);
        }
        exprs.push(extractExpr(this.plan.columns[i], spec.type, typeName));
      }
      const { rows } = this.counts;
      let chunks: Chunk[];
      try {
        chunks = await readShare(
          this.db,
          exprs,
          this.reader,
          this.label,
          specs.map((s) => vecKindOf(s.type)),
          this.chunkRows,
          {},
        );
      } catch (err) {
        // The count read the open columns only: a value unlike the sample in another is met here.
        throw shareError(err, this.label, this.files);
      }
      // The count and the read must agree: never keep a short share.
      const read = chunks.reduce((n, c) => n + c.rows, 0);
      if (read !== rows) throw new FloeError("bad_input", `${this.label}: read ${read} rows where the count found ${rows}`);
      return chunks;
    } finally {
      for (const t of enumTypes) await session.run(`DROP TYPE IF EXISTS ${t}`).catch(() => {});
      session.close();
    }
  }

  /** Removes the share's temporary files (after the extract, or when the import fails). */
  drop(): void {
    removeSlices(this.slices);
  }
}

/** A share read once, at its count. */
interface ShareRead {
  readonly chunks: readonly Chunk[];
  /** Per column: the levels of a text column, in the order its codes number them; null for the others. */
  readonly levels: readonly (LocalLevels | null)[];
  readonly ranges: readonly (readonly [number, number] | null)[];
}

/** How a node reads its share. */
export interface ShareReadOptions {
  /** Rows a chunk. */
  readonly chunkRows: number;
  readonly reserve?: (bytes: number, rows: number) => void;
}

/** Whether column `i` is text a share read once codes in local levels: it looks like an enum, or is typed one. */
function readsText(plan: Omit<ImportPlan, "shares">, i: number): boolean {
  return plan.looks[i] === "enum" || (plan.looks[i] === null && settledType(plan.columns[i], plan.colTypes)?.type === "enum");
}

/**
 * A share is read once when it is CSV, its text columns look like enums (VARCHAR, coded in
 * local levels; one that turns out a string is rebuilt from them) and its other columns are
 * settled as numbers or times. Text the probe found numbers in waits for the count to type
 * it; text that looks like a string (an id, a note) is read as text by the extract a chunk
 * at a time, not held in local levels of a value a row.
 */
function readsOnce(plan: Omit<ImportPlan, "shares">): boolean {
  return (
    plan.format === "csv" &&
    plan.columns.every((c, i) => {
      if (readsText(plan, i)) return c.duckType === "VARCHAR";
      const type = plan.looks[i] === null ? settledType(c, plan.colTypes)?.type : undefined;
      return type === "numeric" || type === "time";
    })
  );
}

/** The share's chunks: settled columns cast to their types, text columns in codes of their own levels. */
async function readOnce(db: Db, plan: Omit<ImportPlan, "shares">, reader: string, label: string, opts: ShareReadOptions): Promise<ShareRead> {
  const levels = plan.columns.map((_, i) => (readsText(plan, i) ? new LocalLevels() : null));
  const exprs: string[] = [];
  const columns: ColumnRead[] = [];
  for (const [i, c] of plan.columns.entries()) {
    const local = levels[i];
    if (local) {
      exprs.push(sqlIdent(c.name));
      columns.push({ builder: (capacity) => new LocalCodeBuilder(capacity, local), rowBytes: 16 });
    } else {
      const { type } = settledType(c, plan.colTypes) as { type: ColumnType };
      exprs.push(extractExpr(c, type, null));
      columns.push(vecKindOf(type));
    }
  }
  let bytes = 0;
  let rows = 0;
  const mins = plan.columns.map(() => Number.POSITIVE_INFINITY);
  const maxs = plan.columns.map(() => Number.NEGATIVE_INFINITY);
  const onChunk = (chunk: Chunk) => {
    rows += chunk.rows;
    bytes += chunk.vecs.reduce((n, v) => n + vecBytes(v), 0);
    opts.reserve?.(bytes, rows);
    for (const [i, vec] of chunk.vecs.entries()) if (vec.kind === "f64") [mins[i], maxs[i]] = valueRange(vec.values, mins[i], maxs[i]);
  };
  const chunks = await readShare(db, exprs, reader, label, columns, opts.chunkRows, { onChunk });
  const ranges = plan.columns.map((_, i): [number, number] | null => (mins[i] <= maxs[i] ? [mins[i], maxs[i]] : null));
  return { chunks, levels, ranges };
}

/** The least and greatest of `values` and [min, max], NaN left out. */
function valueRange(values: Float64Array, min: number, max: number): [number, number] {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return [min, max];
}

/** The chunks of `SELECT exprs FROM reader`, streamed; a read that DuckDB ended on an error throws that error. */
async function readShare(
  db: Db,
  exprs: readonly string[],
  reader: string,
  label: string,
  columns: readonly ColumnRead[],
  chunkRows: number,
  opts: { readonly onChunk?: (chunk: Chunk) => void },
): Promise<Chunk[]> {
  try {
    return await extractChunks(db, [`SELECT ${exprs.join(", ")} FROM ${reader}`], columns, 0, chunkRows, opts);
  } catch (err) {
    if (!(err instanceof StreamEndedOnError)) throw err;
    const session = await db.connect();
    try {
      return await raiseStreamError(session, exprs, reader, label);
    } finally {
      session.close();
    }
  }
}

/** The counts of a share read once, as countShare gives them. */
function onceCounts(plan: Omit<ImportPlan, "shares">, read: ShareRead): ShareCounts {
  const text: (TextCount | null)[] = [];
  const levels: (string[] | null)[] = [];
  for (const [i, c] of plan.columns.entries()) {
    const local = read.levels[i];
    const look = plan.looks[i];
    text.push(local && look ? { present: local.present, numbers: 0, times: 0, levels: local.values } : null);
    const settledEnum = local !== null && look === null && settledType(c, plan.colTypes)?.type === "enum";
    if (settledEnum && local.size > ENUM_MAX_LEVELS) throw tooManyLevels(c.name, local.size);
    levels.push(settledEnum ? local.values : null);
  }
  return { rows: read.chunks.reduce((n, c) => n + c.rows, 0), text, examples: plan.columns.map(() => null), levels, ranges: read.ranges };
}

/** A share read once, its text columns' local codes turned into codes of the merged domains or into text. */
function mergedLevels(read: ShareRead, specs: readonly ColumnSpec[]): Chunk[] {
  const maps = specs.map((spec, i) => (read.levels[i] && spec.type === "enum" ? (read.levels[i] as LocalLevels).remap(spec.domain ?? []) : null));
  return read.chunks.map((chunk) => ({
    ...chunk,
    vecs: chunk.vecs.map((vec, i) => {
      const local = read.levels[i];
      if (!local) return vec;
      const codes = (vec as CodeVec).codes;
      if (specs[i].type === "string") return utf8FromCodes(codes, local.values);
      remapCodes(codes, maps[i] as Int32Array);
      return vec;
    }),
  }));
}

/** A reader's error: a value unlike the sniffed sample asks for the import to be planned again. */
function shareError(err: unknown, label: string, files: readonly ShareFile[]): FloeError {
  if (/Could not convert string/.test(String(err))) return unlikeSample(err, label);
  return readerError(err, label, files);
}

/** The table expression reading a share's files, its columns typed as the whole source's are. */
function shareReader(plan: Omit<ImportPlan, "shares">, share: readonly Piece[], files: readonly ShareFile[]): string {
  if (plan.format === "csv")
    return pinnedCsvReader(
      files.map((f) => f.path),
      plan.csv as PinnedCsv,
    );
  // Parquet files of one source may type a column differently (INTEGER here, BIGINT there).
  const casts = plan.columns.map((c) => `CAST(${sqlIdent(c.name)} AS ${c.duckType}) AS ${sqlIdent(c.name)}`);
  return `(SELECT ${casts.join(", ")} FROM ${parquetReader(share)})`;
}

/** Refuses a file this node does not see as the planning node saw it. */
function checkSameFile(piece: Piece): void {
  let seen: number;
  try {
    seen = statSync(piece.path).size;
  } catch {
    seen = -1;
  }
  if (seen !== piece.size) {
    throw new FloeError(
      "bad_input",
      `${piece.label}: this node sees ${seen < 0 ? "no such file" : `${seen} bytes, not ${piece.size}`} at ${piece.path} (an import is parsed by every node: the files must be on a filesystem they share)`,
    );
  }
}

/** A file a share reads: a whole file of the source, or a temporary one holding a range's lines. */
interface ShareFile {
  readonly path: string;
  /** The source's name for it, in messages. */
  readonly label: string;
}

/** The table expression reading a share's Parquet files in one read_parquet, each file's rows filtered to its piece's range. */
function parquetReader(share: readonly Piece[]): string {
  const list = `[${share.map((p) => sqlString(literalPath(p.path))).join(", ")}]`;
  if (share.every((p) => !p.rows)) return `read_parquet(${list})`;
  const keep = share.map((p) => {
    const file = `filename = ${sqlString(literalPath(p.path))}`;
    return p.rows ? `(${file} AND file_row_number >= ${p.rows[0]} AND file_row_number < ${p.rows[1]})` : `(${file})`;
  });
  return `(SELECT * EXCLUDE (filename, file_row_number) FROM read_parquet(${list}, filename=true, file_row_number=true) WHERE ${keep.join(" OR ")})`;
}

function removeSlices(slices: readonly string[]): void {
  for (const slice of slices) rmSync(dirname(slice), { recursive: true, force: true });
}

/**
 * Copies bytes [a, b) of a CSV file (whole lines) to a new temporary file, after the file's
 * header line (DuckDB reads files, not ranges): its path.
 */
function copyRange(path: string, [a, b]: readonly [number, number], csv: PinnedCsv): string {
  const dir = mkdtempSync(join(tmpdir(), "floe-slice-"));
  const out = join(dir, "part.csv");
  const from = openSync(path, "r");
  try {
    const to = openSync(out, "w");
    try {
      const buf = Buffer.allocUnsafe(4 * BLOCK);
      // The header line too, so that whole files and cut ones read alike.
      const head = csv.dialect.header ? lineEnd(from, 0, 1) : 0;
      for (const [p, q] of [
        [0, head],
        [a, b],
      ]) {
        for (let pos = p; pos < q; ) {
          const n = readSync(from, buf, 0, Math.min(buf.length, q - pos), pos);
          if (n <= 0) break;
          writeSync(to, buf, 0, n);
          pos += n;
        }
      }
    } finally {
      closeSync(to);
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    closeSync(from);
  }
  return out;
}

/** Streams the header (of a range) and bytes [a, b) of a remote CSV object to a new temporary file; its path. */
async function fetchSlice(piece: Piece, range: readonly [number, number]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "floe-slice-"));
  const out = join(dir, "part.csv");
  const to = openSync(out, "w");
  try {
    const object = { url: piece.path, endpoint: piece.endpoint };
    for (const part of [[0, piece.header ?? 0] as const, range]) await streamRange(object, part, piece.size, (bytes) => writeSync(to, bytes));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    closeSync(to);
  }
  return out;
}

/**
 * One read of the share: its rows, the full count of the text columns the rules type, a
 * value that is not a number where one looked numeric, and the levels of settled enums.
 * Columns settled as numeric or time are not read (DuckDB parses no more of a CSV line
 * than a query uses): their moments and histograms are counted from the chunks.
 */
async function countShare(session: DbSession, reader: string, plan: Omit<ImportPlan, "shares">): Promise<ShareCounts> {
  const text = plan.columns.filter((_, i) => plan.looks[i] !== null);
  const looks = text.map((c) => plan.looks[plan.columns.indexOf(c)] as TextLook);
  const exprs = ["count(*)", ...textCountExprs(text, looks)];
  const extra: [number, "example" | "levels"][] = [];
  for (const [i, c] of plan.columns.entries()) {
    const q = sqlIdent(c.name);
    if (plan.looks[i] === "number or time") {
      exprs.push(`first(${q}) FILTER (WHERE ${q} IS NOT NULL AND TRY_CAST(${q} AS DOUBLE) IS NULL)`);
      extra.push([i, "example"]);
    } else if (plan.looks[i] === null && settledType(c, plan.colTypes)?.type === "enum") {
      // In the column's own order (numbers numerically), as one node's ENUM type is built.
      exprs.push(`list_transform(list(DISTINCT ${q} ORDER BY ${q}) FILTER (WHERE ${q} IS NOT NULL), v -> CAST(v AS VARCHAR))`);
      extra.push([i, "levels"]);
    }
  }
  const [row] = await session.rows(`SELECT ${exprs.join(", ")} FROM ${reader}`);
  const textRow = row.slice(1, 1 + 3 * text.length);
  const examples: (string | null)[] = plan.columns.map(() => null);
  const levels: (string[] | null)[] = plan.columns.map(() => null);
  for (const [k, [i, kind]] of extra.entries()) {
    const v = row[1 + 3 * text.length + k];
    if (kind === "example") examples[i] = v == null ? null : String(v);
    else {
      const found = ((v as unknown[] | null) ?? []).map(String);
      if (found.length > ENUM_MAX_LEVELS) throw tooManyLevels(plan.columns[i].name, found.length);
      levels[i] = found;
    }
  }
  return {
    rows: Number(row[0]),
    text: plan.columns.map((c) => (text.includes(c) ? textCountAt(textRow, text.indexOf(c), looks[text.indexOf(c)]) : null)),
    examples,
    levels,
    ranges: plan.columns.map(() => null),
  };
}

/** Byte order of UTF-8, as DuckDB sorts text. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The sorted union of sorted level lists. */
function unite(lists: readonly (readonly string[])[], order: (a: string, b: string) => number): string[] {
  return [...new Set(lists.flat())].sort(order);
}

/** Every column's type and levels from the shares' counts, as one node's import of the whole source decides them. */
export async function decideShared(plan: Omit<ImportPlan, "shares">, shares: readonly ShareCounts[], onWarning?: (message: string) => void): Promise<ColumnSpec[]> {
  const specs: ColumnSpec[] = [];
  for (const [i, c] of plan.columns.entries()) {
    const look = plan.looks[i];
    if (look === null) {
      const { type } = settledType(c, plan.colTypes) as { type: ColumnType };
      if (type !== "enum") {
        specs.push({ name: c.name, type });
        continue;
      }
      const order = c.cls === "numeric" ? (a: string, b: string) => Number(a) - Number(b) : byteOrder;
      const domain = unite(
        shares.map((s) => s.levels[i] ?? []),
        order,
      );
      if (domain.length > ENUM_MAX_LEVELS) throw tooManyLevels(c.name, domain.length);
      specs.push({ name: c.name, type, domain });
      continue;
    }
    const parts = shares.map((s) => s.text[i] as TextCount);
    const sum = (f: (n: TextCount) => number) => parts.reduce((a, n) => a + f(n), 0);
    const merged: TextCount = {
      present: sum((n) => n.present),
      numbers: sum((n) => n.numbers),
      times: sum((n) => n.times),
      ...(look === "enum"
        ? {
            levels: unite(
              parts.map((n) => n.levels ?? []),
              byteOrder,
            ),
          }
        : {}),
    };
    const example = async () => shares.map((s) => s.examples[i]).find((e) => e !== null);
    const decision = await decideText(c, look, merged, example, onWarning);
    specs.push(decision.domain ? { name: c.name, type: decision.type, domain: [...decision.domain] } : { name: c.name, type: decision.type });
  }
  return specs;
}
