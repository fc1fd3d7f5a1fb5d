// The memory a job on this node may still take: the machine's memory (or the container's
// limit, when cgroup v2 sets one) less what this process already holds. Estimates of a
// training's needs are checked against it before the work starts, so that a configuration
// that cannot fit fails with its numbers instead of swapping or being killed.

import { readFileSync } from "node:fs";
import { totalmem } from "node:os";

/** The container's memory limit in bytes (cgroup v2 memory.max), or null when none is set. */
function cgroupLimit(): number | null {
  try {
    const text = readFileSync("/sys/fs/cgroup/memory.max", "utf8").trim();
    const bytes = Number(text);
    return Number.isFinite(bytes) && bytes > 0 ? bytes : null;
  } catch {
    return null;
  }
}

/** Bytes this process may still allocate: the machine's or the container's memory less its resident set. */
export function availableMemory(): number {
  const limit = Math.min(totalmem(), cgroupLimit() ?? Number.POSITIVE_INFINITY);
  return Math.max(0, limit - process.memoryUsage.rss());
}

/** A byte count in binary units: "512.0 MiB", "1.5 GiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
}
