// Training of k-means after H2O (hex/kmeans/KMeans.java): encode the columns
// (encoding.ts), seed k centers, then Lloyd iterations until at most max(1, 1e-4·rows)
// rows change cluster (H2O's rule), the centers move less than scikit-learn's tolerance
// (the sum of their squared shifts at most 1e-4 of the mean per-column variance, totss /
// (rows·p)), or max_iterations is reached; the model's sizes and sums of squares come
// from one more assignment pass with the final centers.
//
// Seeding draws only through row keys (rowUniform of the seed and the global row id),
// so it does not depend on chunking: Random takes the k rows with the smallest keys;
// Furthest and PlusPlus start from the smallest-key row and add the row furthest from
// the centers so far, or one drawn with probability ∝ squared distance (k-means++).
// H2O instead seeds from a k-means|| sample; floe draws over all rows. Coreset (floe's
// default) draws a weighted sample of about 16,384 rows in one pass (coreset.ts) and
// keeps the best of 10 greedy k-means++ starts refined on it (local.ts): ten starts, as
// scikit-learn's default, for the price of one pass over the rows; Lloyd over all rows
// then starts near a converged solution (Lloyd passes prune with Hamerly's bounds, tasks.ts).
//
// Empty clusters (as H2O): after a pass that leaves one empty, the first empty cluster
// is moved onto the row furthest from its center (ties: lowest row id) and the pass is
// run again without counting an iteration, at most k times; a cluster still empty then
// keeps its center and size 0.
//
// estimate_k (as H2O): k grows from 1, running Lloyd to convergence for each k; the
// next k splits the cluster with the widest numeric range at its center along that
// column. Growth stops at the first k whose relative gain in tot_withinss falls below
// min(0.02 + 10/rows + 2.5/p², 0.8), and the model is the previous k's; else k is reached.

import { type Clock, systemClock } from "../../core/clock.ts";
import { FloeError } from "../../core/errors.ts";
import { unsupervisedColumns } from "../training-frame.ts";
import type { Executor, Task } from "../../core/mr.ts";
import { keyState, Rng } from "../../core/rng.ts";
import { type ClusteringMetrics, clusteringMetrics } from "../metrics/clustering.ts";
import type { TrainRequest, TrainResult } from "../algorithm.ts";
import { distance, type Encoding, encodingOf, grandCenter } from "./encoding.ts";
import { type KMeansIteration, type KMeansModel, kmeansEvaluator } from "./model.ts";
import type { KMeansParams } from "./params.ts";
import { CoresetTask } from "./coreset.ts";
import { bestOfStarts, sampleOf } from "./local.ts";
import { type LloydPartial, LloydTask, lloydLayout, MinKeyTask, pruning, SeedTask, SplitClusterTask, TotssTask } from "./tasks.ts";
import { BuildKMeansViewTask, type KMeansChunk } from "./view.ts";

/** Coreset seeding: expected sample rows (at least 4k), starts tried on it, and Lloyd iterations per start. */
const CORESET_ROWS = 16_384;
const CORESET_STARTS = 10;
const CORESET_ITERATIONS = 300;

interface Setup {
  readonly executor: Executor;
  readonly view: { chunks: KMeansChunk[] };
  readonly rows: number;
  readonly p: number;
  readonly enc: Encoding;
  readonly levels: Int32Array;
  /** Total sum of squares about the grand center, in integers of 1/enc.distanceScale. */
  readonly totUnits: number;
  /** Lloyd stops once the sum of the centers' squared shifts is at most this. */
  readonly tolerance: number;
  readonly params: KMeansParams;
  readonly signal?: AbortSignal;
  readonly clock: Clock;
  readonly deadline: number;
  readonly history: KMeansIteration[];
}

function run<A, P>(s: Setup, task: Task<A, P, KMeansChunk>, args: A): Promise<P> {
  return s.executor.run(task, s.view, args, { signal: s.signal });
}

