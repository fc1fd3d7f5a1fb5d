// Feature bundles: which features a bundle takes and each row's bundle bin, worked by hand;
// and level passes that sum large nodes through a bundle give the histograms of a naive
// row-by-row sum, bit for bit, whatever the chunking and thread count.

import { afterAll, expect, test } from "bun:test";
import { allShared, WorkerPool } from "../../../src/core/pool.ts";
import { keyState } from "../../../src/core/rng.ts";
import { type Executor, InlineExecutor } from "../../../src/core/mr.ts";
import { type BinColumn, type FeatureSpec, totalBins } from "../../../src/ml/tree/binning.ts";
import { BUNDLE_MAX_BINS, bundleCodes, chooseBundle } from "../../../src/ml/tree/bundle.ts";
import { type LevelArgs, LevelTask, quantScales } from "../../../src/ml/tree/histogram.ts";
import type { SplitTable } from "../../../src/ml/tree/rows.ts";
import { BuildViewTask, type TreeChunk } from "../../../src/ml/tree/view.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();
const pool3 = new WorkerPool(new URL("../../support/worker.ts", import.meta.url), 3);
afterAll(() => pool3.close());

test("a bundle takes the features with fewest bins while their product fits, in feature order, the last member's digit fastest", () => {
  // Bins 6, 300, 5, 4, 200: 4 · 5 · 6 = 120 fits 4096, and 120 · 200 does not.
  const b = chooseBundle([6, 300, 5, 4, 200]);
  expect(b && Array.from(b.members)).toEqual([0, 2, 3]);
  expect(b && Array.from(b.counts)).toEqual([6, 5, 4]);
  expect(b && Array.from(b.strides)).toEqual([20, 4, 1]);
  expect(b?.bins).toBe(120);
  // Feature 0 bin 5, feature 2 bin 1, feature 3 bin 3: 5·20 + 1·4 + 3 = 107; all zeros: 0.
  const bins = [Uint16Array.of(5, 0), Uint16Array.of(299, 7), Uint16Array.of(1, 0), Uint16Array.of(3, 0), Uint16Array.of(0, 0)];
  const out = Uint16Array.of(9, 9);
  if (b) bundleCodes(bins, b, 2, out);
  expect(Array.from(out)).toEqual([107, 0]);
  // Ties go to the lower feature; no bundle when a second feature does not fit.
  expect(Array.from(chooseBundle([3, 3, 3], 9)?.members ?? [])).toEqual([0, 1]);
  expect(chooseBundle([300, 5000])).toBeNull();
  expect(chooseBundle([BUNDLE_MAX_BINS])).toBeNull();
});

test("a view chunk with a bundle is all shared memory, so a worker pool keeps it and its workers claim it", async () => {
  const { view } = await twoChildren(30_000, true);
  expect(view.length).toBe(5);
  for (const c of view) {
    expect(c.bundle).not.toBeNull();
    expect(allShared(c)).toBe(true);
  }
});

/** Specs of the frame below: a (0..4), b (0..3) and x (0..99) numeric by unit cuts, c an enum of 3 levels. */
function specs(domain: readonly string[]): FeatureSpec[] {
  const unitCuts = (n: number) => Float64Array.from({ length: n - 1 }, (_, i) => i + 0.5);
  const numeric = (name: string, n: number): FeatureSpec => ({ name, kind: "numeric", cuts: unitCuts(n), valueBins: n });
  return [numeric("a", 5), numeric("x", 100), numeric("b", 4), { name: "c", kind: "enum", levelToBin: Int32Array.of(0, 1, 2), valueBins: 3, domain }];
}

const ROWS = 140_000;

/** Rows of the frame below with a = 1, b = 1, c = p and x < 50: one bundle bin of the left child. */
const SAME = 68_000;

/**
 * A frame of 140,000 rows, a, b and c making a bundle of 6 · 5 · 4 = 120 bins: 68,000 rows of
 * one bundle bin (more than a packed sum may count, 65,535) and x < 50, then x = i mod 100
 * and a, b and c varying. Split at x <= 49: 104,000 rows on the left, 36,000 on the right.
 */
async function frame(chunkRows: number) {
  const lines = Array.from({ length: ROWS }, (_, i) =>
    i < SAME ? `1,${i % 50},1,p,${i % 3 === 0 ? "yes" : "no"}` : `${i % 5},${i % 100},${(i * 7) % 4},${"pqr"[(i * 11) % 3]},${(i * 13) % 7 < 3 ? "yes" : "no"}`,
  );
  const path = writeTemp(tempDir(), "bundle.csv", `a,x,b,c,y\n${lines.join("\n")}\n`);
  return (await node.importFrame({ kind: "file", path }, { chunkRows }).done).frame;
}

/**
 * The root pass (bernoulli gradients at score 0), then one pass that splits the root at x <= 49
 * and builds both children's histograms, on a view with the bundle or without.
 */
