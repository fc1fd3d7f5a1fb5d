// TreeSHAP of floe's tree models (GBM, DRF, XGBoost): contributions plus the bias term add up
// to the raw score predictions come from; on small models they equal the Shapley values of
// the path-dependent expectation computed by brute force over every feature subset (written
// here, independently of src/ml/tree/shap.ts); a feature no tree uses gets exactly 0; threads
// and chunking do not change them; model files keep the covers they need, and a file written
// before covers were recorded still predicts but is refused contributions.

import { expect, test } from "bun:test";
import { FloeError } from "../../../src/core/errors.ts";
import type { Frame } from "../../../src/core/frame.ts";
import { type Executor, InlineExecutor } from "../../../src/core/mr.ts";
import type { Contributions } from "../../../src/ml/algorithm.ts";
import { deserializeModel, serializeModel } from "../../../src/ml/modelfile.ts";
import { ALGORITHMS_CONTEXT, algorithm, descriptorOf } from "../../../src/ml/registry.ts";
import { type Model, predictFrame } from "../../../src/ml/scoring.ts";
import { bindFeatures, scoredView, type TreeModel } from "../../../src/ml/tree/model.ts";
import { ShapWalker, treeDepth } from "../../../src/ml/tree/shap.ts";
import type { Tree } from "../../../src/ml/tree/tree.ts";
import { BuildViewTask } from "../../../src/ml/tree/view.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode(2);
const dir = tempDir();
const FEATURES = ["x1", "x2", "c1", "x3", "rare"];

/**
 * Rows of numeric x1 (about 1 in 8 missing), x2, an enum c1 of 5 levels, integer x3, and
 * `rare` (1 in one row only: with min_rows 5 no split can use it); responses of each kind.
 */
function dataPath(n: number): string {
  let state = 12345;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const lines = ["x1,x2,c1,x3,rare,y,yes,cls"];
  for (let i = 0; i < n; i++) {
    const x1 = next() < 0.125 ? null : Math.round(next() * 1000) / 100;
    const x2 = Math.round(next() * 400 - 200) / 10;
    const c1 = "abcde"[Math.floor(next() * 5)];
    const x3 = Math.floor(next() * 10);
    const signal = (x1 ?? 7) * 0.8 + (x2 > 3 ? 2 : 0) + "abcde".indexOf(c1) * 0.7 - 0.3 * x3 + next() * 2;
    lines.push([x1 ?? "", x2, c1, x3, i === 0 ? 1 : 0, signal.toFixed(4), signal > 5 ? "yes" : "no", signal < 3.5 ? "k0" : signal < 6.5 ? "k1" : "k2"].join(","));
  }
  return writeTemp(dir, `shap${n}.csv`, `${lines.join("\n")}\n`);
}

const PATH = dataPath(300);

async function load(chunkRows?: number): Promise<Frame> {
  return (await node.importFrame({ kind: "file", path: PATH }, { chunkRows }).done).frame;
}

async function train(algo: string, y: string, params: Record<string, unknown>, frame: Frame): Promise<TreeModel> {
  const { model } = await algorithm(algo)!.train(node.executor, { modelId: `${algo}-${y}`, frame, y, x: FEATURES, params: { seed: 3, min_rows: 5, ...params } });
  return model as TreeModel;
}

async function contributions(model: Model, frame: Frame, executor: Executor = node.executor): Promise<Contributions> {
  const got = await descriptorOf(model.algo).scorer.contributions?.(executor, model, frame, [], {}, ALGORITHMS_CONTEXT);
  if (!got) throw new Error(`${model.algo} gives no contributions`);
  return got;
}

/** Contributions as one array: rows × classes × (features + 1). */
function flat(c: Contributions): number[] {
  return c.chunks.flatMap((ch) => Array.from(ch.values));
}

/** The raw scores predictions come from, per row and class (DRF: the trees' average). */
async function rawScores(model: TreeModel, frame: Frame): Promise<number[]> {
  const view = await scoredView(node.executor, model, frame, []);
  const scale = model.output === "average" ? 1 / model.iterations.length : 1;
  return view.chunks.flatMap((c) => Array.from(c.score, (s) => s * scale));
}

const KINDS = [
  { name: "GBM gaussian", algo: "gbm", y: "y", params: { ntrees: 12, max_depth: 4 } },
  { name: "GBM bernoulli", algo: "gbm", y: "yes", params: { ntrees: 12, max_depth: 4 } },
  { name: "GBM multinomial", algo: "gbm", y: "cls", params: { ntrees: 8, max_depth: 4 } },
  { name: "DRF binomial", algo: "drf", y: "yes", params: { ntrees: 12, max_depth: 5 } },
  { name: "DRF regression", algo: "drf", y: "y", params: { ntrees: 12, max_depth: 5 } },
  { name: "XGBoost gaussian", algo: "xgboost", y: "y", params: { ntrees: 12, max_depth: 4 } },
  { name: "XGBoost bernoulli", algo: "xgboost", y: "yes", params: { ntrees: 12, max_depth: 4 } },
  { name: "XGBoost multinomial", algo: "xgboost", y: "cls", params: { ntrees: 6, max_depth: 3 } },
] as const;

