// What the routes share: the node (store, jobs, executor, DuckDB), the server's identity
// and limits, and how models are kept in the store (with what they were trained from).

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
}

/** A model in the store, with what it was trained from. */
export interface ServedModel {
  readonly model: Model;
  /** The training frame's id (null for an uploaded model file). */
  readonly trainingFrame: string | null;
  readonly createdAt: number;
  /** Ids of the cross-validation models stored beside it. */
  readonly cvModels: readonly string[];
}

export function modelKey(id: string): Key<ServedModel> {
  return key<ServedModel>("model", id);
}
