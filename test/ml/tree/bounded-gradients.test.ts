// Bounded gradients (bernoulli, multinomial: |g| <= 1, h <= 1/4) quantize at their bounds:
// with one tree a row (bernoulli) the root level pass computes the gradients itself, starts
// the tree and sums it in one pass over the rows; with several (multinomial) the gradient
// pass starts the trees and the root pass only sums.

import { expect, test } from "bun:test";
import { join } from "node:path";
import type { Frame } from "../../../src/core/frame.ts";
import type { ChunkLike, Chunked, Executor, RunOptions, Task } from "../../../src/core/mr.ts";
import { keyState, rowDither } from "../../../src/core/rng.ts";
import { algorithm } from "../../../src/ml/registry.ts";
import { type Model, predictFrame } from "../../../src/ml/scoring.ts";
import { cutPoints } from "../../../src/ml/tree/binning.ts";
import { type LevelArgs, LevelTask, QUANT_LEVELS, quantScales, type RootArgs } from "../../../src/ml/tree/histogram.ts";
import { GradTask, type GradTaskArgs } from "../../../src/ml/tree/row-tasks.ts";
import { BuildViewTask, type TreeChunk } from "../../../src/ml/tree/view.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();

/** Runs everything on `inner`, keeping the arguments of each gradient and root level pass. */
function watchPasses(inner: Executor) {
  const grads: GradTaskArgs[] = [];
  const roots: RootArgs[] = [];
  const executor: Executor = {
    get threads() {
      return inner.threads;
    },
    run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts?: RunOptions): Promise<P> {
      if (task.name === GradTask.name) grads.push(args as unknown as GradTaskArgs);
      const root = task.name === LevelTask.name ? (args as unknown as LevelArgs).root : null;
      if (root) roots.push(root);
      return inner.run(task, data, args, opts);
    },
    close: () => Promise.resolve(),
  };
  return { executor, grads, roots };
}

async function penguins(chunkRows?: number) {
  return (await node.importFrame({ kind: "file", path: join(FIXTURES, "penguins.csv") }, { chunkRows }).done).frame;
}

test("bernoulli GBMs take their gradients in the root pass and multinomial ones in a gradient pass, both quantized at |g| <= 1, h <= 1/4; gaussian still takes the maxes", async () => {
  const rows = Array.from({ length: 200 }, (_, i) => `${i % 50},${(i * 7) % 13},${i % 50 < 25 ? "no" : "yes"}`);
  const binomial = (await node.importFrame({ kind: "file", path: writeTemp(tempDir(), "two.csv", `x,noise,label\n${rows.join("\n")}\n`) }).done).frame;
  const watched = watchPasses(node.executor);
  await algorithm("gbm")?.train(watched.executor, { modelId: "b", frame: binomial, y: "label", x: null, params: { ntrees: 2, max_depth: 2, seed: 3, score_tree_interval: 2 } });
  expect(watched.grads).toEqual([]);
  expect(watched.roots.map((r) => [r.gradients?.distribution, r.gradients?.addFirst === null, r.gScale[0], r.hScale[0], r.roundState])).toEqual([
    ["bernoulli", true, 1 / QUANT_LEVELS, 0.25 / QUANT_LEVELS, keyState(3, 0, 1)],
    // The second tree's root pass adds the first tree to the scores before its gradients.
    ["bernoulli", false, 1 / QUANT_LEVELS, 0.25 / QUANT_LEVELS, keyState(3, 1, 1)],
  ]);

  const frame = await penguins();
  const three = watchPasses(node.executor);
  await algorithm("gbm")?.train(three.executor, { modelId: "m", frame, y: "species", x: ["flipper_length_mm"], params: { ntrees: 1, max_depth: 2, seed: 3 } });
  expect(three.grads.map((a) => [a.distribution, Array.from(a.root?.gScale ?? []), Array.from(a.root?.hScale ?? [])])).toEqual([
    ["multinomial", [1, 1, 1].map((g) => g / QUANT_LEVELS), [0.25, 0.25, 0.25].map((h) => h / QUANT_LEVELS)],
  ]);
  expect(three.roots.map((r) => r.started)).toEqual([true]);

  const plain = watchPasses(node.executor);
  await algorithm("gbm")?.train(plain.executor, { modelId: "g", frame, y: "body_mass_g", x: ["flipper_length_mm"], params: { ntrees: 1, max_depth: 2, seed: 3 } });
  expect(plain.grads.map((a) => a.root ?? null)).toEqual([null]);
  expect(plain.roots.map((r) => [r.started, r.gradients])).toEqual([[false, null]]);
});

