// The data layer's Peers and Transport over the real membership and signed RPC. Calls to
// a member that membership declares dead are abandoned at once (a partitioned node would
// otherwise hold a map request open for as long as the connection lives), and the bytes
// every route sends and receives are counted for status and benchmarks.

import { FloeError } from "../core/errors.ts";
import type { Membership } from "./membership.ts";
import type { Handlers, Peers, Transport } from "./peers.ts";
import type { Rpc } from "./rpc.ts";

export function membershipPeers(membership: Membership): Peers {
  return {
    self: membership.self.name,
    live: () => membership.live().map((m) => m.name),
    isLive: (name) => {
      const m = membership.get(name);
      return m !== undefined && m.state !== "dead";
    },
    reportUnreachable: (name) => membership.reportUnreachable(name),
    freeMemory: (name) => membership.get(name)?.stats.free_mem ?? 0,
    onDead: (fn) => membership.on("dead", (m) => fn(m.name)),
    onJoined: (fn) => {
      membership.on("joined", (m) => fn(m.name));
      membership.on("alive", (m) => fn(m.name));
    },
  };
}

export interface RouteTraffic {
  /** Calls to other nodes (over HTTP). */
  calls: number;
  bytes_out: number;
  bytes_in: number;
  /** Calls this node answered itself, without HTTP (no bytes). */
  local_calls: number;
}

export class RpcTransport implements Transport {
  /** Per route: calls made and bytes sent and received by this node. */
  readonly traffic = new Map<string, RouteTraffic>();
  private readonly inFlight = new Map<string, Set<AbortController>>();

  /** This node's own handlers: calls to itself skip HTTP and signing. */
  local: Handlers = {};

  constructor(
    private readonly rpc: Rpc,
    private readonly membership: Membership,
  ) {
    membership.on("dead", (m) => {
      for (const ctl of this.inFlight.get(m.name) ?? []) ctl.abort();
    });
  }

  async call(node: string, route: string, body: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const own = node === this.membership.self.name ? this.local[route] : undefined;
    if (own) {
      this.count(route).local_calls++;
      return own(body, signal);
    }
    const member = this.membership.get(node);
    if (!member || member.state === "dead") throw new FloeError("unavailable", `node ${node} is not a live member`, { unreachable: true });
    const ctl = new AbortController();
    let calls = this.inFlight.get(node);
    if (!calls) this.inFlight.set(node, (calls = new Set()));
    calls.add(ctl);
    const t = this.count(route);
    t.calls++;
    t.bytes_out += body.byteLength;
    try {
      const out = await this.rpc.call(member.url, `/internal/${route}`, body, { to: node, signal: signal ? AbortSignal.any([signal, ctl.signal]) : ctl.signal });
      t.bytes_in += out.byteLength;
      return out;
    } catch (err) {
      if (ctl.signal.aborted && !signal?.aborted) throw new FloeError("unavailable", `node ${node} was declared dead during ${route}`, { unreachable: true });
      throw err;
    } finally {
      calls.delete(ctl);
    }
  }

  private count(route: string): RouteTraffic {
    const t = this.traffic.get(route) ?? { calls: 0, bytes_out: 0, bytes_in: 0, local_calls: 0 };
    this.traffic.set(route, t);
    return t;
  }
}
