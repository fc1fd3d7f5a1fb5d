// A floe server for tests on 127.0.0.1 and a free port, stopped after the file's tests,
// with small JSON helpers for its API.

import { afterAll } from "bun:test";
import { type RunningServer, type ServeOptions, startServer } from "../../src/server/serve.ts";

export async function testServer(opts: ServeOptions = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, host: "127.0.0.1", threads: 2, ...opts });
  afterAll(() => server.stop());
  return server;
}

export interface Reply {
  status: number;
  body: any;
}

/** What floe's own clients send with every request, so the server knows it is not a cross-site form (src/client). */
export const CLIENT_HEADERS: Readonly<Record<string, string>> = { "x-floe-client": "1" };

/** JSON calls to a server's API v1, with a bearer token when given, as floe's client makes them. */
export function apiOf(server: { url: string }, token?: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const init: RequestInit = { method, headers: { ...CLIENT_HEADERS, ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
    if (typeof body === "string" || body instanceof Uint8Array || body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] = "application/json";
    }
    const res = await fetch(`${server.url}/api/v1${path}`, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed };
  };
  const api = {
    get: (path: string) => call("GET", path),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call("POST", path, body, headers),
    del: (path: string) => call("DELETE", path),
    call,
    /** Polls a job until it ends; returns its final JSON. */
    async waitJob(jobId: string, timeoutMs = 30_000): Promise<any> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await api.get(`/jobs/${jobId}`);
        if (["done", "failed", "cancelled"].includes(body.status)) return body;
        if (Date.now() > until) throw new Error(`job ${jobId} still ${body.status} after ${timeoutMs} ms`);
        await Bun.sleep(20);
      }
    },
    /** Imports a path and waits for the frame; returns its id. */
    async importPath(path: string, extra: Record<string, unknown> = {}): Promise<string> {
      const r = await api.post("/frames/import", { path, ...extra });
      if (r.status !== 202) throw new Error(`import ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      const job = await api.waitJob(r.body.job.job_id);
      if (job.status !== "done") throw new Error(`import ${path}: ${JSON.stringify(job.error)}`);
      return job.dest.id;
    },
    /** Trains and waits; returns the finished job. */
    async train(body: Record<string, unknown>): Promise<any> {
      const r = await api.post("/models", body);
      if (r.status !== 202) throw new Error(`train: ${r.status} ${JSON.stringify(r.body)}`);
      return api.waitJob(r.body.job.job_id, 60_000);
    },
  };
  return api;
}
