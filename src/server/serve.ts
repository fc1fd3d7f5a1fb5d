// `floe serve`: a node's REST API (src/server/app.ts) and its web UI on one port. The UI
// is a Bun HTML import: Bun bundles it (and its npm imports) from source and into the
// compiled binary alike, so no CDN and no separate build step. With a cluster secret the
// node also answers the signed /internal/ routes of its peers and keeps the membership.

import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Holdings } from "../cluster/holdings.ts";
import { KeptChunks } from "../cluster/kept.ts";
import { INTERNAL_PREFIX, InternalRoutes } from "../cluster/internal.ts";
import { Membership, type NodeStats } from "../cluster/membership.ts";
import { Rpc } from "../cluster/rpc.ts";
import { Verifier } from "../cluster/signing.ts";
import { localStats } from "../cluster/stats.ts";
import { FloeError } from "../core/errors.ts";
import { DEFAULT_JOB_RETENTION, type JobRetention } from "../core/jobs.ts";
import { DataDir, type DataDirOptions } from "../core/persist.ts";
import { deserializeModel, serializeModel } from "../ml/modelfile.ts";
import type { Frame } from "../core/frame.ts";
import { key } from "../core/store.ts";
import { FloeNode } from "../runtime.ts";
import { createH2OApp, h2oVersion, isH2OPath } from "../h2o/app.ts";
import { VERSION } from "../version.ts";
import { API_BASE, createApp } from "./app.ts";
import { linkCluster } from "./cluster-link.ts";
import { importSource } from "./data-root.ts";
import { type ClusterRuntime, modelKey, type ServedModel, type ServerContext } from "./context.ts";
import { bareErrorResponse } from "./errors.ts";
import { requestGuard } from "./request-guard.ts";
import { uiResponse } from "./ui-bundle.ts";

export interface ServeOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly threads?: number;
  readonly name?: string;
  /** Bearer token every API route but the health check then needs. */
  readonly authToken?: string;
  /** Allow a non-loopback bind without a token. */
  readonly insecure?: boolean;
  /** Host names (a reverse proxy's) accepted besides loopback ones, as Host and as Origin. */
  readonly allowedHosts?: readonly string[];
  /** Imports must name files inside this directory. */
  readonly dataRoot?: string;
  readonly uploadLimitBytes?: number;
  /** Which finished jobs are kept [default: the newest 1000, none ended more than 24 h ago]. */
  readonly jobRetention?: JobRetention;
  /** The cluster secret: with it the node answers peers (a seed others may join). */
  readonly secret?: string;
  /** host:port (or URL) of a member to join; needs `secret`. */
  readonly join?: string;
  /** This node's name in the cluster [default: the advertised host:port]. */
  readonly nodeName?: string;
  /** host:port peers reach this node at [default: host and the bound port]. */
  readonly advertise?: string;
  /** PEM files: serve HTTPS, and trust this certificate on peers (they share it). */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** ms between heartbeats [default 1000]. */
  readonly heartbeatMs?: number;
  /** Called with the cluster before this node joins, so its /internal/ handlers are there when peers first call. */
  readonly onCluster?: (cluster: ClusterRuntime) => void;
  /** Where the cluster's log lines go [default stderr]. */
  readonly log?: (line: string) => void;
  /** The H2O release /3/Cloud reports to H2O's Python client [default: the client's rel-3.46.0]. */
  readonly h2oVersion?: string;
  /** Frames and models are written here as they are stored, and read back on start. */
  readonly dataDir?: string;
  /** Tests' hooks into the data directory's writes. */
  readonly dataDirHooks?: DataDirOptions;
  /** Bytes this node's frames may hold [default: the machine's memory]. */
  readonly maxMemBytes?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly node: FloeNode;
  /** The membership, RPC client and /internal/ routes, when started with a secret. */
  readonly cluster?: ClusterRuntime;
  /** Cancels running jobs, leaves the cluster, stops listening and closes the node; safe to call twice. */
  stop(): Promise<void>;
  /** Settles once the server has stopped (by stop(), a signal or POST /shutdown). */
  readonly stopped: Promise<void>;
}

export const DEFAULT_PORT = 54321;
export const DEFAULT_UPLOAD_LIMIT = 4 * 1024 ** 3;