test("contributions plus the bias term equal the raw score of every row (1e-9), for every tree model kind", async () => {
  const frame = await load();
  for (const kind of KINDS) {
    const model = await train(kind.algo, kind.y, kind.params, frame);
    const c = await contributions(model, frame);
    const K = model.treesPerIteration;
    expect({ kind: kind.name, names: c.names, classes: c.classes }).toEqual({ kind: kind.name, names: FEATURES, classes: K });
    const values = flat(c);
    const raw = await rawScores(model, frame);
    expect(values.length).toBe(frame.rows * K * (FEATURES.length + 1));
    let worst = 0;
    for (let r = 0; r < frame.rows * K; r++) {
      let sum = 0;
      for (let j = 0; j <= FEATURES.length; j++) sum += values[r * (FEATURES.length + 1) + j];
      worst = Math.max(worst, Math.abs(sum - raw[r]) / Math.max(1, Math.abs(raw[r])));
    }
    expect({ kind: kind.name, within: worst <= 1e-9 || worst }).toEqual({ kind: kind.name, within: true });
    // The contributions are not trivial: some feature moves some row.
    expect({ kind: kind.name, moves: values.some((v, i) => i % (FEATURES.length + 1) !== FEATURES.length && Math.abs(v) > 1e-3) }).toEqual({ kind: kind.name, moves: true });
  }
}, 60_000);

/** Where a row with bins `b` goes at split node n of t. */
function goesLeft(t: Tree, n: number, b: readonly number[], missingBin: readonly number[]): boolean {
  const f = t.feature[n];
  if (t.catOffset[n] >= 0) return ((t.catBits[t.catOffset[n] + (b[f] >> 3)] >> (b[f] & 7)) & 1) === 1;
  return b[f] === missingBin[f] ? t.naLeft[n] === 1 : b[f] <= t.threshold[n];
}

/** E[tree | the features in `known` fixed to the row's]: known splits follow the row, the others average both children by cover. */
function conditional(t: Tree, n: number, b: readonly number[], missingBin: readonly number[], known: number): number {
  if (t.feature[n] < 0) return t.value[n];
  const l = t.left[n];
  const r = t.right[n];
  if (known & (1 << t.feature[n])) return conditional(t, goesLeft(t, n, b, missingBin) ? l : r, b, missingBin, known);
  const cover = t.cover as Float64Array;
  return (cover[l] * conditional(t, l, b, missingBin, known) + cover[r] * conditional(t, r, b, missingBin, known)) / (cover[l] + cover[r]);
}

/** Shapley values of class k's trees for one row, by every subset of the M features. */
function bruteForceShapley(model: TreeModel, b: readonly number[], k: number): number[] {
  const M = model.features.length;
  const missingBin = model.features.map((f) => f.valueBins);
  const scale = model.output === "average" ? 1 / model.iterations.length : 1;
  const v = (known: number) => model.iterations.reduce((s, trees) => s + scale * conditional(trees[k], 0, b, missingBin, known), 0);
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = new Array(M).fill(0);
  for (let j = 0; j < M; j++) {
    for (let S = 0; S < 1 << M; S++) {
      if (S & (1 << j)) continue;
      let size = 0;
      for (let x = S; x; x &= x - 1) size++;
      phi[j] += ((fact(size) * fact(M - size - 1)) / fact(M)) * (v(S | (1 << j)) - v(S));
    }
  }
  return phi;
}

/** Class k's SHAP values of row i of view chunk c by the recursion alone (the task reads shallow trees from tables). */
function byRecursion(model: TreeModel, c: { bins: readonly Uint16Array[] }, i: number, k: number): Float64Array {
  const walker = new ShapWalker(Math.max(...model.iterations.flat().map(treeDepth)));
  walker.bins = c.bins;
  walker.missingBin = Int32Array.from(model.features, (f) => f.valueBins);
  walker.phi = new Float64Array(model.features.length);
  const scale = model.output === "average" ? 1 / model.iterations.length : 1;
  for (const trees of model.iterations) walker.add(trees[k], trees[k].cover as Float64Array, i, 0, scale);
  return walker.phi;
}

