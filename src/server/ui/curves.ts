// What the model page plots, derived from the API's model JSON: ROC and precision-recall
// points from a binomial thresholds table, and the numeric series of a scoring history.

import type { Point, Series } from "./charts.ts";
import type { ThresholdRow } from "../../api/types.ts";

/** ROC points, one per thresholds row: x = fpr = fps / (fps + tns), y = tpr = recall. */
export function rocPoints(rows: readonly ThresholdRow[]): Point[] {
  return rows.map((r) => ({ x: r.fps + r.tns > 0 ? r.fps / (r.fps + r.tns) : 0, y: r.recall }));
}

/** Precision-recall points, one per thresholds row: x = recall, y = precision. */
export function prPoints(rows: readonly ThresholdRow[]): Point[] {
  return rows.map((r) => ({ x: r.recall, y: r.precision }));
}

/** A scoring-history entry with nested groups flattened: {training: {rmse}} becomes training_rmse. */
export function flatten(entry: Readonly<Record<string, unknown>>, prefix = ""): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v === "number") out[prefix + k] = v;
    else if (v && typeof v === "object" && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}_`));
  }
  return out;
}

/** The x axis a history is read along, the first of these it has (else the entry's index). */
const X_KEYS = ["number_of_trees", "epochs", "iterations", "iteration"];
/** Counters of training progress: an axis, never a series. */
const COUNTERS = new Set([...X_KEYS, "samples"]);
/** Clock readings, not metrics: left out of the chart. */
const CLOCK = /timestamp|duration|_ms$/;

export interface History {
  readonly x: string;
  readonly rows: readonly Record<string, number>[];
  readonly series: readonly Series[];
}

/** The scoring history as one series per numeric metric over its x axis; null when there is nothing to plot. */
export function historyOf(history: readonly Readonly<Record<string, unknown>>[]): History | null {
  const rows = history.map((e) => flatten(e));
  if (rows.length === 0) return null;
  const x = X_KEYS.find((k) => k in rows[0]) ?? "index";
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => !COUNTERS.has(k) && !CLOCK.test(k));
  if (names.length === 0) return null;
  const xOf = (r: Record<string, number>, i: number) => (x === "index" ? i : r[x]);
  const series = names.map((name) => ({
    label: name,
    points: rows.flatMap((r, i) => (name in r && Number.isFinite(r[name]) ? [{ x: xOf(r, i), y: r[name] }] : [])),
  }));
  return { x, rows, series };
}
