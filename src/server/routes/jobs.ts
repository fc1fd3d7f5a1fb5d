// /jobs: every long operation's progress, status and error; cancel.

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { jobKey } from "../../core/jobs.ts";
import type { ServerContext } from "../context.ts";
import { ERRORS, jsonResponse } from "../openapi.ts";
import { IdParam, JobSchema } from "../schemas.ts";
import { z } from "@hono/zod-openapi";
import { jobJson } from "../views.ts";

const list = createRoute({
  method: "get",
  path: "/jobs",
  tags: ["jobs"],
  summary: "All jobs, newest first",
  responses: { 200: jsonResponse(z.object({ jobs: z.array(JobSchema) }), "Jobs"), ...ERRORS },
});

const get = createRoute({
  method: "get",
  path: "/jobs/{id}",
  tags: ["jobs"],
  summary: "A job's progress, status and error",
  request: { params: IdParam },
  responses: { 200: jsonResponse(JobSchema, "The job"), ...ERRORS },
});

const cancel = createRoute({
  method: "post",
  path: "/jobs/{id}/cancel",
  tags: ["jobs"],
  summary: "Ask a job to stop; it ends 'cancelled' once it notices",
  request: { params: IdParam },
  responses: { 200: jsonResponse(JobSchema, "The job"), ...ERRORS },
});

export function jobRoutes(app: OpenAPIHono, ctx: ServerContext): void {
  const { store } = ctx.node;
  app.openapi(list, (c) => {
    const jobs = store
      .ids("job")
      .map((id) => store.need(jobKey(id)))
      .reverse();
    return c.json({ jobs: jobs.map(jobJson) }, 200);
  });
  app.openapi(get, (c) => c.json(jobJson(store.need(jobKey(c.req.valid("param").id))), 200));
  app.openapi(cancel, (c) => {
    const job = store.need(jobKey(c.req.valid("param").id));
    job.cancel();
    return c.json(jobJson(job), 200);
  });
}
