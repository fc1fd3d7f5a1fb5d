// The data layer of a cluster member, assembled: its holdings (directory, chunks, views),
// the executor that runs tasks across the members, the placement that spreads frames,
// and the /internal handlers that serve the other members.

import type { Frame } from "../core/frame.ts";
import type { Executor, TaskRegistry } from "../core/mr.ts";
import { ClusterExecutor } from "./executor.ts";
import { Holdings } from "./holdings.ts";
import type { Handlers, Peers, Transport } from "./peers.ts";
import { FrameSpreader } from "./spread.ts";

export interface ClusterDataOptions {
  readonly peers: Peers;
  readonly transport: Transport;
  /** This node's own pool. */
  readonly local: Executor;
  /** Every task, by name (the same on every member). */
  readonly registry: TaskRegistry;
  /** A frame appeared in the directory (its stand-in frame) or left it (null). */
  readonly onFrame: (id: string, frame: Frame | null) => void;
  readonly log: (line: string) => void;
}

export interface ClusterData {
  readonly holdings: Holdings;
  readonly executor: ClusterExecutor;
  readonly placement: FrameSpreader;
  readonly handlers: Handlers;
}

export function clusterData(opts: ClusterDataOptions): ClusterData {
  const holdings = new Holdings(opts.peers.self, opts.local, opts.registry, opts.onFrame);
  return {
    holdings,
    executor: new ClusterExecutor(opts.peers, opts.transport, holdings, opts.local),
    placement: new FrameSpreader(opts.peers, opts.transport, holdings, opts.log),
    handlers: holdings.handlers(),
  };
}
