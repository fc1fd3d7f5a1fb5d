import { expect, test } from "bun:test";
import { binValues, cutPoints, enumBins, numericBin, sketch } from "../../../src/ml/tree/binning.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();
const dir = tempDir();

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

test("the quantile sketch: every value at rate 1; at a lower rate the same rows for every column, whatever the chunking", async () => {
  // a: 0..999 with every 10th missing; b = 2a, with the same rows missing.
  const lines = Array.from({ length: 1000 }, (_, i) => (i % 10 === 3 ? "," : `${(i * 7919) % 1000},${2 * ((i * 7919) % 1000)}`));
  const path = writeTemp(dir, "sketch.csv", `a,b\n${lines.join("\n")}\n`);
  const sampled = async (chunkRows: number, rate: number) => {
    const { frame } = await node.importFrame({ kind: "file", path }, { chunkRows }).done;
    return sketch(node.executor, frame, [0, 1], rate);
  };
  const [all] = await sampled(64, 1);
  const present = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000).filter((_, i) => i % 10 !== 3);
  expect(Array.from(all)).toEqual(present.sort((x, y) => x - y));
  const [a, b] = await sampled(7, 0.3);
  expect(Array.from(b)).toEqual(Array.from(a, (x) => 2 * x));
  expect(a.length).toBeGreaterThan(230);
  expect(a.length).toBeLessThan(310);
  const [a2] = await sampled(1000, 0.3);
  expect(Array.from(a2)).toEqual(Array.from(a));
});

test("the quantile sketch stores −0 as 0, so its merge gives the same bits in any order", async () => {
  const lines = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? "-0.0" : i % 3 === 1 ? "0.0" : "1.5"));
  const path = writeTemp(dir, "zeros.csv", `a\n${lines.join("\n")}\n`);
  const { frame } = await node.importFrame({ kind: "file", path }, { chunkRows: 16 }).done;
  const col = frame.chunks[0].vecs[0];
  // The frame keeps −0 (what the sketch must normalize).
  expect(col.kind === "f64" && Object.is(col.values[0], -0)).toBe(true);
  const [sample] = await sketch(node.executor, frame, [0], 1);
  expect(sample.length).toBe(200);
  expect(Array.from(sample.subarray(0, 134)).every((x) => Object.is(x, 0))).toBe(true);
  expect(Array.from(sample.subarray(134)).every((x) => x === 1.5)).toBe(true);
});

test("binValues gives numericBin's bins: values at, next to and between cuts, beyond them, infinite, −0 and missing", () => {
  // Skewed cut points (a value's bucket holds many cuts near 0, none far out), as quantiles of
  // lognormal-like data give.
  const cuts = Float64Array.from({ length: 200 }, (_, i) => Math.exp(i / 20) - 1);
  const values: number[] = [Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, -0, 0, -1e300, 1e300, Number.MIN_VALUE];
  for (const c of cuts) values.push(c, c * (1 + Number.EPSILON), c * (1 - Number.EPSILON), c + 1e-9, c - 1e-9);
  for (let i = 0; i < 5000; i++) values.push(Math.exp(((i * 7919) % 5000) / 400) - 2);
  const v = Float64Array.from(values);
  const out = new Uint16Array(v.length);
  binValues(cuts, v, v.length, 999, out);
  const expected = Array.from(v, (x) => numericBin(cuts, x, 999));
  expect(Array.from(out)).toEqual(expected);
  // Every bin is reached, and the edges: below every cut, above every cut, missing.
  expect(new Set(expected).size).toBe(cuts.length + 2);
});
