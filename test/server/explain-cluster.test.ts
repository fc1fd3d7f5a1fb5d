// Explain jobs on a frame spread over a two-node cluster: the explanations read rows, so the
// node that runs the job gathers the frame first (before, every job failed: its chunks are
// held by the other node). Partial dependence of a linear model equals the mean prediction of
// the same rows made by DuckDB with the column set to the grid value.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { jobEnded, killAllNodes, nodeApi, startCluster, type TestNode } from "../support/cluster.ts";

// 200,000 rows: several chunks, spread over both nodes.
const rowsSql = (a: string) => `SELECT ${a} AS a, ((i * 7919) % 1000) / 10.0 AS b, (i % 13)::DOUBLE AS c,
  3 * (i % 7) - 0.5 * ((i * 7919) % 1000) / 10.0 + (i % 13) AS y FROM range(200000) t(i)`;

let nodes: TestNode[] = [];

async function importSql(node: TestNode, sql: string, frameId: string): Promise<void> {
  const r = await nodeApi(node, "POST", "/frames/import", { sql, frame_id: frameId });
  expect((await jobEnded(node, r.job.job_id)).status).toBe("done");
}

async function explain(node: TestNode, kind: string, body: Record<string, unknown>): Promise<any> {
  const r = await nodeApi(node, "POST", `/models/linear/${kind}`, body);
  const job = await jobEnded(node, r.job.job_id);
  expect(job.error).toBeNull();
  return (await nodeApi(node, "GET", `/explanations/${job.job_id}`)).result;
}

beforeAll(async () => {
  nodes = await startCluster(2);
  const [a] = nodes;
  await importSql(a, rowsSql("(i % 7)::DOUBLE"), "spread");
  await importSql(a, rowsSql("4.0"), "spread_a4");
  const r = await nodeApi(a, "POST", "/models", { algo: "glm", training_frame: "spread", response_column: "y", model_id: "linear", params: { lambda: 0 } });
  expect((await jobEnded(a, r.job.job_id)).status).toBe("done");
}, 120_000);

afterAll(killAllNodes);

test("partial dependence, permutation importance and contributions of a spread frame", async () => {
  const [a, b] = nodes;
  const holders = await nodeApi(a, "GET", "/frames/spread");
  expect(holders.rows).toBe(200_000);

  const pdp = await explain(b, "partial-dependence", { frame: "spread", cols: ["a"], user_splits: { a: [4] } });
  const p = await nodeApi(a, "POST", "/models/linear/predict", { frame: "spread_a4" });
  const csv: string = await nodeApi(a, "GET", `/frames/${p.frame_id}/download`);
  const preds = csv.trim().split("\n").slice(1).map(Number);
  expect(preds.length).toBe(200_000);
  const mean = preds.reduce((s, x) => s + x, 0) / preds.length;
  expect(pdp.tables[0].mean_response[0]).toBeCloseTo(mean, 9);

  const perm = await explain(a, "permutation-importance", { frame: "spread", seed: 3, n_samples: 5000 });
  expect(perm.variables.map((v: { variable: string }) => v.variable).sort()).toEqual(["a", "b", "c"]);

  const contrib = await explain(b, "contributions", { frame: "spread", max_rows: 1000, destination_frame: "spread_shap" });
  expect(contrib.rows).toBe(1000);
}, 120_000);
