import { expect, test } from "bun:test";
import { cutPoints, enumBins, numericBin } from "../../../src/ml/tree/binning.ts";

test("few distinct values: each value its own bin, the largest above the last cut", () => {
  const cuts = cutPoints(Float64Array.from([1, 1, 2, 5, 5, 5, 9]), 255);
  expect(Array.from(cuts)).toEqual([1, 2, 5]);
  expect([1, 2, 5, 9, 0, 3, 100].map((x) => numericBin(cuts, x, 99))).toEqual([0, 1, 2, 3, 0, 2, 3]);
  expect(numericBin(cuts, Number.NaN, 99)).toBe(99);
});

test("many values: nbins − 1 quantile cuts, so at most nbins value bins of about equal size", () => {
  const sorted = Float64Array.from({ length: 1000 }, (_, i) => i);
  const cuts = cutPoints(sorted, 4);
  // quantiles at 1/4, 2/4, 3/4 of 1000 sorted values: elements 249, 499, 749
  expect(Array.from(cuts)).toEqual([249, 499, 749]);
  const counts = [0, 0, 0, 0];
  for (const x of sorted) counts[numericBin(cuts, x, 4)]++;
  expect(counts).toEqual([250, 250, 250, 250]);
});

test("enum bins: all levels when they fit, else the most frequent plus one shared bin", () => {
  expect(Array.from(enumBins([5, 1, 3], 10).levelToBin)).toEqual([0, 1, 2]);
  const capped = enumBins([5, 1, 30, 2, 7], 3);
  // kept: level 2 (30) → bin 0, level 4 (7) → bin 1; the rest share bin 2
  expect(Array.from(capped.levelToBin)).toEqual([2, 2, 0, 2, 1]);
  expect(capped.valueBins).toBe(3);
});
