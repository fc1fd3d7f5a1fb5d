// H2O's model-builder parameters onto floe's. floe already uses H2O's names; what differs
// is the spelling of enum values (the client sends "auto", "gram_s_v_d", "mean_imputation"
// for floe's "AUTO", "GramSVD", "MeanImputation") and the many parameters every H2O
// estimator sends at their defaults that floe does not have: those are accepted at H2O's
// default value (listed below, read off the rel-3.46.0 estimators) and refused, named,
// at any other value.

import { FloeError } from "../../core/errors.ts";
import type { ParamSpec } from "../../ml/params.ts";
import { floeId } from "../keys.ts";
import type { H2OParams } from "../params.ts";

/** Parameters of the request that are not the algorithm's: frames, columns, the model's key. */
const REQUEST_PARAMS = new Set(["model_id", "training_frame", "validation_frame", "response_column", "ignored_columns", "_rest_version"]);

/** H2O's parameters floe lacks, with the default H2O's client sends; floe trains the same model at that value only. */
const H2O_ONLY_DEFAULTS: Readonly<Record<string, string>> = {
  keep_cross_validation_fold_assignment: "False",
  score_each_iteration: "False",
  score_tree_interval: "0",
  score_iteration_interval: "-1",
  ignore_const_cols: "True",
  balance_classes: "False",
  max_after_balance_size: "5.0",
  max_confusion_matrix_size: "20",
  nbins_top_level: "1024",
  build_tree_one_node: "False",
  col_sample_rate_change_per_level: "1.0",
  pred_noise_bandwidth: "0.0",
  categorical_encoding: "auto",
  calibrate_model: "False",
  calibration_method: "auto",
  in_training_checkpoints_tree_interval: "1",
  check_constant_response: "True",
  gainslift_bins: "-1",
  auc_type: "auto",
  auto_rebalance: "True",
  binomial_double_trees: "False",
  distribution: "auto",
  theta: "1e-10",
  early_stopping: "True",
  dispersion_parameter_method: "pearson",
  init_dispersion_parameter: "1.0",
  calc_like: "False",
  prior: "-1.0",
  cold_start: "False",
  max_active_predictors: "-1",
  obj_reg: "-1.0",
  stopping_rounds: "0",
  stopping_metric: "auto",
  stopping_tolerance: "0.001",
  remove_offset_effects: "False",
  max_runtime_secs: "0.0",
  generate_scoring_history: "False",
  dispersion_epsilon: "0.0001",
  tweedie_epsilon: "8e-17",
  max_iterations_dispersion: "3000",
  build_null_model: "False",
  fix_dispersion_parameter: "False",
  generate_variable_inflation_factors: "False",
  fix_tweedie_variance_power: "True",
  dispersion_learning_rate: "0.5",
  init_optimal_glm: "False",
  separate_linear_beta: "False",
  constraint_eta0: "0.1258925",
  constraint_tau: "10.0",
  constraint_alpha: "0.1",
  constraint_beta: "0.9",
  constraint_c0: "10.0",
  target_ratio_comm_to_comp: "0.05",
  quantile_alpha: "0.5",
  tweedie_power: "1.5",
  huber_alpha: "0.9",
  score_interval: "5.0",
  score_training_samples: "10000",
  score_validation_samples: "0",
  score_duty_cycle: "0.1",
  classification_stop: "0.0",
  regression_stop: "1e-06",
  score_validation_sampling: "uniform",
  diagnostics: "True",
  fast_mode: "True",
  force_load_balance: "True",
  variable_importances: "True",
  replicate_training_data: "True",
  single_node_mode: "False",
  shuffle_training_data: "False",
  quiet_mode: "False",
  autoencoder: "False",
  sparse: "False",
  col_major: "False",
  average_activation: "0.0",
  sparsity_beta: "0.0",
  max_categorical_features: "2147483647",
  export_weights_and_biases: "False",
  elastic_averaging: "False",
  elastic_averaging_moving_rate: "0.9",
  elastic_averaging_regularization: "0.001",
  nfolds: "0",
  keep_cross_validation_models: "True",
  keep_cross_validation_predictions: "False",
  fold_assignment: "auto",
  max_iterations: "1000",
  compute_metrics: "True",
  metalearner_transform: "none",
  keep_levelone_frame: "False",
  metalearner_nfolds: "0",
};

