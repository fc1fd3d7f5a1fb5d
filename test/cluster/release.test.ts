// Training views on a cluster are freed when their model is done, not when the coordinator's
// garbage collector gets to their stand-ins: after a tree model trains (or fails), every live
// node has been told to drop each view it built, at once.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { algorithm } from "../../src/ml/registry.ts";
import { memoryCluster } from "../support/memory-cluster.ts";
import { FIXTURES } from "../support/node.ts";

const cluster = memoryCluster(2);
const [coordinator] = cluster.nodes;

async function trainGbm(params: Record<string, unknown>, validation = false, signal?: AbortSignal) {
  const frame = (await coordinator.importFrame({ kind: "file", path: join(FIXTURES, "iris.csv") }, { chunkRows: 40 }).done).frame;
  const gbm = algorithm("gbm");
  if (!gbm) throw new Error("gbm");
  return gbm.train(coordinator.executor, { modelId: "gbm", frame, y: "species", x: null, valid: validation ? frame : null, params: { ntrees: 3, seed: 1, ...params }, signal });
}

test("a tree model's training and validation views are dropped on both nodes when it is done", async () => {
  const before = cluster.calls.get("release") ?? 0;
  await trainGbm({ nfolds: 2 }, true);
  // Two views (training, validation), each dropped on the two nodes.
  expect((cluster.calls.get("release") ?? 0) - before).toBe(4);
});

test("a training cancelled once its view is built still drops it", async () => {
  const before = cluster.calls.get("release") ?? 0;
  const cancel = new AbortController();
  cancel.abort();
  await expect(trainGbm({}, false, cancel.signal)).rejects.toThrow("cancelled");
  expect((cluster.calls.get("release") ?? 0) - before).toBe(2);
});

test("every algorithm's views go when its training ends: deep learning's and GLM's expanded designs, k-means' view", async () => {
  const frame = (await coordinator.importFrame({ kind: "file", path: join(FIXTURES, "iris.csv") }, { chunkRows: 40 }).done).frame;
  const cases: [string, string | null, Record<string, unknown>][] = [
    ["deeplearning", "species", { hidden: "4", epochs: 1, seed: 1 }],
    ["glm", "species", { seed: 1 }],
    ["kmeans", null, { k: 3, seed: 1 }],
  ];
  for (const [algo, y, params] of cases) {
    const before = cluster.calls.get("release") ?? 0;
    await algorithm(algo)?.train(coordinator.executor, { modelId: algo, frame, y, x: null, params });
    // At least the training view, dropped on both nodes.
    expect([algo, (cluster.calls.get("release") ?? 0) - before >= 2]).toEqual([algo, true]);
  }
});
