// Split finding on hand-worked histograms (3 doubles a bin: g, h, count; scales 1).

import { expect, test } from "bun:test";
import type { FeatureSpec } from "../../../src/ml/tree/binning.ts";
import { NodeBinsReader } from "../../../src/ml/tree/node-bins.ts";
import { bestSplit } from "../../../src/ml/tree/split.ts";

const rules = { minRows: 1, minSplitImprovement: 0, lambda: 0, alpha: 0, minChildHessian: 0, maxDeltaStep: 0, gScale: 1, hScale: 1, random: null };

/** A one-feature node's dense histogram, as the split finder reads it. */
function hist(bins: [number, number, number][]) {
  const reader = new NodeBinsReader(bins.length);
  const node = { kind: "dense", data: Float64Array.from(bins.flat()), at: Int32Array.of(0), features: [0] } as const;
  return (_f: number, j: number) => reader.read(node, j, bins.length);
}

test("numeric: the threshold with the largest G²/H gain; missing rows join the better side", () => {
  // bins 0..3 hold values, bin 4 is missing. Rows of bins 0-1 have g = −1 each, bins 2-3 g = +1.
  const spec: FeatureSpec = { name: "x", kind: "numeric", cuts: Float64Array.from([1, 2, 3]), valueBins: 4 };
  const h = hist([
    [-2, 2, 2],
    [-3, 3, 3],
    [4, 4, 4],
    [1, 1, 1],
    [-2, 2, 2],
  ]);
  const total = { g: -2, h: 12, n: 12 };
  const s = bestSplit(h, [spec], [0], total, rules);
  // Left = bins 0,1 (+ missing): G = −7, H = 7 → 49/7 = 7; right G = 5, H = 5 → 5; parent 4/12.
  expect(s?.threshold).toBe(1);
  expect(s?.naLeft).toBe(true);
  expect(s?.gain).toBeCloseTo(7 + 5 - 4 / 12, 12);
  expect(s?.left).toEqual({ g: -7, h: 7, n: 7 });
});

test("numeric: a threshold between two occupied bins falls halfway across the empty ones", () => {
  const spec: FeatureSpec = { name: "x", kind: "numeric", cuts: Float64Array.from([1, 2, 3, 4, 5, 6]), valueBins: 7 };
  const h = hist([
    [-3, 3, 3],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [3, 3, 3],
    [0, 0, 0],
  ]);
  const s = bestSplit(h, [spec], [0], { g: 0, h: 6, n: 6 }, rules);
  expect(s?.threshold).toBe(2); // bin 0 occupied, bins 1..5 empty, bin 6 occupied: 0 + floor(5 / 2)
});

test("categorical: levels grouped by mean gradient (many-vs-many), min_rows respected", () => {
  const spec: FeatureSpec = { name: "c", kind: "enum", levelToBin: Int32Array.from([0, 1, 2, 3]), valueBins: 4, domain: ["a", "b", "c", "d"] };
  // levels a and c push down (g < 0), b and d up: the best split puts {a, c} on one side.
  const h = hist([
    [-4, 4, 4],
    [3, 3, 3],
    [-5, 5, 5],
    [2, 2, 2],
    [0, 0, 0],
  ]);
  const s = bestSplit(h, [spec], [0], { g: -4, h: 14, n: 14 }, rules);
  // One bit a bin (bin b: bit b & 7 of byte b >> 3); the unseen missing bin joins the larger side.
  const bits = s?.bits ?? new Uint8Array(1);
  expect(bits.length).toBe(1);
  expect(Array.from({ length: 5 }, (_, b) => (bits[b >> 3] >> (b & 7)) & 1)).toEqual([1, 0, 1, 0, 1]);
  expect(s?.gain).toBeCloseTo(81 / 9 + 25 / 5 - 16 / 14, 12);
  expect(bestSplit(h, [spec], [0], { g: -4, h: 14, n: 14 }, { ...rules, minRows: 10 })).toBeNull();
});

