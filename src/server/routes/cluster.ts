// /health, /cluster and /shutdown: is the node up, what the cluster's nodes are, and
// stopping it.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ClusterSchema, HealthSchema } from "../../api/schemas.ts";
import type { Member } from "../../cluster/membership.ts";
import { VERSION } from "../../version.ts";
import type { ServerContext } from "../context.ts";
import { ERRORS, jsonResponse } from "../openapi.ts";

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["cluster"],
  summary: "Liveness (needs no token)",
  responses: { 200: jsonResponse(HealthSchema, "The node is up") },
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
    // A standalone node is a cluster of one, named as the cluster.
    const members: readonly Member[] = ctx.cluster?.membership.all() ?? [{ name: ctx.name, url: `http://${ctx.address}`, incarnation: "", state: "healthy", lastPing: Date.now(), stats: ctx.stats() }];
    const nodes = members.map((m) => ({
      name: m.name,
      ip_port: new URL(m.url).host,
      healthy: m.state === "healthy",
      state: m.state,
      last_ping: m.lastPing,
      ...m.stats,
      // Members of one cluster run one floe version: joining refuses any other.
      version: VERSION,
    }));
    const live = members.filter((m) => m.state !== "dead");
    const traffic = ctx.link ? Object.fromEntries(ctx.link.transport.traffic) : undefined;
    return c.json({ cluster_name: ctx.name, version: VERSION, cloud_size: live.length, cloud_healthy: live.every((m) => m.state === "healthy"), nodes, traffic }, 200);
  });
  app.openapi(shutdown, (c) => {
    // After this response has gone out.
    setTimeout(ctx.shutdown, 10);
    return c.json({ status: "shutting_down" as const }, 202);
  });
}
