// The flags every command that reads data shares (describe now; train and predict
// later), and how they become a Source and IngestOptions.

import type { ArgsDef } from "citty";
import { FloeError } from "../core/errors.ts";
import { parseColTypes } from "../core/column-types.ts";
import type { IngestOptions } from "../core/ingest.ts";
import { type Source, spoolToFile } from "../core/source.ts";
import { isRemoteUrl } from "../core/sources/remote.ts";

export const ingestArgs = {
  file: { type: "positional", required: false, description: "CSV, Parquet or JSON file, a glob, an s3:// key or glob, an http(s):// URL, or - for stdin", valueHint: "file|url|-" },
  sql: { type: "string", description: "read the result of a SQL query instead of a file (DuckDB's, or the --db database's)", valueHint: "query" },
  db: { type: "string", description: "read from a PostgreSQL or MySQL database (with --table or --sql)", valueHint: "postgres://user:password@host:port/db | mysql://..." },
  table: { type: "string", description: "the --db table to read", valueHint: "name" },
  "s3-endpoint": { type: "string", description: "an S3-compatible store's endpoint for s3:// (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)", valueHint: "url" },
  "col-types": { type: "string", description: "override column types: name:numeric|enum|string|time,...", valueHint: "spec" },
  sep: { type: "string", description: "CSV field delimiter (sniffed by default)" },
  header: { type: "boolean", description: "the first CSV line is a header (sniffed by default)" },
  "na-strings": { type: "string", description: "comma-separated strings read as missing values", valueHint: "list" },
  "chunk-rows": { type: "string", description: "rows per chunk (default 65536)", valueHint: "n" },
  threads: { type: "string", description: "worker threads (default: all cores)", valueHint: "n" },
} as const satisfies ArgsDef;

/** A comma-separated flag (`--x a,b,c`) as its trimmed, non-empty items; null when absent or empty. */
export function listFlag(value: unknown): string[] | null {
  return value
    ? String(value)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
}

/** A positive integer flag, or undefined when absent. */
export function intFlag(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new FloeError("invalid_argument", `--${name} must be a positive integer, got '${value}'`);
  return n;
}

/** The ingest flags as citty parses them. */
export interface IngestFlags {
  file?: string;
  /** Every data file given, when the command accepts several (`file` is the first). */
  files?: readonly string[];
  sql?: string;
  db?: string;
  table?: string;
  "s3-endpoint"?: string;
  "col-types"?: string;
  sep?: string;
  header?: boolean;
  "na-strings"?: string;
  "chunk-rows"?: string;
}

/** The source the flags name; stdin is spooled to a temporary file removed by `cleanup`. */
export async function sourceFromArgs(args: IngestFlags): Promise<{ source: Source; cleanup: () => void }> {
  if (args.db !== undefined) {
    if (args.file) throw new FloeError("invalid_argument", "give either a file or --db, not both");
    if ((args.table === undefined) === (args.sql === undefined)) throw new FloeError("invalid_argument", '--db needs either --table NAME or --sql "SELECT ..."');
    return { source: { kind: "db", url: args.db, table: args.table, query: args.sql }, cleanup: () => {} };
  }
  if (args.table !== undefined) throw new FloeError("invalid_argument", "--table needs --db (the database to read it from)");
  if (args.sql !== undefined) {
    if (args.file) throw new FloeError("invalid_argument", "give either a file or --sql, not both");
    return { source: { kind: "sql", query: args.sql }, cleanup: () => {} };
  }
  if (!args.file) throw new FloeError("invalid_argument", "no input: give a file, - for stdin, or --sql");
  const files = args.files ?? [];
  if (files.length > 1) {
    // An unquoted glob the shell expanded: every file, read as one frame.
    if (files.includes("-")) throw new FloeError("invalid_argument", "- (stdin) cannot be read together with other files");
    return { source: { kind: "files", paths: files }, cleanup: () => {} };
  }
  if (args.file === "-") {
    const spooled = await spoolToFile(Bun.stdin.stream());
    return { source: { kind: "file", path: spooled.path, label: "<stdin>" }, cleanup: spooled.cleanup };
  }
  if (isRemoteUrl(args.file)) return { source: { kind: "remote", url: args.file, endpoint: args["s3-endpoint"] }, cleanup: () => {} };
  return { source: { kind: "file", path: args.file }, cleanup: () => {} };
}

export function ingestOptions(args: IngestFlags): IngestOptions {
  if (args.sep !== undefined && args.sep.length !== 1 && args.sep !== "\\t") {
    throw new FloeError("invalid_argument", `--sep must be one character, got '${args.sep}'`);
  }
  return {
    chunkRows: intFlag("chunk-rows", args["chunk-rows"]),
    colTypes: args["col-types"] ? parseColTypes(args["col-types"], "--col-types") : undefined,
    sep: args.sep === "\\t" ? "\t" : args.sep,
    header: args.header,
    naStrings: args["na-strings"]?.split(","),
  };
}
