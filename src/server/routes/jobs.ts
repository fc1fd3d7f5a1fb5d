// /jobs: every long operation's progress, status and error; cancel.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { jobKey } from "../../core/jobs.ts";
import type { ServerContext } from "../context.ts";
import { ERRORS, jsonResponse } from "../openapi.ts";
import { IdParam, JobSchema } from "../schemas.ts";
import { jobJson } from "../views.ts";

const list = createRoute({
  method: "get",
  path: "/jobs",
  tags: ["jobs"],
  summary: "All jobs, newest first",
  responses: { 200: jsonResponse(z.object({ jobs: z.array(JobSchema) }), "Jobs"), ...ERRORS },
});

const WaitQuery = z.object({
  wait: z.coerce.number().min(0).max(300).optional().openapi({ description: "Seconds to wait for the job to end before answering (long poll)" }),
});

const get = createRoute({
  method: "get",
  path: "/jobs/{id}",
  tags: ["jobs"],
  summary: "A job's progress, status and error; with ?wait=S, answers when it ends or after S seconds",
  request: { params: IdParam, query: WaitQuery },
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
  app.openapi(get, async (c) => {
    const job = store.need(jobKey(c.req.valid("param").id));
    const { wait } = c.req.valid("query");
    if (wait && !job.finished) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait * 1000);
        const off = job.onChange((j) => j.finished && done());
        function done() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
    return c.json(jobJson(job), 200);
  });
  app.openapi(cancel, (c) => {
    const job = store.need(jobKey(c.req.valid("param").id));
    job.cancel();
    return c.json(jobJson(job), 200);
  });
}