function isInternal(url: string): boolean {
  return new URL(url).pathname.startsWith(INTERNAL_PREFIX);
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

interface Tls {
  cert: string;
  key: string;
}

/** The cluster and TLS options, checked; files are read here so a bad path fails before listening. */
function checkClusterOptions(opts: ServeOptions): { tls: Tls | null } {
  if (opts.join !== undefined && opts.secret === undefined) throw new FloeError("invalid_argument", "--join needs the cluster secret: add --secret or set FLOE_SECRET");
  if (opts.secret !== undefined && opts.secret.length < 8) throw new FloeError("invalid_argument", "--secret must be at least 8 characters");
  if (opts.secret === undefined) {
    for (const [flag, v] of [
      ["--node-name", opts.nodeName],
      ["--advertise", opts.advertise],
    ] as const) {
      if (v !== undefined) throw new FloeError("invalid_argument", `${flag} applies only to a cluster node: add --secret`);
    }
  }
  if (opts.nodeName !== undefined && !/^[A-Za-z0-9_.:\-]+$/.test(opts.nodeName)) {
    throw new FloeError("invalid_argument", `--node-name '${opts.nodeName}': use letters, digits, '_', '.', ':', '-' only`);
  }
  if (opts.advertise !== undefined && !/^[^\s/:]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/.test(opts.advertise)) {
    throw new FloeError("invalid_argument", `--advertise '${opts.advertise}' is not host:port`);
  }
  if (opts.heartbeatMs !== undefined && !(Number.isInteger(opts.heartbeatMs) && opts.heartbeatMs >= 10)) {
    throw new FloeError("invalid_argument", `the heartbeat interval must be an integer of at least 10 ms, got ${opts.heartbeatMs}`);
  }
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new FloeError("invalid_argument", "--tls-cert and --tls-key go together: give both");
  if (opts.tlsCert === undefined || opts.tlsKey === undefined) return { tls: null };
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      throw new FloeError("not_found", `${flag} ${path}: cannot read the file`);
    }
  };
  return { tls: { cert: read("--tls-cert", opts.tlsCert), key: read("--tls-key", opts.tlsKey) } };
}

function checkOptions(opts: ServeOptions): { host: string; port: number; dataRoot: string | null; uploadLimit: number } {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FloeError("invalid_argument", `--port must be an integer in 0..65535, got ${opts.port}`);
  if (!isLoopback(host) && opts.authToken === undefined && !opts.insecure) {
    throw new FloeError("invalid_argument", `refusing to listen on ${host} without --auth-token: anyone who can reach it could read your data (add --insecure to do it anyway)`);
  }
  for (const name of opts.allowedHosts ?? []) {
    if (!/^[A-Za-z0-9.\-]+$|^\[[0-9a-fA-F:]+\]$/.test(name)) throw new FloeError("invalid_argument", `--allowed-host '${name}' is not a host name (no scheme or port)`);
  }
  if (opts.authToken !== undefined && opts.authToken.length < 8) throw new FloeError("invalid_argument", "--auth-token must be at least 8 characters");
  let dataRoot: string | null = null;
  if (opts.dataRoot !== undefined) {
    dataRoot = resolve(opts.dataRoot);
    let isDir = false;
    try {
      isDir = statSync(dataRoot).isDirectory();
    } catch {}
    if (!isDir) throw new FloeError("not_found", `--data-root ${opts.dataRoot}: no such directory`);
  }
  const { maxFinished, maxAgeMs } = opts.jobRetention ?? DEFAULT_JOB_RETENTION;
  if (!(Number.isInteger(maxFinished) && maxFinished >= 0)) throw new FloeError("invalid_argument", `--keep-jobs must be an integer of at least 0, got ${maxFinished}`);
  if (!(maxAgeMs > 0)) throw new FloeError("invalid_argument", `--job-ttl must be positive, got ${maxAgeMs / 3600_000} hours`);
  const uploadLimit = opts.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT;
  if (!(uploadLimit > 0)) throw new FloeError("invalid_argument", `the upload limit must be positive, got ${uploadLimit}`);
  return { host, port, dataRoot, uploadLimit };
}

