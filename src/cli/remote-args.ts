// The flags that point a command at a floe server (--url, --token) and the client they
// make. Kept apart from remote.ts so commands declare the flags without loading it.

import type { ArgsDef } from "citty";
import { FloeClient } from "../client/client.ts";
import { FloeError } from "../core/errors.ts";

export const remoteArgs = {
  url: { type: "string", description: "run on the floe server at this address instead of in-process", valueHint: "http://host:port" },
  token: { type: "string", description: "the server's auth token (default: $FLOE_AUTH_TOKEN)", valueHint: "token" },
} as const satisfies ArgsDef;

export interface RemoteFlags {
  url?: string;
  token?: string;
}

/** A client of the server --url names, with --token or else $FLOE_AUTH_TOKEN, the variable `floe serve` reads too. */
export function clientFromArgs(args: RemoteFlags): FloeClient {
  if (!args.url) throw new FloeError("invalid_argument", "--url is required (the floe server's address, e.g. http://127.0.0.1:54321)");
  try {
    return new FloeClient(args.url, { token: args.token ?? (process.env.FLOE_AUTH_TOKEN || undefined) });
  } catch (err) {
    throw err instanceof FloeError ? new FloeError(err.code, `--url ${err.message}`) : err;
  }
}
