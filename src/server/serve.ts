// `floe serve`: a node's REST API (src/server/app.ts) and its web UI on one port. The UI
// is a Bun HTML import: Bun bundles it (and its npm imports) from source and into the
// compiled binary alike, so no CDN and no separate build step.

import { statSync } from "node:fs";
import { resolve } from "node:path";
import { FloeError } from "../core/errors.ts";
import { FloeNode } from "../runtime.ts";
import { createApp } from "./app.ts";
import type { ServerContext } from "./context.ts";
import ui from "./ui/index.html";

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
  /** Imports must name files inside this directory. */
  readonly dataRoot?: string;
  readonly uploadLimitBytes?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly node: FloeNode;
  /** Cancels running jobs, stops listening and closes the node; safe to call twice. */
  stop(): Promise<void>;
  /** Settles once the server has stopped (by stop(), a signal or POST /shutdown). */
  readonly stopped: Promise<void>;
}

export const DEFAULT_PORT = 54321;
export const DEFAULT_UPLOAD_LIMIT = 4 * 1024 ** 3;

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function checkOptions(opts: ServeOptions): { host: string; port: number; dataRoot: string | null; uploadLimit: number } {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FloeError("invalid_argument", `--port must be an integer in 0..65535, got ${opts.port}`);
  if (!isLoopback(host) && opts.authToken === undefined && !opts.insecure) {
    throw new FloeError("invalid_argument", `refusing to listen on ${host} without --auth-token: anyone who can reach it could read your data (add --insecure to do it anyway)`);
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
  const uploadLimit = opts.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT;
  if (!(uploadLimit > 0)) throw new FloeError("invalid_argument", `the upload limit must be positive, got ${uploadLimit}`);
  return { host, port, dataRoot, uploadLimit };
}

export async function startServer(opts: ServeOptions = {}): Promise<RunningServer> {
  const { host, port, dataRoot, uploadLimit } = checkOptions(opts);
  const node = new FloeNode({ threads: opts.threads });
  let resolveStopped = () => {};
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | null = null;
  let server: ReturnType<typeof Bun.serve> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await node.jobs.cancelAll();
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
    startedAt: Date.now(),
    dataRoot,
    uploadLimit,
    shutdown: () => void stop(),
  };
  const app = createApp(ctx, opts.authToken);
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
      routes: { "/": ui },
      fetch: (req) => app.fetch(req),
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
  return { url: `http://${urlHost}:${boundPort}`, port: boundPort, node, stop, stopped };
}
