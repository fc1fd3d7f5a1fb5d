// The REST API v1 as a Hono app over a node: routes under /api/v1, bearer auth on all of
// them but the health check, request validation with one error shape, and the OpenAPI
// document generated from the same schemas.

import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { FloeError } from "../core/errors.ts";
import { VERSION } from "../version.ts";
import { bearerAuth } from "./auth.ts";
import type { ServerContext } from "./context.ts";
import { errorResponse, notFound, onError } from "./errors.ts";
import { automlRoutes } from "./routes/automl.ts";
import { clusterRoutes } from "./routes/cluster.ts";
import { explainRoutes } from "./routes/explain.ts";
import { frameRoutes } from "./routes/frames.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { modelRoutes } from "./routes/models.ts";

export const API_BASE = "/api/v1";

/** The largest JSON request body: a request names frames, columns and parameters, never data. */
export const JSON_BODY_LIMIT = 1024 * 1024;
/** Routes whose body is a file, bounded by the server's upload limit instead. */
const UPLOAD_PATHS = new Set([`${API_BASE}/frames/upload`, `${API_BASE}/models/upload`]);

/** Refuses a JSON body over JSON_BODY_LIMIT by its declared length, or as it streams in, before anything parses it. */
function jsonBodyLimit(): MiddlewareHandler {
  const limited = bodyLimit({
    maxSize: JSON_BODY_LIMIT,
    onError: () => {
      throw new FloeError("too_large", `the request body is over ${JSON_BODY_LIMIT / 1024 ** 2} MiB (${JSON_BODY_LIMIT} bytes), the limit for JSON requests; send data as an upload`, {
        limit_bytes: JSON_BODY_LIMIT,
      });
    },
  });
  return (c, next) => (UPLOAD_PATHS.has(c.req.path) ? next() : limited(c, next));
}

/** A zod failure as one message naming the first field at fault, all of them in details. */
function validationError(issues: readonly { path: readonly PropertyKey[]; message: string }[], target: string): FloeError {
  const where = (path: readonly PropertyKey[]) => (path.length ? path.map(String).join(".") : target);
  const first = issues[0];
  return new FloeError("invalid_argument", `${target} field '${where(first.path)}': ${first.message}`, {
    issues: issues.map((i) => ({ field: where(i.path), message: i.message })),
  });
}

export function createApp(ctx: ServerContext, authToken: string | undefined): OpenAPIHono {
  const api = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const target = result.target === "json" ? "body" : result.target;
        return errorResponse(c, validationError(result.error.issues, target));
      }
    },
  });
  api.use("*", bearerAuth(authToken, [`${API_BASE}/health`]));
  api.use("*", jsonBodyLimit());
  clusterRoutes(api, ctx);
  frameRoutes(api, ctx);
  modelRoutes(api, ctx);
  explainRoutes(api, ctx);
  automlRoutes(api, ctx);
  jobRoutes(api, ctx);
  api.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "floe REST API", version: VERSION, description: "Frames, models, AutoML runs and jobs of a floe node. Errors are {error: {code, message, details?}}." },
    servers: [{ url: API_BASE }],
    security: authToken === undefined ? [] : [{ bearer: [] }],
  });
  api.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });

  const app = new OpenAPIHono();
  app.route(API_BASE, api);
  app.onError(onError);
  app.notFound(notFound);
  return app;
}
