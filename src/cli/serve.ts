// `floe serve`: start a node with the REST API and the web UI; runs until SIGINT,
// SIGTERM or POST /api/v1/shutdown, cancelling running jobs on the way out.

import { defineCommand } from "citty";
import { FloeError } from "../core/errors.ts";
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
    "data-root": { type: "string", description: "imports must name files inside this directory (SQL imports off)", valueHint: "dir" },
    "upload-limit": { type: "string", description: `largest upload in MiB [default ${DEFAULT_UPLOAD_LIMIT / 1024 ** 2}]`, valueHint: "MiB" },
  },
  run: ({ args }) =>
    action(async () => {
      const port = args.port === undefined ? DEFAULT_PORT : Number(args.port);
      if (!Number.isInteger(port)) throw new FloeError("invalid_argument", `--port must be an integer, got '${args.port}'`);
      const limitMiB = intFlag("upload-limit", args["upload-limit"]);
      const server = await startServer({
        port,
        host: args.host,
        threads: intFlag("threads", args.threads),
        name: args.name,
        authToken: args["auth-token"] ?? process.env.FLOE_AUTH_TOKEN,
        insecure: args.insecure,
        dataRoot: args["data-root"],
        uploadLimitBytes: limitMiB === undefined ? undefined : limitMiB * 1024 ** 2,
      });
      // Logs go to stderr, as for every command; scripts read the URL from this line.
      const log = (line: string) => process.stderr.write(`floe serve: ${line}\n`);
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
