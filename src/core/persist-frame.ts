// A frame as one file of a node's data directory: floe's own chunk buffers, raw, then a
// footer. Raw buffers rather than Parquet because they restore exactly what was stored:
// every double's bits (NaN as missing, -0), enum codes with their domain in code order,
// time as ms, strings with their missing bitmap, and the rollups as computed; Parquet
// would go through DuckDB's types (re-sorted enum domains, nulls for NaN) and keep no
// rollups. Layout (integers little-endian, as the typed arrays are on every platform floe
// runs on):
//   "FLOEFRAME1\n"  each chunk's vectors' buffers, in order  footer JSON  u32 footer bytes  "FLOEEND\n"
// A file missing its end marker or whose sizes do not add up is refused whole.

import { type FileHandle, open } from "node:fs/promises";
import { type Chunk, type ColumnType, sharedF64, sharedI32, sharedU8, type Vec, vecKindOf } from "./chunk.ts";
import { FloeError } from "./errors.ts";
import { type ColumnRollup, type ColumnSpec, Frame } from "./frame.ts";

const MAGIC = Buffer.from("FLOEFRAME1\n");
const END = Buffer.from("FLOEEND\n");
const COLUMN_TYPES: readonly ColumnType[] = ["numeric", "enum", "string", "time"];

interface Footer {
  readonly columns: readonly ColumnSpec[];
  readonly rollups: readonly ColumnRollup[] | null;
  /** Rows of each chunk; each chunk's buffers follow from its rows and the column types. */
  readonly chunks: readonly { readonly rows: number; readonly stringBytes: readonly number[] }[];
}

/** JSON keeps every finite double exactly; NaN, ±Infinity and -0 ride as tagged strings. */
function exactNumbers(_key: string, v: unknown): unknown {
  if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) return { $num: Object.is(v, -0) ? "-0" : String(v) };
  return v;
}

function revive(_key: string, v: unknown): unknown {
  if (v && typeof v === "object" && typeof (v as { $num?: unknown }).$num === "string") return Number((v as { $num: string }).$num);
  return v;
}

function buffersOf(vec: Vec): Uint8Array[] {
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  switch (vec.kind) {
    case "f64":
      return [bytes(vec.values)];
    case "codes":
      return [bytes(vec.codes)];
    case "utf8":
      return [bytes(vec.offsets), bytes(vec.bytes), bytes(vec.missing)];
  }
}

/** Byte sizes of a chunk's vectors' buffers, in file order. */
function bufferSizes(columns: readonly ColumnSpec[], rows: number, stringBytes: readonly number[]): number[] {
  let s = 0;
  return columns.flatMap((c) => {
    const kind = vecKindOf(c.type);
    if (kind === "f64") return [rows * 8];
    if (kind === "codes") return [rows * 4];
    return [(rows + 1) * 4, stringBytes[s++], (rows + 7) >> 3];
  });
}

/**
 * Writes `frame` to the open file `out`; `afterChunk` (tests) runs once each chunk is
 * written. The frame's chunks must all be on this node.
 */
export async function writeFrameFile(out: FileHandle, frame: Frame, afterChunk?: (index: number) => Promise<void>): Promise<void> {
  await out.write(MAGIC);
  const chunks: Footer["chunks"][number][] = [];
  for (const chunk of frame.chunks) {
    const stringBytes = chunk.vecs.flatMap((v) => (v.kind === "utf8" ? [v.bytes.byteLength] : []));
    const buffers = chunk.vecs.flatMap(buffersOf);
    const sizes = bufferSizes(frame.columns, chunk.rows, stringBytes);
    // The reader finds each buffer by these sizes: a vector of another length would shift the rest.
    if (buffers.some((b, i) => b.byteLength !== sizes[i])) throw new FloeError("internal", `chunk ${chunk.index}'s vectors do not match its ${chunk.rows} rows`);
    for (const buf of buffers) await out.write(buf);
    chunks.push({ rows: chunk.rows, stringBytes });
    await afterChunk?.(chunk.index);
  }
  const footer: Footer = { columns: frame.columns, rollups: frame.rollups ?? null, chunks };
  const json = Buffer.from(JSON.stringify(footer, exactNumbers));
  const size = Buffer.alloc(4);
  size.writeUInt32LE(json.length);
  await out.write(Buffer.concat([json, size, END]));
}

