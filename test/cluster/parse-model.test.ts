// A model trained on a frame that two `floe serve` nodes parsed, each its share, predicts
// byte for byte what the same model trained on one node's import predicts: a large CSV file
// cut in two (read twice by each node, and, clean, read once), and a glob of four files, each
// with enum levels seen in different orders.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jobEnded, killAllNodes, nodeApi, startCluster, startNode, type TestNode } from "../support/cluster.ts";
import { ROWS, writeParseFixtures } from "./parse-fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-parse-model-"));
afterAll(() => {
  killAllNodes();
  rmSync(dir, { recursive: true, force: true });
});
const { big, parts, clean } = writeParseFixtures(dir);

/** Imports `path`, trains a small GBM on it and returns its predictions on the frame, as CSV. */
async function predictions(node: TestNode, path: string, id: string): Promise<string> {
  const imported = await nodeApi(node, "POST", "/frames/import", { path, frame_id: id });
  expect((await jobEnded(node, imported.job.job_id)).status).toBe("done");
  const params = { ntrees: 4, max_depth: 3, seed: 7, score_tree_interval: 4 };
  const started = await nodeApi(node, "POST", "/models", { algo: "gbm", training_frame: id, response_column: "label", model_id: `gbm_${id}`, params });
  expect((await jobEnded(node, started.job.job_id)).status).toBe("done");
  const predicted = await nodeApi(node, "POST", `/models/gbm_${id}/predict`, { frame: id });
  return nodeApi(node, "GET", `/frames/${predicted.frame_id}/download`);
}

/** Calls of a route the node made to the other node, and to itself. */
async function calls(node: TestNode, route: string): Promise<number> {
  const t = (await nodeApi(node, "GET", "/cluster")).traffic?.[route];
  return t ? t.calls + t.local_calls : 0;
}

test("a model trained on a frame both nodes parsed predicts what one node's import gives", async () => {
  const [a] = await startCluster(2, { threads: 1 });
  const single = await startNode({ secret: null, threads: 1 });
  // The large file's shares are counted twice (a value past the sniffing sample: planned again).
  for (const [name, path, counts] of [
    ["big", big, 4],
    ["clean", clean, 2],
    ["parts", parts, 2],
  ] as const) {
    const before = await calls(a, "parse-count");
    const shared = await predictions(a, path, name);
    expect(await calls(a, "parse-count")).toBe(before + counts);
    const one = await predictions(single, path, name);
    expect(shared.trim().split("\n")).toHaveLength(ROWS + 1);
    expect(shared).toBe(one);
  }
}, 120_000);
