// Runs a Python script with H2O's own client (../shared/h2o-py, unmodified) against a floe
// server, as H2O's users would: /usr/bin/python3, the server's URL in FLOE_URL.

import { join } from "node:path";

export const H2O_PY = join(import.meta.dir, "..", "..", "..", "shared", "h2o-py");
export const SCRIPTS = join(import.meta.dir, "scripts");

export interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs test/h2o/scripts/<name> with FLOE_URL (and `env`) set; never rejects, the caller asserts. */
export async function runH2OScript(name: string, url: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<ScriptRun> {
  const proc = Bun.spawn(["/usr/bin/python3", join(SCRIPTS, name)], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", PYTHONPATH: H2O_PY, H2O_DISABLE_STRICT_VERSION_CHECK: "true", FLOE_URL: url, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill(), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** The JSON a script printed on its `RESULT ` line (null when it printed none). */
export function scriptResult(stdout: string): any {
  return JSON.parse(/^RESULT (.*)$/m.exec(stdout)?.[1] ?? "null");
}
