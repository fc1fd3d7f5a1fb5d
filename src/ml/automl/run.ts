// An AutoML run: the plan's default models, then random grids, each cross-validated on the
// same folds and kept with its out-of-fold predictions, then two stacked ensembles (every
// model; the best of each family) over them, all ranked on a leaderboard. The time budget
// is kept: models in progress are cut at the deadline (trees stop adding trees a little
// before), ensembles get the last part of it, and the run ends by the deadline.

import { type Clock, systemClock } from "../../core/clock.ts";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import { cancelledError, type Executor } from "../../core/mr.ts";
import { split } from "../../core/ops.ts";
import { computeRollups } from "../../core/rollups.ts";
import { Budget } from "../budget.ts";
import { gridSearch } from "../grid.ts";
import type { SupervisedCategory } from "../metrics/index.ts";
import { type LeaderboardRow, leaderboardColumns, leaderboardRow, sortMetricOf, sortRows } from "../leaderboard.ts";
import { type Algorithm, algorithm, type TrainResult } from "../registry.ts";
import type { Model } from "../scoring.ts";
import { trainingColumns } from "../training-frame.ts";
import { forestDepth, MIN_FOREST_TREES, probeMs, SHALLOWEST_FOREST, treesOf } from "./forests.ts";
import { type AutoMLParams, chosenAlgos, resolveAutoMLParams } from "./params.ts";
import { DEFAULT_STEPS, GRID_STEPS, type Step } from "./plan.ts";

export interface AutoMLEvent {
  readonly timestamp: number;
  readonly level: "info" | "warn";
  readonly stage: "setup" | "model" | "grid" | "ensemble" | "done";
  readonly message: string;
}

export interface AutoMLRequest {
  /** Prefix of the models' ids (H2O's project_name), e.g. AutoML_1. */
  readonly project: string;
  readonly frame: Frame;
  readonly y: string;
  readonly x: readonly string[] | null;
  /** Parameters by H2O name, unresolved. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly signal?: AbortSignal;
  /** The time max_runtime_secs is kept by (default: the system's; tests pass a manual one). */
  readonly clock?: Clock;
  readonly onProgress?: (fraction: number) => void;
  /** Each model as it joins the leaderboard (ensembles included), with the leaderboard then. */
  readonly onModel?: (result: TrainResult, leaderboard: readonly LeaderboardRow[]) => void;
  readonly onEvent?: (event: AutoMLEvent) => void;
}

export interface AutoMLResult {
  readonly project: string;
  readonly category: SupervisedCategory;
  readonly sort_metric: string;
  /** Metric columns of the leaderboard, in H2O's order. */
  readonly columns: readonly string[];
  readonly leaderboard: readonly LeaderboardRow[];
  readonly leader: Model;
  readonly models: readonly TrainResult[];
  readonly events: readonly AutoMLEvent[];
  readonly params: AutoMLParams;
  readonly elapsed_ms: number;
}

/**
 * The part of the budget kept for the stacked ensembles; what they leave goes to more grid
 * models, so the run still ends at its deadline.
 */
const ENSEMBLE_SHARE = 0.15;

