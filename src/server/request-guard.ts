// What keeps a web page in the user's browser from driving a floe server. A browser sends
// some cross-site requests without asking the server first ("simple" requests: a form's
// content types, or none) and lets a page whose DNS name was rebound to 127.0.0.1 talk to a
// local server as its own origin. So: on a loopback bind the Host must be a loopback name,
// the bound address or an --allowed-host; a state-changing request must come from the
// server's own origin when it names one, and must carry a type no form can send (JSON,
// binary) or floe's client header, which no page can add cross-site without a preflight.

import { FloeError } from "../core/errors.ts";

/** The header floe's own clients (CLI, UI, TypeScript client) send with every request. */
export const CLIENT_HEADER = "X-Floe-Client";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** The content types a page may send cross-site without a preflight (the Fetch standard's list). */
const SIMPLE_TYPES = new Set(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]);

export interface GuardOptions {
  /** The address the server is bound to (127.0.0.1, ::1, localhost, 0.0.0.0, ...). */
  readonly bindHost: string;
  /** Whether that address is a loopback one: only then is the Host header checked. */
  readonly loopback: boolean;
  /** "http" or "https". */
  readonly scheme: string;
  /** Names a reverse proxy reaches the server by (--allowed-host): accepted as Host and as Origin. */
  readonly allowedHosts: readonly string[];
  /**
   * Paths whose clients post forms (H2O's Python client: x-www-form-urlencoded or a bare
   * file body, no floe header). A request to one without an Origin header is not a page's:
   * browsers send Origin with every cross-site POST, PUT, PATCH and DELETE.
   */
  readonly formClientPath?: (path: string) => boolean;
}

/** host[:port] as a URL parses it (lower case, IPv6 in brackets), or null when it is not one. */
function parseHost(value: string): { hostname: string; host: string } | null {
  if (!/^[^\s/?#@\\]+$/.test(value)) return null;
  try {
    const { hostname, host } = new URL(`http://${value}`);
    return { hostname, host };
  } catch {
    return null;
  }
}

function bracketed(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host.toLowerCase();
}

/** Checks requests against the server's names; build once per server. */
export function requestGuard(opts: GuardOptions): (req: Request) => FloeError | null {
  const allowed = new Set(opts.allowedHosts.map((h) => bracketed(h.toLowerCase())));
  const loopbackName = (hostname: string) => hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === bracketed(opts.bindHost);

  return (req) => {
    const hostHeader = req.headers.get("host") ?? "";
    const host = parseHost(hostHeader);
    if (opts.loopback && !(host && (loopbackName(host.hostname) || allowed.has(host.hostname)))) {
      return new FloeError(
        "forbidden",
        `Host '${hostHeader}' is not a name this server answers to (it listens on loopback ${opts.bindHost}): use localhost or 127.0.0.1, or start it with --allowed-host NAME`,
      );
    }
    if (!STATE_CHANGING.has(req.method)) return null;
    const origin = req.headers.get("origin");
    if (origin !== null) {
      let from: URL | null = null;
      try {
        from = new URL(origin);
      } catch {}
      const own = from !== null && host !== null && from.protocol === `${opts.scheme}:` && from.host === host.host;
      if (!own && !(from && allowed.has(from.hostname))) {
        return new FloeError("forbidden", `cross-site request from origin '${origin}' refused: only pages of this server (or an --allowed-host) may change its state`);
      }
    }
    if (origin === null && opts.formClientPath?.(new URL(req.url).pathname)) return null;
    const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if ((type === "" || SIMPLE_TYPES.has(type)) && !req.headers.has(CLIENT_HEADER)) {
      return new FloeError(
        "forbidden",
        `a ${req.method} ${type ? `with content type ${type}` : "without a body type"} could come from any web page: send JSON or binary, or add the header '${CLIENT_HEADER}: 1'`,
      );
    }
    return null;
  };
}
