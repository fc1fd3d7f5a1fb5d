// The grower's sibling trick: the larger child's histogram is its parent's minus the
// smaller child's. Histograms are sums of integers (quantized gradients, counts), so the
// difference must equal a direct build bit for bit; any drift would change a split or a
// leaf. Grown both ways, the trees must be identical, and the subtraction must really
// have saved histogram builds. (Children are numbered in a different order each way, so
// the trees are compared from the root.) Likewise a split searched on this thread or by a
// task on the workers is the same.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { keyState } from "../../../src/core/rng.ts";
import { type BinColumn, cutPoints, enumBins } from "../../../src/ml/tree/binning.ts";
import { growTrees } from "../../../src/ml/tree/grower.ts";
import { QUANT_LEVELS } from "../../../src/ml/tree/histogram.ts";
import { GradTask, ResetScoresTask } from "../../../src/ml/tree/row-tasks.ts";
import type { Tree } from "../../../src/ml/tree/tree.ts";
import { SplitSearchTask } from "../../../src/ml/tree/split-task.ts";
import { BuildViewTask } from "../../../src/ml/tree/view.ts";
import { watchLevelPasses } from "../../support/level-passes.ts";
import { FIXTURES, testNode } from "../../support/node.ts";

const node = testNode();

/** A tree read from the root, so the order in which nodes were numbered does not matter. */
function shape(t: Tree, n = 0): unknown {
  if (t.feature[n] < 0) return t.value[n];
  return [t.feature[n], t.threshold[n], t.naLeft[n], shape(t, t.left[n]), shape(t, t.right[n])];
}

/** Grows a depth-6 regression tree of penguins' body mass (chunks of 50 rows), by subtraction or not, reading records here or not. */
async function growPenguins(bySubtraction: boolean, recordsHere = true) {
  const { frame } = await node.importFrame({ kind: "file", path: join(FIXTURES, "penguins.csv") }, { chunkRows: 50 }).done;
  const cols = ["island", "beak_length_mm", "beak_depth_mm", "flipper_length_mm"].map((n) => frame.columnIndex(n));
  const features: BinColumn[] = cols.map((col) => {
    const c = frame.columns[col];
    if (c.type === "enum") {
      const eb = enumBins(frame.rollups?.[col].levelCounts ?? [], 10);
      return { col, spec: { name: c.name, kind: "enum", levelToBin: eb.levelToBin, valueBins: eb.valueBins, domain: c.domain } };
    }
    const values = Float64Array.from(frame.chunks.flatMap((ch) => Array.from((ch.vecs[col] as { values: Float64Array }).values)))
      .filter((x) => !Number.isNaN(x))
      .sort();
    const cuts = cutPoints(values, 32);
    return { col, spec: { name: c.name, kind: "numeric", cuts, valueBins: cuts.length + 1 } };
  });
  const specs = features.map((f) => f.spec);
  let slots = 0;
  let searchTasks = 0;
  const executor = watchLevelPasses(
    node.executor,
    (a) => {
      slots += a.slots;
    },
    (task) => {
      if (task === SplitSearchTask.name) searchTasks++;
    },
  );
  const view = { chunks: await executor.run(BuildViewTask, frame, { features, y: { col: frame.columnIndex("body_mass_g") }, classes: 1 }) };
  await executor.run(ResetScoresTask, view, { init: Float64Array.of(4200), outOfBag: false });
  const max = await executor.run(GradTask, view, { distribution: "gaussian", classes: 1, loss: { tweedie_power: 1.5, quantile_alpha: 0.5, huber_delta: 1 } });
  const all = specs.map((_, f) => f);
  slots = 0;
  const grown = await growTrees(executor, view, {
    specs,
    classes: 1,
    maxDepth: 6,
    limits: { minRows: 2, minSplitImprovement: 0, lambda: 0, alpha: 0, minChildHessian: 0, maxDeltaStep: 0 },
    root: { gScale: Float64Array.of(max[0] / QUANT_LEVELS), hScale: Float64Array.of(max[1] / QUANT_LEVELS), roundState: keyState(3, 0, 1), bagState: keyState(3, 0, 2), bagRate: 1 },
    treeFeatures: all,
    draws: { seed: 3, tree: 0, treeFeatures: all, perLevel: all.length, perSplit: all.length, features: all.length, randomThresholds: false },
    subtractSiblings: bySubtraction,
    maxLeaves: 0,
    // Level by level both ways (a detached node's children are not histograms).
    detach: false,
    recordsHere,
    inBagLeaves: true,
    leafValue: (st) => (st.h > 0 ? -st.g / st.h : 0),
    coverOf: (st) => st.n,
  });
  return { tree: grown.trees[0], gains: grown.gains, slots, searchTasks };
}

test("the larger sibling by subtraction equals building it directly: same splits and leaves, fewer histograms", async () => {
  const derived = await growPenguins(true);
  const direct = await growPenguins(false);
  expect(derived.tree.feature.length).toBeGreaterThan(15);
  expect(shape(derived.tree)).toEqual(shape(direct.tree));
  // Per-feature gains add the same split gains, in another node order: equal up to rounding.
  derived.gains.forEach((g, f) => expect(Math.abs(g - direct.gains[f])).toBeLessThanOrEqual(1e-12 * Math.abs(direct.gains[f])));
  // The subtraction path built about half the histograms below the root.
  expect(derived.slots).toBeLessThan(direct.slots);
});

test("levels of small nodes summed from records are searched on this thread when it can read them, by a task when not: the same tree", async () => {
  const here = await growPenguins(true, true);
  const onWorkers = await growPenguins(true, false);
  expect(here.searchTasks).toBe(0);
  expect(onWorkers.searchTasks).toBeGreaterThan(0);
  expect(shape(here.tree)).toEqual(shape(onWorkers.tree));
  expect(Array.from(here.tree.value)).toEqual(Array.from(onWorkers.tree.value));
});
