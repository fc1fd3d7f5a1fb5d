// Peak memory of the steps a deep forest's training ends with, each measured in a fresh
// process (peak-memory-child.ts): a forest's averaged scores are millions of distinct
// values, and its trees hundreds of MB, so a step that holds an object a threshold or a copy
// of the trees raised the training's peak by more than the trees themselves.

import { expect, test } from "bun:test";
import { join } from "node:path";

const CHILD = join(import.meta.dir, "peak-memory-child.ts");
const MB = 1024 ** 2;

function runChild<T>(which: string): T {
  const r = Bun.spawnSync([process.execPath, CHILD, which], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`peak-memory-child ${which} failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString());
}

test("binomial metrics over 2 million distinct scores hold the merged scores, not a row a threshold", () => {
  const { rise, auc, rows, maxF1Threshold } = runChild<{ rise: number; auc: number; rows: number; maxF1Threshold: number }>("thresholds");
  // Positive i is above negatives 0..i: n(n + 1) / 2 of the n² pairs are ordered.
  const n = 1_000_000;
  expect(auc).toBe((n * (n + 1)) / 2 / (n * n));
  expect(rows).toBeLessThanOrEqual(401);
  // At positive i's score (i from the top) F1 is 2(n − i) / (3n − 2i − 1), which falls as i
  // grows to n − 1: the best threshold is the lowest positive's score.
  expect(maxF1Threshold).toBe(1 / (2 * n + 1));
  // The two merged arrays take 16 MB; 2 million threshold rows took over 300 MB.
  expect(rise).toBeLessThan(100 * MB);
});

test("saving a model with 268 MB of tree arrays stages a member at a time, not a copy of the trees", () => {
  const { rise, bytes, inOrder } = runChild<{ rise: number; bytes: number; inOrder: boolean }>("save");
  expect(bytes).toBeGreaterThan(0);
  expect(inOrder).toBe(true);
  expect(rise).toBeLessThan(100 * MB);
  // The child builds 268 MB of trees: seconds on a loaded machine, past bun's 5-second default.
}, 60_000);
