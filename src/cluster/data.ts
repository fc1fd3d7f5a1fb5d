// The data layer of a cluster member, assembled: its holdings (directory, chunks, views),
// the executor that runs tasks across the members, the placement that spreads frames,
// and the /internal handlers that serve the other members.

import type { Db } from "../core/duckdb.ts";
import type { Frame } from "../core/frame.ts";
import type { MemoryBudget } from "../core/memory.ts";
import type { Executor, TaskRegistry } from "../core/mr.ts";
import { ClusterExecutor } from "./executor.ts";
import { Holdings } from "./holdings.ts";
import { SharedParse } from "./parse.ts";
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
  /** This node's DuckDB, which parses its share of an import. */
  readonly db: () => Promise<Db>;
  /**
   * What this node may hold: a share of an import that would not fit is refused before it is
   * read, and a copy read back is kept in memory only while it fits.
   */
  readonly budget?: MemoryBudget;
}

export interface ClusterData {
  readonly holdings: Holdings;
  readonly executor: ClusterExecutor;
  readonly placement: FrameSpreader;
  readonly handlers: Handlers;
}

export function clusterData(opts: ClusterDataOptions): ClusterData {
  const holdings = new Holdings(opts.peers.self, opts.local, opts.registry, opts.onFrame, opts.budget);
  const executor = new ClusterExecutor(opts.peers, opts.transport, holdings, opts.local);
  const placement = new FrameSpreader(opts.peers, opts.transport, holdings, opts.log);
  const parse = new SharedParse(opts.peers, opts.transport, holdings, placement, executor, opts.db, opts.log, opts.budget);
  placement.importShared = (id, source, ingest) => parse.importShared(id, source, ingest);
  return { holdings, executor, placement, handlers: { ...holdings.handlers(), ...parse.handlers() } };
}
