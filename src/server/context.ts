// What the routes share: the node (store, jobs, executor, DuckDB), the server's identity
// and limits, and how models are kept in the store (with what they were trained from).

import type { InternalRoutes } from "../cluster/internal.ts";
import type { Membership, NodeStats } from "../cluster/membership.ts";
import type { Rpc } from "../cluster/rpc.ts";
import type { ClusterLink } from "./cluster-link.ts";
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
