// k-means behaviour: recovered blobs for every init, a hand-worked Lloyd fit, iris
// against scikit-learn, the default's inertia against scikit-learn's best of 10 starts,
// exactness across threads and chunkings, empty clusters, categorical columns,
// estimate_k, model files, the CLI end to end and bad input.
//
// Needs /usr/bin/python3 with scikit-learn: `apt-get install -y python3-sklearn`.

import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Frame } from "../../src/core/frame.ts";
import { InlineExecutor } from "../../src/core/mr.ts";
import { keyState, Rng } from "../../src/core/rng.ts";
import { CoresetTask } from "../../src/ml/kmeans/coreset.ts";
import { encodingOf, grandCenter } from "../../src/ml/kmeans/encoding.ts";
import { sampleOf } from "../../src/ml/kmeans/local.ts";
import { centerRecords, type KMeansModel } from "../../src/ml/kmeans/model.ts";
import { LloydTask, pruning, TotssTask } from "../../src/ml/kmeans/tasks.ts";
import { BuildKMeansViewTask } from "../../src/ml/kmeans/view.ts";
import type { ClusteringMetrics } from "../../src/ml/metrics/clustering.ts";
import { deserializeModel, serializeModel } from "../../src/ml/modelfile.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { type Model, modelEvaluator, predictFrame } from "../../src/ml/scoring.ts";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const kmeans = algorithm("kmeans")!;
const IRIS = join(FIXTURES, "iris.csv");
const IRIS_X = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

async function load(path: string, chunkRows?: number, colTypes?: Record<string, "string">): Promise<Frame> {
  return (await node.importFrame({ kind: "file", path }, { chunkRows, colTypes }).done).frame;
}

function csv(name: string, header: string, rows: (string | number)[][]): string {
  return writeTemp(dir, name, `${header}\n${rows.map((r) => r.join(",")).join("\n")}\n`);
}

async function train(frame: Frame, params: Record<string, unknown>, x: string[] | null = null, executor = node.executor): Promise<KMeansModel> {
  const { model } = await kmeans.train(executor, { modelId: "km", frame, y: null, x, params });
  return model as KMeansModel;
}

async function predictions(model: Model, frame: Frame): Promise<number[]> {
  return (await predictFrame(node.executor, model, frame, [])).flatMap((s) => Array.from(s.p));
}

// Three blobs around (0, 0), (10, 0) and (0, 10), 60 rows each, offsets below 0.5.
const BLOB_CENTERS = [
  [0, 0],
  [10, 0],
  [0, 10],
];
const blobRows = Array.from({ length: 180 }, (_, i) => {
  const [cx, cy] = BLOB_CENTERS[i % 3];
  return [cx + (((i * 7) % 9) - 4) * 0.1, cy + (((i * 5) % 7) - 3) * 0.1];
});
const blobPath = csv("blobs.csv", "a,b", blobRows);

test("well-separated blobs are recovered exactly by every init", async () => {
  const frame = await load(blobPath);
  for (const init of ["Coreset", "Random", "PlusPlus", "Furthest"]) {
    const model = await train(frame, { k: 3, init, seed: 7 });
    const pred = await predictions(model, frame);
    // Each blob is one cluster, and the three clusters differ.
    const clusterOf = [0, 1, 2].map((b) => pred[b]);
    expect(new Set(clusterOf).size).toBe(3);
    pred.forEach((c, i) => expect(c).toBe(clusterOf[i % 3]));
    expect(model.size).toEqual([60, 60, 60]);
    // Centers are the blob means (computed here from the rows).
    for (let b = 0; b < 3; b++) {
      const rows = blobRows.filter((_, i) => i % 3 === b);
      const c = clusterOf[b];
      expect(model.centers[c * 2]).toBeCloseTo(rows.reduce((s, r) => s + r[0], 0) / 60, 9);
      expect(model.centers[c * 2 + 1]).toBeCloseTo(rows.reduce((s, r) => s + r[1], 0) / 60, 9);
    }
  }
});

