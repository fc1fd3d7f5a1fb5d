// Naive Bayes parameters with H2O's names and defaults (hex/naivebayes/NaiveBayesModel.java).

import { defineParams, type ParamsOf } from "../params.ts";

export const NAIVEBAYES_PARAMS = defineParams([
  { name: "laplace", type: "float", default: 0, min: 0, help: "Laplace smoothing added to every count of the priors and of the enum predictors' levels (0: none)." },
  { name: "min_sdev", type: "float", default: 0.001, min: 1e-10, help: "Standard deviation used in place of a class's sd that is at most eps_sdev." },
  { name: "eps_sdev", type: "float", default: 0, min: 0, help: "A class's standard deviation at or below this is replaced by min_sdev." },
  { name: "min_prob", type: "float", default: 0.001, min: 1e-10, help: "Probability (or density) used in place of one that is at most eps_prob." },
  { name: "eps_prob", type: "float", default: 0, min: 0, help: "A conditional probability (or density) at or below this is replaced by min_prob." },
  { name: "seed", type: "int", default: -1, help: "Random seed (-1: drawn at random and reported); naive Bayes itself draws nothing." },
  { name: "ignore_const_cols", type: "bool", default: true, help: "Drop constant columns before training." },
  { name: "compute_metrics", type: "bool", default: true, help: "Score the training frame for training metrics (and the binomial max-F1 threshold)." },
]);

export type NaiveBayesParams = ParamsOf<typeof NAIVEBAYES_PARAMS>;
