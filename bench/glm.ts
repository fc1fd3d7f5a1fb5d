// bench/glm: floe's GLM and k-means against scikit-learn in the same run, on flights-3m
// (npm vega-datasets) with the seeded 80/20 split bench/trees writes once to CSV:
//   GLM      binomial, delayed = delay > 15 min ~ origin + destination (one-hot, every level)
//            + hour, dow, month, distance (standardized); ridge (alpha 0) vs
//            LogisticRegression(lbfgs, C = 1) to convergence. The two minimise the same
//            objective when floe's lambda = 1/(C·n), n the training rows: sklearn's
//            0.5·||w||² + C·Σ logloss is n·C times floe's (1/n)·Σ logloss + lambda/2·||w||².
//            sklearn's time includes its encoding, as floe's includes its design matrix.
//   k-means  k = 10 on hour, dow, month, distance standardized with the sample sd (as floe):
//            floe with its defaults (Coreset seeding, max_iterations 10) against scikit-learn's
//            KMeans(init="k-means++", algorithm="lloyd") with its defaults (max_iter 300, tol
//            1e-4), best of 10 starts (n_init = 10, the inertia to reach) and one start.
// floe's seconds are its training_time_ms; peak RSS is the whole process's. Each model runs
// in its own process so that each peak RSS is that model's.
// Installs Debian's python3-sklearn when missing.
// Usage: npm run bench:glm

import { join } from "node:path";
import { ensurePeers, floe, out, prepareFlights, PY, test, train } from "./flights.ts";

interface Result {
  name: string;
  seconds: number;
  score: number;
  peak_rss_mb: number;
  iterations?: number;
}

function floeGlm(lambda: number): Result {
  const model = join(out, "floe-glm.floe");
  const t = floe(["train", train, "-y", "delayed", "--algo", "glm", "--family", "binomial", "--alpha", "0", "--lambda", String(lambda), "--seed", "1", "--json", "--out", model]);
  const trained = JSON.parse(t.stdout);
  const ev = JSON.parse(floe(["eval", model, test, "--json"]).stdout);
  return { name: "floe GLM (binomial, ridge)", seconds: trained.training_time_ms / 1000, score: ev.metrics.AUC, peak_rss_mb: t.peakMB, iterations: trained.iterations };
}

function floeKmeans(): Result {
  const t = floe(["train", train, "--algo", "kmeans", "--k", "10", "--x", "hour,dow,month,distance", "--seed", "1", "--json"]);
  const trained = JSON.parse(t.stdout);
  return {
    name: `floe k-means (${trained.params.init})`,
    seconds: trained.training_time_ms / 1000,
    score: trained.metrics.training.tot_withinss,
    peak_rss_mb: t.peakMB,
    iterations: trained.iterations,
  };
}

/** `which` glm, or kmeans with its number of starts (n_init). */
function peer(which: "glm" | "kmeans", starts = 1): Result {
  const r = Bun.spawnSync([PY, join(import.meta.dir, "glm_peer.py"), train, test, which, String(starts)], {
    env: { ...process.env, OMP_NUM_THREADS: "2" },
    stderr: "inherit",
  });
  if (r.exitCode !== 0) throw new Error("python peer failed");
  const p = JSON.parse(r.stdout.toString().trim());
  if (which === "glm" && p.n_train !== n) throw new Error(`sklearn trained on ${p.n_train} rows, lambda assumed ${n}`);
  return { name: p.name, seconds: p.seconds, score: which === "glm" ? p.auc : p.inertia, peak_rss_mb: p.peak_rss_mb, iterations: p.iterations };
}

function table(scoreName: string, rows: Result[]): void {
  console.log(`${"model".padEnd(38)}${"train s".padStart(9)}${scoreName.padStart(14)}${"peak RSS MB".padStart(13)}${"iterations".padStart(12)}`);
  for (const r of rows) {
    const score = scoreName === "test AUC" ? r.score.toFixed(4) : r.score.toFixed(1);
    console.log(`${r.name.padEnd(38)}${r.seconds.toFixed(2).padStart(9)}${score.padStart(14)}${r.peak_rss_mb.toFixed(0).padStart(13)}${String(r.iterations ?? "-").padStart(12)}`);
  }
}

const n = await prepareFlights();
ensurePeers(["sklearn"], ["python3-sklearn"]);
const C = 1;
const lambda = 1 / (C * n);
const glm = floeGlm(lambda);
const logistic = peer("glm");
const kmeans = floeKmeans();
const skBest = peer("kmeans", 10);
const skOne = peer("kmeans", 1);

console.log(`bench/glm: flights-3m, 80/20 split (${n} train rows), 2 threads\n`);
console.log(`GLM: lambda = 1/(C·n) = 1/(${C}·${n}) = ${lambda.toExponential(6)} (floe, alpha 0) vs C = ${C} (sklearn)`);
table("test AUC", [glm, logistic]);
console.log(`time ratio floe / sklearn: ${(glm.seconds / logistic.seconds).toFixed(2)}x (target <= 0.5); AUC floe - sklearn: ${(glm.score - logistic.score).toFixed(4)} (target |d| <= 0.001)\n`);
console.log("k-means: k = 10 on hour, dow, month, distance (standardized, sample sd); floe's defaults, sklearn's defaults");
table("inertia", [kmeans, skBest, skOne]);
console.log(`inertia ratio floe / sklearn best of 10: ${(kmeans.score / skBest.score).toFixed(4)} (target <= 1.01); one start: ${(skOne.score / skBest.score).toFixed(4)}`);
console.log(`time ratio floe / sklearn best of 10: ${(kmeans.seconds / skBest.seconds).toFixed(2)}x (target <= 1.0); floe / sklearn one start: ${(kmeans.seconds / skOne.seconds).toFixed(2)}x`);
