// Cluster membership across real `floe serve` processes on 127.0.0.1: joining through
// different members, the refusals (secret, cluster name, version), a node killed with -9
// going unhealthy then dead, a restarted node rejoining, and a frozen node's partition healing.
// Heartbeats are 200 ms here: unhealthy after 600 ms of silence, dead after 1.2 s.

import { afterAll, describe, expect, test } from "bun:test";
import { InternalRoutes } from "../../src/cluster/internal.ts";
import { Membership, type NodeStats } from "../../src/cluster/membership.ts";
import { Rpc } from "../../src/cluster/rpc.ts";
import { Verifier } from "../../src/cluster/signing.ts";
import { FloeError } from "../../src/core/errors.ts";
import { clusterOf, killAllNodes, startCluster, startNode, TEST_HEARTBEAT_MS, TEST_SECRET, type TestNode, waitFor } from "../support/cluster.ts";

afterAll(killAllNodes);
import { floe } from "../support/cli.ts";
import { tempDir } from "../support/node.ts";

const DEAD_AFTER_MS = 6 * TEST_HEARTBEAT_MS;

/** The states a node's /cluster gives every member, by address. */
async function statesSeenBy(node: TestNode): Promise<Record<string, string>> {
  const c = await clusterOf(node);
  return Object.fromEntries(c.nodes.map((n) => [n.ip_port, n.state]));
}

function allHealthy(nodes: TestNode[]) {
  return (views: Record<string, string>[]) => views.every((v) => Object.keys(v).length === nodes.length && nodes.every((n) => v[n.address] === "healthy"));
}

async function views(nodes: TestNode[]): Promise<Record<string, string>[]> {
  return Promise.all(nodes.map(statesSeenBy));
}

