// A server joins its cluster's data layer: tasks run on the cluster executor (with every
// task floe has, by name), frames are spread, and the data routes are served under
// /internal/. Models are shared with every member as model files, and jobs are found on
// whichever member runs them, so frames, models and jobs are visible from every node.

import type { Job as JobJson } from "../api/types.ts";
import { clusterData } from "../cluster/data.ts";
import { membershipPeers, RpcTransport } from "../cluster/network.ts";
import { toOthers } from "../cluster/peers.ts";
import { decode, encode } from "../cluster/wire.ts";
import { FloeError } from "../core/errors.ts";
import { type Job, jobKey } from "../core/jobs.ts";
import type { Frame } from "../core/frame.ts";
import { key } from "../core/store.ts";
import { deserializeModel, serializeModel } from "../ml/modelfile.ts";
import { TASKS } from "../tasks.ts";
import { VERSION } from "../version.ts";
import { type ClusterLink, type ClusterRuntime, modelKey, type ServedModel, type ServerContext } from "./context.ts";
import { jobJson } from "./views.ts";

interface SharedModel {
  readonly id: string;
  readonly bytes: Uint8Array | null;
  readonly trainingFrame: string | null;
  readonly createdAt: number;
  readonly cvModels: readonly string[];
}

export function linkCluster(ctx: ServerContext, runtime: ClusterRuntime, log: (line: string) => void): ClusterLink {
  const { node } = ctx;
  const { store } = node;
  const { membership, routes } = runtime;
  const peers = membershipPeers(membership);
  const transport = new RpcTransport(runtime.rpc, membership);
  const data = clusterData({
    peers,
    transport,
    local: node.localExecutor,
    registry: TASKS,
    onFrame: (id, frame) => (frame ? store.put(key<Frame>("frame", id), frame) : store.delete(key("frame", id))),
    log,
    db: () => node.db(),
    budget: node.budget,
  });
  // A caller that drops its request (a cancelled run) aborts the request's signal.
  for (const [name, handler] of Object.entries(data.handlers)) routes.on(name, (body, req) => handler(body, req.signal));
  transport.local = data.handlers;
  node.joinCluster(data.executor, data.placement);
  // Job ids must not clash between members: they carry the node's name.
  node.jobs.idBase = `job_${membership.self.name.replace(/[^A-Za-z0-9_.-]+/g, "_")}`;

  const toEach = <T>(route: string, body: Uint8Array, each: (node: string, answer: T) => void = () => {}) => toOthers(peers, transport, route, body, (n, bytes) => each(n, decode<T>(bytes)));
  const shared = (id: string, served: ServedModel): SharedModel => ({
    id,
    bytes: serializeModel(served.model, VERSION),
    trainingFrame: served.trainingFrame,
    createdAt: served.createdAt,
    cvModels: served.cvModels,
  });

  routes.on("model", async (body) => {
    const m = decode<SharedModel>(body);
    if (m.bytes === null) store.delete(modelKey(m.id));
    else store.put(modelKey(m.id), { model: deserializeModel(m.bytes, `model ${m.id} from a peer`), trainingFrame: m.trainingFrame, createdAt: m.createdAt, cvModels: m.cvModels });
    return encode(true);
  });
  const localJob = (id: string) => store.get(jobKey(id)) as Job<unknown> | undefined;
  routes.on("job", async (body) => {
    const { id, wait } = decode<{ id: string; wait: number }>(body);
    const job = localJob(id);
    if (!job) return encode(null);
    if (wait > 0 && !job.finished) await waitFor(job, wait);
    return encode(jobJson(job));
  });
  routes.on("jobs", async () => encode(store.ids("job").map((id) => jobJson(store.need(jobKey(id))))));
  routes.on("job-cancel", async (body) => {
    const job = localJob(decode<{ id: string }>(body).id);
    job?.cancel();
    return encode(job !== undefined);
  });
  // A member that joins or heals receives the models it does not have.
  peers.onJoined((name) => {
    void (async () => {
      for (const id of store.ids("model")) await transport.call(name, "model", encode(shared(id, store.need(modelKey(id)))));
    })().catch((err) => log(`sending models to ${name} failed: ${(err as Error).message}`));
  });

  return {
    transport,
    holdings: data.holdings,
    shareModel: (id, served) => toEach("model", encode(served ? shared(id, served) : { id, bytes: null, trainingFrame: null, createdAt: 0, cvModels: [] })),
    async remoteJob(id, wait) {
      let found: JobJson | null = null;
      await toEach<JobJson | null>("job", encode({ id, wait }), (_, j) => {
        if (j) found = j;
      });
      return found;
    },
    async remoteJobs() {
      const all: JobJson[] = [];
      await toEach<JobJson[]>("jobs", encode(null), (_, jobs) => all.push(...jobs));
      return all;
    },
    async cancelRemoteJob(id) {
      let found = false;
      await toEach<boolean>("job-cancel", encode({ id }), (_, had) => {
        found ||= had;
      });
      return found;
    },
  };
}

/** Resolves when `job` ends or after `seconds`. */
export function waitFor(job: Job<unknown>, seconds: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, seconds * 1000);
    const off = job.onChange((j) => j.finished && done());
    function done() {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}

/** Stores a model and shares it with the cluster, if any. */
export async function putModel(ctx: ServerContext, id: string, served: ServedModel): Promise<void> {
  ctx.node.store.put(modelKey(id), served);
  await ctx.link?.shareModel(id, served);
}

/** Deletes a model here and on every member. */
export async function deleteModel(ctx: ServerContext, id: string): Promise<void> {
  if (!ctx.node.store.delete(modelKey(id))) throw new FloeError("not_found", `no model '${id}'`);
  await ctx.link?.shareModel(id, null);
}
