// The seed program of issue 16 (test/h2o/scripts/seed.py) with H2O's unmodified client:
// import iris from an http URL, asfactor, split_frame, a 5-fold random forest and its
// performance on the test part, printed as H2O prints it. The numbers the client prints
// must be floe's own for the same model and frame (asked through floe's REST API), on one
// node and through the second member of a two-node cluster; then the client shuts the node down.

import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { killAllNodes, startCluster } from "../support/cluster.ts";
import { apiOf, testServer } from "../support/server.ts";
import { runH2OScript } from "./support.ts";

afterAll(killAllNodes);

const iris = Bun.file(join(import.meta.dir, "..", "..", "fixtures", "iris.csv"));
const web = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => (new URL(req.url).pathname === "/iris.csv" ? new Response(iris) : new Response("no", { status: 404 })) });
afterAll(() => web.stop(true));
const IRIS_URL = `http://127.0.0.1:${web.port}/iris.csv`;

/** The METRICS line of a run, checked against floe's own metrics of the same model on the same frame. */
async function expectFloesNumbers(out: string, api: ReturnType<typeof apiOf>): Promise<void> {
  expect(out).toContain("ROWS 150 5");
  const split = /^SPLIT (\d+) (\d+) /m.exec(out);
  expect(Number(split?.[1]) + Number(split?.[2])).toBe(150);
  expect(out).toContain("ModelMetricsMultinomial: drf");
  expect(out).toContain("Top-3 Hit Ratios");
  const printed = JSON.parse(/^METRICS (.*)$/m.exec(out)?.[1] ?? "null");
  const own = await api.post("/models/seed_rf/metrics", { frame: printed.test_frame });
  expect(own.status).toBe(200);
  const m = own.body.metrics;
  expect(printed.nobs).toBe(m.nobs);
  expect(printed.nobs).toBe(Number(split?.[2]));
  for (const [h2o, floe] of [
    ["mse", "MSE"],
    ["rmse", "RMSE"],
    ["logloss", "logloss"],
    ["mean_per_class_error", "mean_per_class_error"],
  ]) {
    expect([h2o, printed[h2o]]).toEqual([h2o, m[floe]]);
  }
  expect(printed.hit_ratios).toEqual(m.hit_ratios);
  const model = await api.get("/models/seed_rf");
  expect(printed.xval_logloss).toBe(model.body.metrics.cross_validation.logloss);
  expect(model.body.params).toMatchObject({ ntrees: 50, max_depth: 10, nfolds: 5, seed: 1234 });
}

test("one node: the seed program runs unmodified and prints floe's numbers; shutdown stops the node", async () => {
  const server = await testServer();
  const run = await runH2OScript("seed.py", server.url, { IRIS_URL });
  expect(`${run.stdout}\n${run.stderr}`).not.toContain("Traceback");
  expect(run.code).toBe(0);
  await expectFloesNumbers(run.stdout, apiOf(server));
  const down = await runH2OScript("connect.py", server.url, { SHUTDOWN: "1" });
  expect(down.code).toBe(0);
  await server.stopped;
}, 120_000);

test("a two-node cluster: the seed program through the second member; the first answers with the same numbers", async () => {
  const nodes = await startCluster(2);
  try {
    const run = await runH2OScript("seed.py", nodes[1].url, { IRIS_URL });
    expect(`${run.stdout}\n${run.stderr}`).not.toContain("Traceback");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("H2O_cluster_total_nodes:    2");
    await expectFloesNumbers(run.stdout, apiOf(nodes[0]));
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}, 180_000);
