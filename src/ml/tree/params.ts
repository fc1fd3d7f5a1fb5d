// Parameters of the tree ensembles, with H2O's names and defaults. Where floe differs
// it says so in the help: `nbins` counts global quantile bins (H2O re-bins each node from
// nbins_top_level; floe bins once, as LightGBM and XGBoost's hist do).

import { DISTRIBUTIONS } from "../loss.ts";
import { CV_PARAMS, defineParams, type ParamsOf } from "../params.ts";

export const STOPPING_METRICS = ["AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC", "AUCPR", "mean_per_class_error"] as const;

/** Scoring, early stopping, cross-validation and constant columns: every tree algorithm takes them. */
const STOPPING_AND_CV_PARAMS = defineParams([
  { name: "max_runtime_secs", type: "float", default: 0, min: 0, help: "Stop adding trees after this many seconds (0: no limit)." },
  { name: "stopping_rounds", type: "int", default: 0, min: 0, help: "Stop when the stopping metric's moving average over this many scorings has not improved (0: off)." },
  { name: "stopping_metric", type: "enum", default: "AUTO", values: STOPPING_METRICS, help: "Metric for early stopping (AUTO: logloss for classifiers, deviance for regression)." },
  { name: "stopping_tolerance", type: "float", default: 0.001, min: 0, help: "Relative improvement below which a scoring counts as no improvement." },
  { name: "score_tree_interval", type: "int", default: 0, min: 0, help: "Score every this many trees (0: about ten scorings in all, and the last tree)." },
  ...CV_PARAMS,
  { name: "ignore_const_cols", type: "bool", default: true, help: "Drop constant columns before training." },
]);

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
    ...STOPPING_AND_CV_PARAMS,
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

/** XGBoost's distributions as H2O offers them (AUTO: bernoulli, multinomial or gaussian from the response). */
export const XGBOOST_DISTRIBUTIONS = ["AUTO", "gaussian", "bernoulli", "multinomial", "poisson", "gamma", "tweedie"] as const;

/**
 * H2OXGBoostEstimator's parameters: H2O's names and defaults, and the XGBoost names H2O
 * takes as aliases (eta, subsample, ...: used when not at their own default, as H2O does).
 */
export const XGBOOST_PARAMS = defineParams([
  { name: "ntrees", type: "int", default: 50, min: 1, help: "Number of boosting rounds (a tree per class for multinomial)." },
  { name: "max_depth", type: "int", default: 6, min: 0, max: 64, help: "Maximum tree depth (0: no limit but floe's 64, as XGBoost's 0 with lossguide)." },
  { name: "min_rows", type: "float", default: 1, min: 0, help: "Smallest hessian sum a child may hold (XGBoost's min_child_weight; for gaussian, a row count)." },
  { name: "min_child_weight", type: "float", default: 1, min: 0, help: "XGBoost's name for min_rows (used when not 1)." },
  { name: "learn_rate", type: "float", default: 0.3, above: 0, max: 1, help: "Shrinkage of each tree's leaves (eta)." },
  { name: "eta", type: "float", default: 0.3, above: 0, max: 1, help: "XGBoost's name for learn_rate (used when not 0.3)." },
  { name: "sample_rate", type: "float", default: 1, above: 0, max: 1, help: "Fraction of rows each tree trains on, drawn without replacement (subsample)." },
  { name: "subsample", type: "float", default: 1, above: 0, max: 1, help: "XGBoost's name for sample_rate (used when not 1)." },
  {
    name: "col_sample_rate",
    type: "float",
    default: 1,
    above: 0,
    max: 1,
    help: "Fraction of the tree's columns each level of a tree may use, drawn once a level (XGBoost's colsample_bylevel).",
  },
  { name: "colsample_bylevel", type: "float", default: 1, above: 0, max: 1, help: "XGBoost's name for col_sample_rate (used when not 1)." },
  { name: "colsample_bynode", type: "float", default: 1, above: 0, max: 1, help: "Fraction of the columns each node may use, on top of col_sample_rate." },
  { name: "col_sample_rate_per_tree", type: "float", default: 1, above: 0, max: 1, help: "Fraction of columns each tree may use (colsample_bytree)." },
  { name: "colsample_bytree", type: "float", default: 1, above: 0, max: 1, help: "XGBoost's name for col_sample_rate_per_tree (used when not 1)." },
  { name: "max_abs_leafnode_pred", type: "float", default: 0, min: 0, help: "Largest |leaf value| before the learn rate (max_delta_step; 0: no limit)." },
  { name: "max_delta_step", type: "float", default: 0, min: 0, help: "XGBoost's name for max_abs_leafnode_pred (used when not 0)." },
  { name: "min_split_improvement", type: "float", default: 0, min: 0, help: "Smallest loss reduction a split must bring (gamma)." },
  { name: "gamma", type: "float", default: 0, min: 0, help: "XGBoost's name for min_split_improvement (used when not 0)." },
  { name: "reg_lambda", type: "float", default: 1, min: 0, help: "L2 penalty on leaf values." },
  { name: "reg_alpha", type: "float", default: 0, min: 0, help: "L1 penalty on leaf values." },
  { name: "max_bins", type: "int", default: 256, min: 2, max: 65534, help: "Quantile bins per numeric column, built once per training frame (tree_method hist)." },
  { name: "max_leaves", type: "int", default: 0, min: 0, help: "Most leaves a tree may have, with grow_policy lossguide (0: no limit)." },
  {
    name: "tree_method",
    type: "enum",
    default: "auto",
    values: ["auto", "exact", "approx", "hist"],
    help: "floe always grows from histograms of global quantile bins (XGBoost's hist), whatever is named.",
  },
  {
    name: "grow_policy",
    type: "enum",
    default: "depthwise",
    values: ["depthwise", "lossguide"],
    help: "depthwise: level by level; lossguide: best-first, the leaf whose split gains most splits next, up to max_leaves.",
  },
  { name: "booster", type: "enum", default: "gbtree", values: ["gbtree", "gblinear", "dart"], help: "gbtree: boosted trees (gblinear and dart are not supported by floe)." },
  { name: "scale_pos_weight", type: "float", default: 1, above: 0, help: "Weight of the positive class's rows in a binomial model's gradients." },
  { name: "distribution", type: "enum", default: "AUTO", values: XGBOOST_DISTRIBUTIONS, help: "Loss: AUTO picks bernoulli, multinomial or gaussian from the response." },
  { name: "tweedie_power", type: "float", default: 1.5, above: 1, max: 1.999, help: "Tweedie variance power (1, 2)." },
  { name: "seed", type: "int", default: -1, help: "Random seed (-1: drawn at random and reported)." },
  ...STOPPING_AND_CV_PARAMS,
]);

