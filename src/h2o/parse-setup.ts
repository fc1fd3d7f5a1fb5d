// /3/ParseSetup's guess and /3/Parse's request in floe's terms. The guess (names, types,
// separator, header) comes from DuckDB's CSV sniffer on the first file; floe's own ingest
// reads the file at /3/Parse, so a type the client sends changes the frame only where it
// differs from the guess (the user's col_types).

import { FloeError } from "../core/errors.ts";
import type { ColumnType } from "../core/chunk.ts";
import { literalPath } from "../core/source.ts";
import { sqlString } from "../core/duckdb.ts";
import type { H2OContext, RawFile } from "./context.ts";

export interface SetupGuess {
  readonly parseType: "CSV" | "PARQUET" | "JSON";
  readonly separator: number;
  /** H2O's check_header: 1 the first line is a header, -1 it is data. */
  readonly checkHeader: 1 | -1;
  readonly names: string[] | null;
  /** H2O's type names: Numeric, Enum, String, Time. */
  readonly types: string[];
}

function h2oTypeOfDuckDb(type: string): string {
  if (/^(DATE|TIME|TIMESTAMP)/.test(type)) return "Time";
  if (type === "VARCHAR" || type === "BOOLEAN") return "Enum";
  return "Numeric";
}

/** floe's column type for a type name the client sends (H2O's, any case). */
export function floeColumnType(name: string, column: string): ColumnType {
  const t = name.toLowerCase();
  if (["numeric", "real", "int", "double", "float", "long", "integer"].includes(t)) return "numeric";
  if (["enum", "factor", "categorical"].includes(t)) return "enum";
  if (["string", "str"].includes(t)) return "string";
  if (["time", "date"].includes(t)) return "time";
  throw new FloeError("unsupported", `column '${column}': type '${name}' is not one floe reads (Numeric, Enum, String, Time)`);
}

function firstPath(raw: RawFile): string {
  return raw.source.kind === "file" ? raw.source.path : raw.source.paths[0];
}

/** Sniffs the first file of a raw key (CSV: DuckDB's sniffer, told the separator and header when the client gave them). */
export async function guessSetup(ctx: H2OContext, raw: RawFile, given: { separator?: number; checkHeader?: number }): Promise<SetupGuess> {
  const format = raw.source.format ?? (/\.(parquet|pq)$/i.test(raw.name) ? "parquet" : /\.(json|jsonl|ndjson)$/i.test(raw.name) ? "json" : "csv");
  if (format !== "csv") return { parseType: format === "parquet" ? "PARQUET" : "JSON", separator: 44, checkHeader: 1, names: null, types: [] };
  const args = [sqlString(literalPath(firstPath(raw)))];
  if (given.separator !== undefined) args.push(`delim=${sqlString(String.fromCharCode(given.separator))}`);
  if (given.checkHeader === 1 || given.checkHeader === -1) args.push(`header=${given.checkHeader === 1}`);
  const session = await (await ctx.node.db()).connect();
  try {
    const [row] = await session.rows(`SELECT Delimiter, HasHeader, to_json(Columns)::VARCHAR FROM sniff_csv(${args.join(", ")})`);
    const [delim, header, columnsJson] = row as [string, boolean, string];
    const columns = JSON.parse(columnsJson) as { name: string; type: string }[];
    return {
      parseType: "CSV",
      separator: delim.charCodeAt(0),
      checkHeader: header ? 1 : -1,
      names: header ? columns.map((c) => c.name) : null,
      types: columns.map((c) => h2oTypeOfDuckDb(c.type)),
    };
  } catch (err) {
    throw new FloeError("bad_input", `cannot read ${raw.name} as CSV: ${(err as Error).message}`);
  } finally {
    session.close();
  }
}
