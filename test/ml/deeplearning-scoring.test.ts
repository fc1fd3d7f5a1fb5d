// Deep learning scores on samples as H2O does: score_training_samples rows of the training
// frame (default 10,000; 0: all) and score_validation_samples of the validation frame
// (default 0: all), each sample drawn once, the same at every scoring, on any thread count.
// The model's training metrics are those of the sampled rows, checked here against a
// logloss computed from the model's own predictions on the rows the scoring pass weighed.

import { expect, test } from "bun:test";
import type { CodeVec } from "../../src/core/chunk.ts";
import type { Frame } from "../../src/core/frame.ts";
import { type ChunkLike, type Chunked, type Executor, InlineExecutor, type RunOptions, type Task } from "../../src/core/mr.ts";
import type { DeepLearningModel } from "../../src/ml/deeplearning/model.ts";
import type { BinomialMetrics } from "../../src/ml/metrics/binomial.ts";
import type { ScoredChunk } from "../../src/ml/metrics/scored.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { predictFrame } from "../../src/ml/scoring.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const dl = algorithm("deeplearning")!;

/** Rows of a noisy two-class problem: y = yes mostly when x + offset(g) > 0. */
async function noisy(name: string, rows: number): Promise<Frame> {
  const lines = ["x,g,y"];
  for (let i = 0; i < rows; i++) {
    const g = "abc"[i % 3];
    const x = (((i * 7919) % 2001) - 1000) / 1000;
    const flip = (i * 104729) % 7 === 0;
    lines.push(`${x},${g},${(x + (g === "a" ? 0.3 : 0) > 0) !== flip ? "yes" : "no"}`);
  }
  return (await node.importFrame({ kind: "file", path: writeTemp(dir, name, `${lines.join("\n")}\n`) }, { chunkRows: 3000 }).done).frame;
}

/** An executor that keeps the weights of every deep learning scoring pass, training (fold null) and validation apart. */
class ScoringSpy implements Executor {
  readonly training: Float64Array[] = [];
  readonly validation: Float64Array[] = [];
  constructor(private readonly inner: Executor) {}
  get threads() {
    return this.inner.threads;
  }
  async run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts?: RunOptions): Promise<P> {
    const out = await this.inner.run(task, data, args, opts);
    if (task.name === "ml.deeplearning.scored") {
      const w = Float64Array.from((out as ScoredChunk[]).flatMap((c) => Array.from(c.w ?? [])));
      ((args as { fold: number | null }).fold === null && data.chunks === this.trainingChunks ? this.training : this.validation).push(w);
    }
    // The first design built is the training view (the validation frame's comes after it).
    if (task.name === "ml.design.build" && this.trainingChunks === null) this.trainingChunks = out as unknown as readonly ChunkLike[];
    return out;
  }
  private trainingChunks: readonly ChunkLike[] | null = null;
  async close(): Promise<void> {}
}

async function train(frame: Frame, params: Record<string, unknown>, executor: Executor, valid: Frame | null = null): Promise<DeepLearningModel> {
  const r = await dl.train(executor, { modelId: "dl", frame, y: "y", x: null, params: { seed: 3, hidden: "4", epochs: 2, stopping_rounds: 0, score_each_iteration: true, ...params }, valid });
  return r.model as DeepLearningModel;
}

const scored = (w: Float64Array) => w.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);

test("training metrics are those of a score_training_samples sample, the same rows at every scoring", async () => {
  const frame = await noisy("noisy-8000.csv", 8000);
  const spy = new ScoringSpy(node.executor);
  const model = await train(frame, { score_training_samples: 1000 }, spy);
  expect(spy.training.length).toBe(2);
  const w = spy.training[0];
  expect(Array.from(spy.training[1])).toEqual(Array.from(w));
  // About 1,000 of the 8,000 rows (each kept with probability 1/8).
  expect(scored(w)).toBeGreaterThan(850);
  expect(scored(w)).toBeLessThan(1150);
  // The logloss of the model's predictions on exactly those rows.
  const p = (await predictFrame(node.executor, model, frame, [])).flatMap((s) => Array.from(s.p));
  const y = frame.columns.findIndex((c) => c.name === "y");
  const labels = frame.chunks.flatMap((c) => Array.from((c.vecs[y] as CodeVec).codes, (code) => frame.columns[y].domain?.[code]));
  // p is P(the model's second class).
  const positive = model.response.domain?.[1];
  let loss = 0;
  for (let i = 0; i < w.length; i++) if (w[i] > 0) loss -= Math.log(labels[i] === positive ? p[i] : 1 - p[i]);
  expect((model.metrics.training as BinomialMetrics).logloss).toBeCloseTo(loss / scored(w), 12);
});

test("score_training_samples defaults to 10,000 rows and 0 scores every row; validation rows are all scored unless score_validation_samples", async () => {
  const frame = await noisy("noisy-12000.csv", 12000);
  const valid = await noisy("noisy-valid-6000.csv", 6000);
  const byDefault = new ScoringSpy(node.executor);
  await train(frame, { epochs: 1 }, byDefault, valid);
  expect(scored(byDefault.training[0])).toBeGreaterThan(9500);
  expect(scored(byDefault.training[0])).toBeLessThan(10500);
  expect(scored(byDefault.validation[0])).toBe(6000);
  const all = new ScoringSpy(node.executor);
  await train(frame, { epochs: 1, score_training_samples: 0, score_validation_samples: 3000 }, all, valid);
  expect(scored(all.training[0])).toBe(12000);
  expect(scored(all.validation[0])).toBeGreaterThan(2700);
  expect(scored(all.validation[0])).toBeLessThan(3300);
});

test("a sampled scoring gives the same rows and model bits on 1 and 2 threads", async () => {
  const frame = await noisy("noisy-8000b.csv", 8000);
  const params = { score_training_samples: 1000, overwrite_with_best_model: true };
  const oneSpy = new ScoringSpy(new InlineExecutor());
  const twoSpy = new ScoringSpy(node.executor);
  const one = await train(frame, params, oneSpy);
  const two = await train(frame, params, twoSpy);
  expect(Array.from(twoSpy.training[0])).toEqual(Array.from(oneSpy.training[0]));
  expect(Array.from(two.weights)).toEqual(Array.from(one.weights));
  expect(two.epochs_trained).toBe(one.epochs_trained);
});