async function twoChildren(chunkRows: number, bundled: boolean, executor: Executor = node.executor, rightFeatures = [0, 1, 2, 3]) {
  const f = await frame(chunkRows);
  const fs = specs(f.columns[f.columnIndex("c")].domain ?? []);
  const features: BinColumn[] = fs.map((spec) => ({ col: f.columnIndex(spec.name), spec }));
  const bundle = bundled ? chooseBundle(fs.map(totalBins)) : null;
  const view = { chunks: await executor.run(BuildViewTask, f, { features, y: { col: f.columnIndex("y") }, classes: 1, bundle }) };
  const F = fs.length;
  // The left child's histogram has every feature, the right child's `rightFeatures`.
  const entryFeature = Int32Array.from([0, 1, 2, 3, ...rightFeatures]);
  const entryOffset = new Int32Array(entryFeature.length);
  for (let e = 1; e < entryFeature.length; e++) entryOffset[e] = entryOffset[e - 1] + totalBins(fs[entryFeature[e - 1]]);
  const bins = entryOffset[entryFeature.length - 1] + totalBins(fs[entryFeature[entryFeature.length - 1]]);
  const base: LevelArgs = {
    classes: 1,
    root: {
      ...quantScales(Float64Array.of(1, 0.25), 1),
      roundState: keyState(3, 0, 1),
      bagState: keyState(3, 0, 2),
      bagRate: 1,
      gradients: { distribution: "bernoulli", loss: { tweedie_power: 1.5, quantile_alpha: 0.5, huber_delta: 1 }, addFirst: null },
    },
    splits: null,
    slotOf: [Int32Array.of(0)],
    slots: 1,
    slotEntry: Int32Array.of(0, F),
    entryFeature: Int32Array.from({ length: F }, (_, e) => e),
    entryOffset: entryOffset.subarray(0, F),
    bins: entryOffset[F],
    recordStart: Int32Array.of(-1),
    recordCap: Int32Array.of(0),
    binStart: Int32Array.of(0),
    records: 0,
    recordBins: 0,
    missingBin: Int32Array.from(fs, (s) => s.valueBins),
    detach: Uint8Array.of(0),
  };
  const root = await executor.run(LevelTask, view, base);
  const splits: SplitTable = {
    splitOf: [Int32Array.of(0)],
    feature: Int32Array.of(1),
    threshold: Int32Array.of(49),
    naLeft: Uint8Array.of(1),
    catOffset: Int32Array.of(-1),
    bitsets: new Uint8Array(0),
    left: Int32Array.of(1),
    right: Int32Array.of(2),
    keep: false,
  };
  const level = await executor.run(LevelTask, view, {
    ...base,
    root: null,
    splits,
    slotOf: [Int32Array.of(-1, 0, 1)],
    slots: 2,
    slotEntry: Int32Array.of(0, F, entryFeature.length),
    entryFeature,
    entryOffset,
    bins,
    recordStart: Int32Array.of(-1, -1),
    recordCap: Int32Array.of(0, 0),
    binStart: Int32Array.of(0, 0),
    detach: Uint8Array.of(0, 0),
  });
  return { view: view.chunks, root: root.hist, level: level.hist, entryFeature, entryOffset, bundle };
}

/** The two children's histograms summed here row by row from the view's quantized gradients. */
function naiveChildren(chunks: readonly TreeChunk[], entryFeature: Int32Array, entryOffset: Int32Array, bins: number): Float64Array {
  const hist = new Float64Array(3 * bins);
  for (const c of chunks) {
    for (let i = 0; i < c.rows; i++) {
      const right = c.bins[1][i] > 49;
      for (let e = right ? 4 : 0; e < (right ? entryFeature.length : 4); e++) {
        const t = 3 * (entryOffset[e] + c.bins[entryFeature[e]][i]);
        hist[t] += c.qg[i];
        hist[t + 1] += c.qh[i];
        hist[t + 2] += 1;
      }
    }
  }
  return hist;
}

test("level passes through a bundle sum two children of 104,000 and 36,000 rows exactly as row by row, whatever the chunking and threads", async () => {
  const one = await twoChildren(ROWS, true);
  expect(one.bundle?.bins).toBe(120);
  expect(Array.from(one.bundle?.members ?? [])).toEqual([0, 2, 3]);
  expect(one.view.map((c) => c.rows)).toEqual([ROWS]);
  const naive = naiveChildren(one.view, one.entryFeature, one.entryOffset, one.level.length / 3);
  // Every row is in one child, in every feature's block; 68,000 in one bundle bin on the left.
  for (let e = 0; e < 8; e++) {
    let rows = 0;
    for (let b = 0; b < totalBins(specs(["p", "q", "r"])[one.entryFeature[e]]); b++) rows += one.level[3 * (one.entryOffset[e] + b) + 2];
    expect(rows).toBe(e < 4 ? 104_000 : 36_000);
  }
  expect(one.level[3 * (one.entryOffset[0] + 1) + 2]).toBeGreaterThan(SAME);
  expect(Array.from(one.level)).toEqual(Array.from(naive));
  const plain = await twoChildren(ROWS, false);
  expect(Array.from(plain.root)).toEqual(Array.from(one.root));
  expect(Array.from(plain.level)).toEqual(Array.from(one.level));
  for (const other of [await twoChildren(30_000, true), await twoChildren(9_000, true, pool3)]) {
    expect(Array.from(other.root)).toEqual(Array.from(one.root));
    expect(Array.from(other.level)).toEqual(Array.from(one.level));
  }
});

test("a node without every member of the bundle is summed feature by feature beside one with them, as row by row", async () => {
  // The right child has a, x and b but not c: its rows cannot go through the bundle. On this
  // thread (the only test here that sums on it), whose packed sums start from zeros.
  const mixed = await twoChildren(ROWS, true, new InlineExecutor(), [0, 1, 2]);
  expect(Array.from(mixed.level)).toEqual(Array.from(naiveChildren(mixed.view, mixed.entryFeature, mixed.entryOffset, mixed.level.length / 3)));
  const plain = await twoChildren(30_000, false, pool3, [0, 1, 2]);
  expect(Array.from(plain.level)).toEqual(Array.from(mixed.level));
});
