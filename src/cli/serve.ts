// `floe serve`: start a node with the REST API and the web UI, alone or as a member of a
// cluster (--secret, --join); runs until SIGINT, SIGTERM or POST /api/v1/shutdown,
// cancelling running jobs and leaving the cluster on the way out.

import { defineCommand } from "citty";
import { FloeError } from "../core/errors.ts";
import { DEFAULT_JOB_RETENTION } from "../core/jobs.ts";
import { parseSize } from "../core/memory.ts";
import { DEFAULT_PORT, DEFAULT_UPLOAD_LIMIT, startServer } from "../server/serve.ts";
import { intFlag } from "./ingest-args.ts";
import { action } from "./run.ts";

export const serveCommand = defineCommand({
  meta: { name: "serve", description: "Start a floe node: REST API under /api/v1 and the web UI at /" },
  args: {
    port: { type: "string", description: `port to listen on (0: any free port) [default ${DEFAULT_PORT}]`, valueHint: "n" },
    host: { type: "string", description: "interface to bind [default 127.0.0.1]; others need --auth-token or --insecure", valueHint: "addr" },
    threads: { type: "string", description: "worker threads (default: all cores)", valueHint: "n" },
    name: { type: "string", description: "cluster name shown by /cluster [default floe]", valueHint: "name" },
    "auth-token": { type: "string", description: "bearer token required on every API route but /api/v1/health (or FLOE_AUTH_TOKEN)", valueHint: "token" },
    insecure: { type: "boolean", description: "allow binding a non-loopback interface without a token" },
    "allowed-host": { type: "string", description: "host names a reverse proxy reaches this node by, comma-separated: accepted as Host and Origin besides localhost/127.0.0.1", valueHint: "name,..." },
    "data-root": { type: "string", description: "imports must name files inside this directory (SQL imports off)", valueHint: "dir" },
    "data-dir": {
      type: "string",
      description:
        "keep this node's frames and models in this directory (created if needed): written as they are stored, read back on start (a cluster node keeps the chunks it holds and rejoins with them)",
      valueHint: "dir",
    },
    "max-mem": {
      type: "string",
      description: "memory this node's frames may hold, e.g. 512m or 4g; imports and trainings that would not fit are refused [default: the machine's memory]",
      valueHint: "size",
    },
    "upload-limit": { type: "string", description: `largest upload in MiB [default ${DEFAULT_UPLOAD_LIMIT / 1024 ** 2}]`, valueHint: "MiB" },
    "keep-jobs": { type: "string", description: `finished jobs kept, newest first [default ${DEFAULT_JOB_RETENTION.maxFinished}]`, valueHint: "n" },
    "job-ttl": { type: "string", description: `hours a finished job is kept [default ${DEFAULT_JOB_RETENTION.maxAgeMs / 3600_000}]`, valueHint: "hours" },
    join: { type: "string", description: "join the cluster of the node at this address (needs --secret)", valueHint: "host:port" },
    secret: { type: "string", description: "cluster secret, at least 8 characters (or FLOE_SECRET); alone it starts a cluster others may join", valueHint: "secret" },
    "node-name": { type: "string", description: "this node's name in the cluster [default: the advertised host:port]", valueHint: "name" },
    advertise: { type: "string", description: "the address peers reach this node at [default: --host and the port]", valueHint: "host:port" },
    "tls-cert": { type: "string", description: "serve HTTPS with this PEM certificate; cluster peers share it and trust it", valueHint: "file" },
    "tls-key": { type: "string", description: "the PEM private key of --tls-cert", valueHint: "file" },
    "h2o-version": {
      type: "string",
      description: "the H2O-3 release /3/Cloud reports to H2O's Python client (or FLOE_H2O_VERSION); set it to a released client's h2o.__version__ to pass its version check [default 3.46.0.7]",
      valueHint: "version",
    },
  },
  run: ({ args }) =>
    action(async () => {
      const port = args.port === undefined ? DEFAULT_PORT : Number(args.port);
      if (!Number.isInteger(port)) throw new FloeError("invalid_argument", `--port must be an integer, got '${args.port}'`);
      const limitMiB = intFlag("upload-limit", args["upload-limit"]);
      const ttlHours = args["job-ttl"] === undefined ? undefined : Number(args["job-ttl"]);
      if (ttlHours !== undefined && !(ttlHours > 0)) throw new FloeError("invalid_argument", `--job-ttl must be a positive number of hours, got '${args["job-ttl"]}'`);
      const jobRetention = {
        maxFinished: intFlag("keep-jobs", args["keep-jobs"]) ?? DEFAULT_JOB_RETENTION.maxFinished,
        maxAgeMs: ttlHours === undefined ? DEFAULT_JOB_RETENTION.maxAgeMs : ttlHours * 3600_000,
      };
      // Hidden: tests shorten the heartbeat so a dead node is seen within a second or two.
      const heartbeatMs = process.env.FLOE_HEARTBEAT_MS === undefined ? undefined : Number(process.env.FLOE_HEARTBEAT_MS);
      const log = (line: string) => process.stderr.write(`floe serve: ${line}\n`);
      // Hidden: tests stop a frame's write after its first chunk, to kill the node mid-write.
      const stallFrameWrites = process.env.FLOE_TEST_STALL_FRAME_WRITE === "1";
      const server = await startServer({
        port,
        host: args.host,
        threads: intFlag("threads", args.threads),
        name: args.name,
        authToken: args["auth-token"] ?? process.env.FLOE_AUTH_TOKEN,
        h2oVersion: args["h2o-version"] ?? (process.env.FLOE_H2O_VERSION || undefined),
        insecure: args.insecure,
        allowedHosts: args["allowed-host"]
          ?.split(",")
          .map((h) => h.trim())
          .filter(Boolean),
        dataRoot: args["data-root"],
        dataDir: args["data-dir"],
        dataDirHooks: stallFrameWrites ? { afterFrameChunk: () => new Promise<void>(() => {}) } : undefined,
        maxMemBytes: args["max-mem"] === undefined ? undefined : parseSize("--max-mem", args["max-mem"]),
        uploadLimitBytes: limitMiB === undefined ? undefined : limitMiB * 1024 ** 2,
        jobRetention,
        join: args.join,
        secret: args.secret ?? (process.env.FLOE_SECRET || undefined),
        nodeName: args["node-name"],
        advertise: args.advertise,
        tlsCert: args["tls-cert"],
        tlsKey: args["tls-key"],
        heartbeatMs,
        log,
      });
      const self = server.cluster?.membership.self;
      if (self) log(`cluster node ${self.name}: ${server.cluster?.membership.live().length} node(s) live`);
      // Logs go to stderr, as for every command; scripts read the URL from this line.
      log(`listening on ${server.url} (web UI at ${server.url}/, API at ${server.url}/api/v1)`);
      const stop = (signal: string) => {
        log(`${signal}, cancelling running jobs and stopping`);
        void server.stop();
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
      await server.stopped;
      log("stopped");
    }),
});
