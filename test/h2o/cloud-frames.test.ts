// H2O's Python client, unmodified, against floe: connecting, the cluster's status, frames
// (import from a path and a URL, upload, parse, summaries, download, export, delete) and
// shutdown. Each script asserts floe's answers against independently known facts (iris has
// 150 rows and 5 columns, setosa is its first level).

import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { floe } from "../support/cli.ts";
import { testServer } from "../support/server.ts";
import { runH2OScript } from "./support.ts";

const IRIS = join(import.meta.dir, "..", "..", "fixtures", "iris.csv");

test("h2o.init connects, cluster_status shows the node, shutdown stops the server", async () => {
  const server = await testServer({ h2oVersion: "3.46.0.99" });
  const run = await runH2OScript("connect.py", server.url, { SHUTDOWN: "1" });
  expect(run.stderr).not.toContain("Traceback");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("VERSION 3.46.0.99");
  expect(run.stdout).toContain("SIZE 1");
  expect(run.stdout).toContain(`NODES ${new URL(server.url).host}`);
  expect(run.stdout).toContain("H2O_cluster_total_nodes:");
  expect(run.stdout).toContain("OK");
  // POST /3/Shutdown stopped the server.
  await server.stopped;
}, 60_000);

test("floe serve --h2o-version and FLOE_H2O_VERSION refuse what is not a release number", async () => {
  const flag = await floe(["serve", "--port", "0", "--h2o-version", "latest"], { timeoutMs: 15_000 });
  expect(flag.code).not.toBe(0);
  expect(flag.code).not.toBe(-1);
  expect(flag.stderr).toContain("--h2o-version 'latest' is not an H2O release number");
  const env = await floe(["serve", "--port", "0"], { timeoutMs: 15_000, env: { FLOE_H2O_VERSION: "3.46" + "x" } });
  expect(env.code).not.toBe(0);
  expect(env.code).not.toBe(-1);
  expect(env.stderr).toContain("'3.46x' is not an H2O release number");
}, 40_000);

test("frames: import from a path and an http URL, upload, python objects, summaries, download, get_frame, export, remove", async () => {
  const server = await testServer();
  const iris = await Bun.file(IRIS).text();
  // The URL import fetches from this local HTTP server.
  const web = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(iris, { headers: { "content-type": "text/csv" } }) });
  const out = mkdtempSync(join(tmpdir(), "floe-h2o-frames-"));
  try {
    const run = await runH2OScript("frames.py", server.url, { IRIS_PATH: IRIS, IRIS_URL: `http://127.0.0.1:${web.port}/data/iris.csv`, OUT_DIR: out });
    expect(`${run.stdout}\n${run.stderr}`).not.toContain("Traceback");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("LOCAL iris.hex 150 5");
    expect(run.stdout).toContain("URL iris_2.hex 150");
    expect(run.stdout).toContain("OK");
  } finally {
    web.stop(true);
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