/** A view of `frame` with numeric feature `x` binned and two-class response `y` (missing weighs 0), at scores 0. */
async function viewOf(frame: Frame, x: string, y: string) {
  const col = frame.columnIndex(x);
  const values = Float64Array.from(frame.chunks.flatMap((c) => Array.from((c.vecs[col] as { values: Float64Array }).values))).filter((v) => !Number.isNaN(v));
  const cuts = cutPoints(values.sort(), 8);
  const features = [{ col, spec: { name: x, kind: "numeric" as const, cuts, valueBins: cuts.length + 1 } }];
  return { chunks: await node.executor.run(BuildViewTask, frame, { features, y: { col: frame.columnIndex(y) }, classes: 1 }) };
}

function state(view: { chunks: TreeChunk[] }) {
  return view.chunks.map((c) => ({
    qg: Array.from(c.qg),
    qh: Array.from(c.qh),
    node: Array.from(c.node),
    parts: Array.from(c.parts.subarray(0, 3 * c.partCount[0])),
    order: Array.from(c.order.subarray(0, c.parts[2])),
  }));
}

/**
 * Three ways to start a tree from the root's scales, on fresh views: a gradient pass, then a
 * root pass that starts the tree and sums; a gradient pass that starts the tree, then a root
 * pass that only sums; and a root pass that takes the gradients itself. Same rows, same
 * histogram; and each row's quantized gradient computed here. Returns the in-bag rows.
 */
async function compareStarts(build: () => Promise<{ chunks: TreeChunk[] }>, bagRate: number): Promise<number> {
  const scales = quantScales(Float64Array.of(1, 0.25), 1);
  const root = { ...scales, roundState: keyState(5, 0, 1), bagState: keyState(5, 0, 2), bagRate };
  const loss = { tweedie_power: 1.5, quantile_alpha: 0.5, huber_delta: 1 };
  const grad = { distribution: "bernoulli" as const, classes: 1, loss };
  const level = (r: RootArgs): LevelArgs => ({
    classes: 1,
    root: r,
    splits: null,
    slotOf: [Int32Array.of(0)],
    slots: 1,
    slotEntry: Int32Array.of(0, 1),
    entryFeature: Int32Array.of(0),
    entryOffset: Int32Array.of(0),
    bins: 16,
    recordStart: Int32Array.of(-1),
    recordCap: Int32Array.of(0),
    binStart: Int32Array.of(0),
    records: 0,
    recordBins: 0,
    missingBin: Int32Array.of(9),
    detach: Uint8Array.of(0),
  });

  const twoPasses = await build();
  await node.executor.run(GradTask, twoPasses, grad);
  const separate = await node.executor.run(LevelTask, twoPasses, level(root));

  const started = await build();
  await node.executor.run(GradTask, started, { ...grad, root });
  const summed = await node.executor.run(LevelTask, started, level({ ...root, started: true }));

  const onePass = await build();
  const fused = await node.executor.run(LevelTask, onePass, level({ ...root, gradients: { distribution: "bernoulli", loss, addFirst: null } }));

  for (const [view, part] of [
    [started, summed],
    [onePass, fused],
  ] as const) {
    expect(state(view)).toEqual(state(twoPasses));
    expect(Array.from(part.hist)).toEqual(Array.from(separate.hist));
  }
  // Independently: every row's quantized gradient (scores 0: q = 1/2, g = 1/2 − y, h = 1/4).
  for (const c of onePass.chunks) {
    for (let i = 0; i < c.rows; i++) {
      const u = rowDither(root.roundState, c.start + i);
      if (c.w[i] > 0) expect([c.qg[i], c.qh[i]]).toEqual([Math.floor((0.5 - c.y[i]) * QUANT_LEVELS + u), Math.floor(0.25 * 4 * QUANT_LEVELS + u)]);
    }
  }
  // And the root's row count: the in-bag rows.
  const inBag = onePass.chunks.reduce((t, c) => t + c.parts[2], 0);
  let counted = 0;
  for (let b = 0; b < 16; b++) counted += fused.hist[3 * b + 2];
  expect(counted).toBe(inBag);
  return inBag;
}

