// Column typing for ingest: what floe type each staged DuckDB column becomes (H2O's
// parser rules, or the user's --col-types), the ENUM types that give enum codes, and the
// SELECT expression that casts a column to its vector layout.

import { type ColumnType, ENUM_MAX_LEVELS } from "./chunk.ts";
import { type DbSession, sqlIdent, sqlString } from "./duckdb.ts";
import { FloeError } from "./errors.ts";

/** Text columns with at most this many distinct values become enums (H2O's categoricals)... */
const ENUM_AUTO_MAX = 10_000;
/** ...provided they repeat: at most this many, or at most half the values present. */
const ENUM_AUTO_ALWAYS = 1_000;
/** Text columns whose values are numbers but for this fraction are numeric, as in H2O. */
const NUMERIC_MAJORITY = 0.95;

export const COLUMN_TYPES: readonly ColumnType[] = ["numeric", "enum", "string", "time"];

/** What floe makes of a DuckDB type before any rule or override applies. */
export type DuckClass = "numeric" | "boolean" | "time" | "text" | "enum" | "other";

export function classify(duckType: string): DuckClass {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(duckType)) return "numeric";
  if (duckType === "BOOLEAN") return "boolean";
  if (duckType === "DATE" || duckType.startsWith("TIMESTAMP")) return "time";
  if (duckType === "VARCHAR") return "text";
  if (duckType.startsWith("ENUM")) return "enum";
  return "other";
}

export interface StagedColumn {
  readonly name: string;
  readonly duckType: string;
  readonly cls: DuckClass;
}

/** Rows of the staged table the cheap type probes look at before a full count. */
export const PROBE_ROWS = 10_000;

export interface TypeDecision {
  readonly type: ColumnType;
  /** The sorted levels of a text column found to be an enum (read with the decision). */
  readonly domain?: readonly string[];
}

export function enumRulesHold(levels: number, present: number): boolean {
  return levels <= ENUM_AUTO_MAX && (levels <= ENUM_AUTO_ALWAYS || levels * 2 <= present);
}

/** What the first rows of a text column suggest it is, before the full count. */
export type TextLook = "number or time" | "enum" | "string";

/** The decision a column's DuckDB class and the overrides settle; undefined for text left to the rules. */
export function settledType(c: StagedColumn, overrides: Readonly<Record<string, ColumnType>>): TypeDecision | undefined {
  const forced = overrides[c.name];
  if (forced) return { type: forced };
  if (c.cls === "text") return undefined;
  return { type: c.cls === "numeric" ? "numeric" : c.cls === "time" ? "time" : c.cls === "other" ? "string" : "enum" };
}

/**
 * Casting or hashing every value is costly: probe the first rows of `table` (the first
 * PROBE_ROWS rows of the source), so that the full count is done only for what it leaves open.
 */
export async function probeText(session: DbSession, table: string, text: readonly StagedColumn[]): Promise<TextLook[]> {
  const probe = text.map((c) => {
    const q = sqlIdent(c.name);
    return `count(${q}), count(TRY_CAST(${q} AS DOUBLE)), count(TRY_CAST(${q} AS TIMESTAMP)), approx_count_distinct(${q})`;
  });
  const [sample] = await session.rows(`SELECT ${probe.join(", ")} FROM (SELECT * FROM ${table} LIMIT ${PROBE_ROWS})`);
  return text.map((_, k) => {
    const [present, numbers, times, distinct] = [0, 1, 2, 3].map((j) => Number(sample[4 * k + j]));
    if (present > 0 && (numbers >= NUMERIC_MAJORITY * present || times === present)) return "number or time";
    return enumRulesHold(distinct, present) ? "enum" : "string";
  });
}

/**
 * The full count of text columns, three values each: present values, then numbers and
 * times where the probe suggests them, or the sorted levels where it suggests an enum (so
 * no second pass builds the domain). Counts add up over parts of a table; levels unite.
 */
export function textCountExprs(text: readonly StagedColumn[], looks: readonly TextLook[]): string[] {
  return text.map((c, k) => {
    const q = sqlIdent(c.name);
    if (looks[k] === "number or time") return `count(${q}), count(TRY_CAST(${q} AS DOUBLE)), count(TRY_CAST(${q} AS TIMESTAMP))`;
    if (looks[k] === "enum") return `count(${q}), list(DISTINCT ${q} ORDER BY ${q}) FILTER (WHERE ${q} IS NOT NULL), 0`;
    return `count(${q}), 0, 0`;
  });
}

/** A text column's full count: present values, numbers, times, and the levels of an enum look (sorted; a share's may come unsorted, its union with the others is sorted). */
export interface TextCount {
  readonly present: number;
  readonly numbers: number;
  readonly times: number;
  readonly levels?: readonly string[];
}

/** Reads column `k`'s count out of a row of textCountExprs. */
export function textCountAt(row: readonly unknown[], k: number, look: TextLook): TextCount {
  const [present, numbers, times] = [0, 1, 2].map((j) => (look === "enum" && j === 1 ? 0 : Number(row[3 * k + j])));
  return look === "enum" ? { present, numbers, times, levels: ((row[3 * k + 1] as unknown[] | null) ?? []).map(String) } : { present, numbers, times };
}

