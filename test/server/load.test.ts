// Load and bad input: 200 concurrent prediction requests all answered, and a seeded
// fuzz over the routes (random methods, ids, query strings and bodies) that must never
// get a 5xx, always gets the error shape, and leaves the node up with its frames intact.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Rng, seedState } from "../../src/core/rng.ts";
import { FIXTURES } from "../support/node.ts";
import { apiOf, testServer } from "../support/server.ts";

const server = await testServer();
const api = apiOf(server);
const frameId = await api.importPath(join(FIXTURES, "iris.csv"));
const trained = await api.train({ algo: "gbm", training_frame: frameId, response_column: "species", model_id: "load_gbm", params: { ntrees: 5, seed: 3 } });

describe("load", () => {
  test("200 concurrent prediction requests are all answered", async () => {
    expect(trained.status).toBe("done");
    const replies = await Promise.all(Array.from({ length: 200 }, () => api.post("/models/load_gbm/predict", { frame: frameId })));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(new Set(replies.map((r) => r.body.frame_id)).size).toBe(200);
    // Every answer is the same prediction of the same model.
    const first = (await api.get(`/frames/${replies[0].body.frame_id}/rows?limit=150`)).body.rows;
    const last = (await api.get(`/frames/${replies[199].body.frame_id}/rows?limit=150`)).body.rows;
    expect(last).toEqual(first);
  }, 60_000);
});

describe("fuzz", () => {
  const rng = new Rng(seedState(20261124));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)];
  const ids = [frameId, "load_gbm", "job_1", "nope", "..", "%2e%2e%2fetc", "a".repeat(300), "ünïcode", "x y", "", "0", "-1", "%00"];
  const paths = [
    "/cluster",
    "/frames",
    "/frames/import",
    "/frames/upload",
    "/frames/{id}",
    "/frames/{id}/rows",
    "/frames/{id}/split",
    "/frames/{id}/asfactor",
    "/frames/{id}/download",
    "/algorithms",
    "/algorithms/{id}",
    "/models",
    "/models/{id}",
    "/models/{id}/metrics",
    "/models/{id}/predict",
    "/models/{id}/download",
    "/models/upload",
    "/jobs",
    "/jobs/{id}",
    "/jobs/{id}/cancel",
    "/openapi.json",
    "/nowhere/{id}",
  ];
  const queries = ["", "?offset=-1", "?limit=abc", "?offset=1e309&limit=1", "?limit=0", "?frame_id=..", "?model_id=%00", "?offset=5&limit=5"];
  const scalar = (): unknown => pick([null, true, 0, -1, 1e308, Number.MAX_SAFE_INTEGER, 0.5, "", "x", frameId, "species", "gbm", "kmeans", "../../etc/passwd"]);
  const value = (depth: number): unknown => {
    const r = rng.next();
    if (depth > 2 || r < 0.5) return scalar();
    if (r < 0.75) return Array.from({ length: Math.floor(rng.next() * 4) }, () => value(depth + 1));
    const keys = ["algo", "training_frame", "response_column", "x", "params", "frame", "path", "sql", "ratios", "columns", "seed", "ntrees", "k", "frame_id"];
    return Object.fromEntries(Array.from({ length: Math.floor(rng.next() * 5) }, () => [pick(keys), value(depth + 1)]));
  };
  const body = (): string | undefined => {
    const r = rng.next();
    if (r < 0.2) return undefined;
    if (r < 0.35) return pick(["{", "[1,", "nul", '{"a":}', "\u0000", "{}".repeat(1000)]);
    return JSON.stringify(value(0));
  };

  test("400 random requests: no 5xx, errors in the error shape, the node and its frames intact", async () => {
    const before = (await api.get(`/frames/${frameId}`)).body;
    const seen = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      // DELETE never targets the frame whose survival is checked below.
      const method = pick(["GET", "POST", "POST", "DELETE", "PUT", "PATCH"]);
      const id = method === "DELETE" ? pick(ids.filter((x) => x !== frameId)) : pick(ids);
      const path = pick(paths).replace("{id}", encodeURIComponent(id)) + pick(queries);
      const payload = method === "GET" || method === "DELETE" ? undefined : body();
      const headers: Record<string, string> = payload === undefined ? {} : { "content-type": pick(["application/json", "text/csv", "application/json"]) };
      const r = await api.call(method, path, payload, headers);
      const where = `${method} ${path} ${payload?.slice(0, 80)}`;
      expect([where, r.status < 500]).toEqual([where, true]);
      seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
      if (r.status >= 400) {
        expect([where, typeof r.body?.error?.code, typeof r.body?.error?.message]).toEqual([where, "string", "string"]);
      }
    }
    // The fuzz reached past validation as well as into it.
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 404]));
    for (const job of (await api.get("/jobs")).body.jobs) if (job.status === "running") await api.post(`/jobs/${job.job_id}/cancel`);
    expect((await api.get("/health")).status).toBe(200);
    expect((await api.get(`/frames/${frameId}`)).body).toEqual(before);
  }, 60_000);
});
