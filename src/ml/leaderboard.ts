// Ranking models as H2O's leaderboards do: per problem type the metric columns H2O shows,
// read from each model's cross-validation metrics (else validation, else training), sorted
// by one of them (AUTO: auc for binomial, mean_per_class_error for multinomial,
// mean_residual_deviance for regression). Grids and AutoML share it.

import { FloeError } from "../core/errors.ts";
import type { Metrics, SupervisedCategory } from "./metrics/index.ts";
import type { Model } from "./scoring.ts";

/** H2O's leaderboard columns per problem type, with the metrics field each reads. */
const COLUMNS: Record<SupervisedCategory, readonly (readonly [string, string])[]> = {
  Binomial: [
    ["auc", "AUC"],
    ["logloss", "logloss"],
    ["aucpr", "pr_auc"],
    ["mean_per_class_error", "mean_per_class_error"],
    ["rmse", "RMSE"],
    ["mse", "MSE"],
  ],
  Multinomial: [
    ["mean_per_class_error", "mean_per_class_error"],
    ["logloss", "logloss"],
    ["rmse", "RMSE"],
    ["mse", "MSE"],
  ],
  Regression: [
    ["rmse", "RMSE"],
    ["mse", "MSE"],
    ["mae", "mae"],
    ["rmsle", "rmsle"],
    ["mean_residual_deviance", "mean_residual_deviance"],
  ],
};

/** Metrics where larger is better. */
const DECREASING = new Set(["auc", "aucpr"]);

export const SORT_METRICS = ["AUTO", "auc", "aucpr", "logloss", "mean_per_class_error", "rmse", "mse", "mae", "rmsle", "mean_residual_deviance"] as const;

export function leaderboardColumns(category: SupervisedCategory): string[] {
  return COLUMNS[category].map(([name]) => name);
}

/** The sort metric: AUTO resolved as H2O does, others checked against the problem type. */
export function sortMetricOf(category: SupervisedCategory, metric: string): string {
  if (metric === "AUTO") return category === "Binomial" ? "auc" : category === "Multinomial" ? "mean_per_class_error" : "mean_residual_deviance";
  const name = metric.toLowerCase();
  if (!leaderboardColumns(category).includes(name)) {
    throw new FloeError("invalid_argument", `sort_metric '${metric}' does not apply to a ${category.toLowerCase()} problem; use one of ${leaderboardColumns(category).join(", ")}`);
  }
  return name;
}

export function isDecreasing(metric: string): boolean {
  return DECREASING.has(metric);
}

/** The metrics a model is ranked on, and which they are. */
export function rankingMetrics(model: Model): { metrics: Metrics; source: "cross_validation" | "validation" | "training" } | null {
  const m = model.metrics;
  if (m.cross_validation) return { metrics: m.cross_validation, source: "cross_validation" };
  if (m.validation) return { metrics: m.validation, source: "validation" };
  if (m.training) return { metrics: m.training, source: "training" };
  return null;
}

export interface LeaderboardRow {
  readonly model_id: string;
  readonly algo: string;
  readonly [metric: string]: number | string;
  readonly training_time_ms: number;
}

/** A model's leaderboard row: its id, algorithm, metric columns (NaN when missing) and training time. */
export function leaderboardRow(model: Model, category: SupervisedCategory): LeaderboardRow {
  const ranked = rankingMetrics(model)?.metrics as unknown as Record<string, number> | undefined;
  const row: Record<string, number | string> = { model_id: model.model_id, algo: model.algo };
  for (const [name, field] of COLUMNS[category]) {
    const v = ranked?.[field];
    row[name] = typeof v === "number" ? v : Number.NaN;
  }
  row.training_time_ms = model.training_time_ms;
  return row as unknown as LeaderboardRow;
}

/**
 * Rows sorted best first by `metric` (NaN last); ties keep the given order, so a
 * reproducible run gives a reproducible leaderboard.
 */
export function sortRows(rows: readonly LeaderboardRow[], metric: string): LeaderboardRow[] {
  const sign = isDecreasing(metric) ? -1 : 1;
  const key = (r: LeaderboardRow) => {
    const v = r[metric] as number;
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : sign * v;
  };
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => key(a.r) - key(b.r) || a.i - b.i)
    .map(({ r }) => r);
}
