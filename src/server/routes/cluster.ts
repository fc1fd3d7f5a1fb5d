// /health, /cluster and /shutdown: is the node up, what it is, and stopping it.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { freemem, loadavg, totalmem, availableParallelism } from "node:os";
import { VERSION } from "../../version.ts";
import type { ServerContext } from "../context.ts";
import { ERRORS, jsonResponse } from "../openapi.ts";
import { ClusterSchema } from "../schemas.ts";

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["cluster"],
  summary: "Liveness (needs no token)",
  responses: { 200: jsonResponse(z.object({ status: z.literal("ok"), version: z.string() }), "The node is up") },
});

const cluster = createRoute({
  method: "get",
  path: "/cluster",
  tags: ["cluster"],
  summary: "Cluster status: the nodes with H2O's fields",
  responses: { 200: jsonResponse(ClusterSchema, "Cluster status"), ...ERRORS },
});

const shutdown = createRoute({
  method: "post",
  path: "/shutdown",
  tags: ["cluster"],
  summary: "Cancel running jobs and stop the node",
  responses: { 202: jsonResponse(z.object({ status: z.literal("shutting_down") }), "Stopping"), ...ERRORS },
});

export function clusterRoutes(app: OpenAPIHono, ctx: ServerContext): void {
  app.openapi(health, (c) => c.json({ status: "ok" as const, version: VERSION }, 200));
  app.openapi(cluster, (c) => {
    const now = Date.now();
    const { store } = ctx.node;
    const node = {
      name: ctx.name,
      ip_port: ctx.address,
      healthy: true,
      last_ping: now,
      num_cpus: availableParallelism(),
      sys_load: loadavg()[0],
      free_mem: freemem(),
      max_mem: totalmem(),
      num_keys: store.ids("frame").length + store.ids("model").length + store.ids("job").length,
      pid: process.pid,
      version: VERSION,
      uptime_ms: now - ctx.startedAt,
    };
    return c.json({ cluster_name: ctx.name, version: VERSION, cloud_size: 1, cloud_healthy: true, nodes: [node] }, 200);
  });
  app.openapi(shutdown, (c) => {
    // After this response has gone out.
    setTimeout(ctx.shutdown, 10);
    return c.json({ status: "shutting_down" as const }, 202);
  });
}
