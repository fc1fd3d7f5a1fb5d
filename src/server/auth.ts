// Bearer-token authentication: with a token configured, every API route but the health
// check needs `Authorization: Bearer <token>`. The comparison takes the same time
// whatever the guess, so the token cannot be found a byte at a time, nor its length told.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { FloeError } from "../core/errors.ts";

/**
 * Compares keyed digests (HMAC-SHA-256 under a key drawn per process) rather than the
 * strings: both sides are 32 bytes whatever the guess, so neither a differing byte nor a
 * differing length shows in the time taken.
 */
const DIGEST_KEY = randomBytes(32);
const digest = (s: string) => createHmac("sha256", DIGEST_KEY).update(s).digest();

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Refuses requests without the token, except to the paths in `open`. */
export function bearerAuth(token: string | undefined, open: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined || open.includes(c.req.path)) return next();
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) throw new FloeError("unauthorized", "this floe server needs a token: send 'Authorization: Bearer <token>'");
    if (!sameSecret(match[1].trim(), token)) throw new FloeError("unauthorized", "the token is not this server's");
    await next();
  };
}
