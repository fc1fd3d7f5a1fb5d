// The server side of node-to-node calls: POST /internal/<name> routes, each behind the
// signature check. The signature headers are checked before the body is read, so an
// unsigned, forged, stale, replayed or misdirected request costs no memory: it gets 401 and
// a log line naming the peer. A signed body is then read up to its route's limit (413
// beyond it) and checked against the signed digest; handlers see only verified bodies.

import { asFloeError, FloeError, HTTP_STATUS } from "../core/errors.ts";
import { internalBodyLimit } from "./limits.ts";
import type { Refusal, Verifier } from "./signing.ts";

/** Gets the verified raw body; answers bytes (octet-stream), a plain object (JSON) or a Response. */
export type InternalHandler = (body: Uint8Array, req: Request) => Promise<Response | Uint8Array | object> | Response | Uint8Array | object;

export const INTERNAL_PREFIX = "/internal/";

function errorAnswer(err: FloeError): Response {
  const body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
  return Response.json(body, { status: HTTP_STATUS[err.code] });
}

export class InternalRoutes {
  private readonly handlers = new Map<string, InternalHandler>();

  constructor(
    private readonly verifier: Verifier,
    private readonly log: (line: string) => void,
  ) {}

  /** Registers POST /internal/<name>; a second handler for a name replaces the first. */
  on(name: string, handler: InternalHandler): void {
    this.handlers.set(name, handler);
  }

  /** The names requests must be signed for: this node's name, then its advertised host:port. */
  answerAs(names: readonly string[]): void {
    this.verifier.answerAs(names);
  }

  /** Answers one request to /internal/*; `peer` (the remote address) names the caller in refusal logs. */
  async fetch(req: Request, peer = "unknown peer"): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname + url.search;
    const refuse = (refusal: Refusal) => {
      this.log(`refused ${req.method} ${url.pathname} from ${peer}: ${refusal.reason}`);
      const details = refusal.misdirected === undefined ? undefined : { node: refusal.misdirected, misdirected: true };
      return errorAnswer(new FloeError("unauthorized", `internal route refused: ${refusal.reason}`, details));
    };
    const head = this.verifier.checkHeaders(req.method, path, req.headers);
    if (!head.ok) return refuse(head);
    const name = url.pathname.startsWith(INTERNAL_PREFIX) ? url.pathname.slice(INTERNAL_PREFIX.length) : "";
    const handler = this.handlers.get(name);
    if (req.method !== "POST" || !handler) return errorAnswer(new FloeError("not_found", `no internal route ${req.method} ${url.pathname}`));
    let body: Uint8Array;
    try {
      body = await readCapped(req, internalBodyLimit(name), url.pathname);
    } catch (err) {
      const e = asFloeError(err);
      if (e.code === "too_large") this.log(`refused ${req.method} ${url.pathname} from ${peer}: ${e.message}`);
      return errorAnswer(e.code === "too_large" ? e : new FloeError("bad_input", `cannot read the request body: ${e.message}`));
    }
    const check = this.verifier.checkBody(head.digest, body);
    if (!check.ok) return refuse(check);
    try {
      const out = await handler(body, req);
      if (out instanceof Response) return out;
      if (out instanceof Uint8Array) return new Response(out, { headers: { "content-type": "application/octet-stream" } });
      return Response.json(out);
    } catch (err) {
      const e = asFloeError(err);
      if (e.code === "internal") this.log(`internal error in ${url.pathname}: ${(err as Error)?.stack ?? e.message}`);
      return errorAnswer(e);
    }
  }
}

/** The body of `req`, read as it streams in and refused (too_large) once it passes `limit` bytes. */
async function readCapped(req: Request, limit: number, what: string): Promise<Uint8Array> {
  const tooLarge = () => new FloeError("too_large", `the body of ${what} is over its limit of ${limit} bytes`, { limit });
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw tooLarge();
  if (!req.body) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.byteLength;
  }
  return body;
}
