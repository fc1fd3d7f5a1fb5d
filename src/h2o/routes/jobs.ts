// /3/Jobs: the client's progress bars poll a job by key; the list feeds cluster().list_jobs().

import type { Hono } from "hono";
import { FloeError } from "../../core/errors.ts";
import { type Job, jobKey } from "../../core/jobs.ts";
import type { H2OContext } from "../context.ts";
import { h2oJobJson, localJobView } from "../jobs.ts";

const META = { schema_version: 3, schema_name: "JobsV3", schema_type: "Iced" };

export function register(app: Hono, ctx: H2OContext): void {
  const { store } = ctx.node;
  app.get("/3/Jobs", (c) => {
    const jobs = store
      .ids("job")
      .map((id) => h2oJobJson(localJobView(store.need(jobKey(id)) as Job)))
      .reverse();
    return c.json({ __meta: META, jobs });
  });
  app.get("/3/Jobs/:key", async (c) => {
    const id = c.req.param("key");
    const job = await ctx.job(id);
    if (!job) throw new FloeError("not_found", `Job '${id}' not found`);
    return c.json({ __meta: META, jobs: [h2oJobJson(job)] });
  });
  app.post("/3/Jobs/:key/cancel", async (c) => {
    const id = c.req.param("key");
    const job = store.get(jobKey(id));
    if (job) job.cancel();
    else if (!(await ctx.server.link?.cancelRemoteJob(id))) throw new FloeError("not_found", `Job '${id}' not found`);
    return c.json({ __meta: META, jobs: [] });
  });
}
