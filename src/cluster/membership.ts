// Who is in the cluster: joining through any member, heartbeats that carry each node's stats
// and member list (so members learn of each other by gossip), and the health of each node
// judged by how long it has been silent — unhealthy after a few missed heartbeats, dead after
// a few more. A dead node that speaks again is alive (a healed partition); a node that speaks
// under a known name with a new incarnation has restarted (the old one died, the new one joined).

import { randomBytes } from "node:crypto";
import { asFloeError, FloeError } from "../core/errors.ts";
import type { InternalRoutes } from "./internal.ts";
import type { Rpc } from "./rpc.ts";

export type MemberState = "healthy" | "unhealthy" | "dead";

export interface NodeStats {
  num_cpus: number;
  sys_load: number;
  free_mem: number;
  max_mem: number;
  num_keys: number;
  pid: number;
  uptime_ms: number;
}

export interface Member {
  /** --node-name, by default the advertised host:port. */
  readonly name: string;
  /** http(s)://host:port, where peers reach it. */
  readonly url: string;
  /** Random per process start: a restart under the same name is a new incarnation. */
  readonly incarnation: string;
  state: MemberState;
  /** ms since the epoch of the last heartbeat heard from it (for this node itself: now). */
  lastPing: number;
  stats: NodeStats;
}

export interface MembershipEvents {
  joined(m: Member): void;
  dead(m: Member): void;
  /** A dead member was heard again (a healed partition). */
  alive(m: Member): void;
}

export interface MembershipOptions {
  clusterName: string;
  version: string;
  self: { name: string; url: string };
  rpc: Rpc;
  routes: InternalRoutes;
  stats: () => NodeStats;
  /** ms between heartbeats (default 1000). */
  heartbeatMs?: number;
  /** Heartbeats missed before a node is unhealthy (default 3). */
  unhealthyAfter?: number;
  /** Heartbeats missed before a node is dead (default 6). */
  deadAfter?: number;
  log: (line: string) => void;
}

/** A member as it travels in join answers and heartbeats. */
interface Identity {
  name: string;
  url: string;
  incarnation: string;
}

interface Hello {
  cluster: string;
  version: string;
  from: Identity;
  stats: NodeStats;
  /** The sender's live members (itself included). */
  members: Identity[];
}

interface Reply {
  from: Identity;
  stats: NodeStats;
  members: Identity[];
}

interface JoinReply extends Reply {
  /** The stats of the other live members, as last heard by the answering node. */
  peers: { member: Identity; stats: NodeStats }[];
}

const NO_STATS: NodeStats = { num_cpus: 0, sys_load: 0, free_mem: 0, max_mem: 0, num_keys: 0, pid: 0, uptime_ms: 0 };

/** How long a join waits for the member it contacts, and a leave for each peer. */
const JOIN_TIMEOUT_MS = 10_000;
const LEAVE_TIMEOUT_MS = 1_000;

function byName(a: Member, b: Member): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function isIdentity(x: unknown): x is Identity {
  const m = x as Identity;
  return typeof m === "object" && m !== null && typeof m.name === "string" && typeof m.url === "string" && typeof m.incarnation === "string";
}

function parseHello(body: Uint8Array): Hello {
  let msg: Hello;
  try {
    msg = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new FloeError("bad_input", "a membership message that is not JSON");
  }
  if (typeof msg?.cluster !== "string" || typeof msg.version !== "string" || !isIdentity(msg.from) || !Array.isArray(msg.members)) {
    throw new FloeError("bad_input", "a membership message without cluster, version, from and members");
  }
  return msg;
}

/** This node as a member: always healthy, heard now, its stats read when asked. */
class SelfMember implements Member {
  readonly state: MemberState = "healthy";
  constructor(
    readonly name: string,
    readonly url: string,
    readonly incarnation: string,
    private readonly read: () => NodeStats,
  ) {}
  get lastPing(): number {
    return Date.now();
  }
  get stats(): NodeStats {
    return this.read();
  }
}

