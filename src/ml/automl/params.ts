// AutoML's parameters, H2O's names and defaults: limits (max_models, max_runtime_secs,
// max_runtime_secs_per_model), the seed, cross-validation folds, which algorithms run and
// how the leaderboard is sorted. Read by the CLI, the REST API and the UI alike.

import { FloeError } from "../../core/errors.ts";
import { randomSeed } from "../../core/rng.ts";
import { SORT_METRICS } from "../leaderboard.ts";
import { type ParamSpec, resolveParams } from "../params.ts";

/** AutoML's algorithm families, named as H2O names them in include_algos / exclude_algos. */
export const AUTOML_ALGOS = ["GLM", "DRF", "GBM", "DeepLearning", "StackedEnsemble", "XGBoost"] as const;
export type AutoMLAlgo = (typeof AUTOML_ALGOS)[number];

export const AUTOML_PARAMS: readonly ParamSpec[] = [
  { name: "max_models", type: "int", default: 0, min: 0, help: "Most base models to build, stacked ensembles not counted (0: no limit)." },
  {
    name: "max_runtime_secs",
    type: "float",
    default: 0,
    min: 0,
    help: "Time budget of the whole run; it ends within 5% of it (0: no limit, or 3600 when max_models is 0 too).",
  },
  { name: "max_runtime_secs_per_model", type: "float", default: 0, min: 0, help: "Time budget of each model (0: a fifth of the run's budget, or none)." },
  { name: "seed", type: "int", default: -1, help: "Random seed of every model, the folds and the random grids: with max_models and no time budget, the same seed gives the same leaderboard." },
  { name: "nfolds", type: "int", default: -1, min: -1, help: "Folds of cross-validation (-1: 5; 0: none, a tenth of the rows ranks the models and no ensembles are built)." },
  { name: "include_algos", type: "string", default: null, help: `Algorithms to run, comma-separated (${AUTOML_ALGOS.join(", ")}); default: all.` },
  { name: "exclude_algos", type: "string", default: null, help: `Algorithms to skip, comma-separated (${AUTOML_ALGOS.join(", ")}).` },
  { name: "sort_metric", type: "enum", default: "AUTO", values: SORT_METRICS, help: "Leaderboard metric (AUTO: auc, mean_per_class_error or mean_residual_deviance)." },
  { name: "stopping_rounds", type: "int", default: 3, min: 0, help: "Early stopping of each model: scorings without improvement." },
  { name: "stopping_tolerance", type: "float", default: -1, min: -1, help: "Early stopping's relative tolerance (-1: 1/sqrt(rows), between 0.001 and 0.05, as H2O)." },
];

export interface AutoMLParams {
  max_models: number;
  max_runtime_secs: number;
  max_runtime_secs_per_model: number;
  seed: number;
  nfolds: number;
  include_algos: string | null;
  exclude_algos: string | null;
  sort_metric: (typeof SORT_METRICS)[number];
  stopping_rounds: number;
  stopping_tolerance: number;
}

/** A comma-separated list of families, each checked (case-insensitively) against AUTOML_ALGOS. */
export function parseAlgos(list: string | null, param: string): AutoMLAlgo[] {
  if (list === null) return [];
  return list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((name) => {
      const match = AUTOML_ALGOS.find((a) => a.toLowerCase() === name.toLowerCase());
      if (!match) throw new FloeError("invalid_argument", `automl parameter ${param}: '${name}' is not one of ${AUTOML_ALGOS.join(", ")}`);
      return match;
    });
}

/** The families that run: include_algos (or all) less exclude_algos; giving both is refused, as in H2O. */
export function chosenAlgos(p: AutoMLParams): Set<AutoMLAlgo> {
  const include = parseAlgos(p.include_algos, "include_algos");
  const exclude = parseAlgos(p.exclude_algos, "exclude_algos");
  if (include.length && exclude.length) throw new FloeError("invalid_argument", "automl: give include_algos or exclude_algos, not both");
  const chosen = new Set<AutoMLAlgo>(include.length ? include : AUTOML_ALGOS);
  for (const a of exclude) chosen.delete(a);
  if (![...chosen].some((a) => a !== "StackedEnsemble")) {
    throw new FloeError("invalid_argument", "automl: no algorithm left to build base models (GLM, DRF, GBM, XGBoost or DeepLearning)");
  }
  return chosen;
}

/** H2O's budget when no limit is given. */
const DEFAULT_RUNTIME_SECS = 3600;

/**
 * AutoML's parameters checked and resolved as a run uses them: the seed drawn, nfolds −1
 * made 5, the default budget when no limit is given, the chosen families checked.
 * Resolving resolved parameters changes nothing.
 */
export function resolveAutoMLParams(given: Readonly<Record<string, unknown>>): AutoMLParams {
  const p = resolveParams<AutoMLParams>(AUTOML_PARAMS, given, "automl");
  if (p.seed === -1) p.seed = randomSeed();
  if (p.nfolds === -1) p.nfolds = 5;
  if (p.nfolds === 1) throw new FloeError("invalid_argument", "automl parameter nfolds=1: use 0 (no cross-validation) or at least 2", { field: "params.nfolds" });
  if (p.max_runtime_secs === 0 && p.max_models === 0) p.max_runtime_secs = DEFAULT_RUNTIME_SECS;
  chosenAlgos(p);
  return p;
}
