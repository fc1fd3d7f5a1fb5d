// floe's frames as H2O's FrameV3: the column summaries (ColV3: rollups, domain) and a window
// of rows, in the shape the client's frame cache reads (expr.py H2OCache.fill): numbers with
// missing as "NaN", enum cells as level indices, strings in string_data.

import { isMissing, stringAt } from "../core/chunk.ts";
import type { Frame } from "../core/frame.ts";
import { slice } from "../core/ops.ts";
import { keyJson } from "./keys.ts";

/** H2O's type names: floe's numeric columns are H2O's "real" (an "int" column is a real one to every consumer). */
const H2O_TYPE = { numeric: "real", enum: "enum", string: "string", time: "time" } as const;

export interface FrameWindow {
  readonly rowOffset: number;
  /** Rows to include (-1: none asked, 10 by H2O's default). */
  readonly rowCount: number;
  readonly columnOffset: number;
  /** Columns to include (-1: all). */
  readonly columnCount: number;
}

/** One column's cells in the window, as ColV3's data or string_data. */
function cells(frame: Frame, column: number): { data: (number | string)[] | null; strings: (string | null)[] | null } {
  const type = frame.columns[column].type;
  if (type === "string") {
    const strings: (string | null)[] = [];
    for (const chunk of frame.chunks) {
      const vec = chunk.vecs[column];
      for (let i = 0; i < chunk.rows; i++) strings.push(vec.kind === "utf8" ? stringAt(vec, i) : null);
    }
    return { data: null, strings };
  }
  const data: (number | string)[] = [];
  for (const chunk of frame.chunks) {
    const vec = chunk.vecs[column];
    for (let i = 0; i < chunk.rows; i++) {
      if (isMissing(vec, i)) data.push("NaN");
      else if (vec.kind === "f64") data.push(vec.values[i]);
      else if (vec.kind === "codes") data.push(vec.codes[i]);
      else data.push("NaN");
    }
  }
  return { data, strings: null };
}

/** H2O's FrameV3 for a frame (all its rows on this node: `local`), with the rows and columns of `win`. */
export function frameJson(id: string, frame: Frame, local: Frame, win: FrameWindow) {
  const rowFrom = Math.min(Math.max(0, win.rowOffset), frame.rows);
  const rowTo = Math.min(frame.rows, rowFrom + Math.max(0, win.rowCount));
  const rows = slice(local, rowFrom, rowTo);
  const colFrom = Math.min(Math.max(0, win.columnOffset), frame.columns.length);
  const colTo = win.columnCount < 0 ? frame.columns.length : Math.min(frame.columns.length, colFrom + win.columnCount);
  const columns = [];
  for (let c = colFrom; c < colTo; c++) {
    const spec = frame.columns[c];
    const r = frame.rollups?.[c];
    const { data, strings } = cells(rows, c);
    const numeric = spec.type === "numeric" || spec.type === "time";
    columns.push({
      __meta: { schema_version: 3, schema_name: "ColV3", schema_type: "Vec" },
      label: spec.name,
      type: H2O_TYPE[spec.type],
      missing_count: r?.missing ?? 0,
      zero_count: r?.zeros ?? 0,
      positive_infinity_count: 0,
      negative_infinity_count: 0,
      mins: numeric && r?.min != null ? [r.min] : [],
      maxs: numeric && r?.max != null ? [r.max] : [],
      mean: numeric ? (r?.mean ?? "NaN") : "NaN",
      sigma: numeric ? (r?.sd ?? "NaN") : "NaN",
      domain: spec.domain ? [...spec.domain] : null,
      domain_cardinality: spec.domain?.length ?? 0,
      data,
      string_data: strings,
      precision: -1,
      histogram_bins: r?.histogram ? [...r.histogram.counts] : r?.levelCounts ? [...r.levelCounts] : null,
      histogram_base: r?.histogram?.start ?? 0,
      histogram_stride: r?.histogram?.width ?? 1,
      percentiles: null,
    });
  }
  return {
    __meta: { schema_version: 3, schema_name: "FrameV3", schema_type: "Frame" },
    frame_id: keyJson("Frame", id),
    byte_size: frame.byteSize,
    is_text: false,
    row_offset: rowFrom,
    row_count: rowTo - rowFrom,
    column_offset: colFrom,
    column_count: colTo - colFrom,
    full_column_count: frame.columns.length,
    total_column_count: frame.columns.length,
    checksum: 0,
    rows: frame.rows,
    num_columns: frame.columns.length,
    default_percentiles: [],
    columns,
    compatible_models: null,
    chunk_summary: null,
    distribution_summary: null,
  };
}

/** A frame as H2O's frame list shows it (FrameBaseV3). */
export function frameBaseJson(id: string, frame: Frame) {
  return {
    __meta: { schema_version: 3, schema_name: "FrameBaseV3", schema_type: "Frame" },
    frame_id: keyJson("Frame", id),
    byte_size: frame.byteSize,
    is_text: false,
    rows: frame.rows,
    columns: frame.columns.length,
  };
}
