// The passes deep learning makes over the rows of its design chunks, as map/reduce tasks:
//   TrainTask            one iteration of H2O's model averaging: each chunk copies the
//                        broadcast network, trains it by mini-batch SGD over its rows of the
//                        current fit (blocks of rows as matrix products, one update a
//                        mini-batch), and returns it weighted by its rows; the coordinator divides
//                        the sum by the rows (folded in chunk order: the same bits on 1 or N
//                        threads or nodes)
//   ScoredTask           each chunk's outputs beside its response, for metrics
//   HoldoutOutputTask    a fold model's outputs on its own fold, into the view (CV)
//   DeepLearningScoreTask  a frame's outputs, for predict and eval
// Outputs: P(class 1) for a binomial model, the K class probabilities for a multinomial
// one, the prediction (on the response's scale) for regression.

import { stateTask, type Task } from "../../core/mr.ts";
import { keyState, Rng, rowUniform } from "../../core/rng.ts";
import { type Design, type DesignArgs, type DesignChunk, expandChunk } from "../design.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import { backwardBatch, type BatchWork, forwardBatch, makeBatchWork, outputDeltasBatch, weightsChanged } from "./batch.ts";
import { type Hyper, type Layout, layout, type Loss, type NetSpec, update } from "./network.ts";

/** Rows passed through the network at once: the gradient of a larger mini-batch adds up over several. */
const BLOCK_ROWS = 32;

/** A network and how its inputs and output are read. */
export interface NetArgs {
  readonly design: Design;
  readonly spec: NetSpec;
  readonly weights: Float64Array;
  /** Regression: the response's standardization (prediction = yMean + yScale · output); 0 and 1 otherwise. */
  readonly yMean: number;
  readonly yScale: number;
}

export interface TrainArgs extends NetArgs {
  /** Per-weight state of the update rule (see auxSize). */
  readonly aux: Float64Array;
  readonly hyper: Hyper;
  readonly loss: Loss;
  readonly miniBatch: number;
  readonly seed: number;
  readonly iteration: number;
  /**
   * Passes over the fit's rows this iteration (1: an epoch): whole passes train every row, a
   * fractional one each row with that probability (a hash of the seed and the row id).
   */
  readonly fraction: number;
  /** Samples trained before this iteration, over all chunks. */
  readonly processed: number;
}

/** Writes row i's input units (one-hot enum levels, then the transformed numbers) into x from `at`. */
function inputRow(c: DesignChunk, d: Design, i: number, x: Float64Array, at: number): void {
  x.fill(0, at, at + d.P);
  const E = d.enums.length;
  const Q = d.nums.length;
  for (let e = 0; e < E; e++) {
    const k = c.cats[i * E + e];
    if (k >= 0) x[at + k] = 1;
  }
  for (let j = 0; j < Q; j++) x[at + d.numOffset + j] = c.nums[i * Q + j];
}

/** The length of a TrainTask partial: weights, their state, the row count. */
function trainPartialLength(args: Pick<TrainArgs, "weights" | "aux">): number {
  return args.weights.length + args.aux.length + 1;
}

/**
 * Partial: the chunk's trained weights · n, then its update state · n, then n, the rows it
 * trained (0 when the fit has no rows in the chunk). Each pass goes through its rows in an
 * order shuffled from (seed, iteration, chunk start, pass); dropout draws hash the global row id.
 */
