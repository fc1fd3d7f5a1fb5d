// What AutoML builds, in order, after H2O's default plan: a deep XGBoost first (as H2O),
// a GLM with lambda search, GBMs of growing depth and H2O's two other default XGBoosts, a
// random forest and extremely randomized trees, a small deep learning model, then random
// grids over XGBoost, GBM and deep learning until the limits are reached. Tree models grow
// until early stopping says enough (ntrees is a ceiling). One model of each family comes
// early, so a short budget still sees every family.

import type { AutoMLAlgo } from "./params.ts";

/** One model of the plan: its family (for include/exclude and "best of family"), algorithm and parameters. */
export interface Step {
  readonly name: string;
  readonly family: AutoMLAlgo | "XRT";
  readonly algo: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The most of the run's max_runtime_secs the model may take, when less than a model's usual fifth. */
  readonly budgetShare?: number;
}

/** A random grid of the plan. */
export interface GridStep {
  readonly name: string;
  readonly family: AutoMLAlgo;
  readonly algo: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly hyperParams: Readonly<Record<string, readonly unknown[]>>;
  /** Share of the time left when the grids start (the last grid takes what remains). */
  readonly share: number;
}

const TREES = { ntrees: 10000, score_tree_interval: 5 };
const GBM_SAMPLING = { sample_rate: 0.8, col_sample_rate: 0.8, col_sample_rate_per_tree: 0.8 };
const XGB_COLUMNS = { col_sample_rate: 0.8, col_sample_rate_per_tree: 0.8 };

export const DEFAULT_STEPS: readonly Step[] = [
  // H2O's XGBoost def_2 (deep), def_1 (medium) and def_3 (shallow), named in build order.
  { name: "XGBoost_1", family: "XGBoost", algo: "xgboost", params: { ...TREES, ...XGB_COLUMNS, max_depth: 15, min_rows: 10, sample_rate: 0.6 } },
  // GLM_1's lambda search gains little past its first lambdas, and DeepLearning_1 (below) rarely
  // leads at AutoML's budgets: each gets a tenth of the run, leaving the trees their time.
  { name: "GLM_1", family: "GLM", algo: "glm", params: { lambda_search: true }, budgetShare: 0.1 },
  { name: "GBM_1", family: "GBM", algo: "gbm", params: { ...TREES, ...GBM_SAMPLING, max_depth: 6, min_rows: 1 } },
  { name: "DRF_1", family: "DRF", algo: "drf", params: { ntrees: 50 } },
  { name: "DeepLearning_1", family: "DeepLearning", algo: "deeplearning", params: { hidden: "10,10,10", epochs: 50 }, budgetShare: 0.1 },
  { name: "XGBoost_2", family: "XGBoost", algo: "xgboost", params: { ...TREES, ...XGB_COLUMNS, max_depth: 10, min_rows: 5, sample_rate: 0.6 } },
  { name: "GBM_2", family: "GBM", algo: "gbm", params: { ...TREES, ...GBM_SAMPLING, max_depth: 7, min_rows: 10 } },
  { name: "GBM_3", family: "GBM", algo: "gbm", params: { ...TREES, ...GBM_SAMPLING, max_depth: 8, min_rows: 10 } },
  { name: "XGBoost_3", family: "XGBoost", algo: "xgboost", params: { ...TREES, ...XGB_COLUMNS, max_depth: 5, min_rows: 3, sample_rate: 0.8 } },
  { name: "XRT_1", family: "XRT", algo: "drf", params: { ntrees: 50, histogram_type: "Random" } },
  { name: "GBM_4", family: "GBM", algo: "gbm", params: { ...TREES, ...GBM_SAMPLING, max_depth: 10, min_rows: 10 } },
  { name: "GBM_5", family: "GBM", algo: "gbm", params: { ...TREES, ...GBM_SAMPLING, max_depth: 15, min_rows: 100 } },
];

export const GRID_STEPS: readonly GridStep[] = [
  {
    name: "XGBoost_grid_1",
    family: "XGBoost",
    algo: "xgboost",
    params: TREES,
    // H2O's AutoML XGBoost grid, without booster dart (floe grows gbtree only).
    hyperParams: {
      max_depth: [3, 6, 9, 12, 15],
      min_rows: [1, 3, 5, 10, 15, 20],
      sample_rate: [0.6, 0.8, 1.0],
      col_sample_rate: [0.6, 0.8, 1.0],
      col_sample_rate_per_tree: [0.7, 0.8, 0.9, 1.0],
      reg_lambda: [0.001, 0.01, 0.1, 1, 10, 100],
      reg_alpha: [0.001, 0.01, 0.1, 0.5, 1],
    },
    // H2O weighs its grids' time 3 (XGBoost) : 2 (GBM) : 1 (deep learning).
    share: 0.5,
  },
  {
    name: "GBM_grid_1",
    family: "GBM",
    algo: "gbm",
    params: TREES,
    // H2O's AutoML GBM grid, without its smallest learning rates (0.001 to 0.008), which
    // need thousands of trees and spend a time budget on one model.
    hyperParams: {
      max_depth: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
      min_rows: [1, 5, 10, 15, 30, 100],
      learn_rate: [0.01, 0.05, 0.08, 0.1, 0.5],
      sample_rate: [0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
      col_sample_rate: [0.4, 0.7, 1.0],
      col_sample_rate_per_tree: [0.4, 0.7, 1.0],
      min_split_improvement: [1e-4, 1e-5],
    },
    share: 0.6,
  },
  {
    name: "DeepLearning_grid_1",
    family: "DeepLearning",
    algo: "deeplearning",
    params: { epochs: 50 },
    hyperParams: {
      hidden: ["20", "50", "100", "20,20", "50,50", "100,100", "20,20,20", "50,50,50"],
      input_dropout_ratio: [0, 0.05, 0.1, 0.15, 0.2],
      rho: [0.9, 0.95, 0.99],
      epsilon: [1e-6, 1e-7, 1e-8, 1e-9],
    },
    share: 1,
  },
];
