// AutoML runs across a cluster. A run lives on the node that started it (its job, its live
// leaderboard, the out-of-fold predictions its models keep); its models are shared with
// every member as models are. A member asked for a run it does not hold asks the others,
// so GET /automl, GET and DELETE /automl/{id} answer on any node.

import { membershipPeers } from "../../cluster/network.ts";
import { isUnreachable } from "../../cluster/peers.ts";
import { decode, encode } from "../../cluster/wire.ts";
import { FloeError } from "../../core/errors.ts";
import type { ServerContext } from "../context.ts";

export interface AutoMLDeletedJson {
  readonly automl_id: string;
  readonly deleted_models: string[];
}

/** What this node does with its own runs, by id; null when it has no such run. */
export interface LocalRuns<R, S> {
  get(id: string): R | null;
  delete(id: string): Promise<AutoMLDeletedJson | null>;
  /** Summaries of every run of this node. */
  list(): S[];
}

export interface PeerRuns<R, S> {
  /** Answers the other members' questions about this node's runs (once this node is in a cluster). */
  serve(): void;
  /** A run another member holds; null when none does or there is no cluster. */
  get(id: string): Promise<R | null>;
  /** Deletes a run on the member holding it; null when none does or there is no cluster. */
  delete(id: string): Promise<AutoMLDeletedJson | null>;
  /** The summaries of the runs of every other member. */
  list(): Promise<S[]>;
}

export function peerRuns<R, S>(ctx: ServerContext, local: LocalRuns<R, S>): PeerRuns<R, S> {
  let serving = false;
  /** Every other member's answer (null from one that does not serve the route or cannot be reached). */
  const askAll = async <T>(route: string, id: string): Promise<(T | null)[]> => {
    const { cluster, link } = ctx;
    if (!cluster || !link) return [];
    const peers = membershipPeers(cluster.membership);
    const answers = await Promise.all(
      peers
        .live()
        .filter((n) => n !== peers.self)
        .map(async (node) => {
          try {
            return decode<T | null>(await link.transport.call(node, route, encode({ id })));
          } catch (err) {
            // A member that never started a run does not serve these routes; one that is down holds none we can reach.
            if (isUnreachable(err) || (err instanceof FloeError && err.code === "not_found")) return null;
            throw err;
          }
        }),
    );
    return answers;
  };
  /** The first answer of another member that is not null. */
  const ask = async <T>(route: string, id: string): Promise<T | null> => (await askAll<T>(route, id)).find((a) => a !== null) ?? null;
  return {
    serve() {
      if (serving || !ctx.cluster) return;
      serving = true;
      ctx.cluster.routes.on("automl", (body) => encode(local.get(decode<{ id: string }>(body).id)));
      ctx.cluster.routes.on("automl-delete", async (body) => encode(await local.delete(decode<{ id: string }>(body).id)));
      ctx.cluster.routes.on("automl-list", () => encode(local.list()));
    },
    get: (id) => ask<R>("automl", id),
    delete: (id) => ask<AutoMLDeletedJson>("automl-delete", id),
    list: async () => (await askAll<S[]>("automl-list", "")).flatMap((runs) => runs ?? []),
  };
}
