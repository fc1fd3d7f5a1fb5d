// Signed node-to-node calls: the HMAC over method, path, timestamp, nonce, destination and
// body hash; the verifier's refusals; the RPC client against the /internal/ routes
// in-process; and refusals made before a body is read, or while it streams in.

import { afterAll, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { InternalRoutes } from "../../src/cluster/internal.ts";
import { Membership } from "../../src/cluster/membership.ts";
import { Rpc } from "../../src/cluster/rpc.ts";
import { SIGNATURE_HEADERS, signHeaders, Verifier } from "../../src/cluster/signing.ts";
import { FloeError } from "../../src/core/errors.ts";

const SECRET = "a-cluster-secret";
const body = new TextEncoder().encode('{"hello":"world"}');
/** The node the verifiers below answer as. */
const NODE = "node-a";

/** The signature as the spec defines it, written out independently of signing.ts. */
function specSignature(secret: string, method: string, path: string, ts: string, nonce: string, to: string, bytes: Uint8Array): string {
  const digest = createHash("sha256").update(bytes).digest("hex");
  return createHmac("sha256", secret).update([method, path, ts, nonce, to, digest].join("\n")).digest("hex");
}

function headersAt(ts: number, nonce: string, method = "POST", path = "/internal/x", bytes = body, secret = SECRET, to = NODE): Headers {
  return new Headers({
    [SIGNATURE_HEADERS.ts]: String(ts),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.to]: to,
    [SIGNATURE_HEADERS.digest]: createHash("sha256").update(bytes).digest("hex"),
    [SIGNATURE_HEADERS.sig]: specSignature(secret, method, path, String(ts), nonce, to, bytes),
  });
}

/** A verifier answering as NODE. */
function verifier(secret = SECRET, windowMs?: number): Verifier {
  const v = new Verifier(secret, windowMs);
  v.answerAs([NODE]);
  return v;
}

/** A nonce of the right shape, distinct per label. */
const nonceOf = (label: string) => createHash("md5").update(label).digest("hex");

test("a good signature is the spec's HMAC and verifies", () => {
  const h = signHeaders(SECRET, "POST", "/internal/heartbeat", NODE, body);
  expect(Object.keys(h).sort()).toEqual(["x-floe-body-sha256", "x-floe-nonce", "x-floe-signature", "x-floe-timestamp", "x-floe-to"]);
  expect(Math.abs(Number(h["x-floe-timestamp"]) - Date.now())).toBeLessThan(5_000);
  expect(h["x-floe-signature"]).toBe(specSignature(SECRET, "POST", "/internal/heartbeat", h["x-floe-timestamp"], h["x-floe-nonce"], NODE, body));
  expect(verifier().verify("POST", "/internal/heartbeat", new Headers(h), body)).toEqual({ ok: true });
  // Two signatures of one request differ: each has its own nonce.
  expect(signHeaders(SECRET, "POST", "/internal/heartbeat", NODE, body)["x-floe-nonce"]).not.toBe(h["x-floe-nonce"]);
});

test("a changed body, path or method, another secret or no headers are refused", () => {
  const v = verifier();
  const fresh = () => new Headers(signHeaders(SECRET, "POST", "/internal/x", NODE, body));
  const refused = (r: ReturnType<Verifier["verify"]>) => (r.ok ? "accepted" : r.reason);
  expect(refused(v.verify("POST", "/internal/x", fresh(), new TextEncoder().encode('{"hello":"World"}')))).toMatch(/body does not match its signed digest/);
  expect(refused(v.verify("POST", "/internal/y", fresh(), body))).toMatch(/signature does not match/);
  expect(refused(v.verify("PUT", "/internal/x", fresh(), body))).toMatch(/signature does not match/);
  expect(refused(verifier("another-secret").verify("POST", "/internal/x", fresh(), body))).toMatch(/secret/);
  expect(refused(v.verify("POST", "/internal/x", new Headers(), body))).toMatch(/not signed/);
  const noNonce = fresh();
  noNonce.delete(SIGNATURE_HEADERS.nonce);
  expect(refused(v.verify("POST", "/internal/x", noNonce, body))).toMatch(/not signed/);
});

