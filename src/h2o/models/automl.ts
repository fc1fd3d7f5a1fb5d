// H2OAutoML through floe's AutoML: POST /99/AutoMLBuilder (the client's JSON of
// build_control, build_models and input_spec) starts FloeNode.automl as a job, its models
// joining the model store as they are built; GET /99/AutoML/{id} answers H2O's AutoMLV99
// (the leaderboard's models, its table and the event log, which the client turns into
// frames) and GET /99/Leaderboards/{id} the leaderboard with extra columns.

import { FloeError } from "../../core/errors.ts";
import type { Job } from "../../core/jobs.ts";
import type { AutoMLEvent, AutoMLResult } from "../../ml/automl/run.ts";
import { type LeaderboardRow, leaderboardColumns, sortMetricOf } from "../../ml/leaderboard.ts";
import { trainingColumns } from "../../ml/training-frame.ts";
import type { H2OContext } from "../context.ts";
import { floeId, keyJson } from "../keys.ts";
import { putTrainedModel } from "./store.ts";
import { type Cell, type TableColumn, twoDimTable } from "./two-dim-table.ts";

/** A run started through H2O's API, with what it has so far. */
interface H2OAutoMLRun {
  readonly id: string;
  readonly job: Job<AutoMLResult>;
  readonly sortMetric: string;
  readonly columns: readonly string[];
  /** Best first, replaced as each model joins. */
  leaderboard: readonly LeaderboardRow[];
  readonly events: AutoMLEvent[];
}

/** Runs of each mounted H2O app, by project name. */
const RUNS = new WeakMap<H2OContext, Map<string, H2OAutoMLRun>>();

function runsOf(ctx: H2OContext): Map<string, H2OAutoMLRun> {
  let runs = RUNS.get(ctx);
  if (!runs) RUNS.set(ctx, (runs = new Map()));
  return runs;
}

export function needRun(ctx: H2OContext, h2oKey: string): H2OAutoMLRun {
  const run = runsOf(ctx).get(floeId(h2oKey, "AutoML key"));
  if (!run) throw new FloeError("not_found", `Object '${h2oKey}' not found: no AutoML run of that key`);
  return run;
}

type Json = Record<string, unknown>;

const section = (body: object, name: string): Json => {
  const v = (body as Json)[name] ?? {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new FloeError("invalid_argument", `AutoMLBuilder: ${name} must be an object`);
  return v as Json;
};

/** Settings of H2O's AutoML floe does not have, with the values at which floe's run is H2O's. */
const H2O_ONLY_DEFAULTS: Readonly<Record<string, readonly unknown[]>> = {
  balance_classes: [false],
  keep_cross_validation_models: [false, true],
  keep_cross_validation_predictions: [false, true],
  keep_cross_validation_fold_assignment: [false],
  max_after_balance_size: [5],
  exploitation_ratio: [-1, 0],
  stopping_metric: ["AUTO", "auto"],
  distribution: ["AUTO", "auto"],
};

/** Floe's AutoML parameters taken from the client's sections; any other setting is refused, named, unless at H2O's default. */
function automlParams(control: Json, models: Json, spec: Json): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const take = (from: Json, where: string, names: readonly string[], skip: readonly string[]) => {
    for (const [name, value] of Object.entries(from)) {
      // The client sends unset lists (algo_parameters) as [].
      if (value === null || skip.includes(name) || (Array.isArray(value) && value.length === 0)) continue;
      if (names.includes(name)) out[name] = Array.isArray(value) ? value.join(",") : value;
      else if (!(H2O_ONLY_DEFAULTS[name] ?? []).includes(value)) {
        throw new FloeError("unsupported", `H2OAutoML ${where}.${name} (= ${JSON.stringify(value)}) is not supported by floe${name in H2O_ONLY_DEFAULTS ? " other than at H2O's default" : ""}`, {
          field: name,
        });
      }
    }
  };
  take(control, "build_control", ["nfolds"], ["project_name", "stopping_criteria", "export_checkpoints_dir"]);
  take(section(control, "stopping_criteria"), "stopping_criteria", ["max_models", "max_runtime_secs", "max_runtime_secs_per_model", "seed", "stopping_rounds", "stopping_tolerance"], []);
  take(models, "build_models", ["include_algos", "exclude_algos"], []);
  take(spec, "input_spec", ["sort_metric"], ["training_frame", "response_column", "ignored_columns"]);
  if (typeof out.sort_metric === "string" && out.sort_metric.toUpperCase() !== "AUTO") out.sort_metric = out.sort_metric.toLowerCase();
  return out;
}

