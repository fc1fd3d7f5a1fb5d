// Grids built through H2O's API (H2OGridSearch): the search runs as a floe job over floe's
// grid (src/ml/grid.ts), each model joining the model store as it is built; the grid as
// H2O's GridSchemaV99 (GET /99/Grids/{id}) lists its models best first, by floe's ranking
// or by the metric get_grid(sort_by=..., decreasing=...) names, with a summary table of
// each model's hyper-parameters and that metric.

import { FloeError } from "../../core/errors.ts";
import type { Job } from "../../core/jobs.ts";
import { type GridFailure, type GridResult, gridSearch } from "../../ml/grid.ts";
import { isDecreasing, rankingMetrics, sortMetricOf } from "../../ml/leaderboard.ts";
import { isSupervisedCategory } from "../../ml/model.ts";
import type { Model } from "../../ml/registry.ts";
import type { H2OContext } from "../context.ts";
import { floeId, keyJson } from "../keys.ts";
import type { H2OParams } from "../params.ts";
import { needAlgorithm, trainingInputs } from "./builders.ts";
import { GRID_PARAMS, hyperParams, searchCriteria } from "./grid-request.ts";
import { builderRequest } from "./params.ts";
import { needServed, putTrainedModel } from "./store.ts";
import { type Cell, inferColumns, twoDimTable } from "./two-dim-table.ts";

/** A grid as this node keeps it: what was searched, its job, and the models built so far. */
interface H2OGrid {
  readonly id: string;
  readonly algo: string;
  readonly hyperNames: readonly string[];
  readonly job: Job<GridResult>;
  /** Model ids with their hyper-parameters, in the order built. */
  readonly built: { readonly id: string; readonly hyper: Record<string, unknown> }[];
  /** The combinations floe refused, set once the search has ended. */
  readonly outcome: { failures: readonly GridFailure[] };
}

/** Grids of each mounted H2O app, by id. */
const GRIDS = new WeakMap<H2OContext, Map<string, H2OGrid>>();

function gridsOf(ctx: H2OContext): Map<string, H2OGrid> {
  let grids = GRIDS.get(ctx);
  if (!grids) GRIDS.set(ctx, (grids = new Map()));
  return grids;
}

export function needGrid(ctx: H2OContext, h2oKey: string): H2OGrid {
  const grid = gridsOf(ctx).get(floeId(h2oKey, "grid_id"));
  if (!grid) throw new FloeError("not_found", `Object '${h2oKey}' not found: no grid of that key`);
  return grid;
}

/** Starts a grid search as H2O's client asked; the job and the grid's id (the client's dest). */
export function startGrid(ctx: H2OContext, algoName: string, p: H2OParams): { job: Job<GridResult>; gridId: string } {
  const algo = needAlgorithm(algoName);
  const req = builderRequest(
    algo.name,
    algo.params,
    p,
    p.names().filter((n) => !GRID_PARAMS.has(n)),
  );
  const hyper = hyperParams(algo.name, algo.params, p);
  // The client sends every estimator parameter, the hyper-parameters too (at their defaults): the grid's values win.
  for (const name of Object.keys(hyper)) delete req.params[name];
  const criteria = searchCriteria(p);
  const inputs = trainingInputs(ctx, algo, req);
  const grids = gridsOf(ctx);
  const given = p.str("grid_id");
  let gridId = given ? floeId(given, "grid_id") : "";
  for (let n = grids.size + 1; gridId === "" || (!given && grids.has(gridId)); n++) gridId = `Grid_${algo.name.toUpperCase()}_${req.trainingFrame}_${n}`;
  if (grids.get(gridId)?.job.status === "running") throw new FloeError("conflict", `grid '${gridId}' is still being built; wait for it or pick another grid_id`);
  const built: H2OGrid["built"] = [];
  const outcome: H2OGrid["outcome"] = { failures: [] };
  const { job, done } = ctx.node.jobs.start<GridResult>(`grid ${gridId}`, async (j) => {
    const kept: Promise<void>[] = [];
    try {
      const result = await gridSearch(ctx.node.executor, {
        ...inputs,
        gridId,
        algo: algo.name,
        params: req.params,
        hyperParams: hyper,
        criteria,
        signal: j.signal,
        onProgress: (f) => j.setProgress(f),
        onModel: (trained, h) => {
          built.push({ id: trained.model.model_id, hyper: h });
          kept.push(putTrainedModel(ctx, trained, req.trainingFrame));
        },
      });
      outcome.failures = result.failures;
      return result;
    } finally {
      await Promise.all(kept);
    }
  });
  done.catch(() => {});
  grids.set(gridId, { id: gridId, algo: algo.name, hyperNames: Object.keys(hyper), job, built, outcome });
  return { job, gridId };
}

