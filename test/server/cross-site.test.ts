// What a web page in the user's browser can make a local floe server do: nothing that
// changes state. Cross-site "simple" requests (no preflight) are refused, as are requests
// naming a Host the server does not answer to (DNS rebinding); the UI is sent with a
// Content-Security-Policy that forbids framing.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { floe } from "../support/cli.ts";
import { FIXTURES } from "../support/node.ts";
import { apiOf, CLIENT_HEADERS, testServer } from "../support/server.ts";

const EVIL = "http://evil.example";

async function raw(url: string, init: RequestInit): Promise<{ status: number; code: string | undefined; message: string }> {
  const res = await fetch(url, init);
  const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  return { status: res.status, code: body.error?.code, message: body.error?.message ?? "" };
}

describe("cross-site requests", async () => {
  const server = await testServer();
  const api = apiOf(server);
  const url = (path: string) => `${server.url}/api/v1${path}`;

  test("a cross-site text/plain POST /shutdown is refused with 403 and the node keeps running", async () => {
    const r = await raw(url("/shutdown"), { method: "POST", body: "{}", headers: { "content-type": "text/plain", origin: EVIL } });
    expect([r.status, r.code]).toEqual([403, "forbidden"]);
    expect(r.message).toContain("evil.example");
    await Bun.sleep(50);
    expect((await api.get("/health")).status).toBe(200);
  });

  test("a cross-site raw upload is refused and makes no frame", async () => {
    const r = await raw(url("/frames/upload"), { method: "POST", body: "a,b\n1,2\n", headers: { "content-type": "text/plain", origin: EVIL } });
    expect([r.status, r.code]).toEqual([403, "forbidden"]);
    expect((await api.get("/frames")).body.frames).toEqual([]);
    expect((await api.get("/jobs")).body.jobs).toEqual([]);
  });

  test("a cross-site job cancel is refused and the job runs on", async () => {
    const id = await api.importPath(join(FIXTURES, "penguins.csv"));
    const started = await api.post("/models", { algo: "gbm", training_frame: id, response_column: "body_mass_g", params: { ntrees: 100000 } });
    const jobId = started.body.job.job_id;
    const r = await raw(url(`/jobs/${jobId}/cancel`), { method: "POST", headers: { "content-type": "text/plain", origin: EVIL } });
    expect([r.status, r.code]).toEqual([403, "forbidden"]);
    expect((await api.get(`/jobs/${jobId}`)).body.status).toBe("running");
    expect((await api.post(`/jobs/${jobId}/cancel`)).status).toBe(200);
    expect((await api.waitJob(jobId)).status).toBe("cancelled");
  });

  test("a JSON request from a foreign origin is refused too", async () => {
    const r = await raw(url("/frames/import"), { method: "POST", body: JSON.stringify({ path: join(FIXTURES, "iris.csv") }), headers: { "content-type": "application/json", origin: EVIL } });
    expect([r.status, r.code]).toEqual([403, "forbidden"]);
  });

  test("a simple request without an Origin needs a JSON or binary type or the client header", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined]) {
      const headers: Record<string, string> = type ? { "content-type": type } : {};
      const r = await raw(url("/shutdown"), { method: "POST", body: type ? "x" : undefined, headers });
      expect([type, r.status, r.code]).toEqual([type, 403, "forbidden"]);
      expect(r.message).toContain("X-Floe-Client");
    }
    expect((await api.get("/health")).status).toBe(200);
  });

  test("a DELETE without the client header is refused", async () => {
    const id = await api.importPath(join(FIXTURES, "iris.csv"));
    const r = await raw(url(`/frames/${id}`), { method: "DELETE" });
    expect([r.status, r.code]).toEqual([403, "forbidden"]);
    expect((await api.get(`/frames/${id}`)).status).toBe(200);
  });

  test("the server's own origin with JSON, or the client header, gets through", async () => {
    const own = await fetch(url("/frames/import"), {
      method: "POST",
      body: JSON.stringify({ path: join(FIXTURES, "iris.csv") }),
      headers: { "content-type": "application/json", origin: server.url },
    });
    expect(own.status).toBe(202);
    const form = new FormData();
    form.set("file", new Blob(["a,b\n1,2\n"]), "small.csv");
    const up = await fetch(url("/frames/upload"), { method: "POST", body: form, headers: { ...CLIENT_HEADERS, origin: server.url } });
    expect(up.status).toBe(202);
  });

  test("reads need no client header", async () => {
    expect((await fetch(url("/frames"))).status).toBe(200);
  });
});

describe("Host names (DNS rebinding)", async () => {
  const server = await testServer();
  const proxied = await testServer({ allowedHosts: ["floe.example"] });
  const get = (base: string, host: string) => raw(`${base}/api/v1/frames`, { headers: { host } });

  test("an unknown Host on a loopback bind is refused with 403", async () => {
    for (const host of ["evil.example", `evil.example:${server.port}`, "10.0.0.1", "localhost.evil.example"]) {
      const r = await get(server.url, host);
      expect([host, r.status, r.code]).toEqual([host, 403, "forbidden"]);
      expect(r.message).toContain("Host");
    }
  });

  test("loopback names and the bound address, with or without the port, are accepted", async () => {
    for (const host of ["localhost", `localhost:${server.port}`, "127.0.0.1", `127.0.0.1:${server.port}`, "127.0.0.5", `[::1]:${server.port}`]) {
      expect([host, (await get(server.url, host)).status]).toEqual([host, 200]);
    }
  });

  test("--allowed-host adds a name, and its origin may change state", async () => {
    expect((await get(proxied.url, "floe.example")).status).toBe(200);
    expect((await get(proxied.url, "other.example")).status).toBe(403);
    const r = await fetch(`${proxied.url}/api/v1/frames/import`, {
      method: "POST",
      body: JSON.stringify({ path: join(FIXTURES, "iris.csv") }),
      headers: { "content-type": "application/json", host: "floe.example", origin: "https://floe.example" },
    });
    expect(r.status).toBe(202);
  });
});

test("floe serve --allowed-host takes names, and refuses what is not one before listening", async () => {
  const r = await floe(["serve", "--port", "0", "--allowed-host", "floe.example,http://x/"], { timeoutMs: 15_000 });
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBe(-1);
  expect(r.stderr).toContain("--allowed-host 'http://x/' is not a host name");
});

describe("response headers", async () => {
  const server = await testServer();

  test("the UI forbids framing and inline script, and says nosniff", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    const script = /<script[^>]*src="([^"]+)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(new URL(script as string, server.url));
    expect([js.status, js.headers.get("x-content-type-options")]).toEqual([200, "nosniff"]);
    expect(js.headers.get("content-type")).toContain("javascript");
  });

  test("API answers, errors included, say nosniff", async () => {
    for (const path of ["/api/v1/health", "/api/v1/frames/nope", "/api/v1/no-such-route"]) {
      const res = await fetch(`${server.url}${path}`);
      expect([path, res.headers.get("x-content-type-options")]).toEqual([path, "nosniff"]);
    }
  });
});