test("regularised score (XGBoost's): G shrunk by alpha, over H + lambda; children need min_child_weight of hessian", () => {
  // The first example's histogram: left = bins 0,1 + missing (G −7, H 7), right = bins 2,3 (G 5, H 5), parent G −2, H 12.
  const spec: FeatureSpec = { name: "x", kind: "numeric", cuts: Float64Array.from([1, 2, 3]), valueBins: 4 };
  const h = hist([
    [-2, 2, 2],
    [-3, 3, 3],
    [4, 4, 4],
    [1, 1, 1],
    [-2, 2, 2],
  ]);
  const total = { g: -2, h: 12, n: 12 };
  const s = bestSplit(h, [spec], [0], total, { ...rules, lambda: 1, alpha: 0.5 });
  // (7 − 0.5)² / (7 + 1) + (5 − 0.5)² / (5 + 1) − (2 − 0.5)² / (12 + 1)
  expect(s?.threshold).toBe(1);
  expect(s?.gain).toBeCloseTo(6.5 ** 2 / 8 + 4.5 ** 2 / 6 - 1.5 ** 2 / 13, 12);
  // bins' hessians 2, 3, 4, 1 and 2 missing: no threshold leaves min_child_weight 6 on both sides
  const heavy = bestSplit(h, [spec], [0], total, { ...rules, minChildHessian: 6 });
  expect(heavy).toBeNull();
});

test("categorical with hundreds of levels: the split is the best prefix of the levels ordered by mean gradient, ties by level", () => {
  const levels = 300;
  const spec: FeatureSpec = { name: "c", kind: "enum", levelToBin: Int32Array.from({ length: levels }, (_, i) => i), valueBins: levels, domain: Array.from({ length: levels }, (_, i) => `l${i}`) };
  // Seeded integer sums; every fifth level repeats another's mean (2g / 2h) so that ties are ordered by level.
  let state = 7;
  const next = (m: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % m;
  };
  const rows: [number, number, number][] = [];
  for (let b = 0; b < levels; b++) {
    if (b % 5 === 4) {
      const [g, h] = rows[b - 3];
      rows.push([2 * g, 2 * h, 2 * h]);
      continue;
    }
    const h = 1 + next(20);
    rows.push([next(101) - 50, h, h]);
  }
  rows.push([0, 0, 0]);
  const total = rows.reduce((t, [g, h, n]) => ({ g: t.g + g, h: t.h + h, n: t.n + n }), { g: 0, h: 0, n: 0 });
  const s = bestSplit(hist(rows), [spec], [0], total, rules);
  // By hand: order the levels with the engine's sort, try every prefix, keep the first best.
  const order = Array.from({ length: levels }, (_, b) => b).sort((a, b) => rows[a][0] / rows[a][1] - rows[b][0] / rows[b][1] || a - b);
  let best = Number.NEGATIVE_INFINITY;
  let bestPrefix = -1;
  let lg = 0;
  let lh = 0;
  for (let q = 0; q < levels - 1; q++) {
    lg += rows[order[q]][0];
    lh += rows[order[q]][1];
    const gain = (lg * lg) / lh + (total.g - lg) ** 2 / (total.h - lh) - (total.g * total.g) / total.h;
    if (gain > best) {
      best = gain;
      bestPrefix = q;
    }
  }
  const left = new Set(order.slice(0, bestPrefix + 1));
  const bits = s?.bits ?? new Uint8Array(0);
  const leftBits = Array.from({ length: levels }, (_, b) => (bits[b >> 3] >> (b & 7)) & 1);
  // The bit marks the side the split sends left; either side may be the prefix.
  const prefixBit = leftBits[order[0]];
  expect(leftBits).toEqual(Array.from({ length: levels }, (_, b) => (left.has(b) ? prefixBit : 1 - prefixBit)));
  expect(s?.gain).toBeCloseTo(best, 9);
});
