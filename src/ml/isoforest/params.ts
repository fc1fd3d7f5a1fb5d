// Parameters of the two isolation forests, with H2O's names and defaults:
// H2OIsolationForestEstimator (hex/tree/isofor/IsolationForestModel.java: ntrees 50,
// sample_size 256, sample_rate −1, max_depth 8, min_rows 1, mtries −1, contamination −1)
// and H2OExtendedIsolationForestEstimator (hex/tree/isoforextended: ntrees 100,
// sample_size 256, extension_level 0, disable_training_metrics true).

import { defineParams, type ParamsOf } from "../params.ts";

/** H2O's bounds on the extended forest (ExtendedIsolationForest.MAX_NTREES, MAX_SAMPLE_SIZE). */
export const EIF_MAX_NTREES = 100_000;
export const EIF_MAX_SAMPLE_SIZE = 100_000;

export const ISOFOREST_PARAMS = defineParams([
  { name: "ntrees", type: "int", default: 50, min: 1, max: 100_000, help: "Number of trees." },
  {
    name: "sample_size",
    type: "int",
    default: 256,
    min: 1,
    help: "Rows each tree is grown on (used when sample_rate is −1): each row is drawn with probability sample_size / rows, all rows when sample_size is at least the row count.",
  },
  { name: "sample_rate", type: "float", default: -1, help: "Fraction of the rows each tree draws, in (0, 1]; −1: from sample_size." },
  { name: "max_depth", type: "int", default: 8, min: 1, max: 64, help: "Maximum tree depth (H2O's default 8 = log2 of sample_size 256)." },
  { name: "min_rows", type: "float", default: 1, min: 1, help: "Fewest sampled rows each side of a split must keep." },
  { name: "mtries", type: "int", default: -1, min: -2, help: "Columns tried at each split: −1 = columns/3 (at least 1), −2 = all, else 1 to the column count." },
  {
    name: "contamination",
    type: "float",
    default: -1,
    help: "Expected fraction of anomalies in the training frame, in (0, 0.5]: rows scoring at or above that quantile of the training scores are flagged (predict = 1); −1: no flag.",
  },
  {
    name: "validation_response_column",
    type: "string",
    default: null,
    help: "A 0/1 (or two-level) column of the validation frame marking anomalies: the validation metrics are then AUC and AUCPR, and predictions flag rows from the max-F1 threshold.",
  },
  { name: "seed", type: "int", default: -1, help: "Random seed (-1: drawn at random and reported)." },
  { name: "ignore_const_cols", type: "bool", default: true, help: "Drop constant columns before training." },
]);

export type IsoForestParams = ParamsOf<typeof ISOFOREST_PARAMS>;

export const EXTENDED_ISOFOREST_PARAMS = defineParams([
  { name: "ntrees", type: "int", default: 100, min: 1, max: EIF_MAX_NTREES, help: "Number of trees." },
  { name: "sample_size", type: "int", default: 256, min: 2, max: EIF_MAX_SAMPLE_SIZE, help: "Rows each tree is grown on, drawn without replacement (all rows when the frame has fewer)." },
  {
    name: "extension_level",
    type: "int",
    default: 0,
    min: 0,
    help: "Columns each split hyperplane leans along, minus one: 0 splits along one column (an isolation forest), the column count − 1 is the fully extended forest.",
  },
  { name: "seed", type: "int", default: -1, help: "Random seed (-1: drawn at random and reported)." },
  { name: "ignore_const_cols", type: "bool", default: true, help: "Drop constant columns before training." },
  { name: "disable_training_metrics", type: "bool", default: true, help: "Skip scoring the training frame (its metrics and score histogram), as H2O does by default." },
]);

export type ExtendedIsoForestParams = ParamsOf<typeof EXTENDED_ISOFOREST_PARAMS>;
