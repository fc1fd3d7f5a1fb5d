// H2O's partial dependence (model.partial_plot, and ice_plot's curves through row_index):
// the PartialDependenceV3 request read into floe's options, and floe's tables written back
// as the TwoDimTables the client parses, one per column (per target class), then one per pair.

import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { PartialDependenceOptions, PartialDependenceTable } from "../../ml/explain/partial-dependence.ts";
import { keyJson } from "../keys.ts";
import { type H2OParams, parseList } from "../params.ts";
import { type TableColumn, twoDimTable } from "./two-dim-table.ts";

/** The most results kept for the client to fetch; older ones are dropped (H2O keeps them until removed). */
const KEPT_RESULTS = 32;

/** What a PartialDependence request asks, as floe's options and H2O's echo of it. */
export interface PartialDependenceRequest {
  readonly modelId: string;
  readonly frameId: string;
  readonly rowIndex: number;
  readonly nbins: number;
  readonly options: PartialDependenceOptions;
}

/** The PartialDependenceV3 fields of `p` as floe's options, checked against `frame`. */
export function partialDependenceRequest(p: H2OParams, modelId: string, frameId: string, frame: Frame): PartialDependenceRequest {
  const cols = p.list("cols") ?? [];
  const pairs = (p.list("col_pairs_2dpdp") ?? []).map((text) => {
    const pair = parseList(text);
    if (pair.length !== 2) throw new FloeError("invalid_argument", `col_pairs_2dpdp: '${text}' is not a pair of column names`);
    return [pair[0], pair[1]] as const;
  });
  if (cols.length === 0 && pairs.length === 0) throw new FloeError("invalid_argument", "partial dependence needs cols or col_pairs_2dpdp");
  for (const name of [...cols, ...pairs.flat()]) frame.columnIndex(name);
  const nbins = p.num("nbins") ?? 20;
  if (!Number.isInteger(nbins) || nbins < 1) throw new FloeError("invalid_argument", `nbins must be a positive whole number, got ${nbins}`);
  const rowIndex = p.num("row_index") ?? -1;
  if (!Number.isInteger(rowIndex) || rowIndex < -1 || rowIndex >= frame.rows) {
    throw new FloeError("invalid_argument", `row_index ${rowIndex} is not a row of frame '${frameId}' (${frame.rows} rows; -1 for all rows)`);
  }
  const targets = p.list("targets");
  return {
    modelId,
    frameId,
    rowIndex,
    nbins,
    options: {
      cols,
      pairs,
      nbins,
      userSplits: userSplits(p, frame),
      includeNa: p.bool("add_missing_na") ?? false,
      weightColumn: weightColumn(p.num("weight_column_index"), frame),
      rowIndex,
      targets: targets && targets.length > 0 ? targets : undefined,
    },
  };
}

/** The client sends a weight column by its index in the frame (-1: none). */
function weightColumn(index: number | undefined, frame: Frame): string | null {
  if (index === undefined || index === -1) return null;
  const column = frame.columns[index];
  if (!Number.isInteger(index) || !column) throw new FloeError("invalid_argument", `weight_column_index ${index} is not a column of the frame (${frame.columns.length} columns)`);
  return column.name;
}

/**
 * user_cols, num_user_splits and user_splits: the columns, how many values each has, and
 * every column's values one after another; a categorical column's values are level indices.
 */
function userSplits(p: H2OParams, frame: Frame): Record<string, (number | string)[]> | undefined {
  const cols = p.list("user_cols");
  if (!cols || cols.length === 0) return undefined;
  const counts = (p.list("num_user_splits") ?? []).map(Number);
  const values = (p.list("user_splits") ?? []).map(Number);
  if (counts.length !== cols.length || counts.some((n) => !Number.isInteger(n) || n < 0) || counts.reduce((a, b) => a + b, 0) !== values.length) {
    throw new FloeError("invalid_argument", `user_splits: ${values.length} values do not match num_user_splits [${counts.join(", ")}] for columns ${cols.join(", ")}`);
  }
  const splits: Record<string, (number | string)[]> = {};
  let at = 0;
  cols.forEach((name, i) => {
    const spec = frame.columns[frame.columnIndex(name)];
    const own = values.slice(at, at + counts[i]);
    at += counts[i];
    splits[name] = spec.type === "enum" ? own.map((code) => levelOf(spec.domain ?? [], code, name)) : own;
  });
  return splits;
}

