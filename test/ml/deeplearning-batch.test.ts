// Deep learning's mini-batch network (batch.ts) against slow references kept here: the
// gradient a batch adds up is the gradient of the batch's summed loss by central
// differences, through dense and sparse (one-hot) inputs, dropout and every activation;
// and a batch's forward pass gives each row what it gives that row alone.

import { expect, test } from "bun:test";
import { backwardBatch, forwardBatch, makeBatchWork, outputDeltasBatch } from "../../src/ml/deeplearning/batch.ts";
import { type Hyper, initialWeights, layout, type NetSpec, update } from "../../src/ml/deeplearning/network.ts";

/** Six rows of 8 inputs: the first three one-hot (sparse path), the last three dense. */
const SPARSE_ROWS = [
  [0, 1, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 1, 0, 0],
  [1, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0.5],
  [0, 0, 1, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 1, 0, 0, 0],
];
const DENSE_ROWS = SPARSE_ROWS.map((r, b) => r.map((v, j) => v + Math.sin(3 * b + j)));

const CASES = [
  ["Tanh", true],
  ["Rectifier", true],
  ["Maxout", true],
  ["Tanh", false],
  ["Rectifier", false],
  ["Maxout", false],
] as const;

for (const [name, rows] of [
  ["one-hot", SPARSE_ROWS],
  ["dense", DENSE_ROWS],
] as const) {
  test(`a mini-batch's gradient is the central-difference gradient of its summed loss (${name} inputs, dropout, every activation and output)`, () => {
    const B = rows.length;
    for (const [activation, softmax] of CASES) {
      const spec: NetSpec = { units: [8, 5, 4, softmax ? 3 : 1], activation, softmax, inputDropout: 0, hiddenDropout: [0.2, 0.2] };
      const lay = layout(spec);
      const w = initialWeights(spec, lay, "Uniform", 0.8, 7);
      const k = makeBatchWork(spec, lay, B);
      const targets = Float64Array.from(rows, (_, b) => (softmax ? b % 3 : 0.3 * b - 0.5));
      // Two dropped hidden units (fixed, as a training row's draw is).
      k.keep[1][2] = 0;
      k.keep[2][4 + 1] = 0;
      // Cross-entropy −Σ log p_target, or Σ ½(output − target)².
      const loss = (weights: Float64Array) => {
        k.a[0].set(rows.flat());
        forwardBatch(spec, lay, weights, k, B, true);
        const o = k.a[3];
        let sum = 0;
        for (let b = 0; b < B; b++) sum += softmax ? -Math.log(o[b * 3 + targets[b]]) : 0.5 * (o[b] - targets[b]) ** 2;
        return sum;
      };
      loss(w);
      outputDeltasBatch(spec, softmax ? "CrossEntropy" : "Quadratic", k, B, targets);
      const g = new Float64Array(lay.size);
      backwardBatch(spec, lay, w, k, B, g);
      const h = 1e-6;
      let nonzero = 0;
      for (let i = 0; i < lay.size; i++) {
        const up = Float64Array.from(w);
        const down = Float64Array.from(w);
        up[i] += h;
        down[i] -= h;
        // Deltas are −dLoss/dnet (H2O's sign), so g is the negative gradient.
        expect(g[i]).toBeCloseTo(-(loss(up) - loss(down)) / (2 * h), 6);
        if (Math.abs(g[i]) > 1e-9) nonzero++;
      }
      expect(nonzero).toBeGreaterThan(lay.size / 4);
    }
  });
}

test("a batch's forward pass gives each row what the row gives alone", () => {
  const spec: NetSpec = { units: [8, 6, 2], activation: "Rectifier", softmax: true, inputDropout: 0, hiddenDropout: [0.5] };
  const lay = layout(spec);
  const w = initialWeights(spec, lay, "UniformAdaptive", 1, 3);
  const rows = [...SPARSE_ROWS, ...DENSE_ROWS];
  const all = makeBatchWork(spec, lay, rows.length);
  all.a[0].set(rows.flat());
  forwardBatch(spec, lay, w, all, rows.length, false);
  const one = makeBatchWork(spec, lay, 1);
  rows.forEach((r, b) => {
    one.a[0].set(r);
    forwardBatch(spec, lay, w, one, 1, false);
    expect(Array.from(all.a[2].subarray(2 * b, 2 * b + 2))).toEqual(Array.from(one.a[2].subarray(0, 2)));
  });
});

test("fast_mode leaves a weight with a zero mini-batch gradient alone; off, its ADADELTA averages decay by rho", () => {
  // One unit over two inputs: weights w0, w1, then the bias. The batch's gradient sums are
  // 0.4 for w0 and exactly 0 for w1 (its input was 0 in every row), 0.2 for the bias.
  const spec: NetSpec = { units: [2, 1], activation: "Rectifier", softmax: false, inputDropout: 0, hiddenDropout: [] };
  const lay = layout(spec);
  const rho = 0.9;
  const eps = 1e-6;
  const hyper = (fastMode: boolean): Hyper => ({
    adaptive: true,
    rho,
    epsilon: eps,
    rate: 0,
    rateAnnealing: 0,
    rateDecay: 1,
    momentumStart: 0,
    momentumRamp: 1,
    momentumStable: 0,
    nesterov: false,
    l1: 0,
    l2: 0,
    maxW2: 3.4028235e38,
    fastMode,
  });
  for (const fastMode of [true, false]) {
    const w = Float64Array.from([0.5, -0.25, 0.1]);
    // E[Δ²] and E[g²] of each parameter, interleaved.
    const aux = Float64Array.from([0.01, 0.02, 0.03, 0.04, 0.05, 0.06]);
    const g = Float64Array.from([0.8, 0, 0.4]);
    update(lay, hyper(fastMode), w, aux, g, 2, 0);
    // w0 by hand: gradient 0.8 / 2 = 0.4; E[g²] = 0.9·0.02 + 0.1·0.16 = 0.034;
    // rate = sqrt((0.01 + eps) / (0.034 + eps)); E[Δ²] = 0.9·0.01 + 0.1·rate²·0.16.
    const eg = rho * 0.02 + (1 - rho) * 0.16;
    const rate2 = (0.01 + eps) / (eg + eps);
    expect(w[0]).toBeCloseTo(0.5 + Math.sqrt(rate2) * 0.4, 14);
    expect(aux[1]).toBeCloseTo(eg, 15);
    expect(aux[0]).toBeCloseTo(rho * 0.01 + (1 - rho) * rate2 * 0.16, 15);
    // w1: unchanged either way; its averages kept (fast_mode) or decayed.
    expect(w[1]).toBe(-0.25);
    expect(Array.from(aux.subarray(2, 4))).toEqual(fastMode ? [0.03, 0.04] : [rho * 0.03, rho * 0.04]);
  }
});
