// Stacked ensembles' parameters, H2O's names: the base models, the metalearner and how it
// is cross-validated.

import { defineParams, type ParamsOf } from "../params.ts";

export const METALEARNERS = ["AUTO", "glm", "gbm", "drf", "deeplearning", "naivebayes"] as const;

export const STACKEDENSEMBLE_PARAMS = defineParams([
  { name: "base_models", type: "string", default: null, help: "Comma-separated ids of the base models, all cross-validated on the same folds with keep_cross_validation_predictions." },
  { name: "metalearner_algorithm", type: "enum", default: "AUTO", values: METALEARNERS, help: "Algorithm combining the base models' predictions (AUTO: GLM with non-negative coefficients)." },
  { name: "metalearner_nfolds", type: "int", default: 0, min: 0, help: "Folds of the metalearner's cross-validation (0: none); gives the ensemble its cross-validation metrics." },
  { name: "metalearner_fold_assignment", type: "enum", default: "AUTO", values: ["AUTO", "Random", "Modulo", "Stratified"], help: "How level-one rows are put in the metalearner's folds." },
  { name: "metalearner_params", type: "string", default: null, help: "The metalearner's parameters as a JSON object (H2O names)." },
  { name: "seed", type: "int", default: -1, help: "Random seed of the metalearner (-1: drawn at random and reported)." },
]);

export type StackedEnsembleParams = ParamsOf<typeof STACKEDENSEMBLE_PARAMS>;
