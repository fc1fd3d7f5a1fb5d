// The values partial dependence and ICE set a column to, as H2O's partial_plot picks them:
// a numeric column's nbins evenly spaced points from its minimum to its maximum (fewer for
// an integer column with fewer distinct values in that range), an enum column's levels,
// the user's split points instead when given, and a missing value last when asked.

import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import { type CellValue, levelCode, numericValues } from "./frame-edit.ts";

export interface GridOptions {
  readonly nbins: number;
  readonly userSplits?: readonly (number | string)[];
  readonly includeNa?: boolean;
}

export function requireNbins(nbins: number): void {
  if (!Number.isInteger(nbins) || nbins < 2) throw new FloeError("invalid_argument", `nbins must be an integer of at least 2, got ${nbins}`);
}

/** The grid of column `col` of `frame` (numbers, or levels of an enum column; null = missing). */
export function gridOf(frame: Frame, col: number, options: GridOptions): CellValue[] {
  requireNbins(options.nbins);
  const spec = frame.columns[col];
  const grid: CellValue[] = options.userSplits ? userGrid(frame, col, options.userSplits) : spec.type === "enum" ? levelGrid(frame, col, options.nbins) : numericGrid(frame, col, options.nbins);
  if (options.includeNa) grid.push(null);
  return grid;
}

function userGrid(frame: Frame, col: number, splits: readonly (number | string)[]): CellValue[] {
  const spec = frame.columns[col];
  if (splits.length === 0) throw new FloeError("invalid_argument", `user splits of column '${spec.name}' are empty`);
  if (spec.type === "enum") {
    return splits.map((s) => {
      levelCode(spec, String(s));
      return String(s);
    });
  }
  return splits.map((s) => {
    const x = typeof s === "number" ? s : Number(s);
    if (typeof s === "string" && s.trim() === "") throw new FloeError("invalid_argument", `user split '' of column '${spec.name}' is not a number`);
    if (!Number.isFinite(x)) throw new FloeError("invalid_argument", `user split '${s}' of column '${spec.name}' is not a finite number`);
    return x;
  });
}

function levelGrid(frame: Frame, col: number, nbins: number): CellValue[] {
  const spec = frame.columns[col];
  const levels = spec.domain ?? [];
  if (levels.length > nbins) {
    throw new FloeError("invalid_argument", `column '${spec.name}' has ${levels.length} levels, more than nbins (${nbins}): raise nbins to at least ${levels.length} or give user splits`);
  }
  return [...levels];
}

function numericGrid(frame: Frame, col: number, nbins: number): CellValue[] {
  const values = numericValues(frame, col);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (const x of values) {
    if (!Number.isFinite(x)) continue;
    if (x < min) min = x;
    if (x > max) max = x;
    if (integers && !Number.isInteger(x)) integers = false;
  }
  if (min > max) throw new FloeError("bad_input", `column '${frame.columns[col].name}' has no finite values to build a grid from`);
  if (min === max) return [min];
  const bins = integers && max - min + 1 < nbins ? max - min + 1 : nbins;
  const step = (max - min) / (bins - 1);
  return Array.from({ length: bins }, (_, j) => (j === bins - 1 ? max : min + j * step));
}
