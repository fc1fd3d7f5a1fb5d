// /automl: start an AutoML run (a job), list the runs, and follow one: its live
// leaderboard, leader and event log. Each model joins the model store as soon as it is
// built (with its out-of-fold predictions, so it can be stacked again), so it can be
// viewed, scored and downloaded while the run goes on; a cancel goes through the job and
// keeps the models built so far; a delete removes the run with its models, as H2O's does.
// Runs live on the node that started them; another member of its cluster asks the others
// for a run it does not hold, so any node answers for any run.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Job } from "../../core/jobs.ts";
import { key, type Key } from "../../core/store.ts";
import { AUTOML_ALGOS, AUTOML_PARAMS, type AutoMLParams, resolveAutoMLParams } from "../../ml/automl/params.ts";
import type { AutoMLEvent, AutoMLResult } from "../../ml/automl/run.ts";
import { type LeaderboardRow, leaderboardColumns, sortMetricOf } from "../../ml/leaderboard.ts";
import type { SupervisedCategory } from "../../ml/metrics/index.ts";
import { trainingColumns } from "../../ml/training-frame.ts";
import { modelKey, type ServerContext } from "../context.ts";
import { CONFLICT, ERRORS, jsonBody, jsonResponse } from "../openapi.ts";
import { AutoMLBody, AutoMLParamsSchema, AutoMLSchema, AutoMLStarted, AutoMLSummarySchema } from "../../api/schemas.ts";
import { IdParam } from "../schemas.ts";
import { jobJson } from "../views.ts";
import { deleteModel } from "../cluster-link.ts";
import { putTrained } from "./models.ts";
import { type AutoMLDeletedJson, peerRuns } from "./automl-peers.ts";

/** What a run has so far, updated as it goes. */
interface RunState {
  /** Resolved up front (the seed drawn, nfolds -1 made 5); the finished run's replace them. */
  readonly params: AutoMLParams;
  /** Best first, replaced as each model joins. */
  leaderboard: readonly LeaderboardRow[];
  readonly events: AutoMLEvent[];
}

/** An AutoML run as this node keeps it: what was asked, its job, and what it has built so far. */
interface AutoMLRun {
  readonly id: string;
  readonly job: Job<AutoMLResult>;
  /** Settles when the run has ended and every model it built is stored. */
  readonly done: Promise<unknown>;
  readonly trainingFrame: string;
  readonly responseColumn: string;
  readonly x: readonly string[] | null;
  readonly category: SupervisedCategory;
  readonly sortMetric: string;
  readonly columns: readonly string[];
  readonly state: RunState;
}

const runKey = (id: string): Key<AutoMLRun> => key<AutoMLRun>("automl", id);
const frameKey = (id: string) => key<Frame>("frame", id);
const tags = ["automl"];
/** The path of the parameter listing, which a run id may not take. */
const PARAMS_ID = "params";

const params = createRoute({
  method: "get",
  path: "/automl/params",
  tags,
  summary: "AutoML's parameters (name, type, default, help, allowed values) and the algorithm families it runs",
  responses: { 200: jsonResponse(AutoMLParamsSchema, "Parameters"), ...ERRORS },
});

const start = createRoute({
  method: "post",
  path: "/automl",
  tags,
  summary: "Start an AutoML run (a job); its models join the store as they are built",
  request: jsonBody(AutoMLBody),
  responses: { 202: jsonResponse(AutoMLStarted, "The run's job and id"), ...CONFLICT, ...ERRORS },
});

const list = createRoute({
  method: "get",
  path: "/automl",
  tags,
  summary: "The AutoML runs of this node and, on a cluster, of every other member, newest first",
  responses: { 200: jsonResponse(z.object({ runs: z.array(AutoMLSummarySchema) }), "Runs"), ...ERRORS },
});

const get = createRoute({
  method: "get",
  path: "/automl/{id}",
  tags,
  summary: "An AutoML run: its job, parameters, leaderboard so far (best first), leader and event log",
  request: { params: IdParam },
  responses: { 200: jsonResponse(AutoMLSchema, "The run"), ...ERRORS },
});

const remove = createRoute({
  method: "delete",
  path: "/automl/{id}",
  tags,
  summary: "Delete an AutoML run and the models it built (H2O removes an AutoML with its models); a run in progress is cancelled first",
  request: { params: IdParam },
  responses: { 200: jsonResponse(z.object({ automl_id: z.string(), deleted_models: z.array(z.string()) }).openapi("AutoMLDeleted"), "What was deleted"), ...ERRORS },
});

/** A leaderboard row as JSON: metrics a model lacks (NaN) become null. */
function rowJson(row: LeaderboardRow): z.infer<typeof AutoMLSchema>["leaderboard"][number] {
  const out: Record<string, number | string | null> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === "number" && !Number.isFinite(v) ? null : v;
  return out as z.infer<typeof AutoMLSchema>["leaderboard"][number];
}

function summaryJson(run: AutoMLRun): z.infer<typeof AutoMLSummarySchema> {
  return {
    automl_id: run.id,
    job_id: run.job.id,
    status: run.job.status,
    response_column: run.responseColumn,
    training_frame: run.trainingFrame,
    models: run.state.leaderboard.length,
    leader: run.state.leaderboard[0]?.model_id ?? null,
    sort_metric: run.sortMetric,
    created_at: run.job.createdAt,
  };
}

