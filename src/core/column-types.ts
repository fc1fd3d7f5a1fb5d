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
const PROBE_ROWS = 10_000;

export interface TypeDecision {
  readonly type: ColumnType;
  /** The sorted levels of a text column found to be an enum (read with the decision). */
  readonly domain?: readonly string[];
}

export function enumRulesHold(levels: number, present: number): boolean {
  return levels <= ENUM_AUTO_MAX && (levels <= ENUM_AUTO_ALWAYS || levels * 2 <= present);
}

/** Decides each column's floe type: overrides first, then H2O's rules for text columns. */
export async function decideTypes(
  session: DbSession,
  table: string,
  cols: readonly StagedColumn[],
  opts: { colTypes?: Readonly<Record<string, ColumnType>>; onWarning?: (message: string) => void },
): Promise<TypeDecision[]> {
  const overrides = opts.colTypes ?? {};
  const decided: (TypeDecision | undefined)[] = cols.map((c) => {
    const forced = overrides[c.name];
    if (forced) return { type: forced };
    if (c.cls === "text") return undefined;
    return { type: c.cls === "numeric" ? "numeric" : c.cls === "time" ? "time" : c.cls === "other" ? "string" : "enum" };
  });
  const text = cols.filter((_, i) => decided[i] === undefined);
  if (text.length === 0) return decided as TypeDecision[];

  // Casting or hashing every value is costly: probe the first rows, then count in full
  // only what the sample leaves open.
  const probe = text.map((c) => {
    const q = sqlIdent(c.name);
    return `count(${q}), count(TRY_CAST(${q} AS DOUBLE)), count(TRY_CAST(${q} AS TIMESTAMP)), approx_count_distinct(${q})`;
  });
  const [sample] = await session.rows(`SELECT ${probe.join(", ")} FROM (SELECT * FROM ${table} LIMIT ${PROBE_ROWS})`);
  const looks = text.map((_, k) => {
    const [present, numbers, times, distinct] = [0, 1, 2, 3].map((j) => Number(sample[4 * k + j]));
    if (present > 0 && (numbers >= NUMERIC_MAJORITY * present || times === present)) return "number or time";
    return enumRulesHold(distinct, present) ? "enum" : "string";
  });
  // One pass for all: counts of numbers and times where the sample suggests them, and the
  // sorted levels where it suggests an enum (so no second pass builds the domain).
  const full = text.map((c, k) => {
    const q = sqlIdent(c.name);
    if (looks[k] === "number or time") return `count(${q}), count(TRY_CAST(${q} AS DOUBLE)), count(TRY_CAST(${q} AS TIMESTAMP))`;
    if (looks[k] === "enum") return `count(${q}), list(DISTINCT ${q} ORDER BY ${q}) FILTER (WHERE ${q} IS NOT NULL), 0`;
    return `count(${q}), 0, 0`;
  });
  const [counts] = await session.rows(`SELECT ${full.join(", ")} FROM ${table}`);
  for (const [k, c] of text.entries()) {
    const [present, numbers, times] = [0, 1, 2].map((j) => Number(counts[3 * k + j]));
    let decision: TypeDecision;
    if (looks[k] === "enum") {
      const domain = ((counts[3 * k + 1] as unknown[] | null) ?? []).map(String);
      decision = enumRulesHold(domain.length, present) ? { type: "enum", domain } : { type: "string" };
    } else if (looks[k] === "string") {
      decision = { type: "string" };
    } else if (present > 0 && times === present) {
      // Dates and timestamps mixed in one column defeat DuckDB's sniffer, not the cast.
      decision = { type: "time" };
    } else if (numbers >= NUMERIC_MAJORITY * present) {
      if (numbers < present) {
        const q = sqlIdent(c.name);
        const [[example]] = await session.rows(`SELECT ${q} FROM ${table} WHERE ${q} IS NOT NULL AND TRY_CAST(${q} AS DOUBLE) IS NULL LIMIT 1`);
        opts.onWarning?.(`column '${c.name}': ${present - numbers} value(s) that are not numbers (such as "${example}") read as missing`);
      }
      decision = { type: "numeric" };
    } else {
      decision = { type: "string" };
    }
    decided[cols.indexOf(c)] = decision;
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
