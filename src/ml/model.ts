// What every trained model has in common, whatever its algorithm: identity, parameters,
// response, category, metrics, variable importance, notes. Each algorithm's model type
// extends ModelCommon; `Model` (src/ml/registry.ts) is their union, what model files hold
// and what `floe predict` and `floe eval` score through the descriptor of the model's `algo`.

import type { Metrics, SupervisedCategory } from "./metrics/index.ts";
import type { CvSummary } from "./cv-summary.ts";
import type { ParamValues } from "./params.ts";

export type ModelCategory = SupervisedCategory | UnsupervisedCategory;

/** Categories of models without a response (H2O's ModelCategory names). */
export const UNSUPERVISED_CATEGORIES = ["Clustering", "DimReduction", "AnomalyDetection"] as const;
export type UnsupervisedCategory = (typeof UNSUPERVISED_CATEGORIES)[number];

/** A category whose models have a response (regression and classifiers). */
export function isSupervisedCategory(c: ModelCategory): c is SupervisedCategory {
  return !(UNSUPERVISED_CATEGORIES as readonly string[]).includes(c);
}

export interface VarImp {
  readonly variable: string;
  readonly relative_importance: number;
  readonly scaled_importance: number;
  readonly percentage: number;
}

export interface ModelCommon {
  readonly model_id: string;
  readonly params: ParamValues;
  /** The response (supervised models); null for clustering and dimension reduction. */
  readonly response: { readonly name: string; readonly domain: readonly string[] | null } | null;
  readonly category: ModelCategory;
  readonly metrics: {
    readonly training: Metrics | null;
    readonly validation: Metrics | null;
    readonly cross_validation: Metrics | null;
  };
  readonly varimp: readonly VarImp[];
  readonly scoring_history: readonly object[];
  readonly notes: readonly string[];
  readonly training_time_ms: number;
  /** Each metric's mean and sd across the cross-validation folds (H2O's cross_validation_metrics_summary). */
  readonly cross_validation_metrics_summary?: CvSummary | null;
  /** Binomial: the probability from which a row is predicted as class 1 (max F1). */
  readonly threshold?: number;
}

/** Variable importance from non-negative scores: relative, scaled to the top, and as percentages. */
export function varimpOf(names: readonly string[], scores: ArrayLike<number>): VarImp[] {
  let max = 0;
  let sum = 0;
  for (let f = 0; f < names.length; f++) {
    max = Math.max(max, scores[f]);
    sum += scores[f];
  }
  return names
    .map((variable, f) => ({
      variable,
      relative_importance: scores[f],
      scaled_importance: max > 0 ? scores[f] / max : 0,
      percentage: sum > 0 ? scores[f] / sum : 0,
    }))
    .sort((a, b) => b.relative_importance - a.relative_importance);
}