export async function startServer(opts: ServeOptions = {}): Promise<RunningServer> {
  const { host, port, dataRoot, uploadLimit } = checkOptions(opts);
  const { tls } = checkClusterOptions(opts);
  const reportedH2OVersion = h2oVersion(opts.h2oVersion);
  const log = opts.log ?? ((line: string) => process.stderr.write(`floe serve: ${line}\n`));
  const dataDir = opts.dataDir === undefined ? null : DataDir.open(opts.dataDir, opts.dataDirHooks);
  const node = new FloeNode({ threads: opts.threads, maxMem: opts.maxMemBytes });
  if (opts.jobRetention) node.jobs.retention = opts.jobRetention;
  // A cluster node keeps its chunks instead of whole frames (restored as it links, below).
  if (dataDir) await keepData(node, dataDir, log, opts.secret === undefined);
  const startedAt = Date.now();
  const { store } = node;
  // Memory as H2O reports it: the node's --max-mem and what its frames leave free of it.
  const stats = () => ({
    ...localStats(startedAt, () => store.ids("frame").length + store.ids("model").length + store.ids("job").length),
    free_mem: node.budget.free(),
    max_mem: node.budget.max,
  });
  let cluster: ClusterRuntime | undefined;
  let resolveStopped = () => {};
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | null = null;
  let server: ReturnType<typeof Bun.serve> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await node.jobs.cancelAll();
      await cluster?.membership.stop();
      await server?.stop(true);
      await node.close();
      resolveStopped();
    })();
    return stopping;
  };
  const ctx: ServerContext = {
    node,
    name: opts.name ?? "floe",
    address: `${host}:${port}`,
    startedAt,
    dataRoot,
    uploadLimit,
    stats,
    shutdown: () => void stop(),
  };
  const app = createApp(ctx, opts.authToken);
  // H2O's Python client speaks to the same port: its /3/, /4/ and /99/ routes, under the same token.
  const h2o = createH2OApp(ctx, { authToken: opts.authToken, version: reportedH2OVersion, importSource: (path) => importSource(path, dataRoot) });
  const guard = requestGuard({ bindHost: host, loopback: isLoopback(host), scheme: tls ? "https" : "http", allowedHosts: opts.allowedHosts ?? [], formClientPath: isH2OPath });
  /** A browser-facing request: the guard, then the UI's files, then the API. */
  const answer = async (req: Request): Promise<Response> => {
    const refused = guard(req);
    if (refused) return bareErrorResponse(refused);
    const path = new URL(req.url).pathname;
    if (isH2OPath(path)) return h2o.fetch(req);
    if ((req.method === "GET" || req.method === "HEAD") && !path.startsWith(`${API_BASE}/`)) {
      const page = await uiResponse(path);
      if (page) return page;
    }
    return app.fetch(req);
  };
  const secret = opts.secret;
  const routes = secret === undefined ? null : new InternalRoutes(new Verifier(secret), log);
  try {
    server = Bun.serve({
      hostname: host,
      port,
      // Two nodes on one port would split requests between them at random.
      reusePort: false,
      development: false,
      // Bun's own cap sits above floe's, so an oversized upload gets floe's clear 413.
      maxRequestBodySize: uploadLimit + 1024 * 1024,
      // Scoring or exporting a large frame may take longer than Bun's default 10 s.
      idleTimeout: 255,
      // Peers' calls go to /internal/: signed with the cluster secret, outside /api/v1 and its bearer token.
      fetch: async (req, srv) => {
        if (routes && isInternal(req.url)) return routes.fetch(req, srv.requestIP(req)?.address);
        const res = await answer(req);
        res.headers.set("X-Content-Type-Options", "nosniff");
        return res;
      },
      ...(tls ? { tls } : {}),
    });
  } catch (err) {
    await node.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new FloeError("invalid_argument", `port ${port} on ${host} is already in use`);
    throw new FloeError("invalid_argument", `cannot listen on ${host}:${port}: ${(err as Error).message}`);
  }
  const boundPort = server.port ?? port;
  ctx.address = `${host}:${boundPort}`;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const scheme = tls ? "https" : "http";
  if (secret !== undefined && routes) {
    try {
      const ready = (c: ClusterRuntime) => {
        cluster = ctx.cluster = c;
        const link = linkCluster(ctx, c, log);
        ctx.link = link;
        if (dataDir) keepChunks(link.holdings, dataDir, log);
        node.budget.countAlso(() => link.holdings.memoryBytes());
        node.budget.spanCluster(() => c.membership.live().reduce((n, m) => n + m.stats.free_mem, 0));
        opts.onCluster?.(c);
      };
      await startMembership(opts, { secret, routes, tls, stats, log, advertised: opts.advertise ?? `${urlHost}:${boundPort}`, scheme, ready });
    } catch (err) {
      await stop();
      throw err;
    }
  }
  // DuckDB takes ~0.1 s to open (its library loaded, its sessions made): begun now, while
  // the node waits for its first request, not on the first import (a shared parse paid it
  // twice in a row, on the planning node and then on each other node).
  void node.db().catch((err) => log(`DuckDB did not open: ${(err as Error).message}`));
  return { url: `${scheme}://${urlHost}:${boundPort}`, port: boundPort, node, cluster, stop, stopped };
}

