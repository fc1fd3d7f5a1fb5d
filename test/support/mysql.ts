// A throwaway MariaDB (MySQL) server for tests: Debian's mariadb-server, a fresh data
// directory under the temporary directory, TCP on 127.0.0.1 and a free port, a
// password-protected user `floe` owning database `floe`; stopped and removed after the
// file's tests. As root, the server runs as the `mysql` system user.

import { afterAll } from "bun:test";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";

export interface TestMysql {
  /** mysql://floe:PASSWORD@127.0.0.1:PORT/floe */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  /** A client for setting up tables (closed with the server). */
  readonly sql: SQL;
}

function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

export async function testMysql(): Promise<TestMysql> {
  const dir = mkdtempSync(join(tmpdir(), "floe-mysql-"));
  let user: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    const idOf = (flag: string) => Number(Bun.spawnSync(["id", flag, "mysql"]).stdout.toString());
    user = { uid: idOf("-u"), gid: idOf("-g") };
    chownSync(dir, user.uid, user.gid);
  }
  const data = join(dir, "data");
  const init = Bun.spawnSync(["mariadb-install-db", "--no-defaults", `--datadir=${data}`, "--auth-root-authentication-method=normal", "--skip-test-db"], {
    stdout: "pipe",
    stderr: "pipe",
    ...user,
  });
  if (init.exitCode !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr.toString()}`);
  const port = freePort();
  const server = Bun.spawn(
    [
      "/usr/sbin/mariadbd",
      "--no-defaults",
      `--datadir=${data}`,
      `--socket=${join(dir, "sock")}`,
      `--pid-file=${join(dir, "pid")}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      "--skip-log-bin",
      "--innodb-buffer-pool-size=16M",
    ],
    { stdout: "ignore", stderr: "pipe", ...user },
  );
  const password = "my-s3cret-77";
  let root: SQL | undefined;
  for (let i = 0; i < 300 && !root; i++) {
    const attempt = new SQL(`mysql://root@127.0.0.1:${port}/mysql`, { max: 1 });
    try {
      await attempt`SELECT 1`;
      root = attempt;
    } catch {
      await attempt.close().catch(() => {});
      if (server.exitCode !== null) break;
      await Bun.sleep(50);
    }
  }
  const stop = async () => {
    await root?.close().catch(() => {});
    server.kill("SIGTERM");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  if (!root) {
    await stop();
    throw new Error(`MariaDB did not start: ${await new Response(server.stderr).text()}`);
  }
  await root.unsafe("CREATE DATABASE floe");
  await root.unsafe(`CREATE USER 'floe'@'%' IDENTIFIED BY '${password}'`);
  await root.unsafe("GRANT ALL ON floe.* TO 'floe'@'%'");
  await root.close();
  const url = `mysql://floe:${password}@127.0.0.1:${port}/floe`;
  const sql = new SQL(url, { max: 1 });
  afterAll(async () => {
    await sql.close().catch(() => {});
    await stop();
  }, 30_000);
  return { url, port, password, sql };
}
