// Deep learning's default mini-batches: 32 rows an update from 32,000 rows up, fewer below so
// that an epoch still makes 1,000 updates; a separable problem is learned with them, with
// the same bits on 1 or 2 threads.

import { expect, test } from "bun:test";
import type { Frame } from "../../src/core/frame.ts";
import { InlineExecutor } from "../../src/core/mr.ts";
import type { DeepLearningModel } from "../../src/ml/deeplearning/model.ts";
import type { BinomialMetrics } from "../../src/ml/metrics/binomial.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const dl = algorithm("deeplearning")!;
const OFFSET: Record<string, number> = { a: -0.5, b: 0, c: 0.5, d: 0.25 };

/** y = yes when x + offset(g) > 0, no row closer than 0.05 to the boundary. */
async function separable(rows: number): Promise<Frame> {
  const lines = ["x,g,y"];
  for (let i = 0; lines.length <= rows; i++) {
    const g = "abcd"[i % 4];
    const x = (((i * 7919) % 2001) - 1000) / 1000;
    const s = x + OFFSET[g];
    if (Math.abs(s) >= 0.05) lines.push(`${x},${g},${s > 0 ? "yes" : "no"}`);
  }
  const path = writeTemp(dir, `separable-${rows}.csv`, `${lines.join("\n")}\n`);
  return (await node.importFrame({ kind: "file", path }, { chunkRows: 10_000 }).done).frame;
}

async function weights(frame: Frame, params: Record<string, unknown>, executor = node.executor): Promise<DeepLearningModel> {
  const r = await dl.train(executor, { modelId: "dl", frame, y: "y", x: null, params: { seed: 5, hidden: "8", epochs: 1, stopping_rounds: 0, ...params }, valid: null });
  return r.model as DeepLearningModel;
}

test("mini_batch_size 0 (the default) trains 32 rows an update on 40,000 rows and rows / 1,000 on 5,000", async () => {
  const large = await separable(40_000);
  expect(Array.from((await weights(large, {})).weights)).toEqual(Array.from((await weights(large, { mini_batch_size: 32 })).weights));
  expect(Array.from((await weights(large, {})).weights)).not.toEqual(Array.from((await weights(large, { mini_batch_size: 16 })).weights));
  const small = await separable(5_000);
  expect(Array.from((await weights(small, {})).weights)).toEqual(Array.from((await weights(small, { mini_batch_size: 5 })).weights));
});

test("a separable problem is learned in default mini-batches (AUC 1), with the same bits on 1 or 2 threads", async () => {
  const frame = await separable(40_000);
  expect(frame.chunks.length).toBe(4);
  const params = { hidden: "16,16", epochs: 3 };
  const model = await weights(frame, params);
  expect((model.metrics.training as BinomialMetrics).AUC).toBe(1);
  const inline = await weights(frame, params, new InlineExecutor());
  expect(Array.from(inline.weights)).toEqual(Array.from(model.weights));
});