export const TrainTask: Task<TrainArgs, Float64Array, DesignChunk> = {
  name: "ml.deeplearning.train",
  map(c, a) {
    const spec = a.spec;
    const lay = layout(spec);
    const S = lay.size;
    const A = a.aux.length;
    // Shared memory: the partial goes back to the coordinating thread without a copy.
    const out = new Float64Array(new SharedArrayBuffer((S + A + 1) * 8));
    const full = Math.floor(a.fraction);
    const rest = a.fraction - full;
    const order = new Int32Array(c.rows);
    const w = Float64Array.from(a.weights);
    const aux = Float64Array.from(a.aux);
    const g = new Float64Array(S);
    const k = makeBatchWork(spec, lay, Math.min(a.miniBatch, BLOCK_ROWS));
    const targets = new Float64Array(k.capacity);
    const L = spec.units.length - 1;
    const P = spec.units[0];
    const x = k.a[0];
    const hiddenDropout = spec.hiddenDropout.some((r) => r > 0);
    const states = new Float64Array(L);
    let count = 0;
    // Rows in the block being filled, and rows of the mini-batch whose gradient is in g.
    let inBlock = 0;
    let inBatch = 0;
    let processed = a.processed;
    const flushBlock = () => {
      forwardBatch(spec, lay, w, k, inBlock, true);
      outputDeltasBatch(spec, a.loss, k, inBlock, targets);
      backwardBatch(spec, lay, w, k, inBlock, g);
      inBlock = 0;
    };
    for (let pass = 0; pass < full + (rest > 0 ? 1 : 0); pass++) {
      // Whole passes train every row of the fit; the last, partial one a hashed sample of them.
      const sample = keyState(a.seed, a.iteration, pass, 0x5a3);
      let m = 0;
      for (let i = 0; i < c.rows; i++) if (c.w[i] > 0 && (pass < full || rowUniform(sample, c.start + i) < rest)) order[m++] = i;
      const rng = new Rng(keyState(a.seed, a.iteration, c.start, pass));
      for (let t = m - 1; t > 0; t--) {
        const s = rng.int(t + 1);
        const tmp = order[t];
        order[t] = order[s];
        order[s] = tmp;
      }
      for (let l = 0; l < L; l++) states[l] = keyState(a.seed, a.iteration, pass, l, 0xd80);
      for (let t = 0; t < m; t++) {
        const i = order[t];
        const row = c.start + i;
        const at = inBlock * P;
        inputRow(c, a.design, i, x, at);
        if (spec.inputDropout > 0) for (let j = 0; j < P; j++) if (rowUniform(states[0], row * P + j) < spec.inputDropout) x[at + j] = 0;
        if (hiddenDropout) {
          for (let l = 1; l < L; l++) {
            const ratio = spec.hiddenDropout[l - 1];
            const keep = k.keep[l];
            const U = spec.units[l];
            for (let u = 0; u < U; u++) keep[inBlock * U + u] = rowUniform(states[l], row * U + u) < ratio ? 0 : 1;
          }
        }
        targets[inBlock++] = spec.softmax ? c.y[i] : (c.y[i] - a.yMean) / a.yScale;
        processed++;
        inBatch++;
        if (inBlock === k.capacity || inBatch === a.miniBatch) flushBlock();
        if (inBatch === a.miniBatch) {
          update(lay, a.hyper, w, aux, g, inBatch, processed);
          weightsChanged(k);
          inBatch = 0;
        }
      }
      count += m;
    }
    if (count === 0) return out;
    if (inBlock > 0) flushBlock();
    if (inBatch > 0) update(lay, a.hyper, w, aux, g, inBatch, processed);
    for (let j = 0; j < S; j++) out[j] = w[j] * count;
    for (let j = 0; j < A; j++) out[S + j] = aux[j] * count;
    out[S + A] = count;
    return out;
  },
  reduce(a, b) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
    return out;
  },
  empty: (a) => new Float64Array(trainPartialLength(a)),
};

/** Values a row's output takes: 1 for regression and binomial (P(class 1)), K for multinomial. */
export function outputWidth(spec: NetSpec): number {
  const K = spec.units[spec.units.length - 1];
  return spec.softmax && K > 2 ? K : 1;
}

/**
 * Writes the outputs of the chunk's rows that `take` accepts into `out` (outputWidth a row);
 * with `markSkipped`, rows left out by missing_values_handling=Skip get NaN.
 */
function outputs(c: DesignChunk, a: NetArgs, out: Float64Array, take: (i: number) => boolean, markSkipped: boolean): void {
  const spec = a.spec;
  const lay = layout(spec);
  const k = makeBatchWork(spec, lay, BLOCK_ROWS);
  const width = outputWidth(spec);
  // The chunk's rows of the block being filled.
  const rows = new Int32Array(BLOCK_ROWS);
  let n = 0;
  for (let i = 0; i < c.rows; i++) {
    if (!take(i)) continue;
    if (markSkipped && c.ok[i] === 0) {
      out.fill(Number.NaN, i * width, (i + 1) * width);
      continue;
    }
    inputRow(c, a.design, i, k.a[0], n * spec.units[0]);
    rows[n++] = i;
    if (n === BLOCK_ROWS) {
      scoreBlock(spec, lay, a, k, rows, n, out);
      n = 0;
    }
  }
  if (n > 0) scoreBlock(spec, lay, a, k, rows, n, out);
}

