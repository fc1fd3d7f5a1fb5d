// Signed node-to-node calls: the HMAC over method, path, timestamp, nonce and body hash;
// the verifier's refusals; and the RPC client against the /internal/ routes in-process.

import { afterAll, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { InternalRoutes } from "../../src/cluster/internal.ts";
import { Rpc } from "../../src/cluster/rpc.ts";
import { SIGNATURE_HEADERS, signHeaders, Verifier } from "../../src/cluster/signing.ts";
import { FloeError } from "../../src/core/errors.ts";

const SECRET = "a-cluster-secret";
const body = new TextEncoder().encode('{"hello":"world"}');

/** The signature as the spec defines it, written out independently of signing.ts. */
function specSignature(secret: string, method: string, path: string, ts: string, nonce: string, bytes: Uint8Array): string {
  const digest = createHash("sha256").update(bytes).digest("hex");
  return createHmac("sha256", secret).update([method, path, ts, nonce, digest].join("\n")).digest("hex");
}

function headersAt(ts: number, nonce: string, method = "POST", path = "/internal/x", bytes = body, secret = SECRET): Headers {
  return new Headers({
    [SIGNATURE_HEADERS.ts]: String(ts),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.sig]: specSignature(secret, method, path, String(ts), nonce, bytes),
  });
}

test("a good signature is the spec's HMAC and verifies", () => {
  const h = signHeaders(SECRET, "POST", "/internal/heartbeat", body);
  expect(Object.keys(h).sort()).toEqual(["x-floe-nonce", "x-floe-signature", "x-floe-timestamp"]);
  expect(Math.abs(Number(h["x-floe-timestamp"]) - Date.now())).toBeLessThan(5_000);
  expect(h["x-floe-signature"]).toBe(specSignature(SECRET, "POST", "/internal/heartbeat", h["x-floe-timestamp"], h["x-floe-nonce"], body));
  expect(new Verifier(SECRET).verify("POST", "/internal/heartbeat", new Headers(h), body)).toEqual({ ok: true });
  // Two signatures of one request differ: each has its own nonce.
  expect(signHeaders(SECRET, "POST", "/internal/heartbeat", body)["x-floe-nonce"]).not.toBe(h["x-floe-nonce"]);
});

test("a changed body, path or method, another secret or no headers are refused", () => {
  const v = new Verifier(SECRET);
  const fresh = () => new Headers(signHeaders(SECRET, "POST", "/internal/x", body));
  const refused = (r: ReturnType<Verifier["verify"]>) => (r.ok ? "accepted" : r.reason);
  expect(refused(v.verify("POST", "/internal/x", fresh(), new TextEncoder().encode('{"hello":"World"}')))).toMatch(/signature does not match/);
  expect(refused(v.verify("POST", "/internal/y", fresh(), body))).toMatch(/signature does not match/);
  expect(refused(v.verify("PUT", "/internal/x", fresh(), body))).toMatch(/signature does not match/);
  expect(refused(new Verifier("another-secret").verify("POST", "/internal/x", fresh(), body))).toMatch(/secret/);
  expect(refused(v.verify("POST", "/internal/x", new Headers(), body))).toMatch(/not signed/);
  const noNonce = fresh();
  noNonce.delete(SIGNATURE_HEADERS.nonce);
  expect(refused(v.verify("POST", "/internal/x", noNonce, body))).toMatch(/not signed/);
});

test("a timestamp outside the window is refused, even correctly signed", () => {
  const v = new Verifier(SECRET);
  const now = Date.now();
  const old = v.verify("POST", "/internal/x", headersAt(now - 31_000, "n-old"), body);
  expect(old).toEqual({ ok: false, reason: "the timestamp is more than 30 s away from this node's clock" });
  expect(v.verify("POST", "/internal/x", headersAt(now + 31_000, "n-future"), body).ok).toBe(false);
  expect(v.verify("POST", "/internal/x", headersAt(now - 25_000, "n-recent"), body)).toEqual({ ok: true });
  expect(new Verifier(SECRET, 1_000).verify("POST", "/internal/x", headersAt(now - 2_000, "n-short"), body).ok).toBe(false);
});

