// bench/serve: the REST API under load. A GBM (50 trees) on flights (100,000 rows of
// flights-3m) scores a 10,000-row frame; the same 200 predictions run in-process one
// after another and through `POST /models/{id}/predict` 200 at once, in the same run:
// seconds, requests per second, latency percentiles, the REST/in-process ratio, peak RSS.
// Usage: npm run bench:serve

import { join } from "node:path";
import { predictionsFrame } from "../src/ml/predictions.ts";
import { predictFrame } from "../src/ml/scoring.ts";
import { modelKey } from "../src/server/context.ts";
import { startServer } from "../src/server/serve.ts";

const REQUESTS = 200;
const parquet = join(import.meta.dir, "..", "node_modules", "vega-datasets", "data", "flights-3m.parquet");
const server = await startServer({ port: 0, threads: 2 });
const api = `${server.url}/api/v1`;

async function post(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${api}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
async function wait(body: { job: { job_id: string } }): Promise<any> {
  const job: any = await (await fetch(`${api}/jobs/${body.job.job_id}?wait=300`)).json();
  if (job.status !== "done") throw new Error(`job ${job.job_id}: ${JSON.stringify(job.error)}`);
  return job;
}

try {
  const sql = (from: number, n: number) =>
    `SELECT (delay > 15)::VARCHAR AS late, origin, destination, distance, EXTRACT(hour FROM date) AS hour, EXTRACT(dow FROM date) AS dow FROM '${parquet}' LIMIT ${n} OFFSET ${from}`;
  await wait(await post("/frames/import", { sql: sql(0, 100_000), frame_id: "train" }));
  await wait(await post("/frames/import", { sql: sql(100_000, 10_000), frame_id: "score" }));
  await wait(await post("/models", { algo: "gbm", training_frame: "train", response_column: "late", model_id: "gbm", params: { ntrees: 50, seed: 1 } }));

  // In-process: the same scoring and predictions frame, one call after another.
  const { store, executor } = server.node;
  const model = store.need(modelKey("gbm")).model;
  const frame = store.need({ kind: "frame", id: "score" } as never) as Parameters<typeof predictFrame>[2];
  let t = performance.now();
  for (let i = 0; i < REQUESTS; i++) predictionsFrame(model, await predictFrame(executor, model, frame, []));
  const inProcess = (performance.now() - t) / 1000;

  const latencies: number[] = [];
  t = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: REQUESTS }, async () => {
      const start = performance.now();
      const res = await fetch(`${api}/models/gbm/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ frame: "score" }) });
      await res.arrayBuffer();
      latencies.push(performance.now() - start);
      return res.status;
    }),
  );
  const rest = (performance.now() - t) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(0);
  const ok = statuses.filter((s) => s === 200).length;
  console.log(`bench/serve: ${REQUESTS} predictions of a 10,000-row frame by a 50-tree GBM (2 threads)`);
  console.log(`  in-process, sequential   ${inProcess.toFixed(2)} s   ${(REQUESTS / inProcess).toFixed(0)} predictions/s`);
  console.log(`  REST, ${REQUESTS} concurrent      ${rest.toFixed(2)} s   ${(REQUESTS / rest).toFixed(0)} requests/s   ${ok}/${REQUESTS} answered 200, ${statuses.filter((s) => s >= 500).length} 5xx`);
  console.log(`  latency ms               p50 ${pct(50)}  p95 ${pct(95)}  p99 ${pct(99)}  max ${latencies[latencies.length - 1].toFixed(0)}`);
  console.log(`  ratio REST / in-process  ${(rest / inProcess).toFixed(2)}x`);
  console.log(`  peak RSS                 ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  await server.stop();
}
