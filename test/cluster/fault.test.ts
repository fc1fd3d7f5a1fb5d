// A real cluster of three `floe serve` processes on 127.0.0.1 (one thread each): frames,
// models and jobs are visible from every node, and a node killed with SIGKILL in the
// middle of GBM training costs nothing: the job completes on the survivors, the model
// predicts exactly what the model trained without a failure predicts, and the frame
// still reads back whole.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jobEnded, killAllNodes, nodeApi, startCluster, type TestNode, waitFor } from "../support/cluster.ts";

// 600,000 rows (10 chunks) made by DuckDB from the row number alone.
const SQL = `SELECT (i % 7)::DOUBLE AS a, ((i * 7919) % 1000) / 10.0 AS b, (hash(i) % 100)::DOUBLE AS c, ((i * 31) % 17)::DOUBLE AS d,
  CASE WHEN (i % 7) * 10 + ((i * 7919) % 1000) / 10.0 - (hash(i) % 100) > 20 THEN 'yes' ELSE 'no' END AS label
  FROM range(600000) t(i)`;
const PARAMS = { ntrees: 25, max_depth: 5, seed: 9, sample_rate: 0.8, score_tree_interval: 25 };

let nodes: TestNode[] = [];

async function trainOn(node: TestNode, modelId: string): Promise<string> {
  const r = await nodeApi(node, "POST", "/models", { algo: "gbm", training_frame: "synth", response_column: "label", model_id: modelId, params: PARAMS });
  return r.job.job_id;
}

async function predictionsCsv(node: TestNode, modelId: string): Promise<string> {
  const p = await nodeApi(node, "POST", `/models/${modelId}/predict`, { frame: "synth" });
  return nodeApi(node, "GET", `/frames/${p.frame_id}/download`);
}

beforeAll(async () => {
  nodes = await startCluster(3);
  const [a] = nodes;
  const imported = await nodeApi(a, "POST", "/frames/import", { sql: SQL, frame_id: "synth" });
  expect((await jobEnded(a, imported.job.job_id)).status).toBe("done");
}, 60_000);

afterAll(killAllNodes);

describe("a cluster of three processes", () => {
  test("frames, models and jobs are visible from every node", async () => {
    const [a, b, c] = nodes;
    for (const n of [b, c]) {
      const frame = await nodeApi(n, "GET", "/frames/synth");
      expect(frame.rows).toBe(600_000);
    }
    const jobId = await trainOn(a, "small");
    // Another node follows the job to its end and then finds the model.
    expect((await jobEnded(c, jobId)).status).toBe("done");
    const model = await nodeApi(b, "GET", "/models/small");
    expect(model.model_id).toBe("small");
    const jobs = await nodeApi(b, "GET", "/jobs");
    expect(jobs.jobs.map((j: { job_id: string }) => j.job_id)).toContain(jobId);
  }, 60_000);

  test("kill -9 of a node during GBM training: the job completes with the same model, the frame stays whole", async () => {
    const [a, b, c] = nodes;
    const reference = await jobEnded(a, await trainOn(a, "reference"));
    expect(reference.status).toBe("done");
    const referencePreds = await predictionsCsv(a, "reference");
    const frameCsv = await nodeApi(a, "GET", "/frames/synth/download");

    const jobId = await trainOn(a, "survivor");
    await waitFor(
      "training under way",
      () => nodeApi(a, "GET", `/jobs/${jobId}`),
      (j) => j.progress > 0.1 || j.status !== "running",
      30_000,
      20,
    );
    expect((await nodeApi(a, "GET", `/jobs/${jobId}`)).status).toBe("running");
    await c.kill9();
    const job = await jobEnded(a, jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("done");

    // The same model: its predictions equal the no-failure model's, byte for byte.
    expect(await predictionsCsv(a, "survivor")).toBe(referencePreds);
    // The frame reads back whole from the other survivor.
    expect(await nodeApi(b, "GET", "/frames/synth/download")).toBe(frameCsv);
    const cluster = await nodeApi(b, "GET", "/cluster");
    expect(cluster.nodes.find((n: { name: string }) => n.name === c.name)?.state).toBe("dead");
    // The dead node's share of the training view was rebuilt on the survivors (the coordinator
    // among them: a rebuild there is a local call).
    const rebuild = (await nodeApi(a, "GET", "/cluster")).traffic.rebuild;
    expect(rebuild.calls + rebuild.local_calls).toBeGreaterThan(0);
  }, 120_000);
});