export class Membership {
  readonly self: Member;
  private readonly clusterName: string;
  private readonly version: string;
  private readonly rpc: Rpc;
  private readonly stats: () => NodeStats;
  private readonly heartbeatMs: number;
  private readonly unhealthyMs: number;
  private readonly deadMs: number;
  private readonly log: (line: string) => void;
  private readonly others = new Map<string, Member>();
  /** When each member was last heard, as health is judged (reset after this process stalled). */
  private readonly heard = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  /** Incarnations that said they leave: a heartbeat of theirs still on the way must not revive them. */
  private readonly left = new Set<string>();
  /**
   * When each member was last declared dead (performance.now()): only a reply to a message
   * this node sent after that revives it, never one of its own messages or replies still on
   * the way from before (a node killed mid-call was otherwise alive again for a moment).
   */
  private readonly deadAt = new Map<string, number>();
  private readonly listeners: { [E in keyof MembershipEvents]: MembershipEvents[E][] } = { joined: [], dead: [], alive: [] };
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastTick = 0;

  constructor(opts: MembershipOptions) {
    this.clusterName = opts.clusterName;
    this.version = opts.version;
    this.rpc = opts.rpc;
    this.stats = opts.stats;
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.unhealthyMs = this.heartbeatMs * (opts.unhealthyAfter ?? 3);
    this.deadMs = this.heartbeatMs * (opts.deadAfter ?? 6);
    this.log = opts.log;
    this.self = new SelfMember(opts.self.name, opts.self.url, randomBytes(8).toString("hex"), opts.stats);
    // Peers sign for this node's name; a join names it by the address it was given.
    opts.routes.answerAs([this.self.name, new URL(this.self.url).host]);
    opts.routes.on("join", (body) => this.onJoin(parseHello(body)));
    opts.routes.on("heartbeat", (body) => this.onHeartbeat(parseHello(body)));
    opts.routes.on("leave", (body) => this.onLeave(parseHello(body)));
  }

  /**
   * Joins the cluster of the member at `address` (host:port or URL): gets its member list and
   * announces this node to every member. A refusal (another cluster name, floe version or
   * secret) or no answer throws a FloeError saying which.
   */
  async join(address: string): Promise<void> {
    const scheme = this.self.url.startsWith("https:") ? "https" : "http";
    const base = /^https?:\/\//.test(address) ? address.replace(/\/+$/, "") : `${scheme}://${address}`;
    let reply: JoinReply;
    const sentAt = performance.now();
    try {
      reply = await this.askToJoin(base);
    } catch (err) {
      const e = asFloeError(err);
      const why =
        e.code === "unauthorized"
          ? `it refused this node's signature: the cluster secret (--secret or FLOE_SECRET) is not the same (${e.message})`
          : e.code === "not_found"
            ? "it is not a cluster member (a node started without --secret)"
            : e.message;
      throw new FloeError(e.code === "not_found" ? "conflict" : e.code, `cannot join ${address}: ${why}`, e.details);
    }
    this.hear(reply.from, reply.stats, sentAt);
    for (const p of reply.peers) if (p.member.name !== this.self.name) this.hear(p.member, p.stats);
    // Tell the others at once; a lost announcement is made good by gossip and heartbeats.
    const announce = [...this.others.values()].filter((m) => m.name !== reply.from.name);
    await Promise.allSettled(
      announce.map(async (m) => {
        try {
          const sentAt = performance.now();
          this.absorb(await this.rpc.json<JoinReply>(m.url, "/internal/join", this.hello(), { timeoutMs: this.unhealthyMs, to: m.name }), sentAt);
        } catch (err) {
          this.log(`could not announce this node to ${m.name}: ${asFloeError(err).message}`);
        }
      }),
    );
  }

  /**
   * The join call to the member at `base`, signed for that address; when the member answers
   * that it goes by another name (the address was spelled another way than it advertises),
   * once more signed for that name.
   */
  private async askToJoin(base: string): Promise<JoinReply> {
    try {
      return await this.rpc.json<JoinReply>(base, "/internal/join", this.hello(), { timeoutMs: JOIN_TIMEOUT_MS });
    } catch (err) {
      const e = asFloeError(err);
      const name = e.details?.node;
      if (e.code !== "unauthorized" || e.details?.misdirected !== true || typeof name !== "string") throw e;
      return await this.rpc.json<JoinReply>(base, "/internal/join", this.hello(), { timeoutMs: JOIN_TIMEOUT_MS, to: name });
    }
  }

