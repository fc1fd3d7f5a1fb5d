// Small helpers for declaring routes: a JSON body, a JSON response, and the error
// responses every route may give, so each route lists only what is its own.

import { type z } from "@hono/zod-openapi";
import { ErrorSchema } from "../api/schemas.ts";

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { required: true, content: { "application/json": { schema } } } };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

const error = (description: string) => jsonResponse(ErrorSchema, description);

/** Failures only some routes give. */
export const FORBIDDEN = { 403: error("Outside what the server allows (a path outside --data-root, SQL under a data root)") } as const;
export const TOO_LARGE = { 413: error("The upload is over the server's limit") } as const;
export const CONFLICT = { 409: error("The id asked for is taken (or being written by a running job), or the job is still running") } as const;

/** The failures any route can answer with. */
export const ERRORS = {
  400: error("Invalid request: the message names the field or value"),
  401: error("Missing or wrong bearer token"),
  404: error("Unknown id, column or route"),
  500: error("A bug in floe"),
} as const;
