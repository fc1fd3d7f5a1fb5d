// The design-matrix tasks shared by GLM, PCA and deep learning, on a small frame whose
// expanded matrix the test writes out by hand; run on a 2-thread pool, so each task must
// also be registered for the workers.

import { expect, test } from "bun:test";
import { makeDesign, width } from "../../src/ml/design.ts";
import { BuildDesignTask, FoldWeightsTask, GramTask, HoldoutTask, ResponseTask } from "../../src/ml/design-tasks.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode(2);
const dir = tempDir();

// Rows 2 and 6 miss a value: with Skip they are left out of every sum.
const CSV = "color,x1,x2,y\nred,1,2,3\nblue,2,,5\ngreen,3,1,4\nred,4,5,1\nblue,5,3,2\ngreen,,2,7\n";
const RAW: [string, number, number, number][] = [
  ["red", 1, 2, 3],
  ["green", 3, 1, 4],
  ["red", 4, 5, 1],
  ["blue", 5, 3, 2],
];

async function designView(intercept: boolean) {
  const frame = (await node.importFrame({ kind: "file", path: writeTemp(dir, "d.csv", CSV) }).done).frame;
  const cols = ["color", "x1", "x2"].map((n) => frame.columnIndex(n));
  const design = makeDesign(frame, cols, { transform: "NONE", intercept, useAllFactorLevels: false, missing: "Skip" });
  const chunks = await node.executor.run(BuildDesignTask, frame, { design, bound: cols.map((col) => ({ col })), y: { col: frame.columnIndex("y") }, needY: true, holdoutWidth: 1 });
  const domain = frame.columns[cols[0]].domain ?? [];
  return { design, view: { chunks }, domain };
}

/** A usable row expanded densely: one-hot of every level but the first, x1, x2, then 1 for the intercept. */
function dense(row: [string, number, number, number], domain: readonly string[], intercept: boolean): number[] {
  return [...domain.slice(1).map((l) => (row[0] === l ? 1 : 0)), row[1], row[2], ...(intercept ? [1] : [])];
}

test("GramTask: the lower triangle of X'X over the usable rows, and their count", async () => {
  for (const intercept of [false, true]) {
    const { design, view, domain } = await designView(intercept);
    const Q = width(design);
    expect(Q).toBe(4 + (intercept ? 1 : 0));
    const g = await node.executor.run(GramTask, view, { design });
    const X = RAW.map((r) => dense(r, domain, intercept));
    for (let i = 0; i < Q; i++) {
      for (let j = 0; j < Q; j++) {
        const expected = j <= i ? X.reduce((s, x) => s + x[i] * x[j], 0) : 0;
        expect(g[i * Q + j]).toBe(expected);
      }
    }
    expect(g[Q * Q]).toBe(RAW.length);
  }
});

test("ResponseTask, FoldWeightsTask and HoldoutTask: weights of the usable rows by fold", async () => {
  const { view } = await designView(true);
  expect(Array.from(await node.executor.run(ResponseTask, view, { classes: 0 }))).toEqual([4, 3 + 4 + 1 + 2]);
  // Every row is in fold 0 until folds are assigned: leaving fold 0 out leaves nothing.
  await node.executor.run(FoldWeightsTask, view, { fold: 0, keep: false });
  expect((await node.executor.run(ResponseTask, view, { classes: 0 }))[0]).toBe(0);
  await node.executor.run(FoldWeightsTask, view, { fold: 0, keep: true });
  expect((await node.executor.run(ResponseTask, view, { classes: 0 }))[0]).toBe(4);
  const holdout = await node.executor.run(HoldoutTask, view, { width: 1 });
  const y = holdout.flatMap((c) => Array.from(c.y));
  const w = holdout.flatMap((c) => Array.from(c.w ?? []));
  expect(w).toEqual([1, 0, 1, 1, 1, 0]);
  expect(y.filter((_, i) => w[i] === 1)).toEqual([3, 4, 1, 2]);
});
