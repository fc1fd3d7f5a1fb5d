// H2O's error schema (H2OErrorV3): the client turns a 400/404/412 answer carrying it into
// H2OResponseError showing `msg`, so floe's message reaches the user as H2O's would.
// Translated once here, for every H2O route.

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { asFloeError, type ErrorCode, FloeError } from "../core/errors.ts";

/**
 * The HTTP status of each floe error at H2O's routes. The client raises H2OResponseError
 * (with the message) only for 400, 404 and 412; anything else shows as a bare server
 * error, so every mistake in the request is a 400, as H2O answers an IllegalArgument.
 */
const H2O_STATUS: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  invalid_argument: 400,
  bad_input: 400,
  unsupported: 400,
  conflict: 400,
  cancelled: 400,
  too_large: 413,
  not_found: 404,
  unauthorized: 401,
  // A path outside --data-root: the client shows the message only for 400/404/412.
  forbidden: 400,
  internal: 500,
  unavailable: 503,
};

/** H2O's exception class names, which the client prints as "Server error <type>". */
const EXCEPTION_TYPE: Partial<Record<ErrorCode, string>> = {
  not_found: "water.exceptions.H2OKeyNotFoundArgumentException",
  unsupported: "water.exceptions.H2ONotFoundArgumentException",
  internal: "java.lang.RuntimeException",
};

export function h2oErrorJson(err: FloeError, path: string) {
  return {
    __meta: { schema_version: 3, schema_name: "H2OErrorV3", schema_type: "H2OError" },
    timestamp: Date.now(),
    error_url: path,
    msg: err.message,
    dev_msg: err.message,
    http_status: H2O_STATUS[err.code],
    values: err.details ?? {},
    exception_type: EXCEPTION_TYPE[err.code] ?? "water.exceptions.H2OIllegalArgumentException",
    exception_msg: err.message,
    stacktrace: [] as string[],
  };
}

export function h2oErrorResponse(c: Context, err: FloeError): Response {
  const headers: Record<string, string> = err.code === "unauthorized" ? { "WWW-Authenticate": 'Basic realm="floe", Bearer realm="floe"' } : {};
  return c.json(h2oErrorJson(err, c.req.path), H2O_STATUS[err.code], headers);
}

export function h2oOnError(err: Error, c: Context): Response {
  const e = asFloeError(err);
  if (e.code === "internal") console.error(err);
  return h2oErrorResponse(c, e);
}

/** Routes of H2O's API that floe does not implement: named, so the user sees what is missing. */
export function h2oNotFound(c: Context): Response {
  return h2oErrorResponse(c, new FloeError("unsupported", `${c.req.method} ${c.req.path} of H2O's REST API is not supported by floe`));
}