test("a timestamp outside the window is refused, even correctly signed", () => {
  const v = verifier();
  const now = Date.now();
  const old = v.verify("POST", "/internal/x", headersAt(now - 31_000, nonceOf("old")), body);
  expect(old).toEqual({ ok: false, reason: "the timestamp is more than 30 s away from this node's clock" });
  expect(v.verify("POST", "/internal/x", headersAt(now + 31_000, nonceOf("future")), body).ok).toBe(false);
  expect(v.verify("POST", "/internal/x", headersAt(now - 25_000, nonceOf("recent")), body)).toEqual({ ok: true });
  expect(verifier(SECRET, 1_000).verify("POST", "/internal/x", headersAt(now - 2_000, nonceOf("short")), body).ok).toBe(false);
});

test("a replayed request (a nonce seen before) is refused", () => {
  const v = verifier();
  const h = new Headers(signHeaders(SECRET, "POST", "/internal/x", NODE, body));
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
routes.on("frame", (bytes) => ({ bytes: bytes.byteLength }));
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req, srv) => routes.fetch(req, srv.requestIP(req)?.address) });
const address = `127.0.0.1:${server.port}`;
routes.answerAs([address]);
// A second node of the same cluster (same secret), with its own name.
const otherLogs: string[] = [];
const otherRoutes = new InternalRoutes(new Verifier(SECRET), (line) => otherLogs.push(line));
otherRoutes.on("echo", (bytes) => bytes.slice().reverse());
const other = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req, srv) => otherRoutes.fetch(req, srv.requestIP(req)?.address) });
otherRoutes.answerAs(["node-b", `127.0.0.1:${other.port}`]);
afterAll(() => Promise.all([server.stop(true), other.stop(true)]));
const base = `http://${address}`;
const otherBase = `http://127.0.0.1:${other.port}`;

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

test("a request signed for one node is refused by another node of the cluster", async () => {
  const v = verifier();
  const forB = v.verify("POST", "/internal/x", headersAt(Date.now(), nonceOf("for-b"), "POST", "/internal/x", body, SECRET, "node-b"), body);
  expect(forB).toEqual({ ok: false, reason: "the request was signed for node 'node-b', not for this node ('node-a')", misdirected: "node-a" });
  // Without the secret, a caller learns nothing of this node's name.
  const stranger = v.verify("POST", "/internal/x", headersAt(Date.now(), nonceOf("stranger"), "POST", "/internal/x", body, "not-the-secret", "node-b"), body);
  expect(stranger).toEqual({ ok: false, reason: "the signature does not match (a different cluster secret?)" });
  // A request captured on its way to the first node, replayed to the second: refused there.
  const headers = signHeaders(SECRET, "POST", "/internal/echo", address, body);
  const replayed = await fetch(`${otherBase}/internal/echo`, { method: "POST", headers, body });
  expect(replayed.status).toBe(401);
  expect(((await replayed.json()) as any).error.message).toBe(`internal route refused: the request was signed for node '${address}', not for this node ('node-b' at '127.0.0.1:${other.port}')`);
  const original = await fetch(`${base}/internal/echo`, { method: "POST", headers, body });
  expect([...new Uint8Array(await original.arrayBuffer())]).toEqual([...body].reverse());
  // The client signs for the node it names; by default for the host:port it calls.
  const rpc = new Rpc({ secret: SECRET });
  expect((await failure(rpc.call(otherBase, "/internal/echo", body, { to: address }))).code).toBe("unauthorized");
  expect([...(await rpc.call(otherBase, "/internal/echo", body, { to: "node-b" }))]).toEqual([...body].reverse());
  expect([...(await rpc.call(otherBase, "/internal/echo", body))]).toEqual([...body].reverse());
});

/** A request whose body streams `chunks` pieces of 64 KiB, counting the bytes the receiver pulls. */
function streamed(path: string, chunks: number, headers: Record<string, string> | Headers = {}) {
  const piece = new Uint8Array(64 * 1024).fill(7);
  const pulled = { bytes: 0 };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(ctl) {
        if (sent === chunks) return ctl.close();
        sent++;
        pulled.bytes += piece.byteLength;
        ctl.enqueue(piece);
      },
    },
    { highWaterMark: 0 },
  );
  const req = new Request(`${base}${path}`, { method: "POST", headers, body: stream, duplex: "half" } as RequestInit);
  return { req, pulled };
}

