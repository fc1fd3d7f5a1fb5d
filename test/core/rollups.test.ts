import { expect, test } from "bun:test";
import { computeRollups, HISTOGRAM_BINS } from "../../src/core/rollups.ts";
import { InlineExecutor } from "../../src/core/mr.ts";
import { numberFrame } from "../support/tasks.ts";
import { testNode } from "../support/node.ts";

const node = testNode();

test("moments of a hand-worked column with missing values and zeros", async () => {
  // 0, 1, 2, NaN, 3, 4, NaN, Inf-free: n = 5, mean = 2, sum of squares of deviations = 10,
  // sample sd = sqrt(10 / 4) = 1.5811388300841898
  const f = numberFrame([0, 1, 2, Number.NaN, 3, 4, Number.NaN], 3);
  const [r] = await computeRollups(node.executor, f);
  expect(r).toMatchObject({ count: 5, missing: 2, zeros: 1, min: 0, max: 4, mean: 2, cardinality: null });
  expect(r.sd).toBeCloseTo(Math.sqrt(10 / 4), 14);
});

test("histogram: equal-width bins from min to max, max in the last bin", async () => {
  const values = Array.from({ length: 40 }, (_, i) => i / 2); // 0, 0.5, ..., 19.5
  const [r] = await computeRollups(node.executor, numberFrame(values, 16));
  expect(r.histogram?.start).toBe(0);
  expect(r.histogram?.width).toBeCloseTo(19.5 / HISTOGRAM_BINS, 14);
  expect(r.histogram?.counts.reduce((a, b) => a + b, 0)).toBe(40);
  // Bin k holds values in [k*0.975, (k+1)*0.975): two values each, bar the edges.
  const direct = new Array(HISTOGRAM_BINS).fill(0);
  for (const v of values) direct[Math.min(HISTOGRAM_BINS - 1, Math.floor(v / (19.5 / HISTOGRAM_BINS)))]++;
  expect(r.histogram?.counts).toEqual(direct);
});

test("an all-missing column has counts and no moments", async () => {
  const [r] = await computeRollups(new InlineExecutor(), numberFrame([Number.NaN, Number.NaN], 1));
  expect(r).toMatchObject({ count: 0, missing: 2, min: null, max: null, mean: null, sd: null, histogram: null });
});

test("rollups agree between the pool and the inline executor, bit for bit", async () => {
  const values = Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 1e3 + (i % 13 === 0 ? Number.NaN : 0));
  const f = numberFrame(values, 97);
  const pooled = await computeRollups(node.executor, f);
  const inline = await computeRollups(new InlineExecutor(), f);
  expect(pooled).toEqual(inline);
});
