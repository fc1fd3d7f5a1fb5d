// Errors at the HTTP edge: every failure leaves as `{error: {code, message, details?}}`
// with the status its code means. Translated once here (Hono's onError), never per route.

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { asFloeError, type ErrorCode, FloeError, HTTP_STATUS } from "../core/errors.ts";

export function statusOf(code: ErrorCode): ContentfulStatusCode {
  return HTTP_STATUS[code] as ContentfulStatusCode;
}

function errorBody(err: FloeError) {
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
}

export function errorResponse(c: Context, err: FloeError): Response {
  const headers: Record<string, string> = err.code === "unauthorized" ? { "WWW-Authenticate": 'Bearer realm="floe"' } : {};
  return c.json(errorBody(err), statusOf(err.code), headers);
}

/** The same answer outside the Hono app (requests refused before it sees them). */
export function bareErrorResponse(err: FloeError): Response {
  return Response.json(errorBody(err), { status: statusOf(err.code) });
}

/** Hono's error handler: FloeErrors keep their code; Hono's own (malformed JSON) become bad_input. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof HTTPException) {
    const code: ErrorCode = err.status === 401 ? "unauthorized" : err.status === 413 ? "too_large" : err.status === 404 ? "not_found" : "bad_input";
    return errorResponse(c, new FloeError(code, err.message || `request failed with status ${err.status}`));
  }
  const e = asFloeError(err);
  if (e.code === "internal") console.error(err);
  return errorResponse(c, e);
}

export function notFound(c: Context): Response {
  return errorResponse(c, new FloeError("not_found", `no route ${c.req.method} ${new URL(c.req.url).pathname}`));
}
