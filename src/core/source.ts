// Where frame data comes from: one file, a list of files (a glob expanded once, or several
// paths named by the user), a stream spooled to a temporary file (stdin, uploads) or a SQL
// query. Checks what DuckDB would report badly or not at all (a missing path, a
// directory, an empty file, binary junk, a remote URL), detects gzip and zstd by their
// magic bytes, and picks the reader. DuckDB is then handed literal paths only: it never
// expands a glob itself, so the files checked are the files read.

import { closeSync, createReadStream, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, extname, isAbsolute, join, relative } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { constants, createGunzip, createZstdDecompress, gunzipSync, zstdDecompressSync } from "node:zlib";
import { remoteFile } from "./duckdb-errors.ts";
import { FloeError } from "./errors.ts";

export type SourceFormat = "csv" | "parquet" | "json";

/**
 * What to read. `file` is one path as the user gave it: a glob (`*`, `?`, `[`) is expanded
 * here, once, unless a file of that very name exists. `files` is a list of literal paths
 * read as one table (shell-expanded arguments, a glob checked under --data-root), which
 * must share their columns; `labels` name them in errors (default: the paths).
 */
export type Source =
  | { readonly kind: "file"; readonly path: string; readonly label?: string; readonly format?: SourceFormat }
  | {
      readonly kind: "files";
      readonly paths: readonly string[];
      readonly labels?: readonly string[];
      readonly label?: string;
      readonly format?: SourceFormat;
    }
  | { readonly kind: "sql"; readonly query: string }
  /** A table or one SELECT in a SQL database (sources/sql-db.ts); `url` may hold a password. */
  | { readonly kind: "db"; readonly url: string; readonly table?: string; readonly query?: string }
  /**
   * An s3:// (key or glob) or http(s):// URL, downloaded to temporary files when read
   * (sources/remote.ts); `endpoint` is an S3-compatible store's, `maxBytes` caps the download.
   */
  | { readonly kind: "remote"; readonly url: string; readonly endpoint?: string; readonly maxBytes?: number; readonly format?: SourceFormat };

/** The sources that are files. */
export type FileSource = Extract<Source, { kind: "file" | "files" }>;

export type Compression = "none" | "gzip" | "zstd";

/** One checked file of a source. */
export interface SourceFile {
  readonly path: string;
  /** How errors name the file: the path as given, or `<stdin>`, never a temporary path. */
  readonly label: string;
  /** The first bytes of the content (decompressed), for dialect checks. */
  readonly head: Uint8Array;
}

/** A file source checked and typed: what the ingest reads. */
export interface ResolvedFile {
  /** The files in reading order (a glob's matches sorted by path). */
  readonly files: readonly SourceFile[];
  /** How errors name the whole source. */
  readonly label: string;
  readonly format: SourceFormat;
  readonly compression: Compression;
}

const SNIFF_BYTES = 64 * 1024;
const GLOB_CHARS = /[*?[]/;
/** A URL scheme (http://, s3://...): DuckDB reads those only through extensions floe never loads. */
const REMOTE = /^[a-z][a-z0-9+.-]*:\/\//i;

const EXTENSIONS: Record<string, SourceFormat> = {
  ".csv": "csv",
  ".tsv": "csv",
  ".txt": "csv",
  ".parquet": "parquet",
  ".pq": "parquet",
  ".json": "json",
  ".jsonl": "json",
  ".ndjson": "json",
};

/** The label for a source in messages and frame names. */
export function sourceLabel(source: Source): string {
  switch (source.kind) {
    case "sql":
      return "query";
    case "db":
      return source.table ?? "query";
    case "remote":
      return source.url;
    case "file":
      return source.label ?? source.path;
    case "files":
      return source.label ?? (source.paths.length === 1 ? source.paths[0] : `${source.paths[0]} and ${source.paths.length - 1} more`);
  }
}

/** Refuses a URL where a local path is expected, naming it. */
export function checkLocalPath(path: string): void {
  const scheme = REMOTE.exec(path);
  if (scheme) throw remoteFile(`${path}: remote files (${scheme[0]})`);
}

/**
 * The files a glob pattern matches, sorted, as paths in the pattern's own form (relative
 * patterns give relative paths, resolved against `cwd`). Dot-files match, as they do in
 * DuckDB: what is checked must be every file the pattern can name.
 */
export function expandGlob(pattern: string, cwd = process.cwd()): string[] {
  // Scan from the longest leading directory without glob characters.
  let base = pattern;
  while (GLOB_CHARS.test(base)) base = dirname(base);
  const rest = relative(base, pattern);
  const root = isAbsolute(base) ? base : join(cwd, base);
  let matches: string[];
  try {
    matches = [...new Bun.Glob(rest).scanSync({ cwd: root, dot: true, followSymlinks: true, onlyFiles: true })];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return matches.map((m) => (base === "." && !pattern.startsWith("./") ? m : join(base, m))).sort();
}

/** `path` with DuckDB's glob characters escaped, so DuckDB reads that one file. */
export function literalPath(path: string): string {
  return path.replace(/[*?[]/g, "[$&]");
}

function readHead(path: string, bytes: number): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function compressionOf(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  return "none";
}

/** The first decompressed bytes of a compressed file (its head is a prefix of the stream). */
function decompressedHead(path: string, compression: Exclude<Compression, "none">, label: string): Uint8Array {
  // A highly compressed head could expand hugely: read less when the output would be large.
  for (const bytes of [SNIFF_BYTES, 1024]) {
    const head = readHead(path, bytes);
    try {
      return compression === "gzip" ? gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 4 * SNIFF_BYTES }) : zstdDecompressSync(head, { maxOutputLength: 4 * SNIFF_BYTES });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE") {
        throw new FloeError("bad_input", `${label}: the ${compression} data is corrupt or cut short (${(err as Error).message})`);
      }
    }
  }
  throw new FloeError("bad_input", `${label}: the ${compression} data expands too much to be CSV text`);
}

