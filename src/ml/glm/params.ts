// GLM's parameters with H2O's names and defaults. Several defaults of H2O are computed
// from the data (marked −1 or null, resolved when training starts, in train.ts): lambda, alpha, nlambdas,
// lambda_min_ratio, max_iterations, objective_epsilon and gradient_epsilon.

import { CV_PARAMS, defineParams, type ParamsOf } from "../params.ts";
import { FAMILIES, LINKS } from "./family.ts";

export const SOLVERS = ["AUTO", "IRLSM", "L_BFGS", "COORDINATE_DESCENT"] as const;

export const GLM_PARAMS = defineParams([
  { name: "family", type: "enum", default: "AUTO", values: FAMILIES, help: "Distribution of the response (AUTO: binomial, multinomial or gaussian from the response)." },
  { name: "link", type: "enum", default: "family_default", values: LINKS, help: "Link function (family_default: identity, logit, log, inverse for gamma, tweedie's power link)." },
  { name: "tweedie_variance_power", type: "float", default: 0, min: 0, help: "Tweedie variance power p: V(mu) = mu^p." },
  { name: "tweedie_link_power", type: "float", default: 1, help: "Tweedie link power q: eta = mu^q (0: log)." },
  {
    name: "solver",
    type: "enum",
    default: "AUTO",
    values: SOLVERS,
    help: "IRLSM (Gram matrix; many rows, few columns), L_BFGS (wide data, multinomial), COORDINATE_DESCENT; AUTO chooses as H2O does.",
  },
  { name: "alpha", type: "float", default: null, min: 0, max: 1, help: "Elastic-net mix: 1 lasso, 0 ridge (default 0.5; 0 when solver is L_BFGS)." },
  { name: "lambda", type: "float", default: null, min: 0, help: "Regularisation strength (default: 10 · lambda_min_ratio · lambda_max, as H2O; 0 with compute_p_values)." },
  { name: "lambda_search", type: "bool", default: false, help: "Fit a path of nlambdas lambdas from lambda_max down to lambda_min_ratio · lambda_max and keep the best." },
  { name: "nlambdas", type: "int", default: -1, min: -1, help: "Lambdas in the search (-1: 100, or 30 when alpha = 0)." },
  {
    name: "lambda_min_ratio",
    type: "float",
    default: -1,
    min: -1,
    max: 1,
    help: "Smallest lambda of the search as a fraction of lambda_max (-1: 1e-4 with many rows, else 1e-2; ×1e-2 when alpha = 0).",
  },
  { name: "max_iterations", type: "int", default: -1, min: -1, help: "Most iterations (-1: 50 for IRLSM, 10 per lambda in a search; L_BFGS: classes × max(100, columns / 4), ×10 with L1)." },
  { name: "beta_epsilon", type: "float", default: 1e-4, min: 0, help: "Converged when no coefficient moves more than this." },
  { name: "objective_epsilon", type: "float", default: -1, min: -1, help: "Converged when the objective improves by less than this, relatively (-1: 1e-6 at lambda 0, else 1e-4)." },
  { name: "gradient_epsilon", type: "float", default: -1, min: -1, help: "L_BFGS: converged when the largest gradient component is below this (-1: as objective_epsilon)." },
  { name: "standardize", type: "bool", default: true, help: "Standardize numeric columns (coefficients reported on both scales)." },
  { name: "intercept", type: "bool", default: true, help: "Fit an intercept." },
  { name: "non_negative", type: "bool", default: false, help: "Constrain the coefficients (not the intercept) to be >= 0." },
  { name: "compute_p_values", type: "bool", default: false, help: "Standard errors, z values and p values (needs lambda = 0 and IRLSM)." },
  { name: "remove_collinear_columns", type: "bool", default: false, help: "With lambda = 0, drop columns that are linear combinations of others instead of failing." },
  { name: "missing_values_handling", type: "enum", default: "MeanImputation", values: ["MeanImputation", "Skip"], help: "Missing predictors: numeric mean and enum mode, or leave the row out." },
  { name: "use_all_factor_levels", type: "bool", default: false, help: "Keep every enum level (no reference level); forced on unless lambda = 0, as in H2O." },
  { name: "seed", type: "int", default: -1, help: "Random seed for folds (-1: drawn at random and reported)." },
  {
    name: "max_runtime_secs",
    type: "float",
    default: 0,
    min: 0,
    help: "Stop a lambda search after this many seconds, cross-validation included, keeping the lambdas fitted so far (0: no limit).",
  },
  ...CV_PARAMS,
  { name: "ignore_const_cols", type: "bool", default: true, help: "Drop constant columns before training." },
]);

export type GlmParams = ParamsOf<typeof GLM_PARAMS>;
