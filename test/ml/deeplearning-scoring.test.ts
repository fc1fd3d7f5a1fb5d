// Deep learning scores on samples as H2O does: score_training_samples rows of the training
// frame (default 10,000; 0: all) and score_validation_samples of the validation frame
// (default 0: all), each sample drawn once, the same at every scoring, on any thread count.
// The model's training metrics are those of the sampled rows, checked here against a
// logloss computed from the model's own predictions on the rows the scoring pass scored.

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

/** The rows a scoring pass scored (all chunks, in order): responses, outputs, weights. */
interface ScoredRows {
  readonly y: Float64Array;
  readonly p: Float64Array;
  readonly w: Float64Array;
}

/** An executor that keeps the rows of every deep learning scoring pass, training (fold null) and validation apart. */
class ScoringSpy implements Executor {
  readonly training: ScoredRows[] = [];
  readonly validation: ScoredRows[] = [];
  constructor(private readonly inner: Executor) {}
  get threads() {
    return this.inner.threads;
  }
  async run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts?: RunOptions): Promise<P> {
    const out = await this.inner.run(task, data, args, opts);
    if (task.name === "ml.deeplearning.scored") {
      const chunks = out as ScoredChunk[];
      const all = (field: (c: ScoredChunk) => Float64Array) => Float64Array.from(chunks.flatMap((c) => Array.from(field(c))));
      const rows = { y: all((c) => c.y), p: all((c) => c.p), w: all((c) => c.w ?? new Float64Array(c.rows).fill(1)) };
      ((args as { fold: number | null }).fold === null && data.chunks === this.trainingChunks ? this.training : this.validation).push(rows);
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

const scored = (rows: ScoredRows) => rows.w.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);

test("training metrics are those of a score_training_samples sample, the same rows at every scoring", async () => {
  const frame = await noisy("noisy-8000.csv", 8000);
  const spy = new ScoringSpy(node.executor);
  const model = await train(frame, { score_training_samples: 1000 }, spy);
  expect(spy.training.length).toBe(2);
  const [first, second] = spy.training;
  // The same rows at both scorings: the same responses in the same order.
  expect(Array.from(second.y)).toEqual(Array.from(first.y));
  // About 1,000 of the 8,000 rows (each kept with probability 1/8).
  expect(scored(first)).toBeGreaterThan(850);
  expect(scored(first)).toBeLessThan(1150);
  // The kept scoring's outputs are the model's predictions on some of the frame's rows, in
  // the frame's order; the model's training logloss is exactly those rows' logloss.
  const p = (await predictFrame(node.executor, model, frame, [])).flatMap((s) => Array.from(s.p));
  const y = frame.columns.findIndex((c) => c.name === "y");
  const labels = frame.chunks.flatMap((c) => Array.from((c.vecs[y] as CodeVec).codes, (code) => frame.columns[y].domain?.[code]));
  const kept = spy.training.find((s) => s.p.every((v) => p.includes(v)));
  expect(kept).toBeDefined();
  const rows: number[] = [];
  for (let i = 0, t = 0; i < p.length && t < (kept as ScoredRows).p.length; i++) if (p[i] === (kept as ScoredRows).p[t]) rows.push(i), t++;
  expect(rows.length).toBe(scored(first));
  // p is P(the model's second class), whose code is 1.
  const positive = model.response.domain?.[1];
  expect(rows.map((i): number => (labels[i] === positive ? 1 : 0))).toEqual(Array.from((kept as ScoredRows).y));
  let loss = 0;
  for (const i of rows) loss -= Math.log(labels[i] === positive ? p[i] : 1 - p[i]);
  expect((model.metrics.training as BinomialMetrics).logloss).toBeCloseTo(loss / rows.length, 12);
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
  expect(Array.from(twoSpy.training[0].y)).toEqual(Array.from(oneSpy.training[0].y));
  expect(Array.from(twoSpy.training[0].p)).toEqual(Array.from(oneSpy.training[0].p));
  expect(Array.from(two.weights)).toEqual(Array.from(one.weights));
  expect(two.epochs_trained).toBe(one.epochs_trained);
});
