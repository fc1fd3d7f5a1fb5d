// The level task against a naive histogram built here row by row, and its exactness:
// chunk size and thread count never change a bit.

import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { InlineExecutor } from "../../../src/core/mr.ts";
import { WorkerPool } from "../../../src/core/pool.ts";
import { keyState } from "../../../src/core/rng.ts";
import { type BinColumn, cutPoints, enumBins, totalBins } from "../../../src/ml/tree/binning.ts";
import { LevelTask } from "../../../src/ml/tree/histogram.ts";
import { GradTask } from "../../../src/ml/tree/row-tasks.ts";
import { BuildViewTask } from "../../../src/ml/tree/view.ts";
import { FIXTURES, testNode } from "../../support/node.ts";

const node = testNode();
const pool3 = new WorkerPool(new URL("../../support/worker.ts", import.meta.url), 3);
afterAll(() => pool3.close());

/** Penguins' feature columns for the tests: an enum and a numeric column with missing values. */
const TWO_FEATURES = ["island", "flipper_length_mm"];

async function rootHistogram(chunkRows: number, executor = node.executor, names = TWO_FEATURES) {
  const { frame } = await node.importFrame({ kind: "file", path: join(FIXTURES, "penguins.csv") }, { chunkRows }).done;
  // Response body_mass_g; enum features binned by level, numeric ones by 16 quantile bins.
  const features: BinColumn[] = names.map((name) => {
    const col = frame.columnIndex(name);
    if (frame.columns[col].type === "enum") {
      const eb = enumBins(frame.rollups?.[col].levelCounts ?? [], 10);
      return { col, spec: { name, kind: "enum", levelToBin: eb.levelToBin, valueBins: eb.valueBins, domain: frame.columns[col].domain } };
    }
    const sorted = Float64Array.from(frame.chunks.flatMap((c) => Array.from((c.vecs[col] as { values: Float64Array }).values)))
      .filter((x) => !Number.isNaN(x))
      .sort();
    const cuts = cutPoints(sorted, 16);
    return { col, spec: { name, kind: "numeric", cuts, valueBins: cuts.length + 1 } };
  });
  const view = { chunks: await executor.run(BuildViewTask, frame, { features, y: { col: frame.columnIndex("body_mass_g") }, classes: 1 }) };
  const max = await executor.run(GradTask, view, { distribution: "gaussian", classes: 1, loss: { tweedie_power: 1.5, quantile_alpha: 0.5, huber_delta: 1 } });
  const F = features.length;
  const entryOffset = new Int32Array(F);
  for (let f = 1; f < F; f++) entryOffset[f] = entryOffset[f - 1] + totalBins(features[f - 1].spec);
  const args = {
    classes: 1,
    root: { gScale: Float64Array.of(max[0] / 2 ** 20), hScale: Float64Array.of(1 / 2 ** 20), roundState: keyState(7, 0, 1), bagState: keyState(7, 0, 2), bagRate: 0.8 },
    splits: null,
    slotOf: [Int32Array.of(0)],
    slots: 1,
    slotEntry: Int32Array.of(0, F),
    entryFeature: Int32Array.from({ length: F }, (_, f) => f),
    entryOffset,
    bins: entryOffset[F - 1] + totalBins(features[F - 1].spec),
    recordStart: Int32Array.of(-1),
    recordCap: Int32Array.of(0),
    binStart: Int32Array.of(0),
    records: 0,
    recordBins: 0,
    missingBin: Int32Array.from(features, (f) => f.spec.valueBins),
    detach: Uint8Array.of(0),
  };
  const { hist } = await executor.run(LevelTask, view, args);
  return { hist, view, offset: args.entryOffset, args };
}

/**
 * After the root pass, one more pass over the root node asked for its rows' records (a
 * row slot) instead of a histogram: (g, h, bins) of every in-bag row, in some order.
 */
async function rootRecords(chunkRows: number, executor = node.executor) {
  const root = await rootHistogram(chunkRows, executor);
  const rows = root.hist.subarray(0, root.offset[1] * 3).reduce((t, x, j) => (j % 3 === 2 ? t + x : t), 0);
  const part = await executor.run(LevelTask, root.view, {
    ...root.args,
    root: null,
    bins: 0,
    recordStart: Int32Array.of(0),
    recordCap: Int32Array.of(rows),
    binStart: Int32Array.of(0),
    records: rows,
    recordBins: 2 * rows,
  });
  const records = part.blocks.flatMap((b) => Array.from({ length: b.filled[0] }, (_, r) => [b.qg[r], b.qh[r], b.recordBin[2 * r], b.recordBin[2 * r + 1]].join(" "))).sort();
  return { ...root, rows, records };
}

for (const names of [TWO_FEATURES, ["species", "island", "beak_length_mm", "beak_depth_mm", "flipper_length_mm", "sex", "island"]]) {
  test(`the root histogram equals a naive row-by-row sum over in-bag rows (${names.length} features)`, async () => {
    const { hist, view, offset, args } = await rootHistogram(100, node.executor, names);
    const naive = new Float64Array(hist.length);
    const { root } = args;
    for (const c of view.chunks) {
      for (let i = 0; i < c.rows; i++) {
        if (c.node[i] !== 0) continue; // the task put in-bag rows at the root
        // dithered rounding: floor(g · levels + u), u the row's Weyl dither (golden-ratio step)
        const u = (((c.start + i) * 0x9e3779b9 + root.roundState) % 2 ** 32) / 2 ** 32;
        const g = Math.floor(c.g[i] * (1 / root.gScale[0]) + u);
        const h = Math.floor(c.h[i] * (1 / root.hScale[0]) + u);
        for (let f = 0; f < names.length; f++) {
          const t = (offset[f] + c.bins[f][i]) * 3;
          naive[t] += g;
          naive[t + 1] += h;
          naive[t + 2] += 1;
        }
      }
    }
    expect(Array.from(hist)).toEqual(Array.from(naive));
    // every row with a response is in bag with probability 0.8: the root holds about 80% of 342
    const inBag = hist
      .subarray(0, offset[1] * 3)
      .filter((_, j) => j % 3 === 2)
      .reduce((a, b) => a + b, 0);
    expect(Math.abs(inBag - 0.8 * 342)).toBeLessThan(30);
  });
}

test("a row slot hands back every in-bag row's record, which sum to the node's histogram", async () => {
  const { hist, offset, rows, records } = await rootRecords(60);
  expect(records.length).toBe(rows);
  const fromRecords = new Float64Array(hist.length);
  for (const r of records) {
    const [g, h, b0, b1] = r.split(" ").map(Number);
    for (const [f, b] of [
      [0, b0],
      [1, b1],
    ]) {
      const t = (offset[f] + b) * 3;
      fromRecords[t] += g;
      fromRecords[t + 1] += h;
      fromRecords[t + 2] += 1;
    }
  }
  expect(Array.from(fromRecords)).toEqual(Array.from(hist));
});

test("a row slot's records are the same whatever the chunk size and thread count", async () => {
  const a = await rootRecords(344);
  const b = await rootRecords(9, new InlineExecutor());
  const c = await rootRecords(21, pool3);
  expect(b.records).toEqual(a.records);
  expect(c.records).toEqual(a.records);
});

test("histograms are bit-identical whatever the chunk size and thread count", async () => {
  const a = await rootHistogram(344);
  const b = await rootHistogram(7);
  const c = await rootHistogram(50, new InlineExecutor());
  const d = await rootHistogram(13, pool3);
  for (const other of [b, c, d]) expect(Array.from(other.hist)).toEqual(Array.from(a.hist));
});
