// Runs the floe CLI from source as a subprocess, as a user would, with a time limit.

import { join } from "node:path";

/** The CLI entry point, run with this bun (`process.execPath CLI ...`). */
export const CLI = join(import.meta.dir, "..", "..", "src", "cli.ts");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `floe ...args`, optionally fed `stdin`; killed after `timeoutMs` (then code is -1). */
export async function floe(args: string[], opts: { stdin?: string | Uint8Array | Blob; timeoutMs?: number; exe?: string[]; cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const cmd = opts.exe ? [...opts.exe, ...args] : [process.execPath, CLI, ...args];
  const proc = Bun.spawn(cmd, {
    stdin: opts.stdin === undefined ? "ignore" : typeof opts.stdin === "string" ? new Blob([opts.stdin]) : opts.stdin,
    stdout: "pipe",
    stderr: "pipe",
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
  });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    proc.kill(9);
  }, opts.timeoutMs ?? 30_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code: killed ? -1 : code, stdout, stderr };
}