function corrupt(path: string, what: string): FloeError {
  return new FloeError("bad_input", `${path} is not a whole floe frame file: ${what}`);
}

function checkFooter(path: string, footer: Footer): void {
  if (!Array.isArray(footer?.columns) || !Array.isArray(footer.chunks)) throw corrupt(path, "its footer has no columns or chunks");
  for (const c of footer.columns) {
    if (typeof c?.name !== "string" || !COLUMN_TYPES.includes(c.type)) throw corrupt(path, "a column without a name or a known type");
    if (c.type === "enum" && !Array.isArray(c.domain)) throw corrupt(path, `enum column '${c.name}' has no domain`);
  }
  const strings = footer.columns.filter((c) => c.type === "string").length;
  for (const ch of footer.chunks) {
    if (!Number.isInteger(ch?.rows) || ch.rows < 0 || !Array.isArray(ch.stringBytes) || ch.stringBytes.length !== strings) throw corrupt(path, "a chunk of unknown size");
    if (!ch.stringBytes.every((n: number) => Number.isInteger(n) && n >= 0)) throw corrupt(path, "a chunk of unknown size");
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await file.read(buf, 0, length, position);
  if (bytesRead !== length) throw new FloeError("bad_input", `short read at byte ${position}`);
  return buf;
}

/** The chunk whose buffers start at `offset`, copied into shared memory for the pool. */
async function readChunk(file: FileHandle, columns: readonly ColumnSpec[], rows: number, stringBytes: readonly number[], offset: number, index: number, start: number): Promise<Chunk> {
  const sizes = bufferSizes(columns, rows, stringBytes);
  let at = offset;
  let b = 0;
  const next = async <T extends ArrayBufferView>(make: (n: number) => T, width: number): Promise<T> => {
    const n = sizes[b++];
    const arr = make(n / width);
    new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).set(await readAt(file, at, n));
    at += n;
    return arr;
  };
  const vecs: Vec[] = [];
  for (const c of columns) {
    const kind = vecKindOf(c.type);
    if (kind === "f64") vecs.push({ kind, values: await next(sharedF64, 8) });
    else if (kind === "codes") vecs.push({ kind, codes: await next(sharedI32, 4) });
    else vecs.push({ kind, offsets: await next(sharedI32, 4), bytes: await next(sharedU8, 1), missing: await next(sharedU8, 1) });
  }
  return { index, start, rows, vecs };
}

/** Reads a file written by writeFrameFile; a bad_input error naming `path` when it is not whole. */
export async function readFrameFile(path: string): Promise<Frame> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const tail = MAGIC.length + 4 + END.length;
    if (size < tail) throw corrupt(path, "too short");
    if (!Buffer.from(await readAt(file, 0, MAGIC.length)).equals(MAGIC)) throw corrupt(path, "no floe frame header");
    const end = Buffer.from(await readAt(file, size - 4 - END.length, 4 + END.length));
    if (!end.subarray(4).equals(END)) throw corrupt(path, "no end marker (a write cut short)");
    const footerBytes = end.readUInt32LE(0);
    const footerAt = size - 4 - END.length - footerBytes;
    if (footerAt < MAGIC.length) throw corrupt(path, "its footer overruns the file");
    let footer: Footer;
    try {
      footer = JSON.parse(Buffer.from(await readAt(file, footerAt, footerBytes)).toString("utf8"), revive);
    } catch {
      throw corrupt(path, "its footer is not JSON");
    }
    checkFooter(path, footer);
    const total = footer.chunks.reduce((t, ch) => t + bufferSizes(footer.columns, ch.rows, ch.stringBytes).reduce((a, n) => a + n, 0), 0);
    if (MAGIC.length + total !== footerAt) throw corrupt(path, `its chunks take ${total} bytes where the file has ${footerAt - MAGIC.length}`);
    const chunks: Chunk[] = [];
    let offset = MAGIC.length;
    let start = 0;
    for (const [index, ch] of footer.chunks.entries()) {
      chunks.push(await readChunk(file, footer.columns, ch.rows, ch.stringBytes, offset, index, start));
      offset += bufferSizes(footer.columns, ch.rows, ch.stringBytes).reduce((a, n) => a + n, 0);
      start += ch.rows;
    }
    const frame = Frame.of(footer.columns, chunks);
    return footer.rollups ? frame.withRollups(footer.rollups) : frame;
  } finally {
    await file.close();
  }
}