  /** Starts heartbeats to every other member, dead ones included (so a healed partition is seen). */
  start(): void {
    if (this.timer) return;
    this.lastTick = Date.now();
    this.timer = setInterval(() => this.tick(), this.heartbeatMs);
    this.tick();
  }

  /** Stops heartbeats and tells the live members this node leaves (they mark it dead at once). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const peers = [...this.others.values()].filter((m) => m.state !== "dead");
    await Promise.allSettled(peers.map((m) => this.rpc.json(m.url, "/internal/leave", this.hello(), { timeoutMs: LEAVE_TIMEOUT_MS, to: m.name })));
  }

  /** Every member, this node and dead ones included, sorted by name. */
  all(): Member[] {
    return [this.self, ...this.others.values()].sort(byName);
  }

  /** The members not dead (this node included), sorted by name. */
  live(): Member[] {
    return this.all().filter((m) => m.state !== "dead");
  }

  get(name: string): Member | undefined {
    return name === this.self.name ? this.self : this.others.get(name);
  }

  on<E extends keyof MembershipEvents>(event: E, fn: MembershipEvents[E]): void {
    this.listeners[event].push(fn);
  }

  /** A caller saw `name` fail to answer (connection refused): it is dead now, not after the heartbeats. */
  reportUnreachable(name: string): void {
    const m = this.others.get(name);
    if (m && m.state !== "dead") this.die(m, "reported unreachable");
  }

  private hello(): Hello {
    return { cluster: this.clusterName, version: this.version, from: this.identity(this.self), stats: this.stats(), members: this.live().map((m) => this.identity(m)) };
  }

  private identity(m: Member): Identity {
    return { name: m.name, url: m.url, incarnation: m.incarnation };
  }

  private reply(): Reply {
    return { from: this.identity(this.self), stats: this.stats(), members: this.live().map((m) => this.identity(m)) };
  }

  /** Refuses a message from another cluster, another floe version, or a name this node or a live member holds. */
  private admit(msg: Hello): void {
    if (msg.cluster !== this.clusterName) throw new FloeError("conflict", `cluster name '${msg.cluster}' does not match this cluster's name '${this.clusterName}'`);
    if (msg.version !== this.version) throw new FloeError("conflict", `floe version ${msg.version} does not match this cluster's version ${this.version}`);
    const { name, url, incarnation } = msg.from;
    if (name === this.self.name) throw new FloeError("conflict", `node name '${name}' is the name of the node at ${this.self.url}`);
    const known = this.others.get(name);
    if (known && known.incarnation !== incarnation && known.url !== url && known.state === "healthy") {
      throw new FloeError("conflict", `node name '${name}' is taken by the live node at ${known.url}`);
    }
  }

  private onJoin(msg: Hello): JoinReply {
    this.admit(msg);
    this.hear(msg.from, msg.stats);
    const peers = [...this.others.values()].filter((m) => m.state !== "dead" && m.name !== msg.from.name).map((m) => ({ member: this.identity(m), stats: m.stats }));
    return { ...this.reply(), peers };
  }

  private onHeartbeat(msg: Hello): Reply {
    this.admit(msg);
    this.hear(msg.from, msg.stats);
    this.learn(msg.members);
    return this.reply();
  }

  private onLeave(msg: Hello): object {
    const m = this.others.get(msg.from.name);
    if (m && m.incarnation === msg.from.incarnation) {
      this.left.add(m.incarnation);
      if (m.state !== "dead") this.die(m, "left the cluster");
    }
    return {};
  }

  /** A reply from a member reached directly. */
  private absorb(reply: Reply, sentAt: number): void {
    this.hear(reply.from, reply.stats, sentAt);
    this.learn(reply.members);
  }