function levelOf(domain: readonly string[], code: number, column: string): string {
  const level = Number.isInteger(code) ? domain[code] : undefined;
  if (level === undefined) throw new FloeError("invalid_argument", `user_splits: ${code} is not a level index of column '${column}' (${domain.length} levels)`);
  return level;
}

/** One of floe's tables as H2O's: the grid column(s) (text for a categorical one), then the response statistics. */
function tableJson(req: PartialDependenceRequest, frame: Frame, table: PartialDependenceTable) {
  const categorical = table.columns.map((name) => frame.columns[frame.columnIndex(name)].type === "enum");
  const columns: TableColumn[] = [
    ...table.columns.map((name, i): TableColumn => ({ name, type: categorical[i] ? "string" : "double" })),
    { name: "mean_response", type: "double" },
    { name: "stddev_response", type: "double" },
    { name: "std_error_mean_response", type: "double" },
  ];
  // A missing number travels as H2O writes it, "NaN", which the client reads as a float (null would be "").
  const number = (x: number | null) => (x === null || Number.isNaN(x) ? "NaN" : x);
  const rows = table.mean_response.map((mean, r) => [
    ...table.values.map((values, i) => (categorical[i] ? values[r] : number(values[r] as number | null))),
    number(mean),
    number(table.stddev_response[r]),
    number(table.std_error_mean_response[r]),
  ]);
  const on = table.columns.length === 1 ? `column '${table.columns[0]}'` : `columns '${table.columns[0]}' and '${table.columns[1]}'`;
  const forClass = table.target === null ? "" : ` and class ${table.target}`;
  const forRow = req.rowIndex < 0 ? "" : ` for row index ${req.rowIndex}`;
  const name = table.columns.length === 1 ? "PartialDependence" : "2D-PartialDependence";
  return twoDimTable(name, columns, rows, `Partial Dependence Plot of model ${req.modelId} on ${on}${forClass}${forRow}.`);
}

/** H2O's PartialDependenceV3: the request echoed, and the tables. */
export function partialDependenceJson(id: string, req: PartialDependenceRequest, frame: Frame, tables: readonly PartialDependenceTable[]) {
  const { options } = req;
  return {
    __meta: { schema_version: 3, schema_name: "PartialDependenceV3", schema_type: "PartialDependence" },
    destination_key: keyJson("PartialDependence", id),
    model_id: keyJson("Model", req.modelId),
    frame_id: keyJson("Frame", req.frameId),
    row_index: req.rowIndex,
    cols: options.cols ?? [],
    col_pairs_2dpdp: (options.pairs ?? []).map((pair) => [...pair]),
    nbins: req.nbins,
    add_missing_na: options.includeNa ?? false,
    targets: options.targets ?? null,
    partial_dependence_data: tables.map((t) => tableJson(req, frame, t)),
  };
}

export type PartialDependenceJson = ReturnType<typeof partialDependenceJson>;

/** Finished results by key, until the client fetches them (the newest KEPT_RESULTS). */
export class PartialDependenceResults {
  private readonly results = new Map<string, PartialDependenceJson>();

  put(id: string, result: PartialDependenceJson): void {
    this.results.delete(id);
    this.results.set(id, result);
    for (const old of this.results.keys()) {
      if (this.results.size <= KEPT_RESULTS) break;
      this.results.delete(old);
    }
  }

  need(id: string): PartialDependenceJson {
    const result = this.results.get(id);
    if (!result) throw new FloeError("not_found", `Object '${id}' not found: no partial dependence of that key (finished results are kept until ${KEPT_RESULTS} newer ones replace them)`);
    return result;
  }
}
