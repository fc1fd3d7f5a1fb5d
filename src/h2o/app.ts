// H2O's REST API (the /3/, /4/ and /99/ routes H2O-3's Python client calls) as a Hono app
// over a floe node, mounted by `floe serve` on the same port as floe's own API. Each area is
// a route module; every failure leaves as H2O's error schema (errors.ts).

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Hono, type MiddlewareHandler } from "hono";
import { FloeError } from "../core/errors.ts";
import type { Source } from "../core/source.ts";
import type { ServerContext } from "../server/context.ts";
import { DEFAULT_H2O_VERSION, H2OContext, type RouteModule } from "./context.ts";
import { h2oNotFound, h2oOnError } from "./errors.ts";
import { register as cloud } from "./routes/cloud.ts";
import { register as explain } from "./routes/explain.ts";
import { register as frames } from "./routes/frames.ts";
import { register as jobs } from "./routes/jobs.ts";
import { register as models } from "./routes/models.ts";
import { register as rapids } from "./routes/rapids.ts";
import { register as sql } from "./routes/sql.ts";

/** The path prefixes H2O's API lives under. */
export const H2O_PREFIXES = ["/3/", "/4/", "/99/"] as const;

export function isH2OPath(path: string): boolean {
  return H2O_PREFIXES.some((p) => path.startsWith(p));
}

const ROUTES: readonly RouteModule[] = [cloud, frames, jobs, rapids, models, explain, sql];

export interface H2OAppOptions {
  /** The server's bearer token, when it has one. */
  readonly authToken?: string;
  /** The H2O release /3/Cloud reports. */
  readonly version: string;
  /** The source to read for a path the client names, confined as the server confines imports. */
  readonly importSource: (path: string) => Source;
}

/** The H2O release to report: the one given (checked), else the client's rel-3.46.0. */
export function h2oVersion(given: string | undefined): string {
  if (given === undefined) return DEFAULT_H2O_VERSION;
  if (!/^\d+(\.\d+){1,4}$/.test(given)) throw new FloeError("invalid_argument", `--h2o-version '${given}' is not an H2O release number such as ${DEFAULT_H2O_VERSION}`);
  return given;
}

/**
 * Keyed digests compared in constant time, as the server's bearer check does: neither a
 * differing byte nor a differing length shows in the time taken.
 */
const DIGEST_KEY = randomBytes(32);
const digest = (s: string) => createHmac("sha256", DIGEST_KEY).update(s).digest();

/**
 * The server's token, as H2O's client can send it: `Authorization: Bearer <token>` (an
 * AuthBase that adds it), or HTTP Basic (`h2o.connect(auth=(user, token))`) whose password is
 * the token, whatever the user name.
 */
function tokenAuth(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) return next();
    const header = c.req.header("authorization") ?? "";
    let given: string | null = /^Bearer\s+(.+)$/i.exec(header)?.[1].trim() ?? null;
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
    if (given === null && basic !== undefined) {
      const decoded = Buffer.from(basic, "base64").toString("utf8");
      given = decoded.slice(decoded.indexOf(":") + 1);
    }
    if (given === null) throw new FloeError("unauthorized", "this floe server needs its token: h2o.connect(..., auth=('user', '<token>')) or an 'Authorization: Bearer <token>' header");
    if (!timingSafeEqual(digest(given), digest(token))) throw new FloeError("unauthorized", "the token is not this server's");
    await next();
  };
}

export function createH2OApp(server: ServerContext, opts: H2OAppOptions): Hono {
  const ctx = new H2OContext(server, opts.version, opts.importSource);
  const app = new Hono();
  app.use("*", tokenAuth(opts.authToken));
  for (const register of ROUTES) register(app, ctx);
  app.onError(h2oOnError);
  app.notFound(h2oNotFound);
  return app;
}