/** H2O's rules on a text column's full count; `example` finds a value that is not a number, for the warning. */
export async function decideText(c: StagedColumn, look: TextLook, n: TextCount, example: () => Promise<unknown>, onWarning?: (message: string) => void): Promise<TypeDecision> {
  if (look === "enum") {
    const domain = [...(n.levels ?? [])];
    return enumRulesHold(domain.length, n.present) ? { type: "enum", domain } : { type: "string" };
  }
  if (look === "string") return { type: "string" };
  // Dates and timestamps mixed in one column defeat DuckDB's sniffer, not the cast.
  if (n.present > 0 && n.times === n.present) return { type: "time" };
  if (n.numbers >= NUMERIC_MAJORITY * n.present) {
    if (n.numbers < n.present) onWarning?.(`column '${c.name}': ${n.present - n.numbers} value(s) that are not numbers (such as "${await example()}") read as missing`);
    return { type: "numeric" };
  }
  return { type: "string" };
}

/** The first value of column `c` in `table` that is not a number. */
export async function notANumber(session: DbSession, table: string, c: StagedColumn): Promise<unknown> {
  const q = sqlIdent(c.name);
  const rows = await session.rows(`SELECT ${q} FROM ${table} WHERE ${q} IS NOT NULL AND TRY_CAST(${q} AS DOUBLE) IS NULL LIMIT 1`);
  return rows[0]?.[0];
}

/** Decides each column's floe type: overrides first, then H2O's rules for text columns. */
export async function decideTypes(
  session: DbSession,
  table: string,
  cols: readonly StagedColumn[],
  opts: { colTypes?: Readonly<Record<string, ColumnType>>; onWarning?: (message: string) => void },
): Promise<TypeDecision[]> {
  const decided = cols.map((c) => settledType(c, opts.colTypes ?? {}));
  const text = cols.filter((_, i) => decided[i] === undefined);
  if (text.length === 0) return decided as TypeDecision[];
  const looks = await probeText(session, table, text);
  const [counts] = await session.rows(`SELECT ${textCountExprs(text, looks).join(", ")} FROM ${table}`);
  for (const [k, c] of text.entries()) {
    decided[cols.indexOf(c)] = await decideText(c, looks[k], textCountAt(counts, k, looks[k]), () => notANumber(session, table, c), opts.onWarning);
  }
  return decided as TypeDecision[];
}

/**
 * Creates a DuckDB ENUM type holding the column's distinct values in H2O's order
 * (numbers numerically, text lexicographically) and returns its levels; with `known`
 * levels (already read, sorted) it only declares them.
 */
export async function enumType(session: DbSession, table: string, col: StagedColumn, typeName: string, known?: readonly string[]): Promise<string[]> {
  const c = sqlIdent(col.name);
  if (known) {
    await session.run(`CREATE TYPE ${typeName} AS ENUM (${known.map(sqlString).join(", ")})`);
    return [...known];
  }
  await session.run(`CREATE TYPE ${typeName} AS ENUM (SELECT CAST(v AS VARCHAR) FROM (SELECT DISTINCT ${c} AS v FROM ${table} WHERE ${c} IS NOT NULL) ORDER BY v)`);
  const rows = await session.rows(`SELECT unnest(enum_range(NULL::${typeName}))`);
  return rows.map((r) => String(r[0]));
}

export function tooManyLevels(name: string, n: number): FloeError {
  return new FloeError(
    "bad_input",
    `column '${name}': ${n.toLocaleString("en-US")} distinct values is more than an enum column can hold (${ENUM_MAX_LEVELS.toLocaleString("en-US")}); keep it a string`,
  );
}

/** The SELECT expression that casts a staged column to the layout of `type`. */
export function extractExpr(col: StagedColumn, type: ColumnType, enumTypeName: string | null): string {
  const c = sqlIdent(col.name);
  switch (type) {
    case "numeric":
      if (col.cls === "time") return `CAST(epoch_ms(${c}) AS DOUBLE)`;
      return col.cls === "numeric" || col.cls === "boolean" ? `CAST(${c} AS DOUBLE)` : `TRY_CAST(${c} AS DOUBLE)`;
    case "time":
      if (col.cls === "time") return `CAST(epoch_ms(${c}) AS DOUBLE)`;
      if (col.cls === "numeric") return `CAST(${c} AS DOUBLE)`;
      return `CAST(epoch_ms(TRY_CAST(${c} AS TIMESTAMP)) AS DOUBLE)`;
    case "enum":
      // A column with no values at all has no levels (and no ENUM type): all missing.
      if (enumTypeName === null) return "CAST(NULL AS INTEGER)";
      return `CAST(enum_code(CAST(CAST(${c} AS VARCHAR) AS ${enumTypeName})) AS INTEGER)`;
    case "string":
      return `CAST(${c} AS VARCHAR)`;
  }
}

/** `a:enum,b:string` → {a: "enum", b: "string"}. */
export function parseColTypes(spec: string, label = "col_types"): Record<string, ColumnType> {
  const out: Record<string, ColumnType> = {};
  for (const part of spec.split(",")) {
    if (!part.trim()) continue;
    const at = part.lastIndexOf(":");
    const name = part.slice(0, at).trim();
    const type = part.slice(at + 1).trim() as ColumnType;
    if (at <= 0 || !name) throw new FloeError("invalid_argument", `${label} entry '${part}' is not name:type`);
    if (!COLUMN_TYPES.includes(type)) {
      throw new FloeError("invalid_argument", `${label}: '${type}' for '${name}' is not one of ${COLUMN_TYPES.join(", ")}`);
    }
    out[name] = type;
  }
  return out;
}