describe("a three-node cluster", () => {
  let nodes: TestNode[] = [];

  test("nodes joining through different members all see three healthy nodes", async () => {
    // b joins through a, c through b: a learns of c from c's announcement or b's gossip.
    nodes = await startCluster(3);
    await waitFor("every node sees 3 healthy", () => views(nodes), allHealthy(nodes), 5_000);
    const c = await clusterOf(nodes[0]);
    expect([c.cloud_size, c.cloud_healthy]).toEqual([3, true]);
    expect(c.nodes.map((n) => n.pid).sort()).toEqual(nodes.map((n) => n.proc.pid).sort());
  }, 30_000);

  test("floe status --json: {name, version, nodes: [{address, healthy, last_ping, num_cpus, sys_load, free_mem, num_keys, pid, ...}]}", async () => {
    const before = Date.now();
    const r = await floe(["status", "--json", "--url", nodes[1].url]);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(Object.keys(status).slice(0, 3)).toEqual(["name", "version", "nodes"]);
    expect(status.name).toBe("floe");
    expect(status.nodes.map((n: any) => n.address).sort()).toEqual(nodes.map((n) => n.address).sort());
    for (const n of status.nodes) {
      expect(Object.keys(n).slice(0, 8)).toEqual(["address", "healthy", "last_ping", "num_cpus", "sys_load", "free_mem", "num_keys", "pid"]);
      expect(n.healthy).toBe(true);
      // Heard within the last few heartbeats.
      expect(n.last_ping).toBeGreaterThan(before - 3 * TEST_HEARTBEAT_MS - 1_000);
      expect(n.num_cpus).toBeGreaterThan(0);
      expect(n.free_mem).toBeGreaterThan(0);
    }
    expect(status.nodes.map((n: any) => n.pid).sort()).toEqual(nodes.map((n) => n.proc.pid).sort());
    const text = await floe(["status", "--url", nodes[2].url]);
    expect(text.stdout.split("\n")[0]).toMatch(/^cluster floe: 3 nodes, healthy, floe /);
    for (const n of nodes) expect(text.stdout).toContain(n.address);
  }, 30_000);

  test("a wrong secret cannot join, and unsigned internal calls are refused and logged", async () => {
    const r = await floe(["serve", "--port", "0", "--threads", "1", "--join", nodes[0].address, "--secret", "not-the-cluster-secret"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^floe: cannot join ${nodes[0].address}: it refused this node's signature: the cluster secret \\(--secret or FLOE_SECRET\\) is not the same`));
    expect(r.stderr).not.toContain("listening on");
    await waitFor(
      "the seed logs the refusal",
      async () => nodes[0].stderr(),
      (s) => /refused POST \/internal\/join from 127\.0\.0\.1: the signature does not match/.test(s),
      2_000,
    );

    const unsigned = await fetch(`${nodes[0].url}/internal/heartbeat`, { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as any).error.code).toBe("unauthorized");
    await waitFor(
      "the seed logs the unsigned call",
      async () => nodes[0].stderr(),
      (s) => s.includes("refused POST /internal/heartbeat from 127.0.0.1: the request is not signed"),
      2_000,
    );
    // The refused node never became a member.
    expect((await clusterOf(nodes[0])).nodes).toHaveLength(3);
  }, 30_000);

  test("a wrong cluster name is refused, naming both names; flags without a secret are errors", async () => {
    const r = await floe(["serve", "--port", "0", "--threads", "1", "--name", "other", "--join", nodes[1].address, "--secret", TEST_SECRET]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: `floe: cannot join ${nodes[1].address}: cluster name 'other' does not match this cluster's name 'floe'\n` });
    const noSecret = await floe(["serve", "--port", "0", "--join", nodes[1].address], { env: { FLOE_SECRET: "" } });
    expect(noSecret).toMatchObject({ code: 2, stderr: "floe: --join needs the cluster secret: add --secret or set FLOE_SECRET\n" });
    const short = await floe(["serve", "--port", "0", "--secret", "short"]);
    expect(short).toMatchObject({ code: 2, stderr: "floe: --secret must be at least 8 characters\n" });
  }, 30_000);

  test("kill -9: the others mark the node unhealthy, then dead, within the timeouts", async () => {
    const [a, b, c] = nodes;
    // The states each survivor gives c, in the order polled, repeats dropped.
    const seen: Record<string, string[]> = { [a.address]: [], [b.address]: [] };
    const killedAt = Date.now();
    await c.kill9();
    await waitFor(
      "a and b see c dead",
      async () => {
        for (const n of [a, b]) {
          const state = (await statesSeenBy(n))[c.address];
          if (seen[n.address].at(-1) !== state) seen[n.address].push(state);
        }
        return seen;
      },
      (s) => Object.values(s).every((states) => states.at(-1) === "dead"),
      5_000,
      40,
    );
    // Dead after 6 silent heartbeats, judged once per heartbeat; the rest is slack for a busy machine.
    expect(Date.now() - killedAt).toBeLessThan(DEAD_AFTER_MS + 1_500);
    // Healthy (unless the first poll came late), then unhealthy, then dead, and nothing else.
    for (const states of Object.values(seen)) expect(states.slice(states[0] === "healthy" ? 1 : 0)).toEqual(["unhealthy", "dead"]);
    const status = await clusterOf(a);
    expect([status.cloud_size, status.cloud_healthy, status.nodes.length]).toEqual([2, true, 3]);
  }, 30_000);

  test("a node restarted on its address and name rejoins, healthy everywhere", async () => {
    const old = nodes[2];
    const again = await startNode({ port: old.port, name: old.name, join: nodes[0].address });
    nodes[2] = again;
    await waitFor("every node sees 3 healthy again", () => views(nodes), allHealthy(nodes), 5_000);
    for (const n of nodes) expect((await clusterOf(n)).nodes.find((m) => m.ip_port === again.address)?.pid).toBe(again.proc.pid);
  }, 30_000);

  test("a partition of one node heals: frozen until declared dead, then thawed, it is healthy everywhere", async () => {
    const [a, b, c] = nodes;
    b.pause();
    try {
      await waitFor(
        "a and c see b dead",
        () => Promise.all([a, c].map(statesSeenBy)),
        (vs) => vs.every((v) => v[b.address] === "dead"),
        5_000,
      );
    } finally {
      b.resume();
    }
    const logBefore = b.stderr().length;
    await waitFor("every node sees 3 healthy after the thaw", () => views(nodes), allHealthy(nodes), 5_000);
    // b was the one stopped: it must not take the others' silence for their death.
    expect(b.stderr().slice(logBefore)).not.toContain("is dead");
    expect(a.stderr()).toContain(`node ${b.name} is alive again`);
  }, 30_000);

  test("a node stopped with SIGTERM leaves: the others mark it dead at once", async () => {
    const [a, b, c] = nodes;
    await c.stop();
    const v = await waitFor(
      "a and b see c dead",
      () => Promise.all([a, b].map(statesSeenBy)),
      (vs) => vs.every((x) => x[c.address] === "dead"),
      5_000,
      20,
    );
    expect(v.every((x) => x[c.address] === "dead")).toBe(true);
    // Dead because it said it was leaving, not after six silent heartbeats: the log names the
    // cause (a wall-clock bound here would race a loaded machine's slow process exit).
    expect(a.stderr()).toContain(`node ${c.name} is dead: left the cluster`);
    // A heartbeat c sent or answered while leaving does not bring it back.
    await Bun.sleep(3 * TEST_HEARTBEAT_MS);
    expect((await statesSeenBy(a))[c.address]).toBe("dead");
    expect(a.stderr()).not.toContain(`node ${c.name} is alive again`);
  }, 30_000);
});

// TLS: peers share one certificate and trust only it. The certificates are made by openssl
// at test time (skipped where there is none).
describe.skipIf(!Bun.which("openssl"))("a cluster over TLS", () => {
  function selfSigned(dir: string, name: string): { cert: string; key: string } {
    const cert = `${dir}/${name}.pem`;
    const key = `${dir}/${name}.key`;
    const r = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", `/CN=${name}`], { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`openssl: ${r.stderr.toString()}`);
    return { cert, key };
  }

  async function clusterOverTls(url: string, certPath: string): Promise<{ cloud_size: number; cloud_healthy: boolean; nodes: { ip_port: string }[] }> {
    const ca = await Bun.file(certPath).text();
    const res = await fetch(`${url}/api/v1/cluster`, { tls: { ca, checkServerIdentity: () => undefined } });
    return res.json() as Promise<any>;
  }

  test("nodes sharing a certificate form a cluster over https; a node with another certificate cannot join", async () => {
    const dir = tempDir();
    const shared = selfSigned(dir, "floe-cluster");
    const other = selfSigned(dir, "intruder");
    const tlsArgs = (c: { cert: string; key: string }) => ["--tls-cert", c.cert, "--tls-key", c.key];
    const seed = await startNode({ args: tlsArgs(shared) });
    expect(seed.url).toStartWith("https://");
    const peer = await startNode({ join: seed.address, args: tlsArgs(shared) });
    const status = await waitFor(
      "both see two healthy nodes",
      () => Promise.all([seed, peer].map((n) => clusterOverTls(n.url, shared.cert))),
      (cs) => cs.every((c) => c.cloud_size === 2 && c.cloud_healthy),
      5_000,
    );
    expect(status[0].nodes.map((n) => n.ip_port).sort()).toEqual([seed.address, peer.address].sort());
    const intruder = await floe(["serve", "--port", "0", "--threads", "1", "--secret", TEST_SECRET, "--join", seed.address, ...tlsArgs(other)]);
    expect(intruder.code).toBe(1);
    expect(intruder.stderr).toStartWith(`floe: cannot join ${seed.address}: cannot reach node https://${seed.address}: `);
  }, 30_000);
});

// In-process memberships, each behind its own Bun.serve: what is awkward with processes
// (another floe version, a lost message) and the events the executor listens to.
describe("in process", () => {
  const stats = (): NodeStats => ({ num_cpus: 1, sys_load: 0, free_mem: 1, max_mem: 1, num_keys: 0, pid: process.pid, uptime_ms: 0 });
  const servers: { stop(force: boolean): unknown }[] = [];
  const members: Membership[] = [];
  afterAll(async () => {
    await Promise.all(members.map((m) => m.stop()));
    await Promise.all(servers.map((s) => s.stop(true)));
  });

  /** `hold`, when given, is awaited before each request is answered (to keep one on the way). */
  function member(version: string, name: string, rpc = new Rpc({ secret: TEST_SECRET }), hold?: (req: Request) => Promise<void>) {
    const logs: string[] = [];
    const routes = new InternalRoutes(new Verifier(TEST_SECRET), (l) => logs.push(l));
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async (req) => (await hold?.(req), routes.fetch(req)) });
    servers.push(server);
    const url = `http://127.0.0.1:${server.port}`;
    const m = new Membership({ clusterName: "floe", version, self: { name, url }, rpc, routes, stats, heartbeatMs: 50, log: (l) => logs.push(l) });
    members.push(m);
    const events: string[] = [];
    for (const e of ["joined", "dead", "alive"] as const) m.on(e, (x) => events.push(`${e} ${x.name}`));
    return { m, url, address: `127.0.0.1:${server.port}`, events, server };
  }

  /** An Rpc whose calls to one address are lost, as if the network dropped them. */
  class LossyRpc extends Rpc {
    constructor(private readonly lost: () => string) {
      super({ secret: TEST_SECRET });
    }
    override call(baseUrl: string, path: string, body?: Uint8Array | string, opts?: Parameters<Rpc["call"]>[3]): Promise<Uint8Array> {
      if (baseUrl === this.lost()) return Promise.reject(new FloeError("unavailable", `lost: ${path}`, { unreachable: true }));
      return super.call(baseUrl, path, body, opts);
    }
  }

  test("gossip: a node whose every message to a member is lost still becomes known to it; events fire", async () => {
    const a = member("1.0.0", "a");
    const b = member("1.0.0", "b");
    const c = member("1.0.0", "c", new LossyRpc(() => a.url));
    await b.m.join(a.address);
    await c.m.join(b.address);
    for (const x of [a, b, c]) x.m.start();
    // a hears of c only in b's heartbeats, then reaches c itself (a -> c is not lost).
    await waitFor(
      "a knows c",
      async () => a.m.get("c")?.state,
      (s) => s === "healthy",
      2_000,
      10,
    );
    expect(a.events).toEqual(["joined b", "joined c"]);
    expect(a.m.live().map((x) => x.name)).toEqual(["a", "b", "c"]);
    // The executor's report kills c at once; c's next answer to a heartbeat heals it.
    a.m.reportUnreachable("c");
    expect(a.m.get("c")?.state).toBe("dead");
    expect(a.m.live().map((x) => x.name)).toEqual(["a", "b"]);
    await waitFor(
      "c alive again on a",
      async () => a.m.get("c")?.state,
      (s) => s === "healthy",
      2_000,
      10,
    );
    expect(a.events).toEqual(["joined b", "joined c", "dead c", "alive c"]);
  });

  test("a heartbeat a member sent before it was declared dead does not bring it back", async () => {
    let holding = false;
    const held: (() => void)[] = [];
    const a = member("1.0.0", "a", undefined, async (req) => {
      if (holding && new URL(req.url).pathname.endsWith("/heartbeat")) await new Promise<void>((release) => held.push(release));
    });
    let cut = "";
    const b = member("1.0.0", "b", new LossyRpc(() => cut));
    await b.m.join(a.address);
    for (const x of [a, b]) x.m.start();
    await waitFor(
      "a knows b",
      async () => a.m.get("b")?.state,
      (s) => s === "healthy",
      2_000,
      10,
    );
    // One of b's heartbeats reaches a and waits there; then b dies (its leave is lost) and a
    // declares it dead, as the executor does on a call cut short.
    holding = true;
    await waitFor(
      "a heartbeat of b on the way",
      async () => held.length,
      (n) => n > 0,
      2_000,
      5,
    );
    cut = a.url;
    await b.m.stop();
    b.server.stop(true);
    a.m.reportUnreachable("b");
    holding = false;
    for (const release of held) release();
    // a answers the stale heartbeat, and its own beats to b fail.
    await Bun.sleep(100);
    expect(a.m.get("b")?.state).toBe("dead");
    expect(a.events).toEqual(["joined b", "dead b"]);
  });

  test("joining a cluster of another floe version is refused, naming both versions", async () => {
    const seed = member("1.2.0", "seed");
    const other = member("1.3.0", "other");
    let err: unknown;
    try {
      await other.m.join(seed.address);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FloeError);
    expect((err as FloeError).code).toBe("conflict");
    expect((err as FloeError).message).toBe(`cannot join ${seed.address}: floe version 1.3.0 does not match this cluster's version 1.2.0`);
    expect(seed.m.all().map((x) => x.name)).toEqual(["seed"]);
    // The same version joins, and both know each other.
    const same = member("1.2.0", "same");
    await same.m.join(seed.url);
    expect(seed.m.live().map((x) => x.name)).toEqual(["same", "seed"]);
    expect(same.m.live().map((x) => x.name)).toEqual(["same", "seed"]);
  });
});