export type GbmParams = ParamsOf<typeof GBM_PARAMS>;
export type DrfParams = ParamsOf<typeof DRF_PARAMS>;
export type XgboostParams = ParamsOf<typeof XGBOOST_PARAMS>;

type SharedTreeParams = ParamsOf<ReturnType<typeof shared>>;

/** What the tree loop reads: the parameters GBM and DRF share, and each algorithm's own as optional. */
export type TreeParams = SharedTreeParams &
  Partial<Omit<GbmParams, keyof SharedTreeParams>> &
  Partial<Omit<DrfParams, keyof SharedTreeParams>> &
  Partial<Omit<XgboostParams, keyof SharedTreeParams | keyof GbmParams>>;

/**
 * XGBoost's parameters as the tree loop reads them: H2O's aliases resolved as H2O does (an
 * alias not at its default wins, and both names then hold the value used), max_bins as the
 * bins of a numeric column, categorical columns binned as floe's other trees bin them.
 */
export function xgboostTreeParams(p: XgboostParams): TreeParams {
  const pick = (alias: number, aliasDefault: number, own: number) => (alias !== aliasDefault ? alias : own);
  const learn_rate = pick(p.eta, 0.3, p.learn_rate);
  const sample_rate = pick(p.subsample, 1, p.sample_rate);
  const col_sample_rate = pick(p.colsample_bylevel, 1, p.col_sample_rate);
  const col_sample_rate_per_tree = pick(p.colsample_bytree, 1, p.col_sample_rate_per_tree);
  const max_abs_leafnode_pred = pick(p.max_delta_step, 0, p.max_abs_leafnode_pred);
  const min_rows = pick(p.min_child_weight, 1, p.min_rows);
  const min_split_improvement = pick(p.gamma, 0, p.min_split_improvement);
  return {
    ...p,
    learn_rate,
    eta: learn_rate,
    sample_rate,
    subsample: sample_rate,
    col_sample_rate,
    colsample_bylevel: col_sample_rate,
    col_sample_rate_per_tree,
    colsample_bytree: col_sample_rate_per_tree,
    max_abs_leafnode_pred,
    max_delta_step: max_abs_leafnode_pred,
    min_rows,
    min_child_weight: min_rows,
    min_split_improvement,
    gamma: min_split_improvement,
    nbins: p.max_bins,
    nbins_cats: 1024,
    histogram_type: "AUTO",
  };
}
