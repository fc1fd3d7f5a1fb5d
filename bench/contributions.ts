// bench/contributions: floe's TreeSHAP against the real XGBoost's pred_contribs=True, in the
// same run, on flights-3m (bench/flights.ts: the seeded 80/20 split written once to CSV):
//   model   XGBoost, 100 trees, depth 6, eta 0.1, max_bin 256, on the 2.4M training rows
//           (floe: --algo xgboost, native categoricals; XGBoost: hist, integer-coded origin and
//           destination), each trained by its own tool
//   scored  the first 1,000,000 training rows, each tool in a process of its own, 2 threads:
//           the time of the contributions alone (reading the CSV not counted) and the
//           process's peak RSS (reading included)
// Installs Debian's python3-xgboost when missing.
// Usage: npx bun bench/contributions.ts          (one scoring run: `score MODEL CSV` is its child)

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ALGORITHMS_CONTEXT, descriptorOf } from "../src/ml/registry.ts";
import { loadModel } from "../src/ml/modelfile.ts";
import { FloeNode } from "../src/runtime.ts";
import { ensurePeers, floe, out, PY, prepareFlights, train } from "./flights.ts";

const ROWS = 1_000_000;

interface Timing {
  seconds: number;
  rows: number;
  peak_rss_mb: number;
}

/** The child: contributions of MODEL on CSV, timed alone; prints seconds and rows as JSON. */
async function score(modelPath: string, csv: string): Promise<void> {
  const node = new FloeNode({ threads: 2 });
  try {
    const frame = (await node.importFrame({ kind: "file", path: csv }).done).frame;
    const model = loadModel(modelPath);
    const started = performance.now();
    const c = await descriptorOf(model.algo).scorer.contributions?.(node.executor, model, frame, [], {}, ALGORITHMS_CONTEXT);
    const seconds = (performance.now() - started) / 1000;
    console.log(JSON.stringify({ seconds, rows: c?.chunks.reduce((n, ch) => n + ch.rows, 0) ?? 0 }));
  } finally {
    node.close();
  }
}

/** The first `rows` rows of the training CSV, written once. */
function firstRows(rows: number): string {
  const path = join(out, `flights-${rows / 1e6}m.csv`);
  if (existsSync(path)) return path;
  const text = readFileSync(train, "utf8");
  let at = -1;
  for (let i = 0; i <= rows; i++) at = text.indexOf("\n", at + 1);
  writeFileSync(path, text.slice(0, at + 1));
  return path;
}

function run(cmd: string[]): Timing {
  const r = Bun.spawnSync(cmd, { stderr: "inherit", env: { ...process.env, OMP_NUM_THREADS: "2" } });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed`);
  return { ...JSON.parse(r.stdout.toString().trim().split("\n").at(-1) as string), peak_rss_mb: (r.resourceUsage?.maxRSS ?? 0) / 2 ** 20 };
}

async function main(): Promise<void> {
  await prepareFlights();
  ensurePeers(["xgboost"], ["python3-xgboost"]);
  const data = firstRows(ROWS);
  const floeModel = join(out, "contributions-xgboost.floe");
  const xgbModel = join(out, "contributions-xgboost.ubj");
  const peer = join(import.meta.dir, "contributions_peer.py");
  if (!existsSync(floeModel)) {
    floe([
      "train",
      train,
      "-y",
      "delayed",
      "--algo",
      "xgboost",
      "--seed",
      "1",
      "--threads",
      "2",
      "--out",
      floeModel,
      "--ntrees",
      "100",
      "--max-depth",
      "6",
      "--learn-rate",
      "0.1",
      "--max-bins",
      "256",
      "--score-tree-interval",
      "100",
    ]);
  }
  if (!existsSync(xgbModel)) run([PY, peer, "train", train, xgbModel]);
  const floeRun = run([process.execPath, import.meta.path, "score", floeModel, data]);
  const xgbRun = run([PY, peer, "contribs", xgbModel, data]);
  console.log(`bench/contributions: XGBoost 100 trees depth 6 on flights, contributions of ${ROWS.toLocaleString("en")} rows, 2 threads\n`);
  console.log(`${"".padEnd(34)}${"seconds".padStart(9)}${"ms / 1k rows".padStart(14)}${"peak RSS MB".padStart(13)}`);
  for (const [name, t] of [
    ["floe TreeSHAP", floeRun],
    ["xgboost pred_contribs", xgbRun],
  ] as const) {
    console.log(`${name.padEnd(34)}${t.seconds.toFixed(2).padStart(9)}${((t.seconds * 1e6) / t.rows).toFixed(1).padStart(14)}${t.peak_rss_mb.toFixed(0).padStart(13)}`);
  }
  console.log(`\ntime ratio floe / xgboost: ${(floeRun.seconds / xgbRun.seconds).toFixed(2)}x; peak RSS ratio ${(floeRun.peak_rss_mb / xgbRun.peak_rss_mb).toFixed(2)}x`);
}

if (process.argv[2] === "score") await score(process.argv[3], process.argv[4]);
else await main();
