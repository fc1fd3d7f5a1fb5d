// Signatures on node-to-node requests: HMAC-SHA256 with the cluster secret over the method,
// the path, a timestamp, a nonce, the destination node and the body's SHA-256. The body's
// digest travels as a header too, so a request is authenticated from its headers alone,
// before a byte of its body is read; the body is then checked against the signed digest.
// The timestamp bounds how long a captured request stays usable, the nonce (remembered for
// that long) refuses its replay, and the destination refuses it at any other node.

import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADERS = {
  ts: "x-floe-timestamp",
  nonce: "x-floe-nonce",
  to: "x-floe-to",
  digest: "x-floe-body-sha256",
  sig: "x-floe-signature",
} as const;

/** How far a request's timestamp may stray from the receiver's clock (ms). */
export const DEFAULT_WINDOW_MS = 30_000;

/** The longest destination name accepted (node names and host:port are far shorter). */
const MAX_DESTINATION_LENGTH = 256;

const HEX64 = /^[0-9a-f]{64}$/;
const NONCE = /^[0-9a-f]{32}$/;
const MILLIS = /^[0-9]{1,15}$/;

export function bodyDigest(body: Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}

function signature(secret: string, method: string, path: string, ts: string, nonce: string, to: string, digest: string): string {
  return createHmac("sha256", secret).update(`${method.toUpperCase()}\n${path}\n${ts}\n${nonce}\n${to}\n${digest}`).digest("hex");
}

/** The headers that sign one request to node `to`; `path` is the URL's path (with its query, if any). */
export function signHeaders(secret: string, method: string, path: string, to: string, body: Uint8Array): Record<string, string> {
  const ts = String(Date.now());
  const nonce = randomBytes(16).toString("hex");
  const digest = bodyDigest(body);
  return {
    [SIGNATURE_HEADERS.ts]: ts,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.to]: to,
    [SIGNATURE_HEADERS.digest]: digest,
    [SIGNATURE_HEADERS.sig]: signature(secret, method, path, ts, nonce, to, digest),
  };
}

export type Refusal = {
  ok: false;
  reason: string;
  /** Set when the request was signed for another node: this node's name. */
  misdirected?: string;
};

/**
 * Checks signed requests in two steps: `checkHeaders` before the body is read (missing or
 * malformed headers, a stale timestamp, another destination, a wrong signature, a replayed
 * nonce), then `checkBody` against the digest the signature covers.
 */
export class Verifier {
  /** Nonces accepted, with the time after which their timestamp is refused anyway. */
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;
  /** The destinations this node answers to; none until it knows its own name. */
  private names: readonly string[] = [];

  constructor(
    private readonly secret: string,
    private readonly windowMs = DEFAULT_WINDOW_MS,
  ) {}

  /** The names requests may be signed for: this node's name first, then its advertised host:port. */
  answerAs(names: readonly string[]): void {
    this.names = [...new Set(names)];
  }

  checkHeaders(method: string, path: string, headers: Headers): { ok: true; digest: string } | Refusal {
    const ts = headers.get(SIGNATURE_HEADERS.ts);
    const nonce = headers.get(SIGNATURE_HEADERS.nonce);
    const to = headers.get(SIGNATURE_HEADERS.to);
    const digest = headers.get(SIGNATURE_HEADERS.digest);
    const sig = headers.get(SIGNATURE_HEADERS.sig);
    if (ts === null || nonce === null || to === null || digest === null || sig === null) {
      return { ok: false, reason: "the request is not signed (missing x-floe-* headers)" };
    }
    if (!MILLIS.test(ts) || !NONCE.test(nonce) || !HEX64.test(digest) || !HEX64.test(sig) || to.length === 0 || to.length > MAX_DESTINATION_LENGTH) {
      return { ok: false, reason: "the request's x-floe-* headers are malformed" };
    }
    const now = Date.now();
    const when = Number(ts);
    if (Math.abs(now - when) > this.windowMs) {
      return { ok: false, reason: `the timestamp is more than ${this.windowMs / 1000} s away from this node's clock` };
    }
    const expected = Buffer.from(signature(this.secret, method, path, ts, nonce, to, digest), "hex");
    if (!timingSafeEqual(Buffer.from(sig, "hex"), expected)) {
      return { ok: false, reason: "the signature does not match (a different cluster secret?)" };
    }
    // Checked after the signature, so only a holder of the secret learns this node's name.
    if (this.names.length === 0) return { ok: false, reason: "this node does not know its own name yet" };
    if (!this.names.includes(to)) {
      return { ok: false, reason: `the request was signed for node '${to}', not for this node ('${this.names.join("' at '")}')`, misdirected: this.names[0] };
    }
    this.sweep(now);
    if (this.seen.has(nonce)) return { ok: false, reason: "the nonce was already used (a replayed request)" };
    this.seen.set(nonce, when + this.windowMs);
    return { ok: true, digest };
  }

  /** Whether the body read is the one the (already checked) headers signed. */
  checkBody(digest: string, body: Uint8Array): { ok: true } | Refusal {
    if (bodyDigest(body) !== digest) return { ok: false, reason: "the body does not match its signed digest" };
    return { ok: true };
  }

  /** Both checks at once, for a body already at hand. */
  verify(method: string, path: string, headers: Headers, body: Uint8Array): { ok: true } | Refusal {
    const head = this.checkHeaders(method, path, headers);
    return head.ok ? this.checkBody(head.digest, body) : head;
  }

  /** Forgets nonces whose timestamps would now be refused, at most once per window. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.windowMs;
    for (const [nonce, until] of this.seen) if (until < now) this.seen.delete(nonce);
  }
}
