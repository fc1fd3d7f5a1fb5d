import { expect, test } from "bun:test";
import { mergeSortedRuns, sortedConcat } from "../../src/core/sorted.ts";

let state = 7;
const draw = () => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  return state / 2 ** 32;
};

test("mergeSortedRuns gives the ascending order of all runs' values, for any number of runs", () => {
  for (const k of [0, 1, 2, 3, 5, 8, 37]) {
    const runs = Array.from({ length: k }, (_, r) => Float64Array.from({ length: (r * 13) % 29 }, () => Math.floor(draw() * 50) / 10).sort());
    const all = runs.flatMap((r) => Array.from(r)).sort((a, b) => a - b);
    expect(Array.from(mergeSortedRuns(runs))).toEqual(all);
  }
});

test("sortedConcat gives the same ascending array as merging the runs sorted, in shared memory", () => {
  for (const k of [0, 1, 2, 5, 37]) {
    // Runs in no order, with ties across runs.
    const runs = Array.from({ length: k }, (_, r) => Float64Array.from({ length: (r * 13) % 29 }, () => Math.floor(draw() * 50) / 10));
    const out = sortedConcat(runs);
    expect(out.buffer instanceof SharedArrayBuffer).toBe(true);
    expect(Array.from(out)).toEqual(Array.from(mergeSortedRuns(runs.map((r) => r.slice().sort()))));
  }
});
