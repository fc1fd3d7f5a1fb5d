// Deep learning's parameters with H2O's names and defaults. Where floe differs it says so
// in the help: every train_samples_per_iteration below 1 means one epoch per iteration,
// scoring is scheduled by iterations (not by H2O's clock, so a seed gives one model), and
// `reproducible` is always true in floe (model averaging folds in chunk order).

import { CV_PARAMS, defineParams, type ParamsOf } from "../params.ts";

export const ACTIVATIONS = ["Rectifier", "Tanh", "Maxout", "RectifierWithDropout", "TanhWithDropout", "MaxoutWithDropout"] as const;
export const LOSSES = ["Automatic", "Quadratic", "CrossEntropy", "Absolute", "Huber"] as const;
export const DL_DISTRIBUTIONS = ["AUTO", "bernoulli", "multinomial", "gaussian", "laplace", "huber"] as const;
export const DL_STOPPING_METRICS = ["AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "AUC", "misclassification", "mean_per_class_error"] as const;

export const DEEPLEARNING_PARAMS = defineParams([
  { name: "hidden", type: "string", default: "200,200", help: "Hidden layer sizes, comma-separated (e.g. 200,200)." },
  { name: "epochs", type: "float", default: 10, above: 0, help: "Passes over the training rows (may be fractional)." },
  { name: "activation", type: "enum", default: "Rectifier", values: ACTIVATIONS, help: "Hidden units: Rectifier, Tanh or Maxout (2 channels); the WithDropout kinds drop hidden units in training." },
  { name: "input_dropout_ratio", type: "float", default: 0, min: 0, max: 1, help: "Fraction of input units dropped for each training row (below 1; 0.1 or 0.2 are typical)." },
  {
    name: "hidden_dropout_ratios",
    type: "string",
    default: null,
    help: "Fraction of hidden units dropped per layer, comma-separated (default 0.5 each with a WithDropout activation; other activations take none).",
  },
  { name: "l1", type: "float", default: 0, min: 0, help: "L1 penalty on the weights." },
  { name: "l2", type: "float", default: 0, min: 0, help: "L2 penalty on the weights." },
  { name: "adaptive_rate", type: "bool", default: true, help: "ADADELTA per-weight learning rates (rho, epsilon); off: rate, annealing and momentum." },
  { name: "rho", type: "float", default: 0.99, min: 0, max: 1, help: "ADADELTA: decay of the running averages of squared gradients and updates." },
  { name: "epsilon", type: "float", default: 1e-8, min: 0, help: "ADADELTA: smoothing added inside the square roots." },
  { name: "rate", type: "float", default: 0.005, above: 0, help: "Learning rate (adaptive_rate off)." },
  { name: "rate_annealing", type: "float", default: 1e-6, min: 0, help: "Learning rate annealing: rate / (1 + rate_annealing · samples)." },
  { name: "rate_decay", type: "float", default: 1, above: 0, help: "Learning rate decay between layers: layer l learns at rate · rate_decay^(l−1)." },
  { name: "momentum_start", type: "float", default: 0, min: 0, max: 0.9999, help: "Momentum at the start of training (adaptive_rate off)." },
  { name: "momentum_ramp", type: "float", default: 1e6, above: 0, help: "Training samples over which momentum goes from momentum_start to momentum_stable." },
  { name: "momentum_stable", type: "float", default: 0, min: 0, max: 0.9999, help: "Momentum after the ramp." },
  { name: "nesterov_accelerated_gradient", type: "bool", default: true, help: "Nesterov's accelerated gradient with momentum." },
  {
    name: "mini_batch_size",
    type: "int",
    default: 0,
    min: 0,
    help: "Rows whose mean gradient makes one update (0: 32, or fewer below 32,000 rows so that an epoch makes at least 1,000 updates; H2O's default is 1).",
  },
  { name: "standardize", type: "bool", default: true, help: "Standardize numeric inputs (and a numeric response) to mean 0, sd 1." },
  { name: "use_all_factor_levels", type: "bool", default: true, help: "One input unit for every enum level (off: the first level is the reference)." },
  { name: "loss", type: "enum", default: "Automatic", values: LOSSES, help: "Loss (Automatic: CrossEntropy for classifiers, Quadratic for regression, or the distribution's)." },
  { name: "distribution", type: "enum", default: "AUTO", values: DL_DISTRIBUTIONS, help: "Distribution of the response (AUTO: bernoulli, multinomial or gaussian from the response)." },
  {
    name: "train_samples_per_iteration",
    type: "int",
    default: -2,
    min: -2,
    help: "Rows trained between model averagings: N > 0, or one epoch for 0, -1 and -2 (floe does not auto-tune -2).",
  },
  { name: "score_each_iteration", type: "bool", default: false, help: "Score after every iteration (default: about twenty scorings in all, and the last)." },
  {
    name: "score_training_samples",
    type: "int",
    default: 10000,
    min: 0,
    help: "Training rows scored at each scoring, a sample drawn once from the seed (0: all); the model's training metrics are on it, as H2O's.",
  },
  { name: "score_validation_samples", type: "int", default: 0, min: 0, help: "Validation (or cross-validation holdout) rows scored at each scoring, a sample drawn once from the seed (0: all)." },
  { name: "stopping_rounds", type: "int", default: 5, min: 0, help: "Stop when the stopping metric's moving average over this many scorings has not improved (0: off)." },
  { name: "stopping_metric", type: "enum", default: "AUTO", values: DL_STOPPING_METRICS, help: "Metric for early stopping (AUTO: logloss for classifiers, deviance for regression)." },
  { name: "stopping_tolerance", type: "float", default: 0, min: 0, help: "Relative improvement below which a scoring counts as no improvement." },
  { name: "max_runtime_secs", type: "float", default: 0, min: 0, help: "Stop training after this many seconds, cross-validation included, keeping the model so far (0: no limit)." },
  { name: "overwrite_with_best_model", type: "bool", default: true, help: "Keep the best scored model (by the stopping metric) rather than the last." },
  { name: "reproducible", type: "bool", default: false, help: "Accepted for H2O's scripts: floe's deep learning is always reproducible for a seed." },
  { name: "seed", type: "int", default: -1, help: "Random seed for weights, row order, dropout and folds (-1: drawn at random and reported)." },
  {
    name: "initial_weight_distribution",
    type: "enum",
    default: "UniformAdaptive",
    values: ["UniformAdaptive", "Uniform", "Normal"],
    help: "Initial weights: UniformAdaptive ±sqrt(6 / (fan_in + fan_out)), or Uniform / Normal of initial_weight_scale.",
  },
  { name: "initial_weight_scale", type: "float", default: 1, above: 0, help: "Uniform: weights in ±scale; Normal: sd." },
  {
    name: "fast_mode",
    type: "bool",
    default: true,
    help: "Leave alone the weights whose mini-batch gradient is exactly 0 (inputs 0 in every row of the batch, as absent one-hot levels): no ADADELTA decay or momentum for them, as H2O's fast_mode. Off: every weight takes every update.",
  },
  { name: "max_w2", type: "float", default: 3.4028235e38, above: 0, help: "Largest squared sum of a unit's incoming weights (H2O's default: no limit)." },
  { name: "missing_values_handling", type: "enum", default: "MeanImputation", values: ["MeanImputation", "Skip"], help: "Missing predictors: numeric mean and enum mode, or leave the row out." },
  ...CV_PARAMS,
  { name: "ignore_const_cols", type: "bool", default: true, help: "Drop constant columns before training." },
]);

export type DeepLearningParams = ParamsOf<typeof DEEPLEARNING_PARAMS>;
