// Detached nodes: when nodes draw their own features, a small node's rows leave the view's
// partition as records of every tree feature, and its subtree grows from them, each split
// search writing a node's records again as its children's. The tree must be the one grown
// level by level, node for node (splits, leaves; a grafted subtree's nodes are numbered
// after the tree's, so the trees are compared numbered breadth first), with no level pass
// below the detached nodes, and every training row must end in the leaf it routes to.

import { expect, test } from "bun:test";
import { keyState, Rng } from "../../../src/core/rng.ts";
import type { Frame } from "../../../src/core/frame.ts";
import { type BinColumn, cutPoints } from "../../../src/ml/tree/binning.ts";
import { growTrees } from "../../../src/ml/tree/grower.ts";
import { QUANT_LEVELS } from "../../../src/ml/tree/histogram.ts";
import { EnsembleScoreTask, GradTask, ResetScoresTask, ScoreTask } from "../../../src/ml/tree/row-tasks.ts";
import { routersFor, type Tree } from "../../../src/ml/tree/tree.ts";
import { BuildViewTask } from "../../../src/ml/tree/view.ts";
import { watchLevelPasses } from "../../support/level-passes.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();

/** A numeric feature's spec: 64 quantile bins of its values (missing ones left out). */
function numericFeature(frame: Frame, name: string): BinColumn {
  const col = frame.columnIndex(name);
  const values = Float64Array.from(frame.chunks.flatMap((ch) => Array.from((ch.vecs[col] as { values: Float64Array }).values).filter((x) => !Number.isNaN(x)))).sort();
  const cuts = cutPoints(values, 64);
  return { col, spec: { name, kind: "numeric", cuts, valueBins: cuts.length + 1 } };
}

/**
 * Grows one regression tree of depth 14 on `frame`'s features (two of them a node, drawn
 * by node, as DRF's mtries), its small nodes detached or not, and scores the
 * training rows from the leaves the growth left them in and from routing every row.
 */
async function grow(frame: Frame, features: BinColumn[], detach: boolean, randomThresholds = false) {
  const specs = features.map((f) => f.spec);
  const missingBin = Int32Array.from(specs, (s) => s.valueBins);
  let passes = 0;
  const executor = watchLevelPasses(node.executor, () => passes++);
  const view = { chunks: await executor.run(BuildViewTask, frame, { features, y: { col: frame.columnIndex("y") }, classes: 1 }) };
  await executor.run(ResetScoresTask, view, { init: Float64Array.of(0), outOfBag: false });
  const max = await executor.run(GradTask, view, { distribution: "gaussian", classes: 1, loss: { tweedie_power: 1.5, quantile_alpha: 0.5, huber_delta: 1 } });
  passes = 0;
  const F = specs.length;
  const grown = await growTrees(executor, view, {
    specs,
    classes: 1,
    maxDepth: 14,
    limits: { minRows: 1, minSplitImprovement: 0, lambda: 0, alpha: 0, minChildHessian: 0, maxDeltaStep: 0 },
    root: { gScale: Float64Array.of(max[0] / QUANT_LEVELS), hScale: Float64Array.of(max[1] / QUANT_LEVELS), roundState: keyState(3, 0, 1), bagState: keyState(3, 0, 2), bagRate: 0.8 },
    treeFeatures: Array.from({ length: F }, (_, f) => f),
    draws: { seed: 5, tree: 0, treeFeatures: Array.from({ length: F }, (_, f) => f), perLevel: F, perSplit: 2, features: F, randomThresholds },
    subtractSiblings: false,
    maxLeaves: 0,
    detach,
    recordsHere: true,
    inBagLeaves: true,
    leafValue: (st) => (st.h > 0 ? -st.g / st.h : 0),
    coverOf: (st) => st.n,
  });
  const levelPasses = passes;
  const tree = grown.trees[0];
  await executor.run(ScoreTask, view, { trees: grown.trees, missingBin, oob: null, grown: { pending: grown.pending } });
  const trained = view.chunks.flatMap((c) => Array.from(c.score));
  await executor.run(EnsembleScoreTask, view, { iterations: [grown.trees], routers: routersFor([grown.trees], [grown.trees]), init: Float64Array.of(0), missingBin });
  const routed = view.chunks.flatMap((c) => Array.from(c.score));
  return { tree, passes: levelPasses, trained, routed };
}

/**
 * The tree's nodes numbered breadth first from the root, left child first: the same for two
 * numberings of one tree. Per node: its split (feature, threshold, missing side, left-bin
 * set), value, cover and children's numbers.
 */
function breadthFirst(tree: Tree) {
  const order = [0];
  for (let i = 0; i < order.length; i++) {
    const n = order[i];
    if (tree.feature[n] >= 0) order.push(tree.left[n], tree.right[n]);
  }
  const numberOf = new Map(order.map((n, i) => [n, i]));
  const offsets = [...new Set(Array.from(tree.catOffset).filter((o) => o >= 0)), tree.catBits.length].sort((a, b) => a - b);
  const setAt = (o: number) => (o < 0 ? null : Array.from(tree.catBits.subarray(o, offsets[offsets.indexOf(o) + 1])));
  return order.map((n) => ({
    feature: tree.feature[n],
    threshold: tree.threshold[n],
    naLeft: tree.naLeft[n],
    set: setAt(tree.catOffset[n]),
    value: tree.value[n],
    cover: tree.cover?.[n],
    children: tree.feature[n] >= 0 ? [numberOf.get(tree.left[n]), numberOf.get(tree.right[n])] : null,
  }));
}

