// AutoML on a two-node cluster: a run lives on the node that started it, and the other node
// answers for it (GET /automl, GET and DELETE /automl/{id}) by asking its peers; both nodes' default run ids
// differ, so their models, shared with every member, never overwrite each other.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { killAllNodes, startCluster, type TestNode } from "../support/cluster.ts";
import { FIXTURES } from "../support/node.ts";

let nodes: TestNode[] = [];

async function call(node: TestNode, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${node.url}/api/v1${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function finished(node: TestNode, jobId: string): Promise<any> {
  for (;;) {
    const job = (await call(node, "GET", `/jobs/${jobId}?wait=30`)).body;
    if (!["created", "running"].includes(job.status)) return job;
  }
}

/** Starts a small GLM-only run on `node` and waits for it; returns its id. */
async function run(node: TestNode): Promise<string> {
  const r = await call(node, "POST", "/automl", { training_frame: "iris", response_column: "species", params: { max_models: 1, include_algos: "GLM", nfolds: 2, seed: 3 } });
  expect(r.status).toBe(202);
  expect((await finished(node, r.body.job.job_id)).status).toBe("done");
  return r.body.automl_id;
}

beforeAll(async () => {
  nodes = await startCluster(2);
  const r = await call(nodes[0], "POST", "/frames/import", { sql: `SELECT * FROM read_csv('${join(FIXTURES, "iris.csv")}')`, frame_id: "iris" });
  expect((await finished(nodes[0], r.body.job.job_id)).status).toBe("done");
}, 60_000);

afterAll(killAllNodes);

test("a run started on one node is read and deleted from the other; the two nodes' runs never share model ids", async () => {
  const [a, b] = nodes;
  const onA = await run(a);
  const fromA = await call(a, "GET", `/automl/${onA}`);
  const fromB = await call(b, "GET", `/automl/${onA}`);
  expect(fromA.status).toBe(200);
  expect([fromB.status, fromB.body]).toEqual([200, fromA.body]);
  expect(fromB.body.leaderboard.map((r: any) => r.model_id)).toEqual([`GLM_1_${onA}`]);
  expect((await call(b, "GET", `/models/GLM_1_${onA}`)).status).toBe(200);

  const onB = await run(b);
  expect(onB).not.toBe(onA);
  expect((await call(a, "GET", `/automl/${onB}`)).body.leaderboard.map((r: any) => r.model_id)).toEqual([`GLM_1_${onB}`]);
  // Each run's model is still the one its run built: trained on iris, with its run's id.
  for (const id of [onA, onB]) expect((await call(a, "GET", `/models/GLM_1_${id}`)).body.model_id).toBe(`GLM_1_${id}`);

  // Each node lists both runs, newest first.
  for (const node of [a, b]) expect((await call(node, "GET", "/automl")).body.runs.map((r: any) => r.automl_id)).toEqual([onB, onA]);

  const deleted = await call(b, "DELETE", `/automl/${onA}`);
  expect([deleted.status, deleted.body]).toEqual([200, { automl_id: onA, deleted_models: [`GLM_1_${onA}`] }]);
  for (const node of [a, b]) {
    expect((await call(node, "GET", `/automl/${onA}`)).status).toBe(404);
    expect((await call(node, "GET", `/models/GLM_1_${onA}`)).status).toBe(404);
  }
  expect((await call(a, "GET", "/automl/nope")).body).toEqual({ error: { code: "not_found", message: "no AutoML run 'nope'" } });
}, 120_000);