/** Passes a block of n rows (chunk rows `rows`) forward and writes their outputs. */
function scoreBlock(spec: NetSpec, lay: Layout, a: NetArgs, k: BatchWork, rows: Int32Array, n: number, out: Float64Array): void {
  forwardBatch(spec, lay, a.weights, k, n, false);
  const o = k.a[spec.units.length - 1];
  const K = spec.units[spec.units.length - 1];
  const width = outputWidth(spec);
  for (let b = 0; b < n; b++) {
    const i = rows[b];
    if (!spec.softmax) out[i] = a.yMean + a.yScale * o[b];
    else if (width === 1) out[i] = o[b * K + 1];
    else for (let j = 0; j < width; j++) out[i * width + j] = o[b * K + j];
  }
}

export interface ScoredArgs extends NetArgs {
  /** null: weigh rows by the current fit's weights; f: the usable rows of fold f (a fold model's holdout). */
  readonly fold: number | null;
  /**
   * Scoring on a sample (H2O's score_training_samples, score_validation_samples): each row
   * is kept with probability `fraction` (1: every row) by a hash of `key` and its row id,
   * so the sample is the same at every scoring and on any chunking or thread count.
   */
  readonly sample: { readonly key: number; readonly fraction: number };
}

/**
 * Partial: each chunk's scored rows for metrics (the rows with weight > 0, in order): their
 * outputs, response and weights. Metrics skip the other rows, so leaving them out changes no
 * bit and keeps a sampled scoring's messages and metric passes the sample's size.
 */
export const ScoredTask: Task<ScoredArgs, ScoredChunk[], DesignChunk> = {
  name: "ml.deeplearning.scored",
  map(c, a) {
    const width = outputWidth(a.spec);
    const w = new Float64Array(c.rows);
    const { key, fraction } = a.sample;
    let m = 0;
    for (let i = 0; i < c.rows; i++) {
      const usable = a.fold === null ? c.w[i] : c.ok[i] && c.fold[i] === a.fold ? 1 : 0;
      w[i] = usable > 0 && (fraction >= 1 || rowUniform(key, c.start + i) < fraction) ? usable : 0;
      if (w[i] > 0) m++;
    }
    const p = new Float64Array(c.rows * width);
    outputs(c, a, p, (i) => w[i] > 0, false);
    const kept = { y: new Float64Array(m), p: new Float64Array(m * width), w: new Float64Array(m) };
    for (let i = 0, t = 0; i < c.rows; i++) {
      if (!(w[i] > 0)) continue;
      kept.y[t] = c.y[i];
      kept.w[t] = w[i];
      kept.p.set(p.subarray(i * width, (i + 1) * width), t * width);
      t++;
    }
    return [{ index: c.index, rows: m, ...kept, width }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** Writes fold `fold`'s rows' outputs by that fold's model into the view's holdout slots. */
export const HoldoutOutputTask = stateTask<NetArgs & { fold: number }, DesignChunk>("ml.deeplearning.holdout_output", (c, a) => {
  outputs(c, a, c.holdout, (i) => c.fold[i] === a.fold, false);
});

/** Scoring a frame: the design arguments that expand its chunks, and the network. */
export interface ScoreArgs extends Omit<NetArgs, "design"> {
  readonly expand: DesignArgs;
}

/** Partial: the scored chunk of each frame chunk (rows that cannot be scored weigh 0). */
export const DeepLearningScoreTask: Task<ScoreArgs, ScoredChunk[]> = {
  name: "ml.deeplearning.score",
  map(chunk, a) {
    const dc = expandChunk(chunk, a.expand);
    const width = outputWidth(a.spec);
    const p = new Float64Array(dc.rows * width);
    const d = a.expand.design;
    outputs(dc, { ...a, design: d }, p, () => true, d.missing === "Skip");
    const w = new Float64Array(dc.rows);
    for (let i = 0; i < dc.rows; i++) w[i] = dc.ok[i];
    return [{ index: chunk.index, rows: chunk.rows, y: dc.y, p, width, w }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};
