// Partial dependence (H2O's partial_plot) and ICE curves of any supervised model: the
// model's mean response over the frame (PDP) or one row's response (ICE) with a column set to
// each value of a grid (see grid.ts), or two columns to each pair of their grids. Every
// prediction runs through the model's own scoring, so every model kind works alike.

import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Executor } from "../../core/mr.ts";
import { type Model, modelInputs, predictFrame } from "../scoring.ts";
import { type CellValue, checkSignal, modelColumn, numericValues, pickRows, requireRow, requireSupervised, responseSlot, responses, setColumn } from "./frame-edit.ts";
import { gridOf } from "./grid.ts";

export interface PartialDependenceOptions {
  cols?: string[];
  pairs?: (readonly [string, string])[];
  /** Grid points of a numeric column (default 20). */
  nbins?: number;
  userSplits?: Record<string, (number | string)[]>;
  includeNa?: boolean;
  weightColumn?: string | null;
  /** -1: all rows (PDP); >= 0: that row alone (ICE). */
  rowIndex?: number;
  /** Class labels of a multinomial model: one table each. */
  targets?: string[];
  signal?: AbortSignal;
  onProgress?: (f: number) => void;
}

export interface PartialDependenceTable {
  /** One column, or two for a pair. */
  readonly columns: readonly string[];
  readonly target: string | null;
  /** Per column, the grid value of each table row; null = NA. */
  readonly values: readonly (readonly (number | string | null)[])[];
  readonly mean_response: readonly number[];
  readonly stddev_response: readonly number[];
  readonly std_error_mean_response: readonly number[];
}

const DEFAULT_NBINS = 20;

/** Weighted mean, standard deviation (divisor: weights − 1) and standard error of the mean of `y`, skipping missing responses and unweighted rows. */
function summary(y: Float64Array, w: Float64Array | null): { mean: number; sd: number; se: number } {
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    if (Number.isNaN(y[i]) || !(wi > 0)) continue;
    sw += wi;
    swy += wi * y[i];
  }
  if (sw === 0) return { mean: Number.NaN, sd: Number.NaN, se: Number.NaN };
  const mean = swy / sw;
  let ss = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    if (Number.isNaN(y[i]) || !(wi > 0)) continue;
    ss += wi * (y[i] - mean) ** 2;
  }
  // One row (ICE) has no spread to estimate: 0, as H2O reports.
  const sd = sw > 1 ? Math.sqrt(ss / (sw - 1)) : 0;
  return { mean, sd, se: sd / Math.sqrt(sw) };
}

function requireRowIndex(frame: Frame, rowIndex: number): void {
  if (rowIndex === -1) return;
  requireRow(frame, rowIndex);
}

export async function partialDependence(executor: Executor, model: Model, frame: Frame, options: PartialDependenceOptions): Promise<PartialDependenceTable[]> {
  requireSupervised(model, "partial dependence");
  const nbins = options.nbins ?? DEFAULT_NBINS;
  const rowIndex = options.rowIndex ?? -1;
  requireRowIndex(frame, rowIndex);
  const domain = model.response?.domain ?? null;
  const multinomial = domain !== null && domain.length > 2;
  const slots = multinomial ? (options.targets?.length ? options.targets : [undefined]).map((t) => responseSlot(model, t)) : [responseSlot(model, null)];
  const pairs = options.pairs ?? [];
  const cols = options.cols ?? (pairs.length ? [] : defaultColumns(model, frame));
  if (cols.length === 0 && pairs.length === 0) throw new FloeError("invalid_argument", "name at least one column or pair for partial dependence");
  for (const name of Object.keys(options.userSplits ?? {})) {
    if (!cols.includes(name) && !pairs.some((p) => p.includes(name))) throw new FloeError("invalid_argument", `user splits are given for column '${name}', which is not plotted`);
  }
  const plots = [...cols.map((c) => [c]), ...pairs.map((p) => [p[0], p[1]])];
  const grids = new Map<string, CellValue[]>();
  for (const plot of plots) {
    if (plot.length === 2 && plot[0] === plot[1]) throw new FloeError("invalid_argument", `pair (${plot[0]}, ${plot[1]}) names one column twice`);
    for (const name of plot) {
      const col = modelColumn(model, frame, name);
      if (!grids.has(name)) grids.set(name, gridOf(frame, col, { nbins, userSplits: options.userSplits?.[name], includeNa: options.includeNa }));
    }
  }
  const data = rowIndex >= 0 ? pickRows(frame, [rowIndex]) : frame;
  const weights = options.weightColumn ? weightsOf(data, options.weightColumn) : null;
  const points = plots.map((plot) => crossProduct(plot.map((name) => grids.get(name) as CellValue[])));
  const total = points.reduce((s, p) => s + p.length, 0);
  let done = 0;
  const tables: PartialDependenceTable[] = [];
  for (let k = 0; k < plots.length; k++) {
    const plot = plots[k];
    const cols = plot.map((name) => data.columnIndex(name));
    const stats = slots.map(() => ({ mean: [] as number[], sd: [] as number[], se: [] as number[] }));
    for (const point of points[k]) {
      checkSignal(options.signal);
      let edited = data;
      cols.forEach((col, j) => {
        edited = setColumn(edited, col, point[j]);
      });
      const scored = await predictFrame(executor, model, edited, []);
      slots.forEach(({ slot }, t) => {
        const s = summary(responses(scored, slot), weights);
        stats[t].mean.push(s.mean);
        stats[t].sd.push(s.sd);
        stats[t].se.push(s.se);
      });
      options.onProgress?.(++done / total);
    }
    slots.forEach(({ target }, t) => {
      tables.push({
        columns: plot,
        target,
        values: plot.map((_, j) => points[k].map((p) => p[j])),
        mean_response: stats[t].mean,
        stddev_response: stats[t].sd,
        std_error_mean_response: stats[t].se,
      });
    });
  }
  return tables;
}

