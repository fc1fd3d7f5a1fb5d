// `floe serve` cluster nodes for tests: child processes on 127.0.0.1, each waited for until
// it listens, all killed after the file's tests (and on exit, should the runner die first).

import { afterAll } from "bun:test";
import { join } from "node:path";
import type { Subprocess } from "bun";

const CLI = join(import.meta.dir, "..", "..", "src", "cli.ts");

export const TEST_SECRET = "test-cluster-secret";
/** Heartbeat of test nodes: unhealthy after 3 beats (600 ms), dead after 6 (1.2 s). */
export const TEST_HEARTBEAT_MS = 200;

export interface NodeOptions {
  /** 0 (default) picks a free port; give the old one to restart a node in place. */
  port?: number;
  /** --node-name (default: the address). */
  name?: string;
  /** host:port or URL of a member to join. */
  join?: string;
  /** null: no secret (a standalone node). */
  secret?: string | null;
  /** --name, the cluster's name. */
  clusterName?: string;
  heartbeatMs?: number;
  threads?: number;
  /** More `floe serve` flags. */
  args?: string[];
  env?: Record<string, string>;
  /** How long to wait for "listening on" (default 20 s). */
  timeoutMs?: number;
}

export interface TestNode {
  readonly url: string;
  /** host:port. */
  readonly address: string;
  readonly port: number;
  /** The node's name in the cluster. */
  readonly name: string;
  readonly proc: Subprocess<"ignore", "ignore", "pipe">;
  /** Everything the node wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM (the node leaves the cluster), then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: the node vanishes without a word. */
  kill9(): Promise<void>;
  /** SIGSTOP / SIGCONT: the node freezes (a partition) and thaws. */
  pause(): void;
  resume(): void;
}

const running = new Set<Subprocess>();

/**
 * Kills every node started so far. A module is evaluated once per test run, so its own
 * afterAll covers only the first file that imports it: each test file calls this in its
 * own afterAll.
 */
export function killAllNodes(): void {
  for (const proc of running) proc.kill(9);
  running.clear();
}

afterAll(killAllNodes);
process.on("exit", killAllNodes);

/** Starts `floe serve` and resolves once it listens; a node that exits first rejects with its stderr. */
export async function startNode(opts: NodeOptions = {}): Promise<TestNode> {
  const args = ["serve", "--host", "127.0.0.1", "--port", String(opts.port ?? 0), "--threads", String(opts.threads ?? 1)];
  const secret = opts.secret === undefined ? TEST_SECRET : opts.secret;
  if (secret !== null) args.push("--secret", secret);
  if (opts.join) args.push("--join", opts.join);
  if (opts.name) args.push("--node-name", opts.name);
  if (opts.clusterName) args.push("--name", opts.clusterName);
  args.push(...(opts.args ?? []));
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    env: { ...process.env, FLOE_HEARTBEAT_MS: String(opts.heartbeatMs ?? TEST_HEARTBEAT_MS), ...opts.env },
  });
  running.add(proc);
  void proc.exited.then(() => running.delete(proc));
  let err = "";
  let onText = () => {};
  void (async () => {
    const decoder = new TextDecoder();
    for await (const bytes of proc.stderr) {
      err += decoder.decode(bytes, { stream: true });
      onText();
    }
  })();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill(9);
      reject(new Error(`floe ${args.join(" ")} did not listen within ${opts.timeoutMs ?? 20_000} ms:\n${err}`));
    }, opts.timeoutMs ?? 20_000);
    onText = () => {
      const m = /listening on (\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`floe ${args.join(" ")} exited with ${code} before listening:\n${err}`));
    });
  });
  const address = new URL(url).host;
  return {
    url,
    address,
    port: Number(new URL(url).port),
    name: opts.name ?? address,
    proc,
    stderr: () => err,
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill(9), 10_000);
      await proc.exited;
      clearTimeout(timer);
    },
    async kill9() {
      proc.kill(9);
      await proc.exited;
    },
    pause: () => proc.kill("SIGSTOP"),
    resume: () => proc.kill("SIGCONT"),
  };
}

/** `n` nodes: the first a seed, each next one joining through the one before it. */
export async function startCluster(n: number, opts: Omit<NodeOptions, "join" | "port" | "name"> = {}): Promise<TestNode[]> {
  const nodes: TestNode[] = [];
  for (let i = 0; i < n; i++) nodes.push(await startNode({ ...opts, join: i === 0 ? undefined : nodes[i - 1].address }));
  return nodes;
}

/** GET /api/v1/cluster of a node. */
export async function clusterOf(node: {
  url: string;
}): Promise<{ cluster_name: string; cloud_size: number; cloud_healthy: boolean; nodes: { name: string; ip_port: string; state: string; healthy: boolean; pid: number; last_ping: number }[] }> {
  const res = await fetch(`${node.url}/api/v1/cluster`);
  if (!res.ok) throw new Error(`GET ${node.url}/api/v1/cluster: ${res.status}`);
  return res.json() as Promise<any>;
}

/** Polls until `ok` holds (returns its last value), or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`${what}: still not the case after ${timeoutMs} ms: ${JSON.stringify(v)}`);
    await Bun.sleep(everyMs);
  }
}

/** A REST call to `node`'s /api/v1 that must succeed: its JSON (a download's text); any other status throws naming it. */
export async function nodeApi(node: TestNode, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${node.url}/api/v1${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} on ${node.name}: ${res.status} ${text}`);
  return path.endsWith("/download") ? text : JSON.parse(text);
}

/** The job once it has ended (done, failed or cancelled), asked of `node`. */
export async function jobEnded(node: TestNode, jobId: string): Promise<any> {
  for (;;) {
    const job = await nodeApi(node, "GET", `/jobs/${jobId}?wait=30`);
    if (!["created", "running"].includes(job.status)) return job;
  }
}