export async function runAutoML(executor: Executor, req: AutoMLRequest): Promise<AutoMLResult> {
  const p = resolveAutoMLParams(req.params);
  const algos = chosenAlgos(p);
  const columns = trainingColumns(req.frame, req.y, req.x, true);
  const category = columns.category;
  const sortMetric = sortMetricOf(category, p.sort_metric);
  const clock = req.clock ?? systemClock;
  const budget = new Budget(p.max_runtime_secs * 1000, req.signal, clock);
  const events: AutoMLEvent[] = [];
  const log = (level: AutoMLEvent["level"], stage: AutoMLEvent["stage"], message: string) => {
    const e = { timestamp: clock.now(), level, stage, message };
    events.push(e);
    req.onEvent?.(e);
  };
  const models: TrainResult[] = [];
  let rows: LeaderboardRow[] = [];
  const progress = () => {
    const byTime = p.max_runtime_secs > 0 ? (clock.now() - budget.started) / budget.ms : 0;
    const byCount = p.max_models > 0 ? models.length / (p.max_models + 2) : 0;
    req.onProgress?.(Math.min(0.99, Math.max(byTime, byCount)));
  };
  const ticker = setInterval(progress, 500);
  const add = (result: TrainResult) => {
    models.push(result);
    rows = sortRows([...rows, leaderboardRow(result.model, category)], sortMetric);
    req.onModel?.(result, rows);
    progress();
  };

  try {
    // Without cross-validation a tenth of the rows ranks the models.
    let train = req.frame;
    let valid: Frame | null = null;
    if (p.nfolds === 0) {
      const [a, b] = await split(executor, req.frame, [0.9], p.seed);
      train = a.withRollups(await computeRollups(executor, a));
      valid = b.withRollups(await computeRollups(executor, b));
      log("info", "setup", `no cross-validation: ${valid.rows} rows (10%) rank the models; no stacked ensembles`);
    }
    const tolerance = p.stopping_tolerance !== -1 ? p.stopping_tolerance : Math.min(0.05, Math.max(0.001, 1 / Math.sqrt(train.rows)));
    const common: Record<string, unknown> = {
      seed: p.seed,
      nfolds: p.nfolds,
      keep_cross_validation_predictions: p.nfolds > 0,
      keep_cross_validation_models: false,
      stopping_rounds: p.stopping_rounds,
      stopping_tolerance: tolerance,
      // Deep learning checks its time limit between iterations: short ones keep it on time.
      train_samples_per_iteration: Math.min(train.rows, 10_000),
    };
    const wantEnsembles = algos.has("StackedEnsemble") && p.nfolds > 0;
    const mainMs = p.max_runtime_secs > 0 ? budget.ms * (wantEnsembles ? 1 - ENSEMBLE_SHARE : 1) : Number.POSITIVE_INFINITY;
    const main = budget.share(mainMs);
    const perModelSecs = p.max_runtime_secs_per_model > 0 ? p.max_runtime_secs_per_model : p.max_runtime_secs > 0 ? p.max_runtime_secs / 5 : 0;
    log("info", "setup", `${category} problem on '${req.y}', ${train.rows} rows, ${columns.xCols.length} predictors; seed ${p.seed}; leaderboard sorted by ${sortMetric}`);

    /** The parameters of one model: the step's, then AutoML's own where the algorithm takes them. */
    const paramsFor = (algo: string, own: Readonly<Record<string, unknown>>, within: Budget, budgetShare?: number): Record<string, unknown> => {
      const declared = new Set(algorithm(algo)?.params.map((s) => s.name));
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(common)) if (declared.has(k)) out[k] = v;
      if (declared.has("max_runtime_secs") && Number.isFinite(within.left)) {
        const share = budgetShare !== undefined && p.max_runtime_secs > 0 ? p.max_runtime_secs * budgetShare : Number.POSITIVE_INFINITY;
        const secs = Math.min(within.left / 1000, perModelSecs > 0 ? perModelSecs : Number.POSITIVE_INFINITY, share);
        out.max_runtime_secs = Math.max(0.01, secs * 0.9);
      }
      return { ...out, ...own };
    };
    const full = () => p.max_models > 0 && models.length >= p.max_models;
    // Models a step makes: one a fold and the main one.
    const fits = p.nfolds > 0 ? p.nfolds + 1 : 1;

    // A model's own time limit is soft (trees stop adding trees and finish); only the
    // phase's deadline cuts a model short, and a model cut short is left out.
    const trainStep = async (step: Step, within: Budget): Promise<void> => {
      const a = algorithm(step.algo);
      if (!a) return;
      const modelId = `${step.name}_${req.project}`;
      let params = paramsFor(step.algo, step.params, within, step.budgetShare);
      const forest = step.algo === "drf";
      const shareMs = Number(params.max_runtime_secs ?? Number.POSITIVE_INFINITY) * 1000;
      if (forest && Number.isFinite(shareMs)) {
        const asked = Number(params.max_depth ?? a.params.find((s) => s.name === "max_depth")?.default);
        const limit = probeMs(shareMs, fits);
        const depth = await forestDepth(asked, (d) => probeTree(a, { ...params, max_depth: d }, within.share(limit)));
        if (within.signal.aborted) return;
        if (depth === null) {
          const depths = asked > SHALLOWEST_FOREST ? `depth ${asked}, then ${SHALLOWEST_FOREST}` : `depth ${asked}`;
          log(
            "warn",
            "model",
            `${modelId} not started: one tree (${depths}) took over ${(limit / 1000).toFixed(2)} s, so ${MIN_FOREST_TREES} trees in each of its ${fits} fits would not fit its ${(shareMs / 1000).toFixed(1)} s`,
          );
          return;
        }
        if (depth < asked) {
          log("info", "model", `${modelId} grows trees of depth ${depth}, not ${asked}, to fit ${MIN_FOREST_TREES} trees in its time`);
          params = { ...params, max_depth: depth };
        }
      }
      try {
        const result = await a.train(executor, { modelId, frame: train, y: req.y, x: req.x, valid, params, signal: within.signal, clock });
        const trees = treesOf(result.model);
        if (forest && trees !== null && trees < MIN_FOREST_TREES) {
          log("warn", "model", `${modelId} grew ${trees} trees in its time (a forest needs ${MIN_FOREST_TREES} for probabilities other than 0 and 1) and was left out`);
          return;
        }
        add(result);
        log("info", "model", `${modelId}: ${sortMetric} ${fmt(rows.find((r) => r.model_id === modelId)?.[sortMetric])} in ${(result.model.training_time_ms / 1000).toFixed(1)} s`);
      } catch (err) {
        if (budget.cancelled) throw cancelledError();
        if (within.signal.aborted) log("warn", "model", `${modelId} stopped at the time budget and was left out`);
        else if (err instanceof FloeError && err.code !== "internal") log("warn", "model", `${modelId} failed: ${err.message}`);
        else throw err;
      }
    };

    /** Whether one tree of a model with `params` (no cross-validation) grows within `probe`. */
    const probeTree = async (a: Algorithm<Model>, params: Record<string, unknown>, probe: Budget): Promise<boolean> => {
      const one = { ...params, ntrees: 1, nfolds: 0, keep_cross_validation_predictions: false, stopping_rounds: 0, max_runtime_secs: 0 };
      try {
        await a.train(executor, { modelId: "forest_probe", frame: train, y: req.y, x: req.x, valid: null, params: one, signal: probe.signal, clock });
        return true;
      } catch (err) {
        if (budget.cancelled) throw cancelledError();
        if (probe.signal.aborted) return false;
        throw err;
      } finally {
        probe.close();
      }
    };

    for (const step of DEFAULT_STEPS) {
      if (full() || main.signal.aborted) break;
      if (!algos.has(step.family === "XRT" ? "DRF" : step.family)) continue;
      await trainStep(step, main);
    }

    const grids = GRID_STEPS.filter((g) => algos.has(g.family) && algorithm(g.algo));
    const tried = new Map<string, number>();
    /** The random grids within `within`, each going on from where an earlier call left it. */
    const runGrids = async (within: Budget): Promise<void> => {
      for (let g = 0; g < grids.length; g++) {
        if (full() || within.signal.aborted) break;
        const grid = grids[g];
        const share = g === grids.length - 1 ? 1 : grid.share;
        // The grid keeps its own deadline, so a grid cut by it still says how far it got.
        const ms = Number.isFinite(within.left) ? Math.max(1, within.left * share) : 0;
        const before = models.length;
        try {
          const result = await gridSearch(executor, {
            gridId: `${grid.name}_${req.project}`,
            algo: grid.algo,
            frame: train,
            y: req.y,
            x: req.x,
            valid,
            params: paramsFor(grid.algo, grid.params, within),
            hyperParams: grid.hyperParams,
            criteria: {
              strategy: "RandomDiscrete",
              max_models: p.max_models > 0 ? p.max_models - models.length : 0,
              max_runtime_secs: ms / 1000,
              stopping_rounds: 0,
              stopping_metric: "AUTO",
              stopping_tolerance: 0,
              seed: p.seed,
            },
            skip: tried.get(grid.name) ?? 0,
            signal: req.signal,
            clock,
            onModel: (result) => {
              add(result);
              log("info", "grid", `${result.model.model_id}: ${sortMetric} ${fmt(rows.find((r) => r.model_id === result.model.model_id)?.[sortMetric])}`);
            },
          });
          tried.set(grid.name, result.tried);
        } catch (err) {
          if (budget.cancelled) throw cancelledError();
          if (err instanceof FloeError && err.code !== "internal") log("warn", "grid", `${grid.name} failed: ${err.message}`);
          else throw err;
        }
        log("info", "grid", `${grid.name}: ${models.length - before} models`);
      }
    };
    await runGrids(main);
    main.close();

    if (wantEnsembles && models.length >= 2) await stack();
    else if (wantEnsembles) log("info", "ensemble", "fewer than two base models: no stacked ensembles");
    // Time the ensembles did not need goes to more grid models (not part of the ensembles).
    if (wantEnsembles && p.max_runtime_secs > 0 && !full() && !budget.signal.aborted) {
      const after = models.length;
      await runGrids(budget);
      if (models.length > after) log("info", "grid", `${models.length - after} models built after the ensembles are not part of them`);
    }

    async function stack(): Promise<void> {
      const se = algorithm("stackedensemble");
      if (!se) return;
      const bases = models.filter((m) => m.cvPredictions);
      const byId = new Map(bases.map((m) => [m.model.model_id, m]));
      const bestOfFamily: TrainResult[] = [];
      const seen = new Set<string>();
      for (const r of rows) {
        const m = byId.get(r.model_id);
        if (!m) continue;
        const family = familyOf(m.model.model_id);
        if (seen.has(family)) continue;
        seen.add(family);
        bestOfFamily.push(m);
      }
      const ensembles: [string, TrainResult[]][] = [
        ["StackedEnsemble_BestOfFamily_1", bestOfFamily],
        ["StackedEnsemble_AllModels_1", bases],
      ];
      for (const [name, members] of ensembles) {
        if (budget.signal.aborted) break;
        if (members.length < 2) continue;
        const modelId = `${name}_${req.project}`;
        try {
          const result = await se.train(executor, {
            modelId,
            frame: train,
            y: req.y,
            x: req.x,
            valid: null,
            params: { metalearner_nfolds: p.nfolds, seed: p.seed },
            baseModels: members.map((m) => ({ model: m.model, cvPredictions: m.cvPredictions })),
            signal: budget.signal,
            clock,
          });
          add(result);
          log("info", "ensemble", `${modelId} over ${members.length} models: ${sortMetric} ${fmt(rows.find((r) => r.model_id === modelId)?.[sortMetric])}`);
        } catch (err) {
          if (budget.cancelled) throw cancelledError();
          if (budget.signal.aborted) log("warn", "ensemble", `${modelId} stopped at the time budget and was left out`);
          else if (err instanceof FloeError && err.code !== "internal") log("warn", "ensemble", `${modelId} failed: ${err.message}`);
          else throw err;
        }
      }
    }
  } finally {
    clearInterval(ticker);
    budget.close();
  }
  if (budget.cancelled) throw cancelledError();
  if (models.length === 0)
    throw new FloeError(
      "bad_input",
      `automl built no model: ${
        events
          .filter((e) => e.level === "warn")
          .map((e) => e.message)
          .join("; ") || "no time left"
      }`,
    );
  const leader = models.find((m) => m.model.model_id === rows[0].model_id)?.model as Model;
  const elapsed = clock.now() - budget.started;
  log("info", "done", `${models.length} models in ${(elapsed / 1000).toFixed(1)} s; leader ${leader.model_id}`);
  req.onProgress?.(1);
  return { project: req.project, category, sort_metric: sortMetric, columns: leaderboardColumns(category), leaderboard: rows, leader, models, events, params: p, elapsed_ms: elapsed };
}

/** The family of an AutoML model, from its id (GBM_grid_1_… is a GBM, XRT_1_… an XRT). */
function familyOf(modelId: string): string {
  return modelId.split("_")[0];
}

function fmt(v: number | string | undefined): string {
  return typeof v === "number" ? v.toPrecision(5) : String(v);
}
