// /jobs: every long operation's progress, status and error; cancel; delete a finished one.
// Finished jobs are also dropped by the node's retention rule (--keep-jobs, --job-ttl).

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { FloeError } from "../../core/errors.ts";
import { jobKey } from "../../core/jobs.ts";
import { waitFor } from "../cluster-link.ts";
import type { ServerContext } from "../context.ts";
import { CONFLICT, ERRORS, jsonResponse } from "../openapi.ts";
import { DeletedResult, JobSchema } from "../../api/schemas.ts";
import { IdParam } from "../schemas.ts";
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

const remove = createRoute({
  method: "delete",
  path: "/jobs/{id}",
  tags: ["jobs"],
  summary: "Delete a finished job's record (a running job must be cancelled first: 409)",
  request: { params: IdParam },
  responses: { 200: jsonResponse(DeletedResult, "Deleted"), ...CONFLICT, ...ERRORS },
});

export function jobRoutes(app: OpenAPIHono, ctx: ServerContext): void {
  const { store } = ctx.node;
  app.openapi(list, async (c) => {
    // Jobs past their time to live go now, not only when the next one starts or ends.
    ctx.node.jobs.prune();
    const jobs = store
      .ids("job")
      .map((id) => jobJson(store.need(jobKey(id))))
      .reverse();
    // A cluster member lists the other members' jobs too.
    if (ctx.link) jobs.push(...(await ctx.link.remoteJobs()).reverse());
    return c.json({ jobs }, 200);
  });
  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const { wait } = c.req.valid("query");
    const job = store.get(jobKey(id));
    if (!job) return c.json(await remote(id, wait ?? 0), 200);
    if (wait && !job.finished) await waitFor(job, wait);
    return c.json(jobJson(job), 200);
  });
  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid("param");
    const job = store.get(jobKey(id));
    if (!job) {
      if (!(await ctx.link?.cancelRemoteJob(id))) throw new FloeError("not_found", `no job '${id}'`);
      return c.json(await remote(id, 0), 200);
    }
    job.cancel();
    return c.json(jobJson(job), 200);
  });
  app.openapi(remove, (c) => {
    const { id } = c.req.valid("param");
    ctx.node.jobs.remove(id);
    return c.json({ deleted: id }, 200);
  });

  /** A job another cluster member runs. */
  async function remote(id: string, wait: number): Promise<ReturnType<typeof jobJson>> {
    const found = await ctx.link?.remoteJob(id, wait);
    if (!found) throw new FloeError("not_found", `no job '${id}'`);
    return found;
  }
}
