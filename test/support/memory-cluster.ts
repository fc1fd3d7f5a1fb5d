// An in-process cluster for tests of the data layer: N FloeNodes whose executors and
// placements are the cluster's, wired by a transport that calls the other node's
// handlers directly (every message still goes through the wire encoding). `kill` makes a
// node unreachable at once, as kill -9 would; `failAfter` kills one after some calls.

import { afterAll } from "bun:test";
import { clusterData } from "../../src/cluster/data.ts";
import type { Handlers, Peers, Transport } from "../../src/cluster/peers.ts";
import type { Holdings } from "../../src/cluster/holdings.ts";
import { FloeError } from "../../src/core/errors.ts";
import type { Frame } from "../../src/core/frame.ts";
import type { TaskRegistry } from "../../src/core/mr.ts";
import { key } from "../../src/core/store.ts";
import { FloeNode } from "../../src/runtime.ts";
import { TASKS } from "../../src/tasks.ts";

export interface MemoryCluster {
  readonly nodes: FloeNode[];
  readonly names: string[];
  readonly holdings: Holdings[];
  /** Calls made per route, for traffic counts. */
  readonly calls: Map<string, number>;
  kill(name: string): void;
  /** Brings a node that started down (see `down`) into the cluster. */
  join(name: string): Promise<void>;
  /** Kills `name` when it has answered `n` more calls of `route` (default: map). */
  failAfter(name: string, n: number, route?: string): void;
  /** Calls /internal/`route` on `node` as node `from` would. */
  call(from: string, node: string, route: string, body: Uint8Array): Promise<Uint8Array>;
}

/**
 * `down`: names of nodes that start outside the cluster until `join`; `maxMem`: each node's
 * memory budget (`floe serve --max-mem`), counting the chunks it holds in memory.
 */
export function memoryCluster(n: number, threads = 1, registry: TaskRegistry = TASKS, down: readonly string[] = [], maxMem?: number): MemoryCluster {
  const names = Array.from({ length: n }, (_, i) => `node${i}`);
  const alive = new Set(names.filter((m) => !down.includes(m)));
  const joinListeners: ((name: string) => void)[] = [];
  const handlers = new Map<string, Handlers>();
  const deadListeners: ((name: string) => void)[] = [];
  const calls = new Map<string, number>();
  const countdown = new Map<string, number>();
  const countedRoute = new Map<string, string>();
  const kill = (name: string) => {
    if (!alive.delete(name)) return;
    for (const fn of deadListeners) fn(name);
  };
  const transport = (from: string): Transport => ({
    async call(node, route, body, signal) {
      await Promise.resolve();
      if (!alive.has(node)) throw new FloeError("unavailable", `node ${node} does not answer (from ${from})`, { unreachable: true });
      calls.set(route, (calls.get(route) ?? 0) + 1);
      const out = await (handlers.get(node) as Handlers)[route](body, signal);
      if (route === (countedRoute.get(node) ?? "map") && countdown.has(node)) {
        const left = (countdown.get(node) as number) - 1;
        countdown.set(node, left);
        if (left <= 0) {
          countdown.delete(node);
          kill(node);
        }
      }
      if (!alive.has(node)) throw new FloeError("unavailable", `node ${node} died before answering`, { unreachable: true });
      return out;
    },
  });
  const nodes: FloeNode[] = [];
  const holdings: Holdings[] = [];
  for (const name of names) {
    const node = new FloeNode({ threads, maxMem });
    const peers: Peers = {
      self: name,
      live: () => names.filter((m) => alive.has(m)),
      isLive: (m) => alive.has(m),
      reportUnreachable: kill,
      onDead: (fn) => deadListeners.push((m) => m !== name && alive.has(name) && fn(m)),
      onJoined: (fn) => joinListeners.push((m) => m !== name && alive.has(name) && fn(m)),
    };
    const data = clusterData({
      peers,
      transport: transport(name),
      local: node.localExecutor,
      registry,
      onFrame: (id: string, frame: Frame | null) => (frame ? node.store.put(key<Frame>("frame", id), frame) : node.store.delete(key("frame", id))),
      log: () => {},
      db: () => node.db(),
      budget: node.budget,
    });
    node.budget.countAlso(() => data.holdings.memoryBytes());
    node.joinCluster(data.executor, data.placement);
    handlers.set(name, data.handlers);
    nodes.push(node);
    holdings.push(data.holdings);
  }
  afterAll(() => Promise.all(nodes.map((x) => x.close())));
  const join = async (name: string) => {
    alive.add(name);
    for (const fn of joinListeners) fn(name);
    // The listeners send the directory and copies without being awaited: let them land.
    for (let i = 0; i < 20; i++) await Bun.sleep(5);
  };
  return {
    nodes,
    names,
    holdings,
    calls,
    kill,
    join,
    failAfter: (name, k, route = "map") => {
      countdown.set(name, k);
      countedRoute.set(name, route);
    },
    call: (from, node, route, body) => transport(from).call(node, route, body),
  };
}