/** Starts an AutoML run as H2O's client asked; the run. */
export function startAutoML(ctx: H2OContext, body: unknown): H2OAutoMLRun {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new FloeError("invalid_argument", "AutoMLBuilder needs a JSON object of build_control, build_models and input_spec");
  const control = section(body, "build_control");
  const spec = section(body, "input_spec");
  const params = automlParams(control, section(body, "build_models"), spec);
  if (typeof spec.training_frame !== "string") throw new FloeError("invalid_argument", "H2OAutoML needs a training_frame");
  if (typeof spec.response_column !== "string") throw new FloeError("invalid_argument", "H2OAutoML needs a response column (y)", { field: "response_column" });
  const trainingFrame = floeId(spec.training_frame, "training_frame");
  const frame = ctx.frame(trainingFrame);
  const y = spec.response_column;
  frame.columnIndex(y);
  const ignored = Array.isArray(spec.ignored_columns) ? spec.ignored_columns.map(String) : [];
  for (const name of ignored) frame.columnIndex(name);
  const x = ignored.length ? frame.names.filter((n) => n !== y && !ignored.includes(n)) : null;
  // Refused here rather than as a failed job: a response AutoML cannot rank on.
  const { category } = trainingColumns(frame, y, x, true);
  const sortMetric = sortMetricOf(category, typeof params.sort_metric === "string" ? params.sort_metric : "AUTO");
  const given = typeof control.project_name === "string" && control.project_name !== "" ? floeId(control.project_name, "project_name") : undefined;
  const runs = runsOf(ctx);
  if (given && runs.has(given)) throw new FloeError("conflict", `AutoML run '${given}' already exists; pick another project_name`, { field: "project_name" });
  const events: AutoMLEvent[] = [];
  const holder: { run?: H2OAutoMLRun } = {};
  const { job, done, project } = ctx.node.automl({
    project: given,
    frame,
    y,
    x,
    params,
    onModel: (result, rows) => {
      if (holder.run) holder.run.leaderboard = rows;
      return putTrainedModel(ctx, result, trainingFrame);
    },
    onEvent: (e) => events.push(e),
  });
  // The finished run's leaderboard is its final ranking (after the ensembles).
  done.then((result) => void (holder.run && (holder.run.leaderboard = result.leaderboard))).catch(() => {});
  const run: H2OAutoMLRun = { id: project, job, sortMetric, columns: leaderboardColumns(category), leaderboard: [], events };
  holder.run = run;
  runs.set(project, run);
  return run;
}

/** The columns get_leaderboard(extra_columns=...) may add; floe does not time predictions, so predict_time_per_row_ms is not one. */
const EXTRA_COLUMNS = ["training_time_ms", "algo"] as const;

function extraColumns(extensions: readonly string[]): string[] {
  const out: string[] = [];
  for (const e of extensions) {
    if (e.toUpperCase() === "ALL") out.push(...EXTRA_COLUMNS);
    else if ((EXTRA_COLUMNS as readonly string[]).includes(e)) out.push(e);
    else throw new FloeError("unsupported", `leaderboard column '${e}' is not supported by floe; it adds ${EXTRA_COLUMNS.join(", ")} (or ALL)`);
  }
  return [...new Set(out)];
}

/**
 * The leaderboard as H2O's table: a first column of ranks (the client drops the first column
 * when it makes the frame), the model id, the metrics in H2O's order, then any extra columns.
 * The first column is named: the client parses the table's names as a CSV header, which an empty name is not.
 */
function leaderboardTable(run: H2OAutoMLRun, extras: readonly string[]) {
  const columns: TableColumn[] = [
    { name: "rank", type: "long" },
    { name: "model_id", type: "string" },
    ...run.columns.map((name) => ({ name, type: "double" as const })),
    ...extras.map((name) => ({ name, type: name === "algo" ? ("string" as const) : ("long" as const) })),
  ];
  const rows = run.leaderboard.map((r, i) => [i + 1, r.model_id, ...run.columns.map((c) => r[c] as number), ...extras.map((e) => r[e] as Cell)]);
  return twoDimTable(`Leaderboard for project ${run.id}`, columns, rows, `models sorted by ${run.sortMetric}`);
}

/** The event log as H2O's table (numbered, as the client drops the first column); the named rows (name, value) are what the client reads as training_info. */
function eventLogTable(run: H2OAutoMLRun) {
  const columns: TableColumn[] = [
    { name: "event", type: "long" },
    ...["timestamp", "level", "stage", "message"].map((name) => ({ name, type: "string" as const })),
    // Categorical, as the client filters the named rows with name != '' (a comparison H2O makes on enums).
    { name: "name", type: "enum" },
    { name: "value", type: "string" },
  ];
  const rows: Cell[][] = run.events.map((e) => [new Date(e.timestamp).toISOString(), e.level, e.stage, e.message, "", ""]);
  const { createdAt, endedAt } = run.job;
  const info: [string, number, number][] = [["start_epoch", createdAt, Math.floor(createdAt / 1000)]];
  if (endedAt) info.push(["stop_epoch", endedAt, Math.floor(endedAt / 1000)], ["duration_secs", endedAt, Math.round((endedAt - createdAt) / 1000)]);
  for (const [name, at, value] of info) rows.push([new Date(at).toISOString(), "info", "done", `${name}: ${value}`, name, String(value)]);
  return twoDimTable(
    `Event Log for project ${run.id}`,
    columns,
    rows.map((r, i) => [i + 1, ...r]),
  );
}

const leaderboardJson = (run: H2OAutoMLRun, extras: readonly string[]) => ({
  __meta: { schema_version: 99, schema_name: "LeaderboardV99", schema_type: "Leaderboard" },
  project_name: run.id,
  models: run.leaderboard.map((r) => keyJson("Model", r.model_id)),
  sort_metric: run.sortMetric,
  sort_metrics: [...run.columns],
  table: leaderboardTable(run, extras),
});

/** H2O's AutoMLV99 of a run. */
export function automlJson(run: H2OAutoMLRun) {
  return {
    __meta: { schema_version: 99, schema_name: "AutoMLV99", schema_type: "AutoML" },
    automl_id: keyJson("AutoML", run.id),
    project_name: run.id,
    job: null,
    leaderboard: leaderboardJson(run, []),
    leaderboard_table: leaderboardTable(run, []),
    event_log_table: eventLogTable(run),
    modeling_steps: [],
  };
}

/** GET /99/Leaderboards/{id}: the leaderboard with the extra columns asked for. */
export function leaderboardsJson(run: H2OAutoMLRun, extensions: readonly string[]) {
  return leaderboardJson(run, extraColumns(extensions));
}
