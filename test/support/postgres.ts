// A throwaway PostgreSQL server for tests: Debian's binaries, a fresh data directory under
// the temporary directory, TCP on 127.0.0.1 and a free port, a password-protected user,
// stopped and removed after the file's tests. PostgreSQL refuses to run as root, so when
// the tests run as root the server runs as the `postgres` system user.

import { afterAll } from "bun:test";
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";

export interface TestPostgres {
  /** postgres://floe:PASSWORD@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  /** A client for setting up tables (closed with the server). */
  readonly sql: SQL;
}

function pgBin(name: string): string {
  const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error("PostgreSQL is not installed (apt-get install postgresql)");
  return join("/usr/lib/postgresql", versions[0], "bin", name);
}

/** A port nothing listens on right now. */
function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

export async function testPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "floe-pg-"));
  const password = "s3cret-pw-42";
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, password);
  // Spawned directly with the postgres user's ids (no runuser between): signals reach it.
  let user: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    const idOf = (flag: string) => Number(Bun.spawnSync(["id", flag, "postgres"]).stdout.toString());
    user = { uid: idOf("-u"), gid: idOf("-g") };
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, "data");
  const init = Bun.spawnSync([pgBin("initdb"), "-D", data, "-U", "floe", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--locale=C"], { stdout: "pipe", stderr: "pipe", ...user });
  if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr.toString()}`);
  const port = freePort();
  const server = Bun.spawn([pgBin("postgres"), "-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"], {
    stdout: "ignore",
    stderr: "pipe",
    ...user,
  });
  const url = `postgres://floe:${password}@127.0.0.1:${port}/postgres`;
  let sql: SQL | undefined;
  for (let i = 0; i < 300 && !sql; i++) {
    const attempt = new SQL(url, { max: 1 });
    try {
      await attempt`SELECT 1`;
      sql = attempt;
    } catch {
      await attempt.close().catch(() => {});
      if (server.exitCode !== null) break;
      await Bun.sleep(50);
    }
  }
  const stop = async () => {
    await sql?.close().catch(() => {});
    server.kill("SIGINT");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  if (!sql) {
    await stop();
    throw new Error(`PostgreSQL did not start: ${await new Response(server.stderr).text()}`);
  }
  afterAll(stop, 30_000);
  return { url, port, password, sql };
}