test("a hand-worked 1-D fit: centers, sizes, withinss, betweenss and totss", async () => {
  // {1, 2, 3} and {10, 11, 12}: centers 2 and 11, withinss 2 each; grand mean 6.5 gives
  // totss = 2·(5.5² + 4.5² + 3.5²) = 125.5 and betweenss = 6·4.5² = 121.5.
  const frame = await load(csv("line.csv", "x", [[1], [2], [3], [10], [11], [12]]));
  const model = await train(frame, { k: 2, standardize: false, seed: 3 });
  const order = model.centers[0] < model.centers[1] ? [0, 1] : [1, 0];
  expect(order.map((c) => model.centers[c])).toEqual([2, 11]);
  expect(order.map((c) => model.size[c])).toEqual([3, 3]);
  expect(order.map((c) => model.withinss[c])).toEqual([2, 2]);
  expect(model.tot_withinss).toBe(4);
  expect(model.totss).toBe(125.5);
  expect(model.betweenss).toBe(121.5);
  const m = model.metrics.training as ClusteringMetrics;
  expect(m).toMatchObject({ nobs: 6, tot_withinss: 4, totss: 125.5, betweenss: 121.5 });
  expect(m.centroid_stats.map((c) => c.size)).toEqual([3, 3]);
  expect(model.category).toBe("Clustering");
  expect(model.response).toBeNull();
  expect(model.varimp).toEqual([]);
});

test("iris, k=3, unstandardized: tot_withinss is scikit-learn's inertia for the same partition", async () => {
  // /usr/bin/python3 -c "import numpy as np; from sklearn.cluster import KMeans;
  //   X=np.loadtxt('fixtures/iris.csv',delimiter=',',skiprows=1,usecols=(0,1,2,3));
  //   km=KMeans(n_clusters=3,n_init=10,random_state=0).fit(X); print(repr(km.inertia_), np.bincount(km.labels_))"
  // → 78.851441426146 [62 50 38]
  const model = await train(await load(IRIS), { k: 3, standardize: false, seed: 1, max_iterations: 100 }, IRIS_X);
  expect(model.tot_withinss).toBeCloseTo(78.851441426146, 6);
  expect([...model.size].sort((a, b) => a - b)).toEqual([38, 50, 62]);
  expect(model.tot_withinss + model.betweenss).toBeCloseTo(model.totss, 9);
});

// Gaussian blobs as scikit-learn's make_blobs draws them: `centers` centers uniform in
// [−10, 10]^p, unit standard deviation, rows dealt round-robin to the blobs.
function gaussianBlobs(seed: number, rows: number, centers: number, p: number): number[][] {
  const rng = new Rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const mu = Array.from({ length: centers }, () => Array.from({ length: p }, () => 20 * rng.next() - 10));
  return Array.from({ length: rows }, (_, i) => mu[i % centers].map((m) => (m + normal()).toFixed(5)).map(Number));
}

// scikit-learn's best of 10 starts (k-means++, Lloyd) on each case's CSV, standardized as
// floe standardizes (column mean, sample sd) when asked; prints the inertias as JSON.
const SKLEARN_BEST_OF_10 = `
import json, sys
import numpy as np
from sklearn.cluster import KMeans
out = []
for case in json.loads(sys.argv[1]):
    X = np.loadtxt(case["path"], delimiter=",", skiprows=1, usecols=case["cols"], ndmin=2)
    if case["standardize"]:
        X = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    km = KMeans(n_clusters=case["k"], n_init=10, init="k-means++", algorithm="lloyd", random_state=0).fit(X)
    out.append(km.inertia_)
print(json.dumps(out))
`;

