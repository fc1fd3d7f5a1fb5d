import { expect, test } from "bun:test";
import { mergeSortedRuns } from "../../src/core/sorted.ts";

test("mergeSortedRuns gives the ascending order of all runs' values, for any number of runs", () => {
  let state = 7;
  const draw = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  for (const k of [0, 1, 2, 3, 5, 8, 37]) {
    const runs = Array.from({ length: k }, (_, r) => Float64Array.from({ length: (r * 13) % 29 }, () => Math.floor(draw() * 50) / 10).sort());
    const all = runs.flatMap((r) => Array.from(r)).sort((a, b) => a - b);
    expect(Array.from(mergeSortedRuns(runs))).toEqual(all);
  }
});
