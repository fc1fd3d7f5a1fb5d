// The server side of node-to-node calls: POST /internal/<name> routes, each behind the
// signature check. A request that is unsigned, signed with another secret, stale or replayed
// gets 401 and a log line naming the peer; handlers see only verified requests, with the
// body already read (the signature covers it).

import { asFloeError, FloeError, HTTP_STATUS } from "../core/errors.ts";
import type { Verifier } from "./signing.ts";

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

  /** Answers one request to /internal/*; `peer` (the remote address) names the caller in refusal logs. */
  async fetch(req: Request, peer = "unknown peer"): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname + url.search;
    let body: Uint8Array;
    try {
      body = new Uint8Array(await req.arrayBuffer());
    } catch (err) {
      return errorAnswer(new FloeError("bad_input", `cannot read the request body: ${asFloeError(err).message}`));
    }
    const check = this.verifier.verify(req.method, path, req.headers, body);
    if (!check.ok) {
      this.log(`refused ${req.method} ${url.pathname} from ${peer}: ${check.reason}`);
      return errorAnswer(new FloeError("unauthorized", `internal route refused: ${check.reason}`));
    }
    const name = url.pathname.startsWith(INTERNAL_PREFIX) ? url.pathname.slice(INTERNAL_PREFIX.length) : "";
    const handler = this.handlers.get(name);
    if (req.method !== "POST" || !handler) return errorAnswer(new FloeError("not_found", `no internal route ${req.method} ${url.pathname}`));
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
