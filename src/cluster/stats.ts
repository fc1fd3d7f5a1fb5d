// What a node tells the others about itself with every heartbeat (H2O's node fields): its
// cores, load, memory, key count, pid and uptime.

import { availableParallelism, freemem, loadavg, totalmem } from "node:os";
import type { NodeStats } from "./membership.ts";

/** This process's stats now; `numKeys` counts the keys of its store, `startedAt` is ms since the epoch. */
export function localStats(startedAt: number, numKeys: () => number): NodeStats {
  return {
    num_cpus: availableParallelism(),
    sys_load: loadavg()[0],
    free_mem: freemem(),
    max_mem: totalmem(),
    num_keys: numKeys(),
    pid: process.pid,
    uptime_ms: Date.now() - startedAt,
  };
}