test("an unsigned or forged request is refused before its body is read", async () => {
  const unsigned = streamed("/internal/echo", 256); // 16 MiB offered
  const res = await routes.fetch(unsigned.req, "a test");
  expect(res.status).toBe(401);
  expect(unsigned.pulled.bytes).toBe(0);
  // Well-formed headers with a fresh timestamp but a made-up signature: refused from the headers alone.
  const forged = new Headers(signHeaders(SECRET, "POST", "/internal/echo", address, body));
  forged.set(SIGNATURE_HEADERS.sig, "ab".repeat(32));
  const fake = streamed("/internal/echo", 256, forged);
  const fakeRes = await routes.fetch(fake.req, "a test");
  expect(fakeRes.status).toBe(401);
  expect(((await fakeRes.json()) as any).error.message).toBe("internal route refused: the signature does not match (a different cluster secret?)");
  expect(fake.pulled.bytes).toBe(0);
  const malformed = new Headers(signHeaders(SECRET, "POST", "/internal/echo", address, body));
  malformed.set(SIGNATURE_HEADERS.nonce, "not-a-nonce");
  expect(((await (await routes.fetch(streamed("/internal/echo", 1, malformed).req)).json()) as any).error.message).toBe("internal route refused: the request's x-floe-* headers are malformed");
});

test("a signed body over its route's limit is refused with 413 while it streams in", async () => {
  const piece = new Uint8Array(64 * 1024).fill(7);
  const bytes = new Uint8Array(piece.byteLength * 32); // 2 MiB: over the 1 MiB of a control route
  bytes.fill(7);
  const over = streamed("/internal/echo", 32, signHeaders(SECRET, "POST", "/internal/echo", address, bytes));
  const res = await routes.fetch(over.req, "a test");
  expect(res.status).toBe(413);
  expect(((await res.json()) as any).error).toMatchObject({ code: "too_large", message: "the body of /internal/echo is over its limit of 1048576 bytes" });
  expect(over.pulled.bytes).toBeLessThanOrEqual(1024 * 1024 + piece.byteLength);
  expect(logs.at(-1)).toBe("refused POST /internal/echo from a test: the body of /internal/echo is over its limit of 1048576 bytes");
  // A declared length over the limit is refused without reading.
  const declared = streamed("/internal/echo", 32, { ...signHeaders(SECRET, "POST", "/internal/echo", address, bytes), "content-length": String(bytes.byteLength) });
  expect((await routes.fetch(declared.req)).status).toBe(413);
  expect(declared.pulled.bytes).toBe(0);
  // A data route (a frame directory, chunks, models) takes it.
  const data = streamed("/internal/frame", 32, signHeaders(SECRET, "POST", "/internal/frame", address, bytes));
  expect(await (await routes.fetch(data.req)).json()).toEqual({ bytes: bytes.byteLength });
});

test("a join through an address the node does not advertise is signed again for the name it answers with", async () => {
  const stats = () => ({ num_cpus: 1, sys_load: 0, free_mem: 1, max_mem: 1, num_keys: 0, pid: process.pid, uptime_ms: 0 });
  const rpc = new Rpc({ secret: SECRET });
  const seedLogs: string[] = [];
  const seedRoutes = new InternalRoutes(new Verifier(SECRET), (line) => seedLogs.push(line));
  const seedServer = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => seedRoutes.fetch(req, "the joiner") });
  // The seed advertises a name peers would reach it by; the joiner is given its IP address.
  const seed = new Membership({ clusterName: "floe", version: "1", self: { name: "seed", url: `http://seed.example:${seedServer.port}` }, rpc, routes: seedRoutes, stats, log: () => {} });
  const joinerRoutes = new InternalRoutes(new Verifier(SECRET), () => {});
  const joiner = new Membership({ clusterName: "floe", version: "1", self: { name: "joiner", url: "http://127.0.0.1:1" }, rpc, routes: joinerRoutes, stats, log: () => {} });
  try {
    await joiner.join(`127.0.0.1:${seedServer.port}`);
    expect(seed.all().map((m) => m.name)).toEqual(["joiner", "seed"]);
    expect(seedLogs[0]).toBe(
      `refused POST /internal/join from the joiner: the request was signed for node '127.0.0.1:${seedServer.port}', not for this node ('seed' at 'seed.example:${seedServer.port}')`,
    );
  } finally {
    await seedServer.stop(true);
  }
});
