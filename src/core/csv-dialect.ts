// CSV reading through DuckDB's sniffer, made strict. DuckDB's sniffer copes with a bad
// file by picking a dialect under which it parses (a ragged file becomes one column
// split on '|', an unterminated quote turns quoting off); floe would rather say what is
// wrong. So after sniffing we re-check the suspicious cases with the dialect the file
// plainly uses, and we read the raw header to refuse empty or duplicate column names.
// Several files are read as one table only when their headers agree (as H2O requires).

import { closeSync, openSync, readSync } from "node:fs";
import { type DbSession, sqlString } from "./duckdb.ts";
import { readerError } from "./duckdb-errors.ts";
import { FloeError } from "./errors.ts";
import { checkSameColumns, type Compression, literalPath, type ResolvedFile, type SourceFile } from "./source.ts";

/** Strings read as missing values, as H2O's parser does, plus pandas' usual ones. */
export const DEFAULT_NA_STRINGS: readonly string[] = ["", "NA", "N/A", "na", "n/a", "NaN", "nan", "null", "NULL", "None"];

export interface CsvOptions {
  /** Field delimiter; sniffed when absent. */
  readonly sep?: string;
  /** Whether the first line is a header; sniffed when absent. */
  readonly header?: boolean;
  readonly naStrings?: readonly string[];
}

/** DuckDB's default max_line_size: longer lines are refused. */
const MAX_LINE_BYTES = 2_000_000;

/**
 * The buffer each of DuckDB's CSV reads fills from a file (DuckDB's own is 32 MB), about twice
 * the longest line. flights-3m: the sniff took 84 ms and left 39 MB resident with DuckDB's,
 * 41 ms and 11 MB with this; the header's one-line read 28 ms and 31 MB, 5 ms and 5 MB;
 * a share's read of its 50 MB peaked ~30 MB lower, in the same time.
 */
const BUFFER_ARG = `buffer_size=${4 * 1024 ** 2}`;

/**
 * Refuses a line longer than DuckDB accepts before DuckDB reads it: its sniffer would
 * buffer a huge field whole first (seconds for a 1 GB field). Reads the file in blocks
 * smaller than the limit, so a block without a newline is the only way to exceed it.
 */