/** Where an estimator's default differs from the table's (H2O's isolation forest stops at a tolerance of 0.01, its XGBoost is quiet), or it sends one floe's version lacks. */
const ALGO_H2O_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  isolationforest: { stopping_tolerance: "0.01", col_sample_rate_per_tree: "1.0" },
  // XGBoost's runtime and dart settings at H2O's defaults (floe grows gbtree on its own threads).
  xgboost: {
    quiet_mode: "True",
    nthread: "-1",
    parallelize_cross_validation: "True",
    sample_type: "uniform",
    normalize_type: "tree",
    rate_drop: "0.0",
    one_drop: "False",
    skip_drop: "0.0",
    dmatrix_type: "auto",
    backend: "auto",
    score_eval_metric_only: "False",
  },
};

/** The same value as H2O spells it: numbers compared as numbers, other text without case or underscores. */
function sameValue(a: string, b: string): boolean {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== "" && b.trim() !== "" && Number.isFinite(x) && Number.isFinite(y)) return x === y;
  return normal(a) === normal(b);
}

const normal = (s: string) => s.toLowerCase().replace(/[_\s]/g, "");

/** H2O's type name of a floe parameter (ModelParameterSchemaV3.type). */
export function h2oParamType(p: ParamSpec): string {
  return p.type === "float" ? "double" : p.type === "bool" ? "boolean" : p.type;
}

/** An enum value as floe spells it ("gram_s_v_d" → "GramSVD"); unchanged when none matches, so floe's own check names it. */
function enumValue(p: ParamSpec, raw: string): string {
  return p.values?.find((v) => normal(v) === normal(raw)) ?? raw;
}

/** One value the client sent for a floe parameter, as floe takes it: enums spelled as floe spells them, Python's booleans as booleans. */
export function floeValue(spec: ParamSpec, raw: string): unknown {
  return spec.type === "enum" ? enumValue(spec, raw) : spec.type === "bool" ? raw.toLowerCase() === "true" : raw;
}

/** The H2O model-builder request as floe's training: frames, columns, key and the algorithm's parameters. */
export interface BuilderRequest {
  readonly modelId: string | undefined;
  readonly trainingFrame: string;
  readonly validationFrame: string | null;
  readonly responseColumn: string | null;
  readonly ignoredColumns: readonly string[];
  readonly params: Record<string, unknown>;
}

/** Translates the request's parameters for an algorithm with `specs`; an H2O parameter floe lacks is refused, named, unless at H2O's default. */
export function builderRequest(algo: string, specs: readonly ParamSpec[], p: H2OParams, names: readonly string[]): BuilderRequest {
  const params: Record<string, unknown> = {};
  for (const name of names) {
    if (REQUEST_PARAMS.has(name)) continue;
    const raw = p.str(name) ?? "";
    const spec = specs.find((s) => s.name === name);
    if (spec) {
      params[name] = spec.type === "string" && raw.startsWith("[") ? p.list(name)?.join(",") : floeValue(spec, raw);
      continue;
    }
    const h2oDefault = ALGO_H2O_DEFAULTS[algo]?.[name] ?? H2O_ONLY_DEFAULTS[name];
    if (h2oDefault !== undefined && sameValue(raw, h2oDefault)) continue;
    throw new FloeError("unsupported", `${algo} parameter '${name}' (= ${raw}) is not supported by floe${h2oDefault === undefined ? "" : ` other than at H2O's default ${h2oDefault}`}`, {
      field: name,
    });
  }
  const modelId = p.str("model_id");
  const validation = p.str("validation_frame");
  return {
    modelId: modelId ? floeId(modelId, "model_id") : undefined,
    trainingFrame: floeId(p.need("training_frame"), "training_frame"),
    validationFrame: validation ? floeId(validation, "validation_frame") : null,
    responseColumn: p.str("response_column") || null,
    ignoredColumns: p.list("ignored_columns") ?? [],
    params,
  };
}
