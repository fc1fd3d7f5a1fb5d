// Deep learning against scikit-learn's MLPClassifier on the same flights sample as
// bench/automl (200,000 training rows, the target delayed = delay > 15 min, one-hot origin
// and destination, standardised numbers): the same architecture ([200,200] relu), the same
// epochs. scikit-learn runs its defaults (adam, learning rate 0.001, batches of 200). floe
// runs H2O's ADADELTA with the H2O parameters below, printed with the results:
//   - one network copy per thread (--chunk-rows rows / threads: deep learning trains a copy
//     per chunk and averages them, so equal chunks keep every thread busy, as H2O's
//     force_load_balance does), averaged every 10,000 rows (train_samples_per_iteration),
//     each copy in mini-batches of 200 / threads rows: per averaging round, the same 200 rows
//     of gradient a step as scikit-learn's batches;
//   - ADADELTA's rho 0.95 and epsilon 1e-6, the settings of the ADADELTA paper (Zeiler 2012)
//     and H2O's tuning knobs for it: its first steps are about adam's learning rate
//     (sqrt(epsilon) = 0.001) rather than the 1e-4 of H2O's defaults (0.99, 1e-8), which
//     reach test AUC 0.637 in 3 epochs here and 0.667 in 10.
// Prints time per epoch, rows/s, test AUC, peak RSS and the ratios.
//   npx bun bench/deeplearning.ts [--rows 200000] [--epochs 10] [--hidden 200,200] [--threads 2] [--defaults]
// --defaults: floe with H2O's defaults instead (one chunk per 65,536 rows, mini-batches of 32,
// averaged once an epoch, rho 0.99, epsilon 1e-8).

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { ensurePeers, floe, out, PY, root } from "./flights.ts";

const cli = join(root, "src", "cli.ts");

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const rows = Number(flag("rows", "200000"));
const epochs = Number(flag("epochs", "10"));
const hidden = flag("hidden", "200,200");
const threads = flag("threads", "2");
const defaults = process.argv.includes("--defaults");
const train = join(out, `deeplearning-train-${rows}.csv`);
const test = join(out, "deeplearning-test.csv");
const modelFile = join(out, "deeplearning.floe");

mkdirSync(out, { recursive: true });
{
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const parquet = join(root, "node_modules", "vega-datasets", "data", "flights-3m.parquet");
  const all = `SELECT hour(date) AS hour, dayofweek(date) AS dow, month(date) AS month, distance, origin, destination,
    CASE WHEN delay > 15 THEN 'yes' ELSE 'no' END AS delayed, hash(date, delay, distance, origin, destination, 4321) % 60 AS part,
    hash(date, delay, distance, origin, destination, 99) AS shuffle FROM '${parquet}'`;
  await con.run(`COPY (SELECT * EXCLUDE (part, shuffle) FROM (${all}) WHERE part < 4 ORDER BY shuffle LIMIT ${rows}) TO '${train}' (HEADER)`);
  await con.run(`COPY (SELECT * EXCLUDE (part, shuffle) FROM (${all}) WHERE part = 4 ORDER BY shuffle) TO '${test}' (HEADER)`);
}
ensurePeers(["sklearn"], ["python3-sklearn"]);

const tuned: [string, string][] = [
  ["chunk-rows", String(Math.ceil(rows / Number(threads)))],
  ["mini-batch-size", String(Math.round(200 / Number(threads)))],
  ["train-samples-per-iteration", "10000"],
  ["rho", "0.95"],
  ["epsilon", "1e-6"],
];
const floeSettings = defaults ? [] : tuned;
const params = [
  "--algo",
  "deeplearning",
  "--hidden",
  hidden,
  "--epochs",
  String(epochs),
  "--stopping-rounds",
  "0",
  "--seed",
  "1",
  "--threads",
  threads,
  ...floeSettings.flatMap(([k, v]) => [`--${k}`, v]),
];
// Spawned here rather than by flights.ts's floe(): the process's CPU time is wanted too.
const trainRun = Bun.spawnSync([process.execPath, cli, "train", train, "-y", "delayed", ...params, "--json", "--out", modelFile], { stderr: "inherit" });
if (trainRun.exitCode !== 0) throw new Error("floe train failed");
const run = { stdout: trainRun.stdout.toString(), peakMB: (trainRun.resourceUsage?.maxRSS ?? 0) / 2 ** 20 };
const cpu = trainRun.resourceUsage?.cpuTime;
const floeCpu = cpu ? (Number(cpu.user) + Number(cpu.system)) / 1e6 : Number.NaN;
const model = JSON.parse(run.stdout) as { training_time_ms: number; scoring_history: { epochs: number }[] };
const trained = model.scoring_history.at(-1)?.epochs ?? epochs;
const floeSecs = model.training_time_ms / 1000;
const evaluated = JSON.parse(floe(["eval", modelFile, test, "--json"]).stdout) as { metrics: { AUC: number } };

const peerRun = Bun.spawnSync([PY, join(root, "bench", "deeplearning_peer.py"), train, test, String(epochs), hidden], { stderr: "inherit" });
if (peerRun.exitCode !== 0) throw new Error("the MLPClassifier peer failed");
const peer = JSON.parse(peerRun.stdout.toString()) as { seconds: number; cpu_seconds: number; epochs: number; per_epoch: number; rows_per_s: number; auc: number; peak_rss_mb: number };

const floePerEpoch = floeSecs / trained;
console.log(`${rows} training rows, hidden [${hidden}], ${epochs} epochs, ${threads} threads`);
console.log(
  `floe deeplearning (ADADELTA, ${defaults ? "H2O's defaults" : floeSettings.map(([k, v]) => `--${k} ${v}`).join(" ")}): ${floeSecs.toFixed(1)} s, ${floePerEpoch.toFixed(2)} s/epoch, ${Math.round((rows * trained) / floeSecs)} rows/s, test AUC ${evaluated.metrics.AUC.toFixed(4)}, peak RSS ${run.peakMB.toFixed(0)} MB, CPU ${floeCpu.toFixed(1)} s (the whole process: ingest too)`,
);
console.log(
  `scikit-learn MLPClassifier (adam, batches of 200): ${peer.seconds.toFixed(1)} s, ${peer.per_epoch.toFixed(2)} s/epoch, ${Math.round(peer.rows_per_s)} rows/s, test AUC ${peer.auc.toFixed(4)}, peak RSS ${peer.peak_rss_mb.toFixed(0)} MB, CPU ${peer.cpu_seconds.toFixed(1)} s (the fit)`,
);
console.log(
  `ratios floe / MLPClassifier: time per epoch ${(floePerEpoch / peer.per_epoch).toFixed(2)}x, test AUC ${(evaluated.metrics.AUC / peer.auc).toFixed(4)} (difference ${(evaluated.metrics.AUC - peer.auc).toFixed(4)}), peak RSS ${(run.peakMB / peer.peak_rss_mb).toFixed(2)}x, CPU time ${(floeCpu / peer.cpu_seconds).toFixed(2)}x (a shared machine's wall clock is noisy; CPU time less so)`,
);
