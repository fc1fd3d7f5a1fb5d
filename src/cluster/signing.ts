// Signatures on node-to-node requests: HMAC-SHA256 with the cluster secret over the method,
// the path, a timestamp, a nonce and the body's SHA-256. The timestamp bounds how long a
// captured request stays usable; the nonce, remembered for that long, refuses its replay.

import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADERS = { ts: "x-floe-timestamp", nonce: "x-floe-nonce", sig: "x-floe-signature" } as const;

/** How far a request's timestamp may stray from the receiver's clock (ms). */
export const DEFAULT_WINDOW_MS = 30_000;

function signature(secret: string, method: string, path: string, ts: string, nonce: string, body: Uint8Array): string {
  const digest = createHash("sha256").update(body).digest("hex");
  return createHmac("sha256", secret).update(`${method.toUpperCase()}\n${path}\n${ts}\n${nonce}\n${digest}`).digest("hex");
}

/** The three headers that sign one request; `path` is the URL's path (with its query, if any). */
export function signHeaders(secret: string, method: string, path: string, body: Uint8Array): Record<string, string> {
  const ts = String(Date.now());
  const nonce = randomBytes(16).toString("hex");
  return {
    [SIGNATURE_HEADERS.ts]: ts,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.sig]: signature(secret, method, path, ts, nonce, body),
  };
}

/** Checks signed requests: refuses missing headers, a wrong signature, a stale timestamp and a replayed nonce. */
export class Verifier {
  /** Nonces accepted, with the time after which their timestamp is refused anyway. */
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  constructor(
    private readonly secret: string,
    private readonly windowMs = DEFAULT_WINDOW_MS,
  ) {}

  verify(method: string, path: string, headers: Headers, body: Uint8Array): { ok: true } | { ok: false; reason: string } {
    const ts = headers.get(SIGNATURE_HEADERS.ts);
    const nonce = headers.get(SIGNATURE_HEADERS.nonce);
    const sig = headers.get(SIGNATURE_HEADERS.sig);
    if (ts === null || nonce === null || sig === null) return { ok: false, reason: "the request is not signed (missing x-floe-* headers)" };
    const expected = Buffer.from(signature(this.secret, method, path, ts, nonce, body), "hex");
    const given = Buffer.from(sig, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: "the signature does not match (a different cluster secret?)" };
    }
    const now = Date.now();
    const when = Number(ts);
    if (!Number.isFinite(when) || Math.abs(now - when) > this.windowMs) {
      return { ok: false, reason: `the timestamp is more than ${this.windowMs / 1000} s away from this node's clock` };
    }
    this.sweep(now);
    if (this.seen.has(nonce)) return { ok: false, reason: "the nonce was already used (a replayed request)" };
    this.seen.set(nonce, when + this.windowMs);
    return { ok: true };
  }

  /** Forgets nonces whose timestamps would now be refused, at most once per window. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.windowMs;
    for (const [nonce, until] of this.seen) if (until < now) this.seen.delete(nonce);
  }
}
