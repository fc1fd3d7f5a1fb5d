// What the data layer of a cluster needs of membership and of the network, as two small
// interfaces: the server wires in the real ones (heartbeats, signed HTTP), tests may wire
// in-process ones.

import { FloeError } from "../core/errors.ts";

export interface Peers {
  /** This node's name. */
  readonly self: string;
  /** Names of the members not declared dead (this node included), sorted. */
  live(): string[];
  isLive(name: string): boolean;
  /** A call to `name` failed at the network level: declare it dead now. */
  reportUnreachable(name: string): void;
  onDead(fn: (name: string) => void): void;
  onJoined(fn: (name: string) => void): void;
  /** Bytes a member has free for a training, as it last said (absent: not known). */
  freeMemory?(name: string): number;
}

/**
 * Calls POST /internal/<route> on a node. A node that cannot be reached throws an
 * `unavailable` error with details.unreachable; an error the node answered keeps its code.
 */
export interface Transport {
  call(node: string, route: string, body: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
}

/**
 * The handlers a node serves under /internal/<route>. `signal` aborts when the caller gives
 * up on the call (it cancelled its run, or hung up): a handler stops its work there.
 */
export type Handlers = Record<string, (body: Uint8Array, signal?: AbortSignal) => Promise<Uint8Array>>;

/** True for a failure to reach a node (not for an error the node answered). */
export function isUnreachable(err: unknown): boolean {
  return err instanceof FloeError && err.code === "unavailable" && err.details?.unreachable === true;
}

/**
 * Calls `route` on every other live member at once and hands each answer to `each`; a
 * member that cannot be reached is reported and skipped.
 */
export async function toOthers(peers: Peers, transport: Transport, route: string, body: Uint8Array, each: (node: string, answer: Uint8Array) => void = () => {}): Promise<void> {
  const others = peers.live().filter((n) => n !== peers.self);
  await Promise.all(
    others.map(async (node) => {
      try {
        each(node, await transport.call(node, route, body));
      } catch (err) {
        if (!isUnreachable(err)) throw err;
        peers.reportUnreachable(node);
      }
    }),
  );
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(lanes);
}
