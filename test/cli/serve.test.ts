// `floe serve` as a process: it prints where it listens, refuses what it must, and on
// SIGTERM or SIGINT cancels a running job and exits 0.

import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { floe } from "../support/cli.ts";
import { FIXTURES } from "../support/node.ts";
import { apiOf } from "../support/server.ts";

const CLI = join(import.meta.dir, "..", "..", "src", "cli.ts");
const running = new Set<Bun.Subprocess>();
afterAll(() => {
  for (const p of running) p.kill(9);
});

/** Spawns `floe serve --port 0` and resolves with its URL once it listens. */
async function serve(args: string[] = []): Promise<{ proc: Bun.Subprocess<"ignore", "pipe", "pipe">; url: string; stderr: () => string }> {
  const proc = Bun.spawn([process.execPath, CLI, "serve", "--port", "0", "--threads", "1", ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  running.add(proc);
  let text = "";
  const reader = proc.stderr.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + 20_000;
  while (!/listening on (http:\/\/\S+?) /.test(text)) {
    if (Date.now() > deadline) throw new Error(`floe serve did not start: ${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`floe serve exited: ${text}`);
    text += decoder.decode(value);
  }
  const url = /listening on (http:\/\/\S+?) /.exec(text)![1];
  // Keep draining stderr so the process never blocks on a full pipe.
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
  })();
  return { proc, url, stderr: () => text };
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`${signal} cancels the running job and exits 0`, async () => {
    const { proc, url, stderr } = await serve();
    const api = apiOf({ url });
    const frame = await api.importPath(join(FIXTURES, "penguins.csv"));
    const r = await api.post("/models", { algo: "gbm", training_frame: frame, response_column: "body_mass_g", params: { ntrees: 100000 } });
    expect((await api.get(`/jobs/${r.body.job.job_id}`)).body.status).toBe("running");
    proc.kill(signal);
    expect(await proc.exited).toBe(0);
    running.delete(proc);
    expect(stderr()).toContain(`${signal}, cancelling running jobs and stopping`);
    expect(stderr()).toContain("floe serve: stopped");
  }, 30_000);
}

test("a non-loopback bind without a token is refused with one line and exit 2", async () => {
  const r = await floe(["serve", "--host", "0.0.0.0", "--port", "0"]);
  expect(r.code).toBe(2);
  expect(r.stderr.trim()).toBe("floe: refusing to listen on 0.0.0.0 without --auth-token: anyone who can reach it could read your data (add --insecure to do it anyway)");
});

test("a missing --data-root is refused", async () => {
  const r = await floe(["serve", "--port", "0", "--data-root", "/no/such/dir"]);
  expect(r.code).toBe(1);
  expect(r.stderr.trim()).toBe("floe: --data-root /no/such/dir: no such directory");
});