function formatFromContent(head: Uint8Array): SourceFormat {
  if (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return "parquet"; // PAR1
  for (const b of head) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b || b === 0x5b ? "json" : "csv"; // { or [
  }
  return "csv";
}

/** The format a name says, looking through a compression suffix (data.json.gz is JSON). */
function formatFromName(path: string): SourceFormat | undefined {
  let ext = extname(path).toLowerCase();
  if (ext === ".gz" || ext === ".zst") ext = extname(basename(path, extname(path))).toLowerCase();
  return EXTENSIONS[ext];
}

interface CheckedFile extends SourceFile {
  readonly format: SourceFormat;
  readonly compression: Compression;
}

/** Checks one literal path: present, a regular non-empty file, text where text is due. */
function checkFile(path: string, label: string, format: SourceFormat | undefined): CheckedFile {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new FloeError("bad_input", `${label}: is a directory, not a data file`);
    size = st.size;
  } catch (err) {
    if (err instanceof FloeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new FloeError("not_found", `${label}: no such file`);
    if (code === "EACCES") throw new FloeError("bad_input", `${label}: permission denied`);
    throw new FloeError("bad_input", `${label}: ${(err as Error).message}`);
  }
  if (size === 0) throw new FloeError("bad_input", `${label}: the file is empty`);
  const raw = readHead(path, SNIFF_BYTES);
  const compression = compressionOf(raw);
  const head = compression === "none" ? raw : decompressedHead(path, compression, label);
  const chosen = format ?? formatFromName(path) ?? (compression === "none" ? formatFromContent(head) : "csv");
  if (chosen === "parquet" && compression !== "none") {
    throw new FloeError("bad_input", `${label}: ${compression}-compressed Parquet; Parquet compresses its own columns, give the plain file`);
  }
  if (chosen !== "parquet") {
    const nul = head.indexOf(0);
    if (nul >= 0) {
      throw new FloeError("bad_input", `${label}: looks like binary data (a NUL byte at offset ${nul}), not ${chosen === "json" ? "JSON" : "CSV"} text`);
    }
  }
  return { path, label, head, format: chosen, compression };
}

/** Checks a file source and decides its format; throws a FloeError naming what is wrong. */
export function resolveFile(src: FileSource): ResolvedFile {
  const label = sourceLabel(src);
  let entries: { path: string; label: string }[];
  if (src.kind === "files") {
    if (src.paths.length === 0) throw new FloeError("invalid_argument", "no input files");
    entries = src.paths.map((path, i) => ({ path, label: src.labels?.[i] ?? path }));
  } else if (GLOB_CHARS.test(src.path) && !existsAsIs(src.path)) {
    checkLocalPath(src.path);
    const matches = expandGlob(src.path);
    if (matches.length === 0) throw new FloeError("not_found", `${label}: no file matches`);
    entries = matches.map((path) => ({ path, label: path }));
  } else {
    entries = [{ path: src.path, label }];
  }
  for (const e of entries) checkLocalPath(e.path);
  const files = entries.map((e) => checkFile(e.path, e.label, src.format));
  for (const f of files.slice(1)) {
    if (f.format !== files[0].format) throw mixed(files[0], f, `${files[0].format} and ${f.format}`);
    if (f.compression !== files[0].compression) throw mixed(files[0], f, `${files[0].compression} and ${f.compression} compression`);
  }
  return {
    files: files.map(({ path, label, head }) => ({ path, label, head })),
    label,
    format: files[0].format,
    compression: files[0].compression,
  };
}