function checkLineLengths(file: SourceFile): void {
  const block = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file.path, "r");
  try {
    let pos = 0;
    let lastNewline = -1;
    for (let n = readSync(fd, block, 0, block.length, 0); n > 0; n = readSync(fd, block, 0, block.length, pos)) {
      const last = block.subarray(0, n).lastIndexOf(0x0a);
      if (last >= 0) lastNewline = pos + last;
      else if (pos + n - lastNewline > MAX_LINE_BYTES) throw longLine(file, fd, lastNewline);
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
}

function longLine(file: SourceFile, fd: number, lineStart: number): FloeError {
  const block = Buffer.allocUnsafe(1 << 20);
  let line = 1;
  for (let pos = 0; pos <= lineStart; pos += block.length) {
    const n = readSync(fd, block, 0, Math.min(block.length, lineStart + 1 - pos), pos);
    for (let i = block.indexOf(0x0a); i >= 0 && i < n; i = block.indexOf(0x0a, i + 1)) line++;
  }
  const limit = MAX_LINE_BYTES.toLocaleString("en-US");
  return new FloeError("bad_input", `${file.label}: line ${line}: a line longer than ${limit} bytes (a runaway quote or a huge field?)`);
}

interface Dialect {
  delim: string;
  quote: string;
  escape: string;
  skip: number;
  header: boolean;
  /** Names and sniffed DuckDB types, in file order. */
  columns: { name: string; type: string }[];
  dateFormat: string;
  timestampFormat: string;
}

const DELIMITER_CANDIDATES = [",", "\t", ";", "|"];

function unempty(s: unknown): string {
  return s === "(empty)" || s == null ? "" : String(s);
}

function naArg(opts: CsvOptions): string {
  return `nullstr=[${(opts.naStrings ?? DEFAULT_NA_STRINGS).map(sqlString).join(", ")}]`;
}

/**
 * Types the sniffer may pick. BOOLEAN is left out: DuckDB reads yes/no, y/n and t/f
 * as booleans, and a label should stay as written (it becomes an enum of its own text).
 */
const TYPE_CANDIDATES = "auto_type_candidates=['BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR']";

/** One file of a source, with the compression every file of it shares. */
interface CsvFile extends SourceFile {
  readonly compression: Compression;
}

/** The read_csv/sniff_csv arguments naming one file: its literal path and compression. */
function fileArgs(file: CsvFile): string {
  return `${sqlString(literalPath(file.path))}, compression=${sqlString(file.compression)}, ${BUFFER_ARG}`;
}

/** DuckDB's sniff of one file; `sampleAll` sniffs types over every row, not a sample. */
async function sniff(session: DbSession, file: CsvFile, opts: CsvOptions, force: string, sampleAll = false): Promise<Dialect> {
  const args = [fileArgs(file), naArg(opts), TYPE_CANDIDATES];
  if (opts.sep !== undefined) args.push(`delim=${sqlString(opts.sep)}`);
  if (opts.header !== undefined) args.push(`header=${opts.header}`);
  if (sampleAll) args.push("sample_size=-1");
  if (force) args.push(force);
  let row: unknown[];
  try {
    [row] = await session.rows(`SELECT Delimiter, Quote, Escape, SkipRows, HasHeader, Columns, DateFormat, TimestampFormat FROM sniff_csv(${args.join(", ")})`);
  } catch (err) {
    throw readerError(err, file.label, [file]);
  }
  return {
    delim: unempty(row[0]),
    quote: unempty(row[1]),
    escape: unempty(row[2]),
    skip: Number(row[3]),
    header: Boolean(row[4]),
    columns: row[5] as { name: string; type: string }[],
    dateFormat: row[6] == null ? "" : String(row[6]),
    timestampFormat: row[7] == null ? "" : String(row[7]),
  };
}

function firstLine(head: Uint8Array): string {
  const end = head.indexOf(0x0a);
  return new TextDecoder().decode(end >= 0 ? head.subarray(0, end) : head).replace(/\r$/, "");
}

/** read_csv arguments that pin a dialect. */
function dialectArgs(d: Pick<Dialect, "delim" | "quote" | "escape" | "skip">): string {
  return `delim=${sqlString(d.delim)}, quote=${sqlString(d.quote)}, escape=${sqlString(d.escape)}, skip=${d.skip}`;
}

/** All-VARCHAR columns c0..c{n-1}, for reading without type detection. */
function varcharColumns(n: number): string {
  return `{${Array.from({ length: n }, (_, i) => `'c${i}': 'VARCHAR'`).join(", ")}}`;
}

/**
 * When the sniffer fell back to a dialect the file does not look like (one column while
 * the header has commas; no quoting while the file has quotes; leading lines skipped),
 * parse strictly with the plain dialect: a ragged row or an unterminated quote then fails
 * with its line number.
 * Returns the plain dialect's sniff when the strict parse succeeds.
 */
async function recheckFallback(session: DbSession, file: CsvFile, opts: CsvOptions, sniffed: Dialect, sampleAll: boolean): Promise<Dialect> {
  const header = firstLine(file.head);
  const delim = opts.sep ?? (sniffed.columns.length === 1 ? DELIMITER_CANDIDATES.find((d) => header.includes(d)) : undefined) ?? sniffed.delim;
  const quoteOff = sniffed.quote === "" && file.head.includes(0x22);
  // Skipping leading lines is how the sniffer gets past a ragged row near the top.
  if (delim === sniffed.delim && !quoteOff && sniffed.skip === 0) return sniffed;
  const plain = { delim, quote: '"', escape: '"', skip: 0 };
  const fields = header.split(delim).length;
  try {
    await session.rows(`SELECT count(*) FROM read_csv(${fileArgs(file)}, auto_detect=false, header=false, ${dialectArgs(plain)}, columns=${varcharColumns(fields)})`);
  } catch (err) {
    throw readerError(err, file.label, [file]);
  }
  return sniff(session, file, { ...opts, sep: delim }, `quote='"', skip=0`, sampleAll);
}

/** Refuses empty and duplicate names in the header line, naming them. */
async function checkHeader(session: DbSession, file: CsvFile, d: Dialect): Promise<void> {
  let names: unknown[];
  try {
    [names] = await session.rows(
      `SELECT * FROM read_csv(${fileArgs(file)}, auto_detect=false, header=false, ${dialectArgs(d)}, ` +
        // null_padding (a header shorter than the rows) needs the serial reader when a quoted
        // field holds a line break; one line is read, so it costs nothing.
        `columns=${varcharColumns(d.columns.length)}, null_padding=true, strict_mode=false, parallel=false) LIMIT 1`,
    );
  } catch (err) {
    throw readerError(err, file.label, [file]);
  }
  const seen = new Map<string, number>();
  names.forEach((raw, i) => {
    const name = raw == null ? "" : String(raw).trim();
    if (name === "") throw new FloeError("bad_input", `${file.label}: line ${d.skip + 1}: column ${i + 1} has an empty name`);
    const first = seen.get(name);
    if (first !== undefined) {
      throw new FloeError("bad_input", `${file.label}: line ${d.skip + 1}: duplicate column name '${name}' (columns ${first + 1} and ${i + 1})`);
    }
    seen.set(name, i);
  });
}

/** One file's checked dialect: line lengths, the sniff made strict, the header's names. */
async function fileDialect(session: DbSession, file: CsvFile, opts: CsvOptions, sampleAll: boolean): Promise<Dialect> {
  // Raw bytes are compressed bytes for gzip/zstd: DuckDB's own line-size error names the line.
  if (file.compression === "none") checkLineLengths(file);
  const d = await recheckFallback(session, file, opts, await sniff(session, file, opts, "", sampleAll), sampleAll);
  if (d.header) await checkHeader(session, file, d);
  return d;
}

/** A type both files' values fit: integers widen to doubles, anything else mixed to text. */
function widerType(a: string, b: string): string {
  if (a === b) return a;
  const numeric = ["BIGINT", "DOUBLE"];
  return numeric.includes(a) && numeric.includes(b) ? "DOUBLE" : "VARCHAR";
}

/** A CSV source's checked dialect and column types, pinned: what read_csv needs besides the paths. */
export interface PinnedCsv {
  readonly dialect: Pick<Dialect, "delim" | "quote" | "escape" | "skip" | "header">;
  /** read_csv arguments other than the paths, the dialect and the header. */
  readonly args: readonly string[];
}

/**
 * Checks a CSV source's dialect and pins it with its types. `varchar` names columns to read
 * as text whatever they look like (enum/string overrides). Several files are each checked
 * like one, with the first file's delimiter and header setting, and must have the same
 * columns in the same order.
 */
export async function pinCsv(session: DbSession, src: ResolvedFile, opts: CsvOptions, varchar: readonly string[], sampleAll: boolean): Promise<PinnedCsv> {
  const [first, ...rest] = src.files.map((f) => ({ ...f, compression: src.compression }));
  const d = await fileDialect(session, first, opts, sampleAll);
  const types = d.columns.map((c) => c.type);
  for (const file of rest) {
    const other = await fileDialect(session, file, { ...opts, sep: d.delim, header: d.header }, sampleAll);
    checkSameColumns(first, d.columns, file, other.columns);
    other.columns.forEach((c, i) => (types[i] = widerType(types[i], c.type)));
  }
  // The sniff is done: pin its dialect and types so DuckDB does not sniff a second time.
  const columns = d.columns.map((c, i) => `${sqlString(c.name)}: ${sqlString(varchar.includes(c.name) ? "VARCHAR" : types[i])}`);
  const args = [`compression=${sqlString(src.compression)}`, BUFFER_ARG, "auto_detect=false", naArg(opts), `columns={${columns.join(", ")}}`];
  if (d.dateFormat) args.push(`dateformat=${sqlString(d.dateFormat)}`);
  if (d.timestampFormat) args.push(`timestampformat=${sqlString(d.timestampFormat)}`);
  return { dialect: { delim: d.delim, quote: d.quote, escape: d.escape, skip: d.skip, header: d.header }, args };
}

/**
 * read_csv of literal `paths` with a pinned dialect; `headless` reads lines cut from the
 * files' data (no skipped lines, no header).
 */
export function pinnedCsvReader(paths: readonly string[], pinned: PinnedCsv, headless = false): string {
  const d = headless ? { ...pinned.dialect, skip: 0, header: false } : pinned.dialect;
  const list = `[${paths.map((p) => sqlString(literalPath(p))).join(", ")}]`;
  return `read_csv(${[list, ...pinned.args, dialectArgs(d), `header=${d.header}`].join(", ")})`;
}

/** The DuckDB table expression that reads a CSV source with a checked dialect (see pinCsv). */
export async function csvReader(session: DbSession, src: ResolvedFile, opts: CsvOptions, varchar: readonly string[], sampleAll: boolean): Promise<string> {
  return pinnedCsvReader(
    src.files.map((f) => f.path),
    await pinCsv(session, src, opts, varchar, sampleAll),
  );
}