/** The model's input columns the frame holds, most important first (at most 10, as H2O picks them). */
function defaultColumns(model: Model, frame: Frame): string[] {
  const names = frame.names;
  const inputs = modelInputs(model).map((c) => c.name);
  const ranked = model.varimp.map((v) => v.variable).filter((n) => inputs.includes(n));
  return (ranked.length ? ranked : inputs).filter((n) => names.includes(n) && frame.columns[frame.columnIndex(n)].type !== "string").slice(0, 10);
}

function weightsOf(frame: Frame, name: string): Float64Array {
  const col = frame.columnIndex(name);
  if (frame.columns[col].type !== "numeric") throw new FloeError("invalid_argument", `weight column '${name}' must be numeric`);
  return numericValues(frame, col);
}

/** Every combination of one value from each grid, the first grid varying slowest. */
function crossProduct(grids: readonly CellValue[][]): CellValue[][] {
  let out: CellValue[][] = [[]];
  for (const grid of grids) out = out.flatMap((prefix) => grid.map((v) => [...prefix, v]));
  return out;
}

export interface IceOptions {
  col: string;
  rows: readonly number[];
  nbins?: number;
  userSplits?: (number | string)[];
  includeNa?: boolean;
  /** The class whose probability is read (multinomial models). */
  target?: string;
  signal?: AbortSignal;
  onProgress?: (f: number) => void;
}

/** Per chosen row, the model's response with `col` set to each grid value (one scoring per grid value, all rows at once). */
export async function iceCurves(
  executor: Executor,
  model: Model,
  frame: Frame,
  options: IceOptions,
): Promise<{ column: string; grid: (number | string | null)[]; rows: number[]; responses: number[][] }> {
  requireSupervised(model, "ICE");
  const { slot } = responseSlot(model, options.target);
  const col = modelColumn(model, frame, options.col);
  if (options.rows.length === 0) throw new FloeError("invalid_argument", "name at least one row for ICE curves");
  for (const r of options.rows) requireRow(frame, r);
  const grid = gridOf(frame, col, { nbins: options.nbins ?? DEFAULT_NBINS, userSplits: options.userSplits, includeNa: options.includeNa });
  // Rows are picked in ascending order; `order[k]` is the asked position of picked row k.
  const order = options.rows.map((_, i) => i).sort((a, b) => options.rows[a] - options.rows[b]);
  const picked = pickRows(
    frame,
    order.map((i) => options.rows[i]),
  );
  const curves = options.rows.map(() => [] as number[]);
  for (let g = 0; g < grid.length; g++) {
    checkSignal(options.signal);
    const y = responses(await predictFrame(executor, model, setColumn(picked, col, grid[g]), []), slot);
    order.forEach((i, k) => curves[i].push(y[k]));
    options.onProgress?.((g + 1) / grid.length);
  }
  return { column: options.col, grid, rows: [...options.rows], responses: curves };
}
