// `floe serve` processes for the cluster benchmarks (bench/cluster, bench/ingest --cluster):
// started from source, waited for until they listen, called over REST, their peak memory read.

import { type Subprocess, spawn } from "bun";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");

export interface Node {
  readonly proc: Subprocess;
  readonly url: string;
  readonly api: string;
}

/**
 * Starts `floe serve` (one thread unless `args` say otherwise) and waits for its "listening
 * on" line; `cpu`, when given, pins the process and all its threads to that processor (taskset).
 */
export async function startNode(args: string[], cpu?: number): Promise<Node> {
  const pin = cpu === undefined ? [] : ["taskset", "-c", String(cpu)];
  const proc = spawn([...pin, process.execPath, join(root, "src", "cli.ts"), "serve", "--port", "0", "--threads", "1", ...args], { stdout: "ignore", stderr: "pipe" });
  const reader = proc.stderr.getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`floe serve exited: ${text}`);
    text += new TextDecoder().decode(value);
    const m = text.match(/listening on (\S+)/);
    if (m) {
      // Keep draining stderr so the node never blocks on a full pipe.
      void (async () => {
        while (!(await reader.read()).done);
      })();
      return { proc, url: m[1], api: `${m[1]}/api/v1` };
    }
  }
}

export async function call(node: Node, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${node.api}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The job once done; throws when it failed. */
export async function job(node: Node, started: { job: { job_id: string } }): Promise<any> {
  for (;;) {
    const j = await call(node, "GET", `/jobs/${started.job.job_id}?wait=60`);
    if (j.status === "done") return j;
    if (j.status !== "running") throw new Error(`job ${j.job_id}: ${JSON.stringify(j.error)}`);
  }
}

/** Peak resident memory of a process, in MB. */
export function peakMB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Resident memory of a process now, in MB (0 once it is gone). */
export function rssMB(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the resident memory of processes every 10 ms until stopped; `stop` gives one line
 * per `window` ms: the time and each process's highest sample in it (where a peak falls).
 */
export function rssTimeline(pids: readonly number[], window = 250): { stop: () => string[] } {
  const t0 = performance.now();
  const lines: string[] = [];
  let highs = pids.map(() => 0);
  let due = window;
  const timer = setInterval(() => {
    highs = highs.map((h, i) => Math.max(h, rssMB(pids[i])));
    const now = performance.now() - t0;
    if (now < due) return;
    lines.push(`${(now / 1000).toFixed(2)} s  ${highs.map((h) => h.toFixed(0).padStart(4)).join(" ")} MB`);
    highs = pids.map(() => 0);
    due += window;
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return lines;
    },
  };
}

/** CPU time a process has used (user + system, all its threads), in seconds. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime and stime: fields 14 and 15 of the line, 12 and 13 after the command name; in clock ticks.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
