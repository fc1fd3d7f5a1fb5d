// Where frame data comes from: a file, a glob, a stream spooled to a temporary file
// (stdin, uploads) or a SQL query. Checks what DuckDB would report badly or not at all
// (a missing path, a directory, an empty file, binary junk) and picks the reader.

import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { FloeError } from "./errors.ts";

export type SourceFormat = "csv" | "parquet" | "json";

export type Source =
  | { readonly kind: "file"; readonly path: string; readonly label?: string; readonly format?: SourceFormat }
  | { readonly kind: "sql"; readonly query: string };

/** A file source checked and typed: what the ingest reads. */
export interface ResolvedFile {
  readonly path: string;
  /** How errors name the source: the path, or `<stdin>`. */
  readonly label: string;
  readonly format: SourceFormat;
  readonly glob: boolean;
  /** The first bytes of a single file (empty for globs), for dialect checks. */
  readonly head: Uint8Array;
}

const SNIFF_BYTES = 64 * 1024;
const GLOB_CHARS = /[*?[]/;

const EXTENSIONS: Record<string, SourceFormat> = {
  ".csv": "csv",
  ".tsv": "csv",
  ".txt": "csv",
  ".gz": "csv",
  ".parquet": "parquet",
  ".pq": "parquet",
  ".json": "json",
  ".jsonl": "json",
  ".ndjson": "json",
};

function readHead(path: string): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function formatFromContent(head: Uint8Array): SourceFormat {
  if (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return "parquet"; // PAR1
  for (const b of head) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b || b === 0x5b ? "json" : "csv"; // { or [
  }
  return "csv";
}

/** Checks a file source and decides its format; throws a FloeError naming what is wrong. */
export function resolveFile(src: { path: string; label?: string; format?: SourceFormat }): ResolvedFile {
  const label = src.label ?? src.path;
  const byExtension = EXTENSIONS[extname(src.path).toLowerCase()];
  if (GLOB_CHARS.test(src.path)) {
    return { path: src.path, label, format: src.format ?? byExtension ?? "csv", glob: true, head: new Uint8Array(0) };
  }
  let size: number;
  try {
    const st = statSync(src.path);
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
  const head = readHead(src.path);
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const format = src.format ?? (gzip ? "csv" : (byExtension ?? formatFromContent(head)));
  if (format !== "parquet" && !gzip) {
    const nul = head.indexOf(0);
    if (nul >= 0) {
      throw new FloeError(
        "bad_input",
        `${label}: looks like binary data (a NUL byte at offset ${nul}), not ${format === "json" ? "JSON" : "CSV"} text`,
      );
    }
  }
  return { path: src.path, label, format, glob: false, head };
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
