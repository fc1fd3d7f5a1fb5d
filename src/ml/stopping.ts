// Early stopping, shared by every algorithm that scores while it trains (H2O's
// ScoreKeeper): which stopping metrics apply to which kind of model, a scoring's value
// of the metric (smaller is better), and the moving-average rule that decides to stop.
// Each algorithm offers the metrics that make sense for it in its parameters; this
// module knows all of them. (H2O's lift_top_group is not here: floe does not compute lift.)

import { FloeError } from "../core/errors.ts";
import type { BinomialMetrics } from "./metrics/binomial.ts";
import type { Metrics, SupervisedCategory } from "./metrics/index.ts";

/** H2O's stopping metrics that floe's metrics can give. */
export type StoppingMetric = "AUTO" | "deviance" | "logloss" | "MSE" | "RMSE" | "MAE" | "RMSLE" | "AUC" | "AUCPR" | "misclassification" | "mean_per_class_error";

/** Which models a metric applies to: any, classifiers, two-class models only, or regression only. */
const APPLIES_TO: Readonly<Record<StoppingMetric, "any" | "classifier" | "binomial" | "regression">> = {
  AUTO: "any",
  deviance: "any",
  MSE: "any",
  RMSE: "any",
  MAE: "regression",
  RMSLE: "regression",
  logloss: "classifier",
  misclassification: "classifier",
  mean_per_class_error: "classifier",
  AUC: "binomial",
  AUCPR: "binomial",
};

/** The metric AUTO stands for: logloss for classifiers, deviance for regression. */
export function resolveStoppingMetric(metric: StoppingMetric, category: SupervisedCategory): Exclude<StoppingMetric, "AUTO"> {
  if (metric !== "AUTO") return metric;
  return category === "Regression" ? "deviance" : "logloss";
}

/**
 * Refuses a stopping metric that the model cannot compute (its value would be missing
 * and stop training at random). `offered` is the algorithm's list, for the hint.
 */
export function checkStoppingMetric(algo: string, metric: StoppingMetric, category: SupervisedCategory, offered: readonly StoppingMetric[]): void {
  const applies = APPLIES_TO[metric];
  const invalid = (why: string) => new FloeError("invalid_argument", `${algo}: stopping_metric=${metric} ${why}`);
  if ((applies === "binomial" || applies === "classifier") && category === "Regression") {
    const forRegression = offered.filter((m) => m !== "AUTO" && (APPLIES_TO[m] === "any" || APPLIES_TO[m] === "regression"));
    if (applies === "binomial") throw invalid(`needs a two-class response (this model is ${category})`);
    throw invalid(`needs a classifier; use ${forRegression.slice(0, -1).join(", ")} or ${forRegression.at(-1)} for regression`);
  }
  if (applies === "binomial" && category !== "Binomial") throw invalid(`needs a two-class response (this model is ${category})`);
  if (applies === "regression" && category !== "Regression") throw invalid(`needs a numeric response (this model is ${category})`);
}

/** The error rate of a classifier's confusion matrix (1 − accuracy). */
export function misclassification(m: Metrics): number {
  const cm = (m as BinomialMetrics).confusion_matrix;
  let all = 0;
  let right = 0;
  cm.forEach((row, a) => {
    for (const v of row) all += v;
    right += row[a];
  });
  return all > 0 ? 1 - right / all : Number.NaN;
}

/** A scoring's value of the stopping metric, as a number where smaller is better. */
export function stoppingValue(m: Metrics, metric: StoppingMetric, category: SupervisedCategory): number {
  const r = m as unknown as Record<string, number>;
  const name = resolveStoppingMetric(metric, category);
  switch (name) {
    case "deviance":
      return category === "Regression" ? r.mean_residual_deviance : r.logloss;
    case "MAE":
      return r.mae;
    case "RMSLE":
      return r.rmsle;
    case "AUC":
      return -r.AUC;
    case "AUCPR":
      return -r.pr_auc;
    case "misclassification":
      return misclassification(m);
    default:
      return r[name];
  }
}

/**
 * H2O's rule: stop when the moving average of the last `k` values is not better (by the
 * relative `tol`) than the best moving average of `k` before it. `history` holds one
 * stopping value a scoring, smaller is better; k ≤ 0 never stops.
 */
export function shouldStop(history: readonly number[], k: number, tol: number): boolean {
  if (k <= 0 || history.length < 2 * k) return false;
  const avg = (end: number) => history.slice(end - k, end).reduce((a, b) => a + b, 0) / k;
  const last = avg(history.length);
  let best = Number.POSITIVE_INFINITY;
  for (let end = k; end < history.length; end++) best = Math.min(best, avg(end));
  return !(last < best - Math.abs(best) * tol);
}
