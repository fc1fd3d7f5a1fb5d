// bench/cluster: GBM on flights-3m (the 2.4M-row training split of bench/flights) on one
// node with one thread, then on a cluster of two nodes with one thread each, on this
// machine, in the same run. Prints the training times and their ratio (target ≤ 0.6),
// the bytes the coordinator's map requests and their partials carried per tree level, the
// peak memory of every node, and whether the two models predict the same bits.
// Usage: npm run bench:cluster

import { prepareFlights, test as testCsv, train as trainCsv } from "./flights.ts";
import { call, job, type Node, peakMB, startNode } from "./nodes.ts";

const NTREES = 50;
const MAX_DEPTH = 6;
const SECRET = "bench-cluster-secret";
const params = { ntrees: NTREES, max_depth: MAX_DEPTH, learn_rate: 0.1, seed: 42, score_tree_interval: NTREES };

/** Map traffic (request and reply bytes) seen by the coordinator so far. */
async function mapBytes(node: Node): Promise<number> {
  const status = await call(node, "GET", "/cluster");
  const t = status.traffic?.map;
  return t ? t.bytes_out + t.bytes_in : 0;
}

/** Imports the split, trains, predicts the test split; seconds to train and the predictions. */
async function run(coordinator: Node): Promise<{ seconds: number; preds: string; bytes: number }> {
  await job(coordinator, await call(coordinator, "POST", "/frames/import", { path: trainCsv, frame_id: "train" }));
  await job(coordinator, await call(coordinator, "POST", "/frames/import", { path: testCsv, frame_id: "test" }));
  const before = await mapBytes(coordinator);
  const t = performance.now();
  await job(coordinator, await call(coordinator, "POST", "/models", { algo: "gbm", training_frame: "train", response_column: "delayed", model_id: "gbm", params }));
  const seconds = (performance.now() - t) / 1000;
  const bytes = (await mapBytes(coordinator)) - before;
  const predicted = await call(coordinator, "POST", "/models/gbm/predict", { frame: "test", predictions_frame: "preds" });
  const csv = await (await fetch(`${coordinator.api}/frames/${predicted.frame_id}/download`)).text();
  return { seconds, preds: csv, bytes };
}

const rows = await prepareFlights();
const nodes: Node[] = [];
try {
  const single = await startNode([]);
  nodes.push(single);
  const one = await run(single);
  const singleMB = peakMB(single.proc.pid);
  single.proc.kill();
  await single.proc.exited;

  const a = await startNode(["--secret", SECRET, "--node-name", "a"]);
  nodes.push(a);
  const b = await startNode(["--secret", SECRET, "--node-name", "b", "--join", new URL(a.url).host]);
  nodes.push(b);
  const two = await run(a);
  const levels = NTREES * MAX_DEPTH;

  console.log(`bench/cluster: GBM ${NTREES} trees, depth ${MAX_DEPTH}, on ${rows.toLocaleString("en-US")} flights (6 features), 1 thread a node`);
  console.log(`  1 node               ${one.seconds.toFixed(2)} s   peak RSS ${singleMB.toFixed(0)} MB`);
  console.log(`  2 nodes              ${two.seconds.toFixed(2)} s   peak RSS ${peakMB(a.proc.pid).toFixed(0)} MB (coordinator), ${peakMB(b.proc.pid).toFixed(0)} MB`);
  console.log(`  ratio 2 nodes / 1    ${(two.seconds / one.seconds).toFixed(2)} (target <= 0.6)`);
  console.log(`  map traffic          ${(two.bytes / 1024 ** 2).toFixed(1)} MB in all, ${(two.bytes / levels / 1024).toFixed(1)} KB per tree level (${levels} levels, requests + partials)`);
  console.log(`  same predictions     ${one.preds === two.preds ? "yes, byte for byte" : "NO"}`);
  const traffic = (await call(a, "GET", "/cluster")).traffic as Record<string, { calls: number; bytes_out: number; bytes_in: number }>;
  const routes = Object.entries(traffic).map(([r, t]) => `${r} ${t.calls} calls ${((t.bytes_out + t.bytes_in) / 1024 ** 2).toFixed(1)} MB`);
  console.log(`  coordinator → peer   ${routes.join(", ")} (import, training and scoring)`);
} finally {
  for (const n of nodes) n.proc.kill();
}