test("a detached subtree is the tree grown level by level, with no level pass below its root, and rows end in their leaves", async () => {
  // 3,000 rows of three numeric features and a noisy response: deep trees of small nodes.
  const rng = new Rng(7);
  const lines = ["a,b,c,y"];
  for (let i = 0; i < 3000; i++) {
    const [a, b, c] = [rng.next(), rng.next(), rng.next()];
    lines.push(`${a},${b},${c},${a + 2 * b * b - c + rng.next()}`);
  }
  const { frame } = await node.importFrame({ kind: "file", path: writeTemp(tempDir(), "deep.csv", lines.join("\n")) }, { chunkRows: 700 }).done;
  const features = ["a", "b", "c"].map((name) => numericFeature(frame, name));
  const levels = await grow(frame, features, false);
  const detached = await grow(frame, features, true);
  expect(levels.tree.feature.length).toBeGreaterThan(1000);
  expect(breadthFirst(detached.tree)).toEqual(breadthFirst(levels.tree));
  // Level by level: a pass a level; detached: the root's, then the one that detaches its children.
  expect(levels.passes).toBeGreaterThan(10);
  expect(detached.passes).toBe(2);
  expect(detached.trained).toEqual(detached.routed);
  expect(detached.trained).toEqual(levels.trained);
});

test("detached nodes split on categorical sets and send missing values their way as the level-by-level tree does", async () => {
  // A 12-level categorical and a numeric feature with a fifth of its values missing, both in the response.
  const rng = new Rng(11);
  const lines = ["a,b,c,y"];
  const effect = [3, -1, 0.5, 2, -2, 1, 0, -0.5, 1.5, -1.5, 2.5, -3];
  for (let i = 0; i < 3000; i++) {
    const a = rng.next();
    const missing = rng.next() < 0.2;
    const b = rng.next();
    const c = Math.floor(rng.next() * 12);
    lines.push(`${missing ? "" : a},${b},L${c},${(missing ? 1.5 : a) + b + effect[c] + rng.next()}`);
  }
  const { frame } = await node.importFrame({ kind: "file", path: writeTemp(tempDir(), "deep-cat.csv", lines.join("\n")) }, { chunkRows: 700 }).done;
  const c = frame.columnIndex("c");
  const domain = frame.columns[c].domain ?? [];
  const features: BinColumn[] = [
    numericFeature(frame, "a"),
    numericFeature(frame, "b"),
    { col: c, spec: { name: "c", kind: "enum", levelToBin: Int32Array.from(domain, (_, i) => i), domain, valueBins: domain.length } },
  ];
  const levels = await grow(frame, features, false);
  const detached = await grow(frame, features, true);
  // Both kinds of split happen below the detached nodes: categorical sets, and numeric splits of rows with missing values.
  expect(domain.length).toBe(12);
  expect(Array.from(levels.tree.catOffset).filter((o) => o >= 0).length).toBeGreaterThan(50);
  expect(Array.from(levels.tree.naLeft).some((x, n) => x === 1 && levels.tree.feature[n] === 0)).toBe(true);
  expect(breadthFirst(detached.tree)).toEqual(breadthFirst(levels.tree));
  expect(detached.passes).toBe(2);
  expect(detached.trained).toEqual(detached.routed);
  expect(detached.trained).toEqual(levels.trained);
});

test("with random thresholds and nodes larger than a key's rows, a detached subtree is still the level-by-level tree", async () => {
  // 20,000 rows: the root's children and grandchildren have more than 8,192 rows (KEY_ROWS), so keys start below them.
  const rng = new Rng(13);
  const lines = ["a,b,c,y"];
  for (let i = 0; i < 20_000; i++) {
    const [a, b, c] = [rng.next(), rng.next(), rng.next()];
    lines.push(`${a},${b},${c},${Math.sin(6 * a) + b * c + rng.next()}`);
  }
  const { frame } = await node.importFrame({ kind: "file", path: writeTemp(tempDir(), "deep-xrt.csv", lines.join("\n")) }, { chunkRows: 3000 }).done;
  const features = ["a", "b", "c"].map((name) => numericFeature(frame, name));
  const levels = await grow(frame, features, false, true);
  const detached = await grow(frame, features, true, true);
  expect(levels.tree.feature.length).toBeGreaterThan(3000);
  expect(breadthFirst(detached.tree)).toEqual(breadthFirst(levels.tree));
  expect(detached.passes).toBeLessThan(levels.passes);
  expect(detached.trained).toEqual(detached.routed);
  expect(detached.trained).toEqual(levels.trained);
});
