// Grid search as H2O's: one algorithm, fixed parameters plus hyper-parameters each with a
// list of values, walked in order (Cartesian) or in a seeded random order (RandomDiscrete),
// until every combination is done, max_models are built, max_runtime_secs run out or the
// best model stops improving (stopping_rounds). A combination the algorithm refuses is
// recorded as a failure and the search goes on; models are ranked as on a leaderboard.

import { FloeError } from "../core/errors.ts";
import { cancelledError, type Executor } from "../core/mr.ts";
import { keyState, Rng } from "../core/rng.ts";
import { Budget } from "./budget.ts";
import type { SupervisedCategory } from "./metrics/index.ts";
import { isDecreasing, type LeaderboardRow, leaderboardRow, sortMetricOf, sortRows } from "./leaderboard.ts";
import { resolveParams } from "./params.ts";
import { isSupervisedCategory } from "./model.ts";
import { algorithm, type TrainRequest, type TrainResult } from "./registry.ts";

export interface SearchCriteria {
  readonly strategy: "Cartesian" | "RandomDiscrete";
  /** 0: no limit. */
  readonly max_models: number;
  /** 0: no limit. */
  readonly max_runtime_secs: number;
  /** Stop when the best model has not improved by stopping_tolerance (relative) over this many models; 0: off. */
  readonly stopping_rounds: number;
  readonly stopping_metric: string;
  readonly stopping_tolerance: number;
  /** Order of a random search. */
  readonly seed: number;
}

export const DEFAULT_CRITERIA: SearchCriteria = {
  strategy: "Cartesian",
  max_models: 0,
  max_runtime_secs: 0,
  stopping_rounds: 0,
  stopping_metric: "AUTO",
  stopping_tolerance: 0.001,
  seed: 0,
};

export interface GridRequest extends Omit<TrainRequest, "modelId" | "params"> {
  readonly gridId: string;
  readonly algo: string;
  /** Parameters every model gets. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Each hyper-parameter's values (H2O names). */
  readonly hyperParams: Readonly<Record<string, readonly unknown[]>>;
  readonly criteria: SearchCriteria;
  /** Sort metric of the result (AUTO: the problem type's). */
  readonly sortMetric?: string;
  /** Combinations of the search order already tried by an earlier run of this grid (it goes on after them). */
  readonly skip?: number;
  /** Each model as it is built, with its hyper-parameters. */
  readonly onModel?: (result: TrainResult, hyper: Record<string, unknown>) => void;
}

export interface GridFailure {
  readonly hyper: Record<string, unknown>;
  readonly error: string;
}

export interface GridResult {
  readonly grid_id: string;
  readonly algo: string;
  readonly sort_metric: string;
  readonly decreasing: boolean;
  /** Models with their hyper-parameters, best first. */
  readonly models: readonly { readonly result: TrainResult; readonly hyper: Record<string, unknown>; readonly row: LeaderboardRow }[];
  readonly failures: readonly GridFailure[];
  /** Why the search ended. */
  readonly stopped: "exhausted" | "max_models" | "max_runtime_secs" | "stopping_rounds";
  /** Combinations tried, counting the skipped ones: where a later run goes on from. */
  readonly tried: number;
}

/** The index of each hyper-parameter's value for combination `n` (the first name varies slowest). */
function combination(n: number, sizes: readonly number[]): number[] {
  const out = new Array<number>(sizes.length);
  for (let i = sizes.length - 1; i >= 0; i--) {
    out[i] = n % sizes[i];
    n = Math.floor(n / sizes[i]);
  }
  return out;
}

/** Combination numbers in search order: all of them in turn, or a seeded random permutation. */
function* order(total: number, criteria: SearchCriteria): Generator<number> {
  if (criteria.strategy === "Cartesian") {
    for (let n = 0; n < total; n++) yield n;
    return;
  }
  const rng = new Rng(keyState(criteria.seed, 31));
  // Sparse Fisher–Yates: swaps are remembered, so huge spaces cost only what is drawn.
  const swapped = new Map<number, number>();
  for (let i = 0; i < total; i++) {
    const j = i + rng.int(total - i);
    const at = (k: number) => swapped.get(k) ?? k;
    const pick = at(j);
    swapped.set(j, at(i));
    swapped.delete(i);
    yield pick;
  }
}

