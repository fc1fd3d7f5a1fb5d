// AutoML with a 120 s budget against the best single peer model with its defaults
// (scikit-learn's HistGradientBoosting, RandomForest and LogisticRegression, XGBoost's
// XGBClassifier), all on the same seeded sample of npm vega-datasets' flights-3m:
// 200,000 training rows and 50,000 test rows, target delayed = delay > 15 min.
// Prints the leaderboard's top, the leader's test AUC against the best peer's, the time the
// run took against its budget, and peak memory.
//   npm run bench:automl [-- --budget 120]

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { ensurePeers, floe, out, PY, root } from "./flights.ts";

const budgetFlag = process.argv.indexOf("--budget");
const budget = budgetFlag > 0 ? Number(process.argv[budgetFlag + 1]) : 120;
const train = join(out, "automl-train.csv");
const test = join(out, "automl-test.csv");
const leaderFile = join(out, "automl-leader.floe");

mkdirSync(out, { recursive: true });
{
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const parquet = join(root, "node_modules", "vega-datasets", "data", "flights-3m.parquet");
  const rows = `SELECT hour(date) AS hour, dayofweek(date) AS dow, month(date) AS month, distance, origin, destination,
    CASE WHEN delay > 15 THEN 'yes' ELSE 'no' END AS delayed, hash(date, delay, distance, origin, destination, 4321) % 60 AS part FROM '${parquet}'`;
  await con.run(`COPY (SELECT * EXCLUDE (part) FROM (${rows}) WHERE part < 4 ORDER BY ALL) TO '${train}' (HEADER)`);
  await con.run(`COPY (SELECT * EXCLUDE (part) FROM (${rows}) WHERE part = 4 ORDER BY ALL) TO '${test}' (HEADER)`);
}
ensurePeers(["sklearn", "xgboost"], ["python3-sklearn", "python3-xgboost"]);

const started = Date.now();
// The run's event log (which models joined, which were left out or not started, and why) goes to stderr.
const run = floe(["automl", train, "-y", "delayed", "--max-runtime-secs", String(budget), "--seed", "1", "--json", "--out", leaderFile]);
const elapsed = (Date.now() - started) / 1000;
const result = JSON.parse(run.stdout) as { leaderboard: Record<string, number | string>[]; leader: string; elapsed_ms: number };
const evaluated = JSON.parse(floe(["eval", leaderFile, test, "--json"]).stdout) as { metrics: { AUC: number; logloss: number } };

const peerRun = Bun.spawnSync([PY, join(root, "bench", "automl_peer.py"), train, test], { stderr: "inherit" });
if (peerRun.exitCode !== 0) throw new Error("the peers failed");
const peers = peerRun.stdout
  .toString()
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as { name: string; seconds: number; auc: number; logloss: number; peak_rss_mb: number });
const best = peers.reduce((a, b) => (b.auc > a.auc ? b : a));

const cols = ["model_id", "auc", "logloss", "aucpr", "mean_per_class_error", "rmse", "training_time_ms"];
console.log(`AutoML leaderboard (5-fold cross-validation, ${result.leaderboard.length} models), top 10:`);
console.log(cols.join("  "));
for (const row of result.leaderboard.slice(0, 10)) console.log(cols.map((c) => (typeof row[c] === "number" ? Number((row[c] as number).toPrecision(5)) : row[c])).join("  "));
const families = new Map<string, number>();
for (const row of result.leaderboard) {
  const family = String(row.model_id).split("_")[0];
  families.set(family, (families.get(family) ?? 0) + 1);
}
console.log(`models per family: ${[...families].map(([f, n]) => `${f} ${n}`).join(", ")}`);
console.log("");
for (const p of peers) console.log(`peer ${p.name}: test AUC ${p.auc.toFixed(4)}, logloss ${p.logloss.toFixed(4)}, ${p.seconds.toFixed(1)} s`);
console.log(
  `floe AutoML leader ${result.leader}: test AUC ${evaluated.metrics.AUC.toFixed(4)}, logloss ${evaluated.metrics.logloss.toFixed(4)} (leaderboard CV AUC ${Number(result.leaderboard[0].auc).toFixed(4)})`,
);
console.log(`test AUC ratio floe leader / best peer (${best.name}): ${(evaluated.metrics.AUC / best.auc).toFixed(4)} (difference ${(evaluated.metrics.AUC - best.auc).toFixed(4)})`);
console.log(
  `budget ${budget} s: the run took ${(result.elapsed_ms / 1000).toFixed(1)} s (${((result.elapsed_ms / 1000 / budget - 1) * 100).toFixed(1)}%), ${elapsed.toFixed(1)} s with ingest and start-up`,
);
console.log(`peak RSS: floe automl ${run.peakMB.toFixed(0)} MB; peers (one Python process) ${Math.max(...peers.map((p) => p.peak_rss_mb)).toFixed(0)} MB`);