/** A Lloyd pass's arguments; `prev` (the last pass's centers, if any) lets it prune. */
function lloydArgs(s: Setup, centers: Float64Array, k: number, bounds: boolean, prev: Float64Array | null = null) {
  const prune = prev ? pruning(prev, centers, k, s.p, s.enc.isCat) : null;
  return { centers, k, p: s.p, isCat: s.enc.isCat, levels: s.levels, distanceScale: s.enc.distanceScale, bounds, prune };
}

/** The next centers: each cluster's mean (numeric) and most frequent level (enum); an empty one keeps `prev`. */
function nextCenters(s: Setup, part: LloydPartial, prev: Float64Array, k: number): Float64Array {
  const { p, levels } = s;
  const L = lloydLayout(k, p, levels);
  const st = part.stats;
  const out = new Float64Array(k * p);
  for (let c = 0; c < k; c++) {
    const n = st[L.size + c];
    for (let j = 0; j < p; j++) {
      if (n === 0) out[c * p + j] = prev[c * p + j];
      else if (s.enc.isCat[j]) {
        const o = L.cats + c * L.totalLevels + L.levelOffset[j];
        let best = 0;
        for (let l = 1; l < levels[j]; l++) if (st[o + l] > st[o + best]) best = l;
        out[c * p + j] = best;
      } else out[c * p + j] = st[c * p + j] / n;
    }
  }
  return out;
}

/** Lloyd iterations from `centers` until converged; the last pass's partial is kept (estimate_k splits with it). */
async function lloyd(s: Setup, start: Float64Array, k: number, estimating: boolean, onIteration: (i: number) => void) {
  const { p } = s;
  const L = lloydLayout(k, p, s.levels);
  const tolerance = Math.max(1, s.rows * 1e-4);
  let centers = start;
  let prev: Float64Array | null = null;
  let iterations = 0;
  let reseeds = 0;
  for (;;) {
    const part = await run(s, LloydTask, lloydArgs(s, centers, k, estimating, prev));
    prev = centers;
    const next = nextCenters(s, part, centers, k);
    let empty = -1;
    for (let c = 0; c < k && empty < 0; c++) if (part.stats[L.size + c] === 0) empty = c;
    if (!estimating && empty >= 0 && reseeds < k && part.worst[1] >= 0 && part.worst[0] > 0) {
      next.set(part.worst.subarray(2, 2 + p), empty * p);
      reseeds++;
      centers = next;
      continue;
    }
    iterations++;
    const reassigned = part.stats[L.reassigned];
    let shift = 0;
    for (let c = 0; c < k; c++) shift += distance(next, c * p, centers, c * p, p, s.enc.isCat);
    let wss = 0;
    for (let c = 0; c < k; c++) wss += part.stats[L.withinss + c];
    s.history.push({ iterations, k, reassigned, tot_withinss: wss / s.enc.distanceScale });
    onIteration(iterations);
    centers = next;
    if (reassigned < tolerance || shift <= s.tolerance || iterations >= s.params.max_iterations || s.clock.now() > s.deadline) {
      return { centers, iterations, part, tot_withinss: wss / s.enc.distanceScale };
    }
  }
}

/** Coreset seeding: the best of 10 greedy k-means++ starts on a weighted sample of about 16,384 rows. */
async function coresetCenters(s: Setup, k: number): Promise<Float64Array> {
  const { p, enc } = s;
  const seed = s.params.seed;
  const m = Math.max(CORESET_ROWS, 4 * k);
  const center = grandCenter(enc);
  const records = await run(s, CoresetTask, { center, p, isCat: enc.isCat, distanceScale: enc.distanceScale, totUnits: s.totUnits, n: s.rows, m, state: keyState(seed, 3) });
  const space = { p, isCat: enc.isCat, levels: s.levels, tolerance: s.tolerance };
  return bestOfStarts(sampleOf(records, p), k, space, CORESET_STARTS, CORESET_ITERATIONS, new Rng(keyState(seed, 4)));
}

