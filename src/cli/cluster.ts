// `floe status` and `floe shutdown`: what a running floe server is (its nodes, their
// health, load and memory) and how to stop it, through the client.

import { defineCommand } from "citty";
import type { ClusterStatus } from "../api/types.ts";
import { FloeError } from "../core/errors.ts";
import { clientFromArgs, remoteArgs } from "./remote-args.ts";
import { action } from "./run.ts";
import { num, plainTable } from "../present/table.ts";
import { warn } from "./terminal.ts";
import { formatBytes } from "../core/memory.ts";

/** How long `floe shutdown` waits for the server to stop answering. */
const SHUTDOWN_WAIT_MS = 10_000;

const serverArgs = {
  ...remoteArgs,
  url: { ...remoteArgs.url, description: "the floe server's address", required: true },
} as const;

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The cluster as a header line and one table row per node, dead ones included. */
export function statusText(c: ClusterStatus): string {
  const health = c.cloud_healthy ? "healthy" : "UNHEALTHY";
  const dead = c.nodes.filter((n) => n.state === "dead").length;
  const head = ["node", "address", "healthy", "cpus", "load", "free mem", "max mem", "keys", "pid", "uptime"];
  const rows = c.nodes.map((n) => [
    n.name,
    n.ip_port,
    n.healthy ? "yes" : `NO (${n.state})`,
    num(n.num_cpus),
    num(n.sys_load),
    formatBytes(n.free_mem),
    formatBytes(n.max_mem),
    num(n.num_keys),
    num(n.pid),
    duration(n.uptime_ms),
  ]);
  const size = `${c.cloud_size} node${c.cloud_size === 1 ? "" : "s"}${dead ? ` (and ${dead} dead)` : ""}`;
  return `cluster ${c.cluster_name}: ${size}, ${health}, floe ${c.version}\n${plainTable(head, rows)}\n`;
}

/**
 * The status as `floe status --json` prints it: {name, version, nodes: [{address, healthy,
 * last_ping, num_cpus, sys_load, free_mem, num_keys, pid, ...}]}, then the cloud's size and health.
 */
export function statusJson(c: ClusterStatus): object {
  const nodes = c.nodes.map((n) => ({
    address: n.ip_port,
    healthy: n.healthy,
    last_ping: n.last_ping,
    num_cpus: n.num_cpus,
    sys_load: n.sys_load,
    free_mem: n.free_mem,
    num_keys: n.num_keys,
    pid: n.pid,
    name: n.name,
    state: n.state,
    max_mem: n.max_mem,
    version: n.version,
    uptime_ms: n.uptime_ms,
  }));
  return { name: c.cluster_name, version: c.version, nodes, cloud_size: c.cloud_size, cloud_healthy: c.cloud_healthy };
}

export const statusCommand = defineCommand({
  meta: { name: "status", description: "Print the status of a floe server's cluster: its nodes, health, load and memory" },
  args: { ...serverArgs, json: { type: "boolean", description: "print the status as JSON" } },
  run: ({ args }) =>
    action(async () => {
      const status = await clientFromArgs(args).cluster();
      process.stdout.write(args.json ? `${JSON.stringify(statusJson(status))}\n` : statusText(status));
    }),
});

export const shutdownCommand = defineCommand({
  meta: { name: "shutdown", description: "Stop a floe server (its running jobs are cancelled)" },
  args: serverArgs,
  run: ({ args }) =>
    action(async () => {
      const client = clientFromArgs(args);
      await client.shutdown();
      // Done once the server stops answering, so scripts can go on at once.
      const until = Date.now() + SHUTDOWN_WAIT_MS;
      while (Date.now() < until) {
        try {
          await client.health();
        } catch (err) {
          if (err instanceof FloeError && err.details?.unreachable === true) {
            process.stdout.write(`floe at ${client.url} shut down\n`);
            return;
          }
          throw err;
        }
        await Bun.sleep(50);
      }
      warn(`floe at ${client.url} was asked to shut down but still answers after ${SHUTDOWN_WAIT_MS / 1000} s`);
    }),
});