  /**
   * `id` spoke to this node directly: it is healthy, restarted (new incarnation) or new.
   * `sentAt`: for a reply, when this node sent the request (see deadAt).
   */
  private hear(id: Identity, stats: NodeStats, sentAt?: number): void {
    if (id.name === this.self.name || this.left.has(id.incarnation)) return;
    const now = Date.now();
    let m = this.others.get(id.name);
    if (m && m.incarnation !== id.incarnation) {
      if (m.state !== "dead") this.die(m, "restarted");
      m = undefined;
    }
    if (m?.state === "dead" && !(sentAt !== undefined && sentAt > (this.deadAt.get(m.name) ?? Number.NEGATIVE_INFINITY))) return;
    this.heard.set(id.name, now);
    if (!m) {
      m = { name: id.name, url: id.url, incarnation: id.incarnation, state: "healthy", lastPing: now, stats };
      this.others.set(id.name, m);
      this.log(`node ${m.name} (${m.url}) joined`);
      this.emit("joined", m);
      return;
    }
    const was = m.state;
    m.state = "healthy";
    m.lastPing = now;
    m.stats = stats;
    if (was === "dead") {
      this.log(`node ${m.name} is alive again`);
      this.emit("alive", m);
    } else if (was === "unhealthy") this.log(`node ${m.name} is healthy again`);
  }

  /**
   * Gossip: members another node lists that this one has never heard of. Only new names are
   * taken; a known name changes incarnation only when that node itself speaks.
   */
  private learn(ids: unknown[]): void {
    const now = Date.now();
    for (const id of ids) {
      if (!isIdentity(id) || id.name === this.self.name || this.others.has(id.name) || this.left.has(id.incarnation)) continue;
      const m: Member = { name: id.name, url: id.url, incarnation: id.incarnation, state: "healthy", lastPing: now, stats: NO_STATS };
      this.others.set(id.name, m);
      this.heard.set(id.name, now);
      this.log(`node ${m.name} (${m.url}) joined (heard of through a peer)`);
      this.emit("joined", m);
    }
  }

  private die(m: Member, why: string): void {
    m.state = "dead";
    this.deadAt.set(m.name, performance.now());
    this.log(`node ${m.name} is dead: ${why}`);
    this.emit("dead", m);
  }

  private tick(): void {
    const now = Date.now();
    // A tick far later than due means this process itself was stopped (SIGSTOP, swapping):
    // the others' silence is ours, so every member gets a fresh start instead of a verdict.
    if (now - this.lastTick > this.unhealthyMs) for (const name of this.others.keys()) this.heard.set(name, now);
    this.lastTick = now;
    for (const m of this.others.values()) {
      if (m.state === "dead") continue;
      const silent = now - (this.heard.get(m.name) ?? now);
      if (silent > this.deadMs) this.die(m, `silent for ${silent} ms`);
      else if (silent > this.unhealthyMs && m.state === "healthy") {
        m.state = "unhealthy";
        this.log(`node ${m.name} is unhealthy: silent for ${silent} ms`);
      }
    }
    for (const m of this.others.values()) if (!this.inFlight.has(m.name)) void this.beat(m);
  }

  private async beat(m: Member): Promise<void> {
    this.inFlight.add(m.name);
    try {
      const sentAt = performance.now();
      const reply = await this.rpc.json<Reply>(m.url, "/internal/heartbeat", this.hello(), { timeoutMs: this.unhealthyMs, to: m.name });
      // Whoever answers at that address now; a restarted node answers with its new incarnation.
      if (isIdentity(reply?.from) && reply.from.name === m.name) this.absorb(reply, sentAt);
    } catch (err) {
      const e = asFloeError(err);
      if (e.code !== "unavailable" && m.state !== "dead") this.log(`heartbeat to ${m.name} refused: ${e.message}`);
    } finally {
      this.inFlight.delete(m.name);
    }
  }

  private emit<E extends keyof MembershipEvents>(event: E, m: Member): void {
    for (const fn of this.listeners[event]) {
      try {
        fn(m);
      } catch (err) {
        this.log(`a '${event}' listener failed for node ${m.name}: ${asFloeError(err).message}`);
      }
    }
  }
}