/** k initial centers (k × p) drawn as `init` says, through seeded row keys. */
async function initialCenters(s: Setup, k: number, init: KMeansParams["init"]): Promise<Float64Array> {
  const { p } = s;
  const seed = s.params.seed;
  if (init === "Coreset") return coresetCenters(s, k);
  const picks = await run(s, MinKeyTask, { k: init === "Random" ? k : 1, p, state: keyState(seed, 1) });
  const centers = new Float64Array(k * p);
  const stride = p + 2;
  if (init === "Random") {
    for (let c = 0; c < k; c++) centers.set(picks.subarray(2 + c * stride + 2, 2 + (c + 1) * stride), c * p);
    return centers;
  }
  centers.set(picks.subarray(4, 4 + p), 0);
  for (let c = 1; c < k; c++) {
    const center = centers.slice((c - 1) * p, c * p);
    const pick = await run(s, SeedTask, { center, p, isCat: s.enc.isCat, mode: init, state: keyState(seed, 2, c) });
    centers.set(pick.subarray(2, 2 + p), c * p);
  }
  return centers;
}

/** Splits the cluster with the widest numeric range at its center (estimate_k); null when none can be split. */
async function splitWidest(s: Setup, centers: Float64Array, part: LloydPartial, k: number): Promise<Float64Array | null> {
  const { p } = s;
  const lo = part.lo as Float64Array;
  const hi = part.hi as Float64Array;
  let range = 0;
  let cluster = -1;
  let dim = -1;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < p; j++) {
      if (s.enc.isCat[j]) continue;
      const r = hi[c * p + j] - lo[c * p + j];
      if (r > range) {
        range = r;
        cluster = c;
        dim = j;
      }
    }
  }
  if (cluster < 0) return null;
  const sums = await run(s, SplitClusterTask, { cluster, dim, at: centers[cluster * p + dim], into: k, p });
  if (sums[p] === 0 || sums[2 * p + 1] === 0) return null;
  const out = new Float64Array((k + 1) * p);
  out.set(centers);
  out.set(centers.subarray(cluster * p, cluster * p + p), k * p);
  for (let j = 0; j < p; j++) {
    if (s.enc.isCat[j]) continue;
    out[cluster * p + j] = sums[j] / sums[p];
    out[k * p + j] = sums[p + 1 + j] / sums[2 * p + 1];
  }
  return out;
}

/** estimate_k: the centers of the k chosen as H2O chooses it, and that k's iterations. */
async function estimateK(s: Setup, kMax: number, progress: (f: number) => void) {
  const cutoff = Math.min(0.02 + 10 / s.rows + 2.5 / (s.p * s.p), 0.8);
  let centers = await initialCenters(s, 1, "Random");
  let best: { centers: Float64Array; iterations: number; k: number } | null = null;
  let previous = 0;
  for (let k = 1; k <= kMax; k++) {
    const r = await lloyd(s, centers, k, true, () => {});
    const gain = previous === 0 ? 1 : (previous - r.tot_withinss) / previous;
    previous = r.tot_withinss;
    if (k > 1 && gain < cutoff && best) return best;
    best = { centers: r.centers, iterations: r.iterations, k };
    progress(k / kMax);
    if (k === kMax || s.clock.now() > s.deadline) break;
    const split = await splitWidest(s, r.centers, r.part, k);
    if (!split) break;
    centers = split;
  }
  return best as { centers: Float64Array; iterations: number; k: number };
}