/** What the data directory keeps beside a model's file. */
interface KeptModelMeta {
  readonly trainingFrame: string | null;
  readonly createdAt: number;
  readonly cvModels: readonly string[];
}

/**
 * Restores the models of `dir` into the node's store, and its frames when `frames` (a
 * standalone node), then writes every change there.
 */
async function keepData(node: FloeNode, dir: DataDir, log: (line: string) => void, frames: boolean): Promise<void> {
  const skip = (file: string, reason: string) => log(`skipping ${file}: ${reason}`);
  if (frames) for (const { id, frame } of await dir.readFrames(skip)) node.store.put(key<Frame>("frame", id), frame);
  for (const kept of dir.readModels(skip)) {
    try {
      const meta = kept.meta as KeptModelMeta;
      node.store.put(modelKey(kept.id), {
        model: deserializeModel(kept.bytes, `model ${kept.id} in ${dir.models}`),
        trainingFrame: meta.trainingFrame,
        createdAt: meta.createdAt,
        cvModels: meta.cvModels,
      });
    } catch (err) {
      skip(`${dir.models}/${kept.id}.floe`, (err as Error).message);
    }
  }
  log(`data directory ${dir.root}: ${node.store.ids("frame").length} frame(s), ${node.store.ids("model").length} model(s)`);
  if (frames) node.keepFramesIn(dir);
  node.store.watch("model", {
    put: (id, value) => {
      const served = value as ServedModel;
      const meta: KeptModelMeta = { trainingFrame: served.trainingFrame, createdAt: served.createdAt, cvModels: served.cvModels };
      dir.writeModel(id, serializeModel(served.model, VERSION), meta);
    },
    delete: (id) => dir.removeModel(id),
  });
}

/** A cluster node takes back the chunks it kept before a restart, and keeps every chunk it takes from now on. */
function keepChunks(holdings: Holdings, dir: DataDir, log: (line: string) => void): void {
  const kept = KeptChunks.open(dir);
  const { frames, chunks } = holdings.restoreFrom(kept, (file, reason) => log(`skipping ${file}: ${reason}`));
  log(`data directory ${kept.root}: this cluster node holds ${frames} frame(s), ${chunks} chunk(s) from before`);
}

/** Joins (or seeds) the cluster and starts the heartbeats; `ready` gets the cluster before the join, and the promise settles once joined. */
async function startMembership(
  opts: ServeOptions,
  c: { secret: string; routes: InternalRoutes; tls: Tls | null; stats: () => NodeStats; log: (line: string) => void; advertised: string; scheme: string; ready: (cluster: ClusterRuntime) => void },
): Promise<void> {
  if (/^(0\.0\.0\.0|\[::\]):/.test(c.advertised)) throw new FloeError("invalid_argument", `peers cannot reach ${c.advertised}: add --advertise host:port`);
  const rpc = new Rpc({ secret: c.secret, tls: c.tls ? { ca: c.tls.cert } : undefined });
  const membership = new Membership({
    clusterName: opts.name ?? "floe",
    version: VERSION,
    self: { name: opts.nodeName ?? c.advertised, url: `${c.scheme}://${c.advertised}` },
    rpc,
    routes: c.routes,
    stats: c.stats,
    heartbeatMs: opts.heartbeatMs,
    log: c.log,
  });
  c.ready({ membership, rpc, routes: c.routes });
  if (opts.join !== undefined) await membership.join(opts.join);
  membership.start();
}
