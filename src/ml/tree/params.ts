// Parameters of the tree ensembles, with H2O's names and defaults. Where floe differs
// it says so in the help: `nbins` counts global quantile bins (H2O re-bins each node from
// nbins_top_level; floe bins once, as LightGBM and XGBoost's hist do).

import { DISTRIBUTIONS } from "../loss.ts";
import { CV_PARAMS, defineParams, type ParamsOf } from "../params.ts";

export const STOPPING_METRICS = ["AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC", "AUCPR", "mean_per_class_error"] as const;

/** Parameters GBM and DRF share; `d` sets the defaults that differ. */
function shared(d: { max_depth: number; min_rows: number; sample_rate: number }) {
  return defineParams([
    { name: "ntrees", type: "int", default: 50, min: 1, help: "Number of trees (per class for multinomial)." },
    { name: "max_depth", type: "int", default: d.max_depth, min: 1, max: 64, help: "Maximum tree depth." },
    { name: "min_rows", type: "float", default: d.min_rows, min: 1, help: "Fewest rows a leaf may hold." },
    { name: "nbins", type: "int", default: 255, min: 2, max: 65534, help: "Quantile bins per numeric column, built once per training frame (floe bins globally; H2O re-bins per node)." },
    { name: "nbins_cats", type: "int", default: 1024, min: 2, max: 65534, help: "Bins for categorical columns: the most frequent levels get their own, the rest share one." },
    { name: "seed", type: "int", default: -1, help: "Random seed (-1: drawn at random and reported)." },
    { name: "sample_rate", type: "float", default: d.sample_rate, above: 0, max: 1, help: "Fraction of rows each tree trains on, drawn without replacement." },
    { name: "col_sample_rate_per_tree", type: "float", default: 1, above: 0, max: 1, help: "Fraction of columns each tree may use." },
    { name: "min_split_improvement", type: "float", default: 1e-5, min: 0, help: "Smallest loss reduction a split must bring." },
    {
      name: "histogram_type",
      type: "enum",
      default: "AUTO",
      values: ["AUTO", "QuantilesGlobal", "Random"],
      help: "How thresholds are chosen: best over quantile bins, or one at random per column (extremely randomized trees).",
    },
    { name: "max_runtime_secs", type: "float", default: 0, min: 0, help: "Stop adding trees after this many seconds (0: no limit)." },
    { name: "stopping_rounds", type: "int", default: 0, min: 0, help: "Stop when the stopping metric's moving average over this many scorings has not improved (0: off)." },
    { name: "stopping_metric", type: "enum", default: "AUTO", values: STOPPING_METRICS, help: "Metric for early stopping (AUTO: logloss for classifiers, deviance for regression)." },
    { name: "stopping_tolerance", type: "float", default: 0.001, min: 0, help: "Relative improvement below which a scoring counts as no improvement." },
    { name: "score_tree_interval", type: "int", default: 0, min: 0, help: "Score every this many trees (0: about ten scorings in all, and the last tree)." },
    ...CV_PARAMS,
    { name: "ignore_const_cols", type: "bool", default: true, help: "Drop constant columns before training." },
  ]);
}

export const GBM_PARAMS = defineParams([
  ...shared({ max_depth: 5, min_rows: 10, sample_rate: 1 }),
  { name: "learn_rate", type: "float", default: 0.1, above: 0, max: 1, help: "Shrinkage of each tree's contribution." },
  { name: "learn_rate_annealing", type: "float", default: 1, above: 0, max: 1, help: "Multiply learn_rate by this after every tree." },
  { name: "col_sample_rate", type: "float", default: 1, above: 0, max: 1, help: "Fraction of the tree's columns each split may use." },
  { name: "distribution", type: "enum", default: "AUTO", values: DISTRIBUTIONS, help: "Loss: AUTO picks bernoulli, multinomial or gaussian from the response." },
  { name: "tweedie_power", type: "float", default: 1.5, above: 1, max: 1.999, help: "Tweedie variance power (1, 2)." },
  { name: "quantile_alpha", type: "float", default: 0.5, min: 0, max: 1, help: "Quantile the quantile distribution fits." },
  { name: "huber_alpha", type: "float", default: 0.9, min: 0, max: 1, help: "Quantile of absolute residuals where huber turns from squared to linear." },
]);

export const DRF_PARAMS = defineParams([
  ...shared({ max_depth: 20, min_rows: 1, sample_rate: 0.632 }),
  { name: "mtries", type: "int", default: -1, min: -2, help: "Columns tried at each split (-1: sqrt(p) for classifiers, p/3 for regression; -2: all)." },
]);

export type GbmParams = ParamsOf<typeof GBM_PARAMS>;
export type DrfParams = ParamsOf<typeof DRF_PARAMS>;

type SharedTreeParams = ParamsOf<ReturnType<typeof shared>>;

/** What the tree loop reads: the parameters GBM and DRF share, and each one's own as optional. */
export type TreeParams = SharedTreeParams & Partial<Omit<GbmParams, keyof SharedTreeParams>> & Partial<Omit<DrfParams, keyof SharedTreeParams>>;
