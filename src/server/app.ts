// The REST API v1 as a Hono app over a node: routes under /api/v1, bearer auth on all of
// them but the health check, request validation with one error shape, and the OpenAPI
// document generated from the same schemas.

import { OpenAPIHono } from "@hono/zod-openapi";
import { FloeError } from "../core/errors.ts";
import { VERSION } from "../version.ts";
import { bearerAuth } from "./auth.ts";
import type { ServerContext } from "./context.ts";
import { errorResponse, notFound, onError } from "./errors.ts";
import { automlRoutes } from "./routes/automl.ts";
import { clusterRoutes } from "./routes/cluster.ts";
import { frameRoutes } from "./routes/frames.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { modelRoutes } from "./routes/models.ts";

export const API_BASE = "/api/v1";

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
  clusterRoutes(api, ctx);
  frameRoutes(api, ctx);
  modelRoutes(api, ctx);
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