/** Checks names and every value up front: a typo should fail the search, not each model. */
function checkHyper(algo: string, hyper: GridRequest["hyperParams"], params: GridRequest["params"]): void {
  const a = algorithm(algo);
  if (!a) throw new FloeError("invalid_argument", `grid: no algorithm '${algo}'`);
  for (const [name, values] of Object.entries(hyper)) {
    if (!Array.isArray(values) || values.length === 0) throw new FloeError("invalid_argument", `grid: hyper-parameter '${name}' needs a non-empty list of values`);
    if (name in params) throw new FloeError("invalid_argument", `grid: '${name}' is both a fixed parameter and a hyper-parameter`);
    for (const v of values) resolveParams(a.params, { [name]: v }, algo);
  }
}

/** True when the best of the last `rounds` models is no better (relatively) than the best before them. */
function stalled(best: readonly number[], rounds: number, tolerance: number): boolean {
  if (rounds <= 0 || best.length <= rounds) return false;
  const before = best[best.length - 1 - rounds];
  const now = best[best.length - 1];
  return !(before - now > tolerance * Math.abs(before));
}

export async function gridSearch(executor: Executor, req: GridRequest): Promise<GridResult> {
  const a = algorithm(req.algo);
  if (!a) throw new FloeError("invalid_argument", `grid: no algorithm '${req.algo}'`);
  checkHyper(req.algo, req.hyperParams, req.params);
  const names = Object.keys(req.hyperParams);
  const sizes = names.map((n) => req.hyperParams[n].length);
  const total = sizes.reduce((x, y) => x * y, 1);
  const c = req.criteria;
  const budget = new Budget(c.max_runtime_secs * 1000, req.signal, req.clock);
  const models: { result: TrainResult; hyper: Record<string, unknown> }[] = [];
  const failures: GridFailure[] = [];
  const bestSoFar: number[] = [];
  let category: SupervisedCategory | null = null;
  let stopMetric = "";
  let stopped: GridResult["stopped"] = "exhausted";
  const skip = req.skip ?? 0;
  let tried = 0;
  try {
    for (const n of order(total, c)) {
      if (tried < skip) {
        tried++;
        continue;
      }
      if (c.max_models > 0 && models.length >= c.max_models) {
        stopped = "max_models";
        break;
      }
      if (budget.expired) {
        stopped = "max_runtime_secs";
        break;
      }
      tried++;
      const picks = combination(n, sizes);
      const hyper = Object.fromEntries(names.map((name, i) => [name, req.hyperParams[name][picks[i]]]));
      let result: TrainResult;
      try {
        result = await a.train(executor, {
          ...req,
          modelId: `${req.gridId}_model_${tried}`,
          params: { ...req.params, ...hyper },
          signal: budget.signal,
          onProgress: (x) => req.onProgress?.(total === 0 ? 1 : (models.length + failures.length + x) / (c.max_models > 0 ? Math.min(c.max_models, total) : total)),
        });
      } catch (err) {
        if (budget.cancelled) throw cancelledError();
        if (budget.expired) {
          stopped = "max_runtime_secs";
          break;
        }
        if (!(err instanceof FloeError) || err.code === "internal") throw err;
        failures.push({ hyper, error: err.message });
        continue;
      }
      models.push({ result, hyper });
      req.onModel?.(result, hyper);
      const model = result.model;
      if (!category && isSupervisedCategory(model.category)) {
        category = model.category;
        stopMetric = sortMetricOf(category, c.stopping_metric);
      }
      if (category && c.stopping_rounds > 0) {
        const v = leaderboardRow(model, category)[stopMetric] as number;
        const signed = isDecreasing(stopMetric) ? -v : v;
        bestSoFar.push(Math.min(bestSoFar.at(-1) ?? Number.POSITIVE_INFINITY, Number.isNaN(signed) ? Number.POSITIVE_INFINITY : signed));
        if (stalled(bestSoFar, c.stopping_rounds, c.stopping_tolerance)) {
          stopped = "stopping_rounds";
          break;
        }
      }
    }
  } finally {
    budget.close();
  }
  if (models.length === 0 && failures.length > 0) {
    throw new FloeError("bad_input", `grid: every model failed; the first: ${failures[0].error}`);
  }
  const cat = category ?? "Regression";
  const sortMetric = category ? sortMetricOf(cat, req.sortMetric ?? "AUTO") : "";
  const rows = models.map((m) => leaderboardRow(m.result.model, cat));
  const sorted = category ? sortRows(rows, sortMetric) : rows;
  const byId = new Map(models.map((m, i) => [m.result.model.model_id, { ...m, row: rows[i] }]));
  return {
    grid_id: req.gridId,
    algo: req.algo,
    sort_metric: sortMetric,
    decreasing: isDecreasing(sortMetric),
    models: sorted.map((r) => byId.get(r.model_id) as GridResult["models"][number]),
    failures,
    stopped,
    tried,
  };
}