test("with its defaults, floe's inertia is within 1% of scikit-learn's best of 10 starts", async () => {
  const penguins = readFileSync(join(FIXTURES, "penguins.csv"), "utf8").trim().split("\n");
  const numeric = penguins
    .slice(1)
    .map((l) => l.split(",").slice(2, 6))
    .filter((r) => r.every((v) => v !== "NA" && v !== ""));
  const cases = [
    // Five blobs in the plane: few rows, so the sample floe clusters first is every row.
    { name: "blobs 5", path: csv("b5.csv", "a,b", gaussianBlobs(1, 3000, 5, 2)), cols: [0, 1], k: 5, standardize: false },
    // Twenty overlapping blobs in 5-D, more rows than floe's sample, so seeding samples.
    { name: "blobs 20", path: csv("b20.csv", "a,b,c,d,e", gaussianBlobs(2, 24000, 20, 5)), cols: [0, 1, 2, 3, 4], k: 20, standardize: false },
    { name: "iris", path: IRIS, cols: [0, 1, 2, 3], k: 3, standardize: false },
    { name: "iris standardized", path: IRIS, cols: [0, 1, 2, 3], k: 3, standardize: true },
    { name: "penguins standardized", path: csv("penguins.csv", "a,b,c,d", numeric), cols: [0, 1, 2, 3], k: 4, standardize: true },
  ];
  const r = spawnSync("/usr/bin/python3", ["-c", SKLEARN_BEST_OF_10, JSON.stringify(cases)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`scikit-learn is needed for this test (apt-get install -y python3-sklearn): ${r.error?.message ?? r.stderr}`);
  const best: number[] = JSON.parse(r.stdout);
  const ratios: { case: string; seed: number; ratio: number }[] = [];
  for (const [i, c] of cases.entries()) {
    const frame = await load(c.path);
    const x = frame.columns.filter((_, j) => c.cols.includes(j)).map((col) => col.name);
    for (const seed of [1, 2, 3]) {
      const model = await train(frame, { k: c.k, standardize: c.standardize, seed }, x);
      ratios.push({ case: c.name, seed, ratio: model.tot_withinss / best[i] });
    }
  }
  expect(ratios.filter((r) => !(r.ratio <= 1.01))).toEqual([]);
}, 60000);

test("same seed, same model: bit-identical on 1 or 2 threads and any chunk size", async () => {
  for (const init of ["Coreset", "PlusPlus", "Random", "Furthest"]) {
    const params = { k: 4, init, seed: 42, max_iterations: 50 };
    const a = await train(await load(IRIS), params, IRIS_X);
    const b = await train(await load(IRIS, 7), params, IRIS_X, new InlineExecutor());
    expect(b.centers_std).toEqual(a.centers_std);
    expect(b.size).toEqual(a.size);
    expect(b.withinss).toEqual(a.withinss);
    expect(b.totss).toBe(a.totss);
    expect(b.iterations).toBe(a.iterations);
  }
});

test("Coreset seeding samples rows by seed and row id: the same model on any threads and chunking, another seed another sample", async () => {
  // 24,000 rows: more than the ~16,384 the sample keeps, so rows are drawn.
  const path = csv("b20-det.csv", "a,b,c,d,e", gaussianBlobs(3, 24000, 20, 5));
  const params = { k: 20, seed: 9 };
  const a = await train(await load(path), params);
  const b = await train(await load(path, 3001), params, null, new InlineExecutor());
  expect(b.centers_std).toEqual(a.centers_std);
  expect(b.size).toEqual(a.size);
  expect(b.withinss).toEqual(a.withinss);
  expect(b.iterations).toBe(a.iterations);
  expect(b.scoring_history).toEqual(a.scoring_history);
  // The first history entry is the cost of the seeded centers: another seed's sample seeds others.
  const c = await train(await load(path), { ...params, seed: 10 });
  expect(c.scoring_history[0].tot_withinss).not.toBe(a.scoring_history[0].tot_withinss);
}, 30000);

test("the coreset sample is unbiased and keeps a small far cluster", async () => {
  // 30,000 rows in a cloud about the origin and 15 rows about (60, 60): sampling rows
  // uniformly at 16,384/30,015 would keep each far row with probability 0.55, all 15 with 1e-4.
  const rows = gaussianBlobs(4, 30000, 1, 2).map(([a, b]) => [a / 5, b / 5]);
  for (let i = 0; i < 15; i++) rows.push([60 + (i % 3) * 0.1, 60 + (i % 5) * 0.1]);
  const frame = await load(csv("far.csv", "a,b", rows));
  const enc = encodingOf(frame, [0, 1], false);
  const view = { chunks: await node.executor.run(BuildKMeansViewTask, frame, { bound: [{ col: 0 }, { col: 1 }], encoding: enc }) };
  const center = grandCenter(enc);
  const isCat = enc.isCat;
  const totUnits = await node.executor.run(TotssTask, view, { center, p: 2, isCat, distanceScale: enc.distanceScale });
  // Two centers to price: the cloud's and the far cluster's means, from the rows.
  const mean = (from: number, to: number, j: number) => rows.slice(from, to).reduce((s, r) => s + r[j], 0) / (to - from);
  const centers = [mean(0, 30000, 0), mean(0, 30000, 1), mean(30000, 30015, 0), mean(30000, 30015, 1)];
  const cost = (x: number[]) => Math.min((x[0] - centers[0]) ** 2 + (x[1] - centers[1]) ** 2, (x[0] - centers[2]) ** 2 + (x[1] - centers[3]) ** 2);
  const full = rows.reduce((s, r) => s + cost(r), 0);
  const weights: number[] = [];
  const estimates: number[] = [];
  for (let seed = 1; seed <= 5; seed++) {
    const records = await node.executor.run(CoresetTask, view, { center, p: 2, isCat, distanceScale: enc.distanceScale, totUnits, n: rows.length, m: 16384, state: keyState(seed, 3) });
    const sample = sampleOf(records, 2);
    let w = 0;
    let c = 0;
    let far = 0;
    for (let i = 0; i < sample.rows; i++) {
      w += sample.w[i];
      c += sample.w[i] * cost([sample.x[2 * i], sample.x[2 * i + 1]]);
      if (sample.x[2 * i] > 30) far++;
    }
    expect(far).toBe(15);
    weights.push(w / rows.length);
    estimates.push(c / full);
  }
  // Σ weights estimates the rows, Σ weight · cost the cost, each within a few percent.
  for (const r of [...weights, ...estimates]) expect(Math.abs(r - 1)).toBeLessThan(0.05);
});

test("Lloyd passes that prune with Hamerly's bounds assign every row as a full scan does", async () => {
  // Twenty overlapping blobs from poor starting centers (the first 20 rows): rows keep
  // changing cluster for many passes, the case where a wrong bound would show.
  const rows = gaussianBlobs(5, 6000, 20, 3);
  const frame = await load(csv("prune.csv", "a,b,c", rows), 500);
  const enc = encodingOf(frame, [0, 1, 2], false);
  const build = () => node.executor.run(BuildKMeansViewTask, frame, { bound: [{ col: 0 }, { col: 1 }, { col: 2 }], encoding: enc });
  const pruned = { chunks: await build() };
  const full = { chunks: await build() };
  const args = { k: 20, p: 3, isCat: enc.isCat, levels: new Int32Array(3), distanceScale: enc.distanceScale, bounds: false };
  let centers = Float64Array.from(rows.slice(0, 20).flat());
  let prev: Float64Array | null = null;
  let kept = 0;
  for (let pass = 0; pass < 12; pass++) {
    const a = await node.executor.run(LloydTask, pruned, { ...args, centers, prune: prev ? pruning(prev, centers, 20, 3, enc.isCat) : null });
    const b = await node.executor.run(LloydTask, full, { ...args, centers, prune: null });
    expect(a.stats).toEqual(b.stats);
    expect(pruned.chunks.map((c) => Array.from(c.assign))).toEqual(full.chunks.map((c) => Array.from(c.assign)));
    // Each row's bound is at most its distance to every other center; a row whose bound is
    // below the nearest other center's distance was kept without a scan.
    for (const c of pruned.chunks) {
      for (let i = 0; i < c.rows; i++) {
        let other = Infinity;
        for (let o = 0; o < 20; o++) {
          if (o === c.assign[i]) continue;
          let d = 0;
          for (let j = 0; j < 3; j++) d += (c.x[i * 3 + j] - centers[o * 3 + j]) ** 2;
          other = Math.min(other, Math.sqrt(d));
        }
        expect(c.lower[i]).toBeLessThanOrEqual(other * (1 + 1e-12));
        if (c.lower[i] < other * (1 - 1e-9)) kept++;
      }
    }
    // The next centers: the clusters' means (sums, then sizes, in the partial).
    const next = new Float64Array(60);
    for (let cl = 0; cl < 20; cl++) for (let j = 0; j < 3; j++) next[cl * 3 + j] = b.stats[60 + cl] ? b.stats[cl * 3 + j] / b.stats[60 + cl] : centers[cl * 3 + j];
    prev = centers;
    centers = next;
  }
  expect(kept).toBeGreaterThan(6000);
});

test("empty clusters are reseeded from the furthest row", async () => {
  // Five copies of 0 and three other points: Random seeding often draws two zeros, whose
  // clusters tie; the empty one must move so that every point has its own center.
  const frame = await load(csv("dups.csv", "x", [[0], [0], [0], [0], [0], [10], [20], [30]]));
  for (let seed = 1; seed <= 6; seed++) {
    const model = await train(frame, { k: 4, init: "Random", standardize: false, seed });
    expect([...model.size].sort((a, b) => a - b)).toEqual([1, 1, 1, 5]);
    expect(model.tot_withinss).toBe(0);
  }
});

test("enum columns: mismatch distance and the most frequent level as center", async () => {
  const rows = Array.from({ length: 12 }, (_, i) => [i % 2 ? "red" : "blue", 1 + (i % 3) * 0.01]);
  rows.push(["", 1]); // a missing level is imputed with the mode
  const frame = await load(csv("colors.csv", "color,x", rows));
  const model = await train(frame, { k: 2, standardize: false, seed: 1 });
  const centers = centerRecords(model, false)
    .map((r) => r.color)
    .sort();
  expect(centers).toEqual(["blue", "red"]);
  const pred = await predictions(model, frame);
  for (let i = 2; i < 12; i++) expect(pred[i]).toBe(pred[i % 2]);
});

test("estimate_k finds three blobs in four dimensions", async () => {
  // H2O's cutoff on the relative gain is min(0.02 + 10/rows + 2.5/p², 0.8): 0.23 here. Unstandardized,
  // the widest column of a merged cluster is always a blob direction, never the 0.4-wide noise.
  const rows = blobRows.map(([a, b], i) => [a, b, (((i * 11) % 5) - 2) * 0.1, (((i * 13) % 3) - 1) * 0.1]);
  const model = await train(await load(csv("blobs4.csv", "a,b,c,d", rows)), { k: 10, estimate_k: true, standardize: false, seed: 1 });
  expect(model.estimated_k).toBe(3);
  expect(model.size).toEqual([60, 60, 60]);
});

test("a saved model predicts what the trained one does; all-missing rows still get a cluster", async () => {
  const frame = await load(IRIS);
  const model = await train(frame, { k: 3, seed: 5 }, IRIS_X);
  const loaded = deserializeModel(serializeModel(model, "test"), "model");
  expect(await predictions(loaded, frame)).toEqual(await predictions(model, frame));
  const holes = await load(
    csv("holes.csv", "sepal_length,sepal_width,petal_length,petal_width", [
      ["", "", "", ""],
      [5.1, "", 1.4, ""],
    ]),
  );
  const p = await predictions(loaded, holes);
  for (const c of p) expect([0, 1, 2]).toContain(c);
  // Evaluating on the training frame reproduces the training metrics.
  const ev = modelEvaluator(node.executor, loaded);
  await ev.add(frame, []);
  const m = ev.result() as ClusteringMetrics;
  expect(m.tot_withinss).toBeCloseTo(model.tot_withinss, 9);
  expect(m.totss).toBeCloseTo(model.totss, 9);
  expect(m.centroid_stats.map((c) => c.size)).toEqual([...model.size]);
});

test("CLI: train, predict and eval a k-means model end to end", async () => {
  const out = join(dir, "iris.floe");
  const t = await floe(["train", IRIS, "--algo", "kmeans", "--k", "3", "--x", IRIS_X.join(","), "--seed", "1", "--out", out, "--json"]);
  expect(t.code).toBe(0);
  const j = JSON.parse(t.stdout);
  expect(j.category).toBe("Clustering");
  expect(j.centers).toHaveLength(3);
  expect(Object.keys(j.centers[0])).toEqual(["centroid", ...IRIS_X]);
  expect(j.size.reduce((s: number, n: number) => s + n, 0)).toBe(150);
  expect(j.tot_withinss + j.betweenss).toBeCloseTo(j.totss, 9);
  expect(j.metrics.training.centroid_stats).toHaveLength(3);
  const text = await floe(["train", IRIS, "--algo", "kmeans", "--k", "3", "--x", IRIS_X.join(","), "--seed", "1"]);
  expect(text.stdout).toContain("3 clusters");
  expect(text.stdout).toContain("Cluster centers:");
  const p = await floe(["predict", out, IRIS]);
  expect(p.code).toBe(0);
  const lines = p.stdout.trim().split("\n");
  expect(lines[0]).toBe("predict");
  expect(lines.length).toBe(151);
  const counts = [0, 0, 0];
  for (const l of lines.slice(1)) counts[Number(l)]++;
  expect(counts).toEqual(j.size);
  const e = await floe(["eval", out, IRIS, "--json"]);
  expect(e.code).toBe(0);
  expect(JSON.parse(e.stdout).metrics.tot_withinss).toBeCloseTo(j.tot_withinss, 9);
});

test("bad input: k above the rows, no usable columns, all-missing and string columns, a response", async () => {
  const frame = await load(
    csv("small.csv", "a,b,name,empty", [
      [1, 2, "x", ""],
      [2, 3, "y", ""],
      [4, 1, "z", ""],
    ]),
    undefined,
    { name: "string" },
  );
  await expect(train(frame, { k: 5, seed: 1 })).rejects.toThrow("k=5 is larger than the number of rows (3)");
  await expect(train(frame, { k: 2, seed: 1 }, ["name", "empty"])).rejects.toThrow(/no usable columns to cluster.*string column 'name'.*'empty': all 3 values are missing/);
  const model = await train(frame, { k: 2, seed: 1 }, ["a", "name", "empty"]);
  expect(model.columns.map((c) => c.name)).toEqual(["a"]);
  expect(model.notes).toContain("dropped string column 'name' (make it an enum to use it)");
  expect(model.notes).toContain("dropped column 'empty': all 3 values are missing");
  await expect(kmeans.train(node.executor, { modelId: "y", frame, y: "a", x: null, params: { k: 2 } })).rejects.toThrow("kmeans takes no response column");
  await expect(train(frame, { k: 0, seed: 1 })).rejects.toThrow("k=0");
});
