// The cluster as H2O's client sees it: GET /3/Cloud (H2O's CloudV3 with a NodeV3 per
// member), the schema metadata the client reads its field names from, sessions, and
// POST /3/Shutdown.

import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import { FloeError } from "../../core/errors.ts";
import { VERSION } from "../../version.ts";
import type { H2OContext } from "../context.ts";
import { H2OParams } from "../params.ts";

/** A cluster member as the server's context lists it (structurally: this layer does not import the cluster's). */
interface Member {
  readonly name: string;
  readonly url: string;
  readonly state: "healthy" | "unhealthy" | "dead";
  readonly lastPing: number;
  readonly stats: ReturnType<H2OContext["server"]["stats"]>;
}

/** The fields of H2O's CloudV3 that floe fills (the client defines its attributes from this list). */
const CLOUD_FIELDS = [
  "version",
  "branch_name",
  "last_commit_hash",
  "describe",
  "compiled_by",
  "compiled_on",
  "build_number",
  "build_age",
  "build_too_old",
  "node_idx",
  "cloud_name",
  "cloud_size",
  "cloud_uptime_millis",
  "cloud_internal_timezone",
  "datafile_parser_timezone",
  "cloud_healthy",
  "bad_nodes",
  "consensus",
  "locked",
  "is_client",
  "nodes",
  "internal_security_enabled",
  "leader_idx",
  "web_ip",
  "telemetry_enabled",
] as const;

const ERROR_FIELDS = ["timestamp", "error_url", "msg", "dev_msg", "http_status", "values", "exception_type", "exception_msg", "stacktrace"] as const;

/** The schemas the client asks for by name while connecting; others are not described. */
const SCHEMAS: Readonly<Record<string, readonly string[]>> = {
  CloudV3: CLOUD_FIELDS,
  H2OErrorV3: ERROR_FIELDS,
  H2OModelBuilderErrorV3: [...ERROR_FIELDS, "parameters", "messages", "error_count"],
};

function metadataJson(name: string, fields: readonly string[]) {
  return {
    __meta: { schema_version: 3, schema_name: "MetadataV3", schema_type: "Iced" },
    routes: [],
    schemas: [{ name, fields: fields.map((f) => ({ name: f, help: f, type: "string", is_schema: false })) }],
  };
}

/** A member as H2O's NodeV3 (the fields `cluster().show_status(True)` prints). */
function nodeJson(m: Member) {
  const s = m.stats;
  const host = new URL(m.url).host;
  return {
    h2o: m.name,
    ip_port: host,
    healthy: m.state === "healthy",
    last_ping: m.lastPing,
    pid: s.pid,
    num_cpus: s.num_cpus,
    cpus_allowed: s.num_cpus,
    nthreads: s.num_cpus,
    sys_load: s.sys_load,
    my_cpu_pct: -1,
    sys_cpu_pct: -1,
    mem_value_size: 0,
    pojo_mem: 0,
    free_mem: s.free_mem,
    max_mem: s.max_mem,
    swap_mem: 0,
    num_keys: s.num_keys,
    free_disk: -1,
    max_disk: -1,
    rpcs_active: 0,
    fjthrds: [],
    fjqueue: [],
    tcps_active: 0,
    open_fds: -1,
    gflops: -1,
    mem_bw: -1,
  };
}

function cloudJson(ctx: H2OContext) {
  const { server } = ctx;
  // A standalone node is a cluster of one.
  const members: readonly Member[] = server.cluster?.membership.all() ?? [{ name: server.address, url: `http://${server.address}`, state: "healthy", lastPing: Date.now(), stats: server.stats() }];
  const live = members.filter((m) => m.state !== "dead");
  const selfName = server.cluster?.membership.self.name ?? server.address;
  const nodeIdx = Math.max(
    0,
    live.findIndex((m) => m.name === selfName),
  );
  const bad = live.filter((m) => m.state !== "healthy").length;
  return {
    __meta: { schema_version: 3, schema_name: "CloudV3", schema_type: "Iced" },
    version: ctx.version,
    branch_name: "floe",
    last_commit_hash: "floe",
    describe: `floe ${VERSION}`,
    compiled_by: "floe",
    compiled_on: "",
    build_number: "floe",
    build_age: "floe",
    build_too_old: false,
    node_idx: nodeIdx,
    cloud_name: server.name,
    cloud_size: live.length,
    cloud_uptime_millis: Date.now() - server.startedAt,
    cloud_internal_timezone: "UTC",
    datafile_parser_timezone: "UTC",
    cloud_healthy: bad === 0,
    bad_nodes: bad,
    consensus: true,
    locked: true,
    is_client: false,
    nodes: live.map(nodeJson),
    internal_security_enabled: server.cluster !== undefined,
    leader_idx: 0,
    web_ip: server.address,
    telemetry_enabled: false,
  };
}

/** `(setTimeZone "Zone")` and `(getTimeZone)`: the cluster's time zone, which h2o.init() sets to UTC on connecting. */
const TIMEZONE_AST = /^\(\s*(?:setTimeZone\s+"([^"]*)"|getTimeZone)\s*\)$/;

export function register(app: Hono, ctx: H2OContext): void {
  // floe parses and shows times in UTC only. The time zone is the cluster's setting rather than
  // a frame operation, so it is answered here, ahead of the Rapids interpreter, which gets every other expression.
  app.post("/99/Rapids", async (c, next) => {
    const ast = (await H2OParams.of(c)).str("ast")?.trim() ?? "";
    const m = TIMEZONE_AST.exec(ast);
    if (!m) return next();
    if (m[1] !== undefined && m[1] !== "UTC") throw new FloeError("unsupported", `time zone '${m[1]}': floe reads and shows times in UTC only`);
    return c.json({ __meta: { schema_version: 3, schema_name: "RapidsStringV3", schema_type: "Iced" }, string: "UTC" });
  });
  app.get("/3/Cloud", (c) => c.json(cloudJson(ctx)));
  app.get("/3/Metadata/schemas/:name", (c) => {
    const name = c.req.param("name");
    const fields = SCHEMAS[name];
    if (!fields) throw new FloeError("unsupported", `schema metadata for '${name}' is not supported by floe`);
    return c.json(metadataJson(name, fields));
  });
  app.post("/4/sessions", (c) => c.json({ __meta: { schema_version: 4, schema_name: "SessionIdV4", schema_type: "Iced" }, session_key: `_sid_${randomBytes(4).toString("hex")}` }));
  // Sessions hold nothing on floe's side: temporaries are deleted by the client's own DKV calls.
  app.delete("/4/sessions/:id", (c) => c.json({ __meta: { schema_version: 4, schema_name: "SessionIdV4", schema_type: "Iced" }, session_key: c.req.param("id") }));
  app.post("/3/Shutdown", (c) => {
    // After this response has gone out.
    setTimeout(ctx.server.shutdown, 50);
    return c.json({ __meta: { schema_version: 3, schema_name: "ShutdownV3", schema_type: "Iced" } });
  });
}