function runJson(run: AutoMLRun): z.infer<typeof AutoMLSchema> {
  return {
    automl_id: run.id,
    job: jobJson(run.job),
    training_frame: run.trainingFrame,
    response_column: run.responseColumn,
    x: run.x ? [...run.x] : null,
    category: run.category,
    params: { ...(run.job.result?.params ?? run.state.params) },
    sort_metric: run.sortMetric,
    columns: [...run.columns],
    leaderboard: run.state.leaderboard.map(rowJson),
    leader: run.state.leaderboard[0]?.model_id ?? null,
    events: run.state.events.map((e) => ({ ...e })),
  };
}

export function automlRoutes(app: OpenAPIHono, ctx: ServerContext): void {
  const { node } = ctx;
  const { store } = node;

  const noRun = (id: string) => new FloeError("not_found", `no AutoML run '${id}'`);
  const needRun = (id: string) => {
    const run = store.get(runKey(id));
    if (!run) throw noRun(id);
    return run;
  };
  /** Deletes a run of this node and its models; null when this node has no such run. */
  const deleteRun = async (id: string): Promise<AutoMLDeletedJson | null> => {
    const run = store.get(runKey(id));
    if (!run) return null;
    run.job.cancel();
    await run.done;
    if (store.get(runKey(id)) !== run) return null; // deleted meanwhile by another request
    store.delete(runKey(id));
    const deleted: string[] = [];
    for (const row of run.state.leaderboard) {
      const modelId = String(row.model_id);
      const cvModels = store.get(modelKey(modelId))?.cvModels ?? [];
      for (const m of [modelId, ...cvModels]) {
        if (!store.get(modelKey(m))) continue; // deleted by the user already
        await deleteModel(ctx, m);
        deleted.push(m);
      }
    }
    return { automl_id: id, deleted_models: deleted };
  };
  const localRun = (id: string) => {
    const run = store.get(runKey(id));
    return run ? runJson(run) : null;
  };
  const peers = peerRuns(ctx, { get: localRun, delete: deleteRun, list: () => store.ids("automl").map((id) => summaryJson(needRun(id))) });
  peers.serve();

  app.openapi(params, (c) => c.json({ params: AUTOML_PARAMS.map((p) => ({ ...p, values: p.values ? [...p.values] : undefined })), algos: [...AUTOML_ALGOS] }, 200));

  app.openapi(start, (c) => {
    const body = c.req.valid("json");
    const frame = store.need(frameKey(body.training_frame));
    const y = body.response_column;
    const x = body.x ?? null;
    if (!frame.names.includes(y)) {
      throw new FloeError("not_found", `response column '${y}' is not in frame '${body.training_frame}' (columns: ${frame.names.slice(0, 20).join(", ")})`, { field: "response_column" });
    }
    // Everything runAutoML would refuse is refused here, so a bad request never becomes a failed job.
    const { category } = trainingColumns(frame, y, x, true);
    const given = body.params ?? {};
    // The seed is drawn now, so the run shows it from the start.
    const p = resolveAutoMLParams(given);
    const sortMetric = sortMetricOf(category, p.sort_metric);
    if (body.project_name === PARAMS_ID) throw new FloeError("invalid_argument", `project_name '${PARAMS_ID}' is reserved; pick another`, { field: "project_name" });
    // A run's models are named <step>_<project>: a project whose names are taken would overwrite models.
    const taken = (project: string) => store.ids("model").find((m) => m.endsWith(`_${project}`));
    let project = body.project_name;
    if (project !== undefined) {
      const clash = taken(project);
      if (clash) throw new FloeError("conflict", `project_name '${project}' would overwrite model '${clash}'; delete it or pick another project_name`, { field: "project_name" });
    } else {
      // On a cluster each node numbers its own runs: the node's name keeps two nodes' ids apart.
      const base = ctx.cluster ? `AutoML_${ctx.cluster.membership.self.name}` : "AutoML";
      do project = store.newId("automl", base);
      while (taken(project));
    }
    peers.serve();

    // Filled from the start: the run's first events come before the job is returned.
    const state: RunState = { params: p, leaderboard: [], events: [] };
    const {
      job,
      done,
      project: id,
    } = node.automl({
      project,
      frame,
      y,
      x,
      params: { ...p },
      onModel: (result, rows) => {
        const stored = putTrained(ctx, result, body.training_frame);
        state.leaderboard = rows;
        return stored;
      },
      onEvent: (e) => state.events.push(e),
    });
    const run: AutoMLRun = {
      id,
      job,
      done: done.catch(() => {}),
      trainingFrame: body.training_frame,
      responseColumn: y,
      x,
      category,
      sortMetric,
      columns: leaderboardColumns(category),
      state,
    };
    store.put(runKey(id), run);
    return c.json({ job: jobJson(job), automl_id: id }, 202);
  });

  app.openapi(list, async (c) => {
    const runs = [...store.ids("automl").map((id) => summaryJson(needRun(id))), ...(await peers.list())];
    return c.json({ runs: runs.sort((a, b) => b.created_at - a.created_at) }, 200);
  });
  app.openapi(get, async (c) => {
    const id = c.req.valid("param").id;
    const found = localRun(id) ?? (await peers.get(id));
    if (!found) throw noRun(id);
    return c.json(found, 200);
  });
  app.openapi(remove, async (c) => {
    const id = c.req.valid("param").id;
    const deleted = (await deleteRun(id)) ?? (await peers.delete(id));
    if (!deleted) throw noRun(id);
    return c.json(deleted, 200);
  });
}