test("the passes that start the tree leave the rows as the root pass would, quantized as floor(g·levels + dither)", async () => {
  const inBag = await compareStarts(async () => viewOf(await penguins(40), "flipper_length_mm", "sex"), 0.7);
  // bag rate 0.7 of the 334 rows with a sex (FEMALE, MALE or ".")
  expect(inBag).toBeGreaterThan(150);
  expect(inBag).toBeLessThan(300);
});

test("a chunk of many gradient blocks (4096 rows) and more rows than a packed sum holds (65,535) starts as with the two passes", async () => {
  // 68,000 rows of one value: one bin holds more rows than a packed sum may count.
  const rows = Array.from({ length: 70_000 }, (_, i) => `${i < 68_000 ? 1 : (i * 37) % 101},${(i * 7) % 3 === 0 ? "yes" : "no"}`);
  const path = writeTemp(tempDir(), "blocks.csv", `x,y\n${rows.join("\n")}\n`);
  const frame = (await node.importFrame({ kind: "file", path }, { chunkRows: 70_000 }).done).frame;
  expect(frame.chunks.map((c) => c.rows)).toEqual([70_000]);
  expect(await compareStarts(() => viewOf(frame, "x", "y"), 1)).toBe(70_000);
});

test("bernoulli root passes keep each row's exp(−score) from tree to tree: it stays within 1e-13 of the exponential, and the trees are those of passes that take it afresh", async () => {
  // 6,000 rows, two informative features and a noisy label; sample_rate 0.8 leaves rows out of
  // each tree's bag, which the root pass routes through the tree to add it.
  const rows = Array.from({ length: 6000 }, (_, i) => {
    const a = (i * 37) % 101;
    const b = (i * 53) % 89;
    return `${a},${b},${(a + b + ((i * 7919) % 41)) % 3 === 0 ? "yes" : "no"}`;
  });
  const frame = (await node.importFrame({ kind: "file", path: writeTemp(tempDir(), "kept.csv", `a,b,label\n${rows.join("\n")}\n`) }, { chunkRows: 1000 }).done).frame;
  let kept = 0;
  let worst = 0;
  const checked: Executor = {
    get threads() {
      return node.executor.threads;
    },
    async run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts?: RunOptions): Promise<P> {
      const root = task.name === LevelTask.name && (args as unknown as LevelArgs).root !== null;
      const chunks = data.chunks as unknown as TreeChunk[];
      if (root && chunks.every((c) => c.expNegKept[0] === 1)) kept++;
      const out = await node.executor.run(task, data, args, opts);
      if (root) {
        for (const c of chunks) {
          expect(c.expNegKept[0]).toBe(1);
          for (let i = 0; i < c.rows; i++) worst = Math.max(worst, Math.abs(c.expNeg[i] / Math.exp(-c.score[i]) - 1));
        }
      }
      return out;
    },
    close: () => Promise.resolve(),
  };
  const params = { ntrees: 60, max_depth: 4, seed: 9, sample_rate: 0.8 };
  const keptModel = (await algorithm("gbm")?.train(checked, { modelId: "kept", frame, y: "label", x: null, params: { ...params, score_tree_interval: 60 } }))?.model;
  // Every tree but the first found the exponentials kept by the one before.
  expect(kept).toBe(59);
  expect(worst).toBeLessThan(1e-13);
  // Scoring after every tree adds each tree in its own pass, so every root pass takes exp(−score) afresh.
  const fresh = (await algorithm("gbm")?.train(node.executor, { modelId: "fresh", frame, y: "label", x: null, params: { ...params, score_tree_interval: 1 } }))?.model;
  const predict = async (m: unknown) => (await predictFrame(node.executor, m as Model, frame, [])).flatMap((s) => Array.from(s.p));
  expect(await predict(keptModel)).toEqual(await predict(fresh));
});
