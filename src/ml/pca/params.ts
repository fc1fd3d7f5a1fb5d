// PCA's parameters with H2O's names and defaults (hex/pca/PCAModel.java).

import { defineParams, type ParamsOf } from "../params.ts";

export const PCA_PARAMS = defineParams([
  { name: "k", type: "int", default: 1, min: 1, help: "Number of principal components." },
  {
    name: "transform",
    type: "enum",
    default: "NONE",
    values: ["NONE", "STANDARDIZE", "NORMALIZE", "DEMEAN", "DESCALE"],
    help: "Transform of numeric columns before the decomposition (NONE: raw values, not centred, as H2O).",
  },
  { name: "pca_method", type: "enum", default: "GramSVD", values: ["GramSVD"], help: "GramSVD: eigen-decomposition of the Gram matrix computed in one pass." },
  { name: "use_all_factor_levels", type: "bool", default: false, help: "Expand enums with every level (default: the first level is dropped)." },
  { name: "impute_missing", type: "bool", default: false, help: "Impute missing values (numeric mean, enum mode) instead of leaving the row out." },
  { name: "seed", type: "int", default: -1, help: "Random seed (-1: drawn at random and reported); GramSVD draws nothing." },
  { name: "ignore_const_cols", type: "bool", default: true, help: "Drop constant columns before training." },
]);

export type PcaParams = ParamsOf<typeof PCA_PARAMS>;