/** H2O's metric names floe's metrics spell otherwise. */
const METRIC_ALIASES: Readonly<Record<string, string>> = { residual_deviance: "mean_residual_deviance", deviance: "mean_residual_deviance", aucpr: "pr_auc", pr_auc: "pr_auc" };

/** The metric a model is ranked on by `name` (H2O's spelling, any case), from the metrics floe ranks on; NaN when it has none. */
function metricOf(model: Model, name: string): number {
  const metrics = rankingMetrics(model)?.metrics as unknown as Record<string, unknown> | undefined;
  if (!metrics) return Number.NaN;
  const wanted = (METRIC_ALIASES[name] ?? name).toLowerCase();
  const field = Object.keys(metrics).find((k) => k.toLowerCase() === wanted && typeof metrics[k] === "number");
  if (field === undefined)
    throw new FloeError(
      "invalid_argument",
      `sort_by '${name}': ${model.model_id} has no such metric; it has ${Object.keys(metrics)
        .filter((k) => typeof metrics[k] === "number")
        .join(", ")}`,
    );
  return metrics[field] as number;
}

const cellOf = (v: unknown): Cell => (typeof v === "number" || typeof v === "string" ? v : v === null || v === undefined ? null : String(v));

/** The grid as H2O's GridSchemaV99, its models sorted by `sortBy` (floe's ranking when absent). */
export function gridJson(ctx: H2OContext, grid: H2OGrid, sortBy: string | undefined, decreasingGiven: boolean | undefined) {
  const models = grid.built.map((b) => ({ ...b, model: needServed(ctx, b.id).model }));
  const category = models.map((m) => m.model.category).find(isSupervisedCategory);
  const metric = sortBy ? sortBy.toLowerCase() : category ? sortMetricOf(category, "AUTO") : null;
  const decreasing = decreasingGiven ?? (sortBy ? false : metric !== null && isDecreasing(metric));
  const valued = models.map((m, i) => ({ ...m, i, value: metric === null ? Number.NaN : metricOf(m.model, metric) }));
  if (metric !== null) {
    const sign = decreasing ? -1 : 1;
    const key = (v: number) => (Number.isNaN(v) ? Number.POSITIVE_INFINITY : sign * v);
    valued.sort((a, b) => key(a.value) - key(b.value) || a.i - b.i);
  }
  const names = [...grid.hyperNames, "model_ids", ...(metric === null ? [] : [metric])];
  const rows = valued.map((m) => [...grid.hyperNames.map((h) => cellOf(m.hyper[h])), m.id, ...(metric === null ? [] : [m.value])]);
  const order = metric === null ? "" : `: ordered by ${decreasing ? "decreasing" : "increasing"} ${metric}`;
  return {
    __meta: { schema_version: 99, schema_name: "GridSchemaV99", schema_type: "Grid" },
    grid_id: keyJson("Grid", grid.id),
    model_ids: valued.map((m) => keyJson("Model", m.id)),
    hyper_names: [...grid.hyperNames],
    sort_by: metric,
    decreasing,
    failed_params: grid.outcome.failures.map((f) => Object.fromEntries(grid.hyperNames.map((h) => [h, cellOf(f.hyper[h])]))),
    failure_details: grid.outcome.failures.map((f) => f.error),
    failure_stack_traces: grid.outcome.failures.map((f) => f.error),
    failed_raw_params: grid.outcome.failures.map((f) => grid.hyperNames.map((h) => String(cellOf(f.hyper[h])))),
    warning_details: [] as string[],
    export_checkpoints_dir: null,
    summary_table: rows.length ? twoDimTable(`Hyper-Parameter Search Summary${order}`, inferColumns(names, rows), rows) : null,
    scoring_history: null,
  };
}