/** Trains a k-means model on `req.frame` with resolved parameters (seed concrete). */
export async function trainKMeans(executor: Executor, req: TrainRequest, params: KMeansParams): Promise<TrainResult> {
  const clock = req.clock ?? systemClock;
  const started = clock.now();
  const { frame } = req;
  const { cols, notes } = unsupervisedColumns(frame, req.x, params.ignore_const_cols, "cluster");
  let kMax = params.k;
  if (params.k > frame.rows) {
    if (!params.estimate_k) throw new FloeError("invalid_argument", `k=${params.k} is larger than the number of rows (${frame.rows}): k-means needs at least k rows`);
    kMax = frame.rows;
    notes.push(`estimate_k: k limited to the ${frame.rows} rows`);
  }
  const enc = encodingOf(frame, cols, params.standardize);
  if (params.estimate_k && enc.isCat.every((c) => c === 1)) {
    throw new FloeError("invalid_argument", "estimate_k needs at least one numeric column (it splits clusters along numeric columns)");
  }
  const p = cols.length;
  const bound = cols.map((col) => ({ col }));
  const view = { chunks: await executor.run(BuildKMeansViewTask, frame, { bound, encoding: enc }, { signal: req.signal }) };
  const grand = grandCenter(enc);
  const totUnits = await executor.run(TotssTask, view, { center: grand, p, isCat: enc.isCat, distanceScale: enc.distanceScale }, { signal: req.signal });
  const s: Setup = {
    executor,
    view,
    rows: frame.rows,
    p,
    enc,
    levels: Int32Array.from(cols, (c, j) => (enc.isCat[j] ? (frame.columns[c].domain?.length ?? 0) : 0)),
    totUnits,
    tolerance: (1e-4 * totUnits) / enc.distanceScale / (frame.rows * p),
    params,
    signal: req.signal,
    clock,
    deadline: params.max_runtime_secs > 0 ? started + params.max_runtime_secs * 1000 : Infinity,
    history: [],
  };
  const progress = (f: number) => req.onProgress?.(Math.min(1, f));

  let k: number;
  let centers: Float64Array;
  let iterations: number;
  if (params.estimate_k) {
    ({ k, centers, iterations } = await estimateK(s, kMax, progress));
    notes.push(`estimate_k chose k=${k} (at most ${params.k})`);
  } else {
    k = kMax;
    const r = await lloyd(s, await initialCenters(s, k, params.init), k, false, (i) => progress(i / params.max_iterations));
    ({ centers, iterations } = r);
  }

  // The model's statistics: one assignment pass with the final centers, and totss.
  const L = lloydLayout(k, p, s.levels);
  const last = await run(s, LloydTask, lloydArgs(s, centers, k, false));
  const size = Array.from(last.stats.subarray(L.size, L.size + k));
  const withinss = Array.from(last.stats.subarray(L.withinss, L.withinss + k), (w) => w / enc.distanceScale);
  const training: ClusteringMetrics = clusteringMetrics(size, withinss, totUnits / enc.distanceScale);

  const original = new Float64Array(k * p);
  for (let t = 0; t < k * p; t++) {
    const j = t % p;
    original[t] = enc.isCat[j] ? centers[t] : centers[t] / enc.mul[j] + enc.sub[j];
  }
  const columns = cols.map((c) => ({ name: frame.columns[c].name, domain: frame.columns[c].type === "enum" ? (frame.columns[c].domain ?? []) : null }));
  const base: KMeansModel = {
    model_id: req.modelId,
    algo: "kmeans",
    params: { ...params },
    response: null,
    category: "Clustering",
    metrics: { training, validation: null, cross_validation: null },
    varimp: [],
    scoring_history: s.history,
    notes,
    training_time_ms: 0,
    columns,
    encoding: enc,
    k,
    centers: original,
    centers_std: centers,
    size,
    withinss,
    tot_withinss: training.tot_withinss,
    betweenss: training.betweenss,
    totss: training.totss,
    iterations,
    estimated_k: params.estimate_k ? k : null,
  };
  let validation: ClusteringMetrics | null = null;
  if (req.valid) {
    const ev = kmeansEvaluator(executor, base);
    const warnings: string[] = [];
    await ev.add(req.valid, warnings);
    validation = ev.result();
    for (const w of warnings) notes.push(`validation: ${w}`);
  }
  progress(1);
  const model: KMeansModel = { ...base, metrics: { training, validation, cross_validation: null }, training_time_ms: clock.now() - started };
  return { model, cvModels: [], cvPredictions: null };
}
