// The server's guards: bearer-token auth on every API route but health, the loopback
// default, --data-root confinement (`..`, absolute paths, symbolic links, globs, SQL),
// the upload limit, and shutdown cancelling running jobs.

import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { jobKey } from "../../src/core/jobs.ts";
import { startServer } from "../../src/server/serve.ts";
import { FIXTURES, tempDir } from "../support/node.ts";
import { apiOf, testServer } from "../support/server.ts";

const TOKEN = "s3cret-token-for-tests";

describe("bearer token", async () => {
  const server = await testServer({ authToken: TOKEN });
  const anonymous = apiOf(server);
  const wrong = apiOf(server, "not-the-token");
  const right = apiOf(server, TOKEN);

  test("health needs no token", async () => {
    expect((await anonymous.get("/health")).status).toBe(200);
  });

  test("every other route refuses a missing or wrong token with 401", async () => {
    for (const [method, path] of [
      ["GET", "/cluster"],
      ["GET", "/frames"],
      ["POST", "/frames/import"],
      ["GET", "/frames/x/download"],
      ["GET", "/models"],
      ["POST", "/models/upload"],
      ["GET", "/jobs"],
      ["GET", "/openapi.json"],
      ["POST", "/shutdown"],
    ]) {
      const none = await anonymous.call(method, path);
      expect([path, none.status, none.body.error.code]).toEqual([path, 401, "unauthorized"]);
      expect((await wrong.call(method, path)).status).toBe(401);
    }
    const res = await fetch(`${server.url}/api/v1/frames`);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });

  test("the right token gets through", async () => {
    expect((await right.get("/frames")).status).toBe(200);
    const id = await right.importPath(join(FIXTURES, "iris.csv"));
    expect((await right.get(`/frames/${id}`)).body.rows).toBe(150);
  });
});

describe("binding", () => {
  test("a non-loopback interface without a token is refused before anything listens", async () => {
    const attempt = startServer({ host: "0.0.0.0", port: 0 });
    await expect(attempt).rejects.toThrow("refusing to listen on 0.0.0.0 without --auth-token");
  });

  test("a short token is refused", async () => {
    await expect(startServer({ port: 0, authToken: "abc" })).rejects.toThrow("at least 8 characters");
  });

  test("a port in use is a clear error", async () => {
    const first = await testServer();
    await expect(startServer({ port: first.port })).rejects.toThrow(`port ${first.port} on 127.0.0.1 is already in use`);
  });
});

describe("data root", async () => {
  const root = tempDir();
  const outside = tempDir();
  mkdirSync(join(root, "data"));
  copyFileSync(join(FIXTURES, "iris.csv"), join(root, "data", "iris.csv"));
  copyFileSync(join(FIXTURES, "iris.csv"), join(root, "data", "iris2.csv"));
  copyFileSync(join(FIXTURES, "penguins.csv"), join(outside, "penguins.csv"));
  symlinkSync(join(outside, "penguins.csv"), join(root, "data", "link.csv"));
  symlinkSync(outside, join(root, "escape"));
  const server = await testServer({ dataRoot: root });
  const api = apiOf(server);

  test("paths inside the root import, relative to it", async () => {
    const id = await api.importPath("data/iris.csv");
    expect((await api.get(`/frames/${id}`)).body.rows).toBe(150);
    const both = await api.importPath("data/iris*.csv");
    expect((await api.get(`/frames/${both}`)).body.rows).toBe(300);
  });

  test("'..', absolute paths and symbolic links out of the root are refused with 403", async () => {
    for (const path of ["../etc/passwd", "data/../../x.csv", join(outside, "penguins.csv"), "data/link.csv", "escape/penguins.csv", "escape/*.csv", "data/*.csv"]) {
      const r = await api.post("/frames/import", { path });
      expect([path, r.status, r.body.error?.code]).toEqual([path, 403, "forbidden"]);
    }
  });

  test("SQL imports are off under a data root", async () => {
    const r = await api.post("/frames/import", { sql: "SELECT 1 AS x" });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain("SQL imports are disabled");
  });
});

describe("upload limit", async () => {
  const server = await testServer({ uploadLimitBytes: 1000 });
  const api = apiOf(server);

  test("an upload over the limit gets 413 and no frame", async () => {
    const big = new Uint8Array(5000).fill(0x31);
    const r = await api.post("/frames/upload", big, { "content-type": "text/csv" });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("too_large");
    expect((await api.get("/frames")).body.frames).toEqual([]);
  });

  test("a streamed upload without a length is cut off at the limit", async () => {
    const parts = [new Uint8Array(600).fill(0x31), new Uint8Array(600).fill(0x32)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await fetch(`${server.url}/api/v1/frames/upload`, { method: "POST", body: stream, headers: { "content-type": "text/csv" } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("too_large");
  });

  test("an empty upload is a clear 400", async () => {
    const r = await api.post("/frames/upload", "", { "content-type": "text/csv" });
    expect(r.status).toBe(400);
  });
});

describe("shutdown", () => {
  test("POST /shutdown cancels running jobs and stops the server", async () => {
    const server = await startServer({ port: 0, threads: 2 });
    const api = apiOf(server);
    try {
      const id = await api.importPath(join(FIXTURES, "penguins.csv"));
      const r = await api.post("/models", { algo: "gbm", training_frame: id, response_column: "body_mass_g", params: { ntrees: 100000 } });
      await Bun.sleep(100);
      expect((await api.post("/shutdown")).status).toBe(202);
      await server.stopped;
      const status = server.node.store.need(jobKey<unknown>(r.body.job.job_id)).status;
      expect(status).toBe("cancelled");
      await expect(fetch(`${server.url}/api/v1/health`)).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });
});
