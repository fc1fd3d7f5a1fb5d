// What the routes share: the node (store, jobs, executor, DuckDB), the server's identity
// and limits, and how models are kept in the store (with what they were trained from).

import type { Job as JobJson } from "../api/types.ts";
import type { Holdings } from "../cluster/holdings.ts";
import type { InternalRoutes } from "../cluster/internal.ts";
import type { Membership, NodeStats } from "../cluster/membership.ts";
import type { RpcTransport } from "../cluster/network.ts";
import type { Rpc } from "../cluster/rpc.ts";
import type { ScoredChunk } from "../ml/metrics/scored.ts";
import type { Model } from "../ml/scoring.ts";
import { key, type Key } from "../core/store.ts";
import type { FloeNode } from "../runtime.ts";

export interface ServerContext {
  readonly node: FloeNode;
  readonly name: string;
  /** host:port the server listens on (set once listening). */
  address: string;
  readonly startedAt: number;
  /** Imports must resolve inside this directory; null allows any path. */
  readonly dataRoot: string | null;
  /** Bytes an upload may hold. */
  readonly uploadLimit: number;
  /** Stops the server (after the response to the request that asked). */
  readonly shutdown: () => void;
  /** This node's cores, load, memory, key count, pid and uptime, now. */
  readonly stats: () => NodeStats;
  /** The cluster this node belongs to (set once joined); absent on a standalone node. */
  cluster?: ClusterRuntime;
  /** The cluster's data layer, models and jobs as this node reaches them (set with `cluster`). */
  link?: ClusterLink;
}

/** A cluster node's membership, its signed client to peers and its /internal/ routes. */
export interface ClusterRuntime {
  readonly membership: Membership;
  readonly rpc: Rpc;
  readonly routes: InternalRoutes;
}

/** The cluster's data layer, models and jobs as this node reaches them (made by src/server/cluster-link.ts). */
export interface ClusterLink {
  readonly transport: RpcTransport;
  readonly holdings: Holdings;
  /** Tells every other member about a stored model (or its deletion, with null). */
  shareModel(id: string, served: ServedModel | null): Promise<void>;
  /** A job of another member, by id, as the jobs API shows it; null when no member has it. */
  remoteJob(id: string, wait: number): Promise<JobJson | null>;
  /** Every other member's jobs. */
  remoteJobs(): Promise<JobJson[]>;
  /** Cancels a job on the member running it; false when no member has it. */
  cancelRemoteJob(id: string): Promise<boolean>;
}

/** A model in the store, with what it was trained from. */
export interface ServedModel {
  readonly model: Model;
  /** The training frame's id (null for an uploaded model file). */
  readonly trainingFrame: string | null;
  readonly createdAt: number;
  /** Ids of the cross-validation models stored beside it. */
  readonly cvModels: readonly string[];
  /**
   * Out-of-fold predictions kept by keep_cross_validation_predictions, which stacked
   * ensembles are trained on: in memory on the node that trained the model only (never
   * shared with peers, nor written to the model file).
   */
  readonly cvPredictions?: readonly ScoredChunk[] | null;
}

export function modelKey(id: string): Key<ServedModel> {
  return key<ServedModel>("model", id);
}