test("on small models contributions (by table and by recursion) equal Shapley values by brute force over all feature subsets (path-dependent expectation)", async () => {
  const frame = await load();
  const small = [
    { algo: "gbm", y: "yes", params: { ntrees: 3, max_depth: 4 } },
    { algo: "gbm", y: "cls", params: { ntrees: 2, max_depth: 3 } },
    { algo: "drf", y: "y", params: { ntrees: 3, max_depth: 4, mtries: -2 } },
    // Deep trees meet features again and again on a path.
    { algo: "drf", y: "yes", params: { ntrees: 2, max_depth: 12, min_rows: 1 } },
    { algo: "xgboost", y: "y", params: { ntrees: 3, max_depth: 4 } },
  ];
  for (const s of small) {
    const model = await train(s.algo, s.y, s.params, frame);
    const K = model.treesPerIteration;
    const F = model.features.length;
    // Categorical, numeric and missing-bin splits all take part.
    const all = model.iterations.flat();
    expect({ algo: s.algo, categorical: all.some((t) => t.catOffset.some((c) => c >= 0)) }).toEqual({ algo: s.algo, categorical: true });
    const values = flat(await contributions(model, frame));
    const view = await node.executor.run(BuildViewTask, frame, { features: bindFeatures(frame, model.features, []), y: null, classes: 1 });
    const bins = view.flatMap((c) => Array.from({ length: c.rows }, (_, i) => c.bins.map((col) => col[i])));
    const located = view.flatMap((c) => Array.from({ length: c.rows }, (_, i) => ({ c, i })));
    const missingRow = bins.findIndex((b) => b[0] === model.features[0].valueBins);
    const rows = [...Array.from({ length: 40 }, (_, i) => i * 7), missingRow];
    let worst = 0;
    for (const r of rows) {
      for (let k = 0; k < K; k++) {
        const phi = bruteForceShapley(model, bins[r], k);
        const recursive = byRecursion(model, located[r].c, located[r].i, k);
        for (let j = 0; j < F; j++) worst = Math.max(worst, Math.abs(values[(r * K + k) * (F + 1) + j] - phi[j]), Math.abs(recursive[j] - phi[j]));
      }
    }
    expect({ algo: s.algo, y: s.y, within: worst <= 1e-9 || worst }).toEqual({ algo: s.algo, y: s.y, within: true });
  }
}, 60_000);

test("a feature no tree splits on gets exactly 0 for every row", async () => {
  const frame = await load();
  for (const kind of KINDS) {
    const model = await train(kind.algo, kind.y, kind.params, frame);
    const rare = FEATURES.indexOf("rare");
    expect({ kind: kind.name, splitsOnRare: model.iterations.flat().some((t) => t.feature.includes(rare)) }).toEqual({ kind: kind.name, splitsOnRare: false });
    const values = flat(await contributions(model, frame));
    const onRare = values.filter((_, i) => i % (FEATURES.length + 1) === rare);
    expect({ kind: kind.name, nonZero: onRare.filter((v) => !Object.is(v, 0)).length }).toEqual({ kind: kind.name, nonZero: 0 });
  }
}, 60_000);

test("the same contributions on 1 thread and 2, and with two chunkings", async () => {
  const frame = await load();
  const small = await load(7);
  expect(small.chunks.length).toBeGreaterThan(frame.chunks.length);
  for (const kind of [KINDS[2], KINDS[3], KINDS[6]]) {
    const model = await train(kind.algo, kind.y, kind.params, frame);
    const many = flat(await contributions(model, frame));
    expect(flat(await contributions(model, frame, new InlineExecutor()))).toEqual(many);
    expect(flat(await contributions(model, small))).toEqual(many);
  }
}, 60_000);

test("model files keep the trees' covers; a file written before covers predicts but refuses contributions", async () => {
  const frame = await load();
  const model = await train("gbm", "yes", { ntrees: 5, max_depth: 3 }, frame);
  const loaded = deserializeModel(serializeModel(model, "test"), "model.floe");
  expect(flat(await contributions(loaded, frame))).toEqual(flat(await contributions(model, frame)));

  const withoutCovers = { ...model, iterations: model.iterations.map((trees) => trees.map(({ cover: _, ...t }) => t)) };
  const old = deserializeModel(serializeModel(withoutCovers, "test"), "old.floe");
  const scored = async (m: Model) => (await predictFrame(node.executor, m, frame, [])).flatMap((s) => Array.from(s.p));
  expect(await scored(old)).toEqual(await scored(model));
  const refused = await contributions(old, frame).catch((e) => e);
  expect(refused).toBeInstanceOf(FloeError);
  expect(refused.message).toContain("retrain");
}, 60_000);

test("a node cover that is negative is refused when a model file is read", async () => {
  const frame = await load();
  const model = await train("gbm", "y", { ntrees: 2, max_depth: 2 }, frame);
  const cover = Float64Array.from(model.iterations[0][0].cover as Float64Array);
  cover[1] = -1;
  const bad = { ...model, iterations: model.iterations.map((trees, t) => trees.map((tree) => (t === 0 ? { ...tree, cover } : tree))) };
  expect(() => deserializeModel(serializeModel(bad, "test"), "bad.floe")).toThrow("iteration 0 tree 0 node 1 has cover -1");
}, 60_000);

test("contributions report progress chunk by chunk", async () => {
  const frame = await load();
  const small = await load(30);
  const model = await train("gbm", "y", { ntrees: 2, max_depth: 2 }, frame);
  const scorer = descriptorOf("gbm").scorer;
  const seen: number[] = [];
  await scorer.contributions?.(node.executor, model, small, [], { onProgress: (f) => seen.push(f) }, ALGORITHMS_CONTEXT);
  expect(seen.length).toBe(small.chunks.length);
  expect(seen.at(-1)).toBe(1);
  expect(seen.every((f, i) => i === 0 || f > seen[i - 1])).toBe(true);
}, 60_000);