function mixed(a: SourceFile, b: SourceFile, what: string): FloeError {
  return new FloeError("bad_input", `${a.label} and ${b.label} cannot be read as one table: ${what}`);
}

/** Refuses two files whose columns differ, naming both files and the columns. */
export function checkSameColumns(a: SourceFile, ca: readonly { name: string }[], b: SourceFile, cb: readonly { name: string }[]): void {
  const an = ca.map((c) => c.name);
  const bn = cb.map((c) => c.name);
  if (an.length === bn.length && an.every((n, i) => n === bn[i])) return;
  const onlyA = an.filter((n) => !bn.includes(n));
  const onlyB = bn.filter((n) => !an.includes(n));
  const list = (names: string[]) => names.map((n) => `'${n}'`).join(", ");
  const parts: string[] = [];
  if (onlyA.length) parts.push(`${list(onlyA)} only in ${a.label}`);
  if (onlyB.length) parts.push(`${list(onlyB)} only in ${b.label}`);
  if (!parts.length) parts.push(`the same columns in another order (${list(an)} vs ${list(bn)})`);
  throw new FloeError("bad_input", `${a.label} and ${b.label} have different columns: ${parts.join("; ")}`);
}

/**
 * Refuses a compressed file that is corrupt or cut short: DuckDB reads a truncated gzip
 * file as far as it goes without a word, so the whole stream is decompressed once here
 * (output discarded) to check its end and checksum. Node's zstd stream does not report a
 * cut-off frame, so a truncated zstd file is caught only where its last line is ragged.
 */
export async function checkIntact(file: SourceFile, compression: Compression): Promise<void> {
  if (compression === "none") return;
  const decompress = compression === "gzip" ? createGunzip() : createZstdDecompress();
  try {
    await pipeline(createReadStream(file.path), decompress, new Writable({ write: (_chunk, _enc, done) => done() }));
  } catch (err) {
    throw new FloeError("bad_input", `${file.label}: the ${compression} data is corrupt or cut short (${(err as Error).message})`);
  }
}

/** Whether a file or directory has exactly this name (a name that merely looks like a glob). */
function existsAsIs(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A stream written to a temporary file, removed by `cleanup`. */
export interface Spooled {
  readonly path: string;
  cleanup(): void;
}

/** Spool directories not yet removed; one 'exit' handler removes what is left of them. */
const liveSpools = new Set<string>();

function removeLiveSpools(): void {
  for (const dir of liveSpools) rmSync(dir, { recursive: true, force: true });
}

/** A fresh directory under the temporary directory; a missing or unwritable one is named. */
function spoolDir(): string {
  const base = tmpdir();
  try {
    return mkdtempSync(join(base, "floe-spool-"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EACCES" || code === "EROFS" ? "is not writable" : code === "ENOTDIR" ? "is not a directory" : (err as Error).message;
    throw new FloeError("bad_input", `cannot keep a temporary copy of the input: the temporary directory ${base} (TMPDIR) ${why}`);
  }
}

/**
 * Writes a byte stream (stdin, an upload) to a temporary file DuckDB can read twice. The
 * file is removed by `cleanup`, or when the process exits first (process.exit on a signal
 * or a closed output pipe runs the 'exit' handlers; a SIGKILL cannot be caught).
 */
export async function spoolToFile(stream: ReadableStream<Uint8Array>): Promise<Spooled> {
  const dir = spoolDir();
  const path = join(dir, "data");
  if (liveSpools.size === 0) process.on("exit", removeLiveSpools);
  liveSpools.add(dir);
  const cleanup = () => {
    rmSync(dir, { recursive: true, force: true });
    liveSpools.delete(dir);
    if (liveSpools.size === 0) process.off("exit", removeLiveSpools);
  };
  try {
    const writer = Bun.file(path).writer();
    for await (const part of stream) writer.write(part);
    await writer.end();
  } catch (err) {
    cleanup();
    throw err;
  }
  return { path, cleanup };
}