test("a replayed request (a nonce seen before) is refused", () => {
  const v = new Verifier(SECRET);
  const h = new Headers(signHeaders(SECRET, "POST", "/internal/x", body));
  expect(v.verify("POST", "/internal/x", h, body)).toEqual({ ok: true });
  expect(v.verify("POST", "/internal/x", h, body)).toEqual({ ok: false, reason: "the nonce was already used (a replayed request)" });
});

// The client against the routes, over real HTTP.
const logs: string[] = [];
const routes = new InternalRoutes(new Verifier(SECRET), (line) => logs.push(line));
routes.on("echo", (bytes) => bytes.slice().reverse());
routes.on("sum", (bytes) => {
  const { a, b } = JSON.parse(new TextDecoder().decode(bytes));
  return { sum: a + b };
});
routes.on("busy", () => {
  throw new FloeError("conflict", "frame 'x' is being written");
});
routes.on("slow", async () => {
  await Bun.sleep(2_000);
  return {};
});
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req, srv) => routes.fetch(req, srv.requestIP(req)?.address) });
afterAll(() => server.stop(true));
const base = `http://127.0.0.1:${server.port}`;

async function failure(p: Promise<unknown>): Promise<FloeError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FloeError) return err;
    throw err;
  }
  throw new Error("expected a FloeError");
}

test("rpc: bytes and JSON round trips through signed routes", async () => {
  const rpc = new Rpc({ secret: SECRET });
  expect([...(await rpc.call(base, "/internal/echo", new Uint8Array([1, 2, 3])))]).toEqual([3, 2, 1]);
  expect(await rpc.json<{ sum: number }>(base, "/internal/sum", { a: 2, b: 40 })).toEqual({ sum: 42 });
});

test("rpc: the peer's error keeps its code and message; a wrong secret is unauthorized and logged", async () => {
  const busy = await failure(new Rpc({ secret: SECRET }).json(base, "/internal/busy", {}));
  expect([busy.code, busy.message]).toEqual(["conflict", "frame 'x' is being written"]);
  const missing = await failure(new Rpc({ secret: SECRET }).json(base, "/internal/nothing", {}));
  expect(missing.code).toBe("not_found");
  const wrong = await failure(new Rpc({ secret: "not-the-secret" }).json(base, "/internal/sum", { a: 1, b: 1 }));
  expect(wrong.code).toBe("unauthorized");
  expect(logs.at(-1)).toBe("refused POST /internal/sum from 127.0.0.1: the signature does not match (a different cluster secret?)");
  const unsigned = await fetch(`${base}/internal/sum`, { method: "POST", body: "{}" });
  expect(unsigned.status).toBe(401);
  expect(((await unsigned.json()) as any).error.code).toBe("unauthorized");
});

test("rpc: no answer is `unavailable` and unreachable; the caller's abort is `cancelled`", async () => {
  const rpc = new Rpc({ secret: SECRET });
  const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const gone = `http://127.0.0.1:${closed.port}`;
  await closed.stop(true);
  const refused = await failure(rpc.call(gone, "/internal/echo"));
  expect(refused.code).toBe("unavailable");
  expect(refused.message).toBe(`cannot reach node ${gone}: connection refused`);
  expect(refused.details?.unreachable).toBe(true);
  const slow = await failure(rpc.json(base, "/internal/slow", {}, { timeoutMs: 100 }));
  expect([slow.code, slow.details?.unreachable]).toEqual(["unavailable", true]);
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 50);
  expect((await failure(rpc.json(base, "/internal/slow", {}, { signal: abort.signal }))).code).toBe("cancelled");
});
