// Feature bundles: which features a bundle takes and each row's bundle bin, worked by hand;
// and level passes that sum large nodes through a bundle give the histograms of a naive
// row-by-row sum, bit for bit, whatever the chunking and thread count.

import { afterAll, expect, test } from "bun:test";
import { WorkerPool } from "../../../src/core/pool.ts";
import { keyState } from "../../../src/core/rng.ts";
import type { Executor } from "../../../src/core/mr.ts";
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

/** Specs of the frame below: a (0..4), b (0..3) and x (0..99) numeric by unit cuts, c an enum of 3 levels. */
function specs(domain: readonly string[]): FeatureSpec[] {
  const unitCuts = (n: number) => Float64Array.from({ length: n - 1 }, (_, i) => i + 0.5);
  const numeric = (name: string, n: number): FeatureSpec => ({ name, kind: "numeric", cuts: unitCuts(n), valueBins: n });
  return [numeric("a", 5), numeric("x", 100), numeric("b", 4), { name: "c", kind: "enum", levelToBin: Int32Array.of(0, 1, 2), valueBins: 3, domain }];
}

const ROWS = 140_000;

/**
 * A frame of 140,000 rows: x = i mod 100 splits it in two halves of 70,000 rows, more than a
 * packed sum may count (65,535), and a, b and c make a bundle of 6 · 5 · 4 = 120 bins.
 */
async function frame(chunkRows: number) {
  const lines = Array.from({ length: ROWS }, (_, i) => `${i % 5},${i % 100},${(i * 7) % 4},${"pqr"[(i * 11) % 3]},${(i * 13) % 7 < 3 ? "yes" : "no"}`);
  const path = writeTemp(tempDir(), "bundle.csv", `a,x,b,c,y\n${lines.join("\n")}\n`);
  return (await node.importFrame({ kind: "file", path }, { chunkRows }).done).frame;
}

/**
 * The root pass (bernoulli gradients at score 0), then one pass that splits the root at x <= 49
 * and builds both children's histograms, on a view with the bundle or without.
 */
async function twoChildren(chunkRows: number, bundled: boolean, executor: Executor = node.executor) {
  const f = await frame(chunkRows);
  const fs = specs(f.columns[f.columnIndex("c")].domain ?? []);
  const features: BinColumn[] = fs.map((spec) => ({ col: f.columnIndex(spec.name), spec }));
  const bundle = bundled ? chooseBundle(fs.map(totalBins)) : null;
  const view = { chunks: await executor.run(BuildViewTask, f, { features, y: { col: f.columnIndex("y") }, classes: 1, bundle }) };
  const F = fs.length;
  const entryOffset = new Int32Array(2 * F);
  for (let e = 1; e < 2 * F; e++) entryOffset[e] = entryOffset[e - 1] + totalBins(fs[(e - 1) % F]);
  const bins = entryOffset[2 * F - 1] + totalBins(fs[F - 1]);
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
    slotEntry: Int32Array.of(0, F, 2 * F),
    entryFeature: Int32Array.from({ length: 2 * F }, (_, e) => e % F),
    entryOffset,
    bins,
    recordStart: Int32Array.of(-1, -1),
    recordCap: Int32Array.of(0, 0),
    binStart: Int32Array.of(0, 0),
    detach: Uint8Array.of(0, 0),
  });
  return { view: view.chunks, root: root.hist, level: level.hist, entryOffset, bundle };
}

/** The two children's histograms summed here row by row from the view's quantized gradients. */
function naiveChildren(chunks: readonly TreeChunk[], entryOffset: Int32Array, bins: number): Float64Array {
  const hist = new Float64Array(3 * bins);
  const F = entryOffset.length / 2;
  for (const c of chunks) {
    for (let i = 0; i < c.rows; i++) {
      const child = c.bins[1][i] <= 49 ? 0 : 1;
      for (let f = 0; f < F; f++) {
        const t = 3 * (entryOffset[child * F + f] + c.bins[f][i]);
        hist[t] += c.qg[i];
        hist[t + 1] += c.qh[i];
        hist[t + 2] += 1;
      }
    }
  }
  return hist;
}

test("level passes through a bundle sum both children of 70,000 rows exactly as row by row, whatever the chunking and threads", async () => {
  const one = await twoChildren(ROWS, true);
  expect(one.bundle?.bins).toBe(120);
  expect(Array.from(one.bundle?.members ?? [])).toEqual([0, 2, 3]);
  expect(one.view.map((c) => c.rows)).toEqual([ROWS]);
  const naive = naiveChildren(one.view, one.entryOffset, one.level.length / 3);
  // Every row is in one child: 70,000 rows on each side, in every feature's block.
  const F = 4;
  for (let e = 0; e < 2 * F; e++) {
    let rows = 0;
    for (let b = 0; b < totalBins(specs(["p", "q", "r"])[e % F]); b++) rows += one.level[3 * (one.entryOffset[e] + b) + 2];
    expect(rows).toBe(70_000);
  }
  expect(Array.from(one.level)).toEqual(Array.from(naive));
  const plain = await twoChildren(ROWS, false);
  expect(Array.from(plain.root)).toEqual(Array.from(one.root));
  expect(Array.from(plain.level)).toEqual(Array.from(one.level));
  for (const other of [await twoChildren(30_000, true), await twoChildren(9_000, true, pool3)]) {
    expect(Array.from(other.root)).toEqual(Array.from(one.root));
    expect(Array.from(other.level)).toEqual(Array.from(one.level));
  }
});
