// The client side of node-to-node calls: a signed POST to a peer's /internal/ route over
// HTTP or HTTPS, its answer as bytes or JSON, and every failure as a FloeError — a peer
// that does not answer is `unavailable` (details.unreachable), an error answer keeps the
// peer's own code and message. Each call is signed for the node it goes to, so no other
// node accepts it.

import { codeOfStatus, FloeError, isErrorCode } from "../core/errors.ts";
import { signHeaders } from "./signing.ts";

export interface CallOptions {
  /** Aborting it abandons the call with a `cancelled` error. */
  signal?: AbortSignal;
  /** No answer within this many ms is an `unavailable` error (default: wait as long as the connection lives). */
  timeoutMs?: number;
  /** The body's content type (default application/octet-stream; JSON for `json`). */
  contentType?: string;
  /** The node the call is signed for: its name (default: the host:port of the URL called). */
  to?: string;
}

const encoder = new TextEncoder();

export class Rpc {
  private readonly secret: string;
  private readonly tls?: { ca: string };

  /** `tls.ca`: the PEM the peers' certificates are checked against (with TLS, peers share one certificate). */
  constructor(opts: { secret: string; tls?: { ca: string } }) {
    this.secret = opts.secret;
    this.tls = opts.tls;
  }

  /** POSTs `body` to `${baseUrl}${path}` (path under /internal/), signed; resolves to the answer's body. */
  async call(baseUrl: string, path: string, body: Uint8Array | string = new Uint8Array(0), opts: CallOptions = {}): Promise<Uint8Array> {
    const bytes = typeof body === "string" ? encoder.encode(body) : body;
    const to = opts.to ?? new URL(baseUrl).host;
    const headers = { ...signHeaders(this.secret, "POST", path, to, bytes), "content-type": opts.contentType ?? "application/octet-stream" };
    const timeout = opts.timeoutMs === undefined ? undefined : AbortSignal.timeout(opts.timeoutMs);
    const signals = [opts.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const init: BunFetchRequestInit = { method: "POST", headers, body: bytes, signal: signals.length ? AbortSignal.any(signals) : undefined };
    // Peers hold one shared certificate, so its chain is what proves a peer; the host name a
    // peer is reached by need not be among the certificate's names.
    if (this.tls) init.tls = { ca: this.tls.ca, checkServerIdentity: () => undefined };
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, init);
    } catch (err) {
      if (opts.signal?.aborted) throw new FloeError("cancelled", `call to ${baseUrl}${path} cancelled`);
      if (timeout?.aborted) throw new FloeError("unavailable", `node ${baseUrl} did not answer ${path} within ${opts.timeoutMs} ms`, { url: baseUrl, unreachable: true, timeout: true });
      throw unreachable(baseUrl, err);
    }
    let answer: Uint8Array;
    try {
      answer = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      if (opts.signal?.aborted) throw new FloeError("cancelled", `call to ${baseUrl}${path} cancelled`);
      throw unreachable(baseUrl, err);
    }
    if (!res.ok) throw errorOf(res.status, answer, baseUrl);
    return answer;
  }

  /** `call` with a JSON body (`undefined` sends none) and a JSON answer. */
  async json<T>(baseUrl: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
    const text = body === undefined ? "" : JSON.stringify(body);
    const answer = await this.call(baseUrl, path, text, { contentType: "application/json", ...opts });
    try {
      return JSON.parse(new TextDecoder().decode(answer)) as T;
    } catch {
      throw new FloeError("internal", `node ${baseUrl} answered ${path} with something that is not JSON`);
    }
  }
}

function unreachable(baseUrl: string, err: unknown): FloeError {
  const e = err as { code?: string; message?: string };
  const why = e?.code === "ConnectionRefused" || e?.code === "ECONNREFUSED" ? "connection refused" : (e?.message ?? String(err)).split("\n")[0];
  return new FloeError("unavailable", `cannot reach node ${baseUrl}: ${why}`, { url: baseUrl, unreachable: true });
}

/** A peer's error answer as a FloeError: its {error:{code,message,details}}, else its status. */
function errorOf(status: number, body: Uint8Array, baseUrl: string): FloeError {
  let wire: { error?: { code?: unknown; message?: unknown; details?: Record<string, unknown> } } | null = null;
  try {
    wire = JSON.parse(new TextDecoder().decode(body));
  } catch {
    wire = null;
  }
  const err = wire?.error;
  const own = err?.code;
  const code = isErrorCode(own) ? own : codeOfStatus(status);
  const message = typeof err?.message === "string" ? err.message : `node ${baseUrl} answered HTTP ${status}`;
  return new FloeError(code, message, { ...err?.details, url: baseUrl, status });
}
