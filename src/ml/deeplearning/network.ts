// The multi-layer perceptron of deep learning (H2O's DeepLearningModelInfo and Neurons) as
// flat arrays: one Float64Array holds, layer after layer, the weights (rows × fan-in,
// row-major) then the biases. A hidden layer has one weight row per unit, two for Maxout
// (each unit is the larger of two channels). The output layer is a softmax over the
// classes or one linear unit. Here: the layout, H2O's initial weights and H2O's update
// rules (ADADELTA, or a rate with annealing and momentum; L1/L2; max_w2); batch.ts passes
// rows forward and back-propagates them.
//
// Signs follow H2O: a delta is −dLoss/dnet, and a weight moves by +rate · delta · input.

import { keyState, Rng } from "../../core/rng.ts";

export type Activation = "Rectifier" | "Tanh" | "Maxout";
export type Loss = "CrossEntropy" | "Quadratic" | "Absolute" | "Huber";

export interface NetSpec {
  /** Units per layer: inputs, each hidden layer, outputs (classes, or 1 for regression). */
  readonly units: readonly number[];
  readonly activation: Activation;
  /** Softmax outputs (classifiers) or one linear output (regression). */
  readonly softmax: boolean;
  /** Fraction of input units dropped per training row (scoring keeps them all, as H2O). */
  readonly inputDropout: number;
  /** Per hidden layer, the fraction of its units dropped per training row; scoring scales activations by 1 − ratio. */
  readonly hiddenDropout: readonly number[];
}

/** Where each weight layer (index l − 1 for layer l = 1..L) lives in the flat array. */
export interface Layout {
  /** Weight rows: units, or 2 × units for a Maxout hidden layer. */
  readonly rows: Int32Array;
  readonly fanIn: Int32Array;
  readonly wOff: Int32Array;
  readonly bOff: Int32Array;
  /** Weights and biases in all. */
  readonly size: number;
}

/** Channels of layer l (1..L): 2 for a Maxout hidden layer, else 1. */
function channels(spec: NetSpec, l: number): number {
  return spec.activation === "Maxout" && l < spec.units.length - 1 ? 2 : 1;
}

export function layout(spec: NetSpec): Layout {
  const L = spec.units.length - 1;
  const rows = new Int32Array(L);
  const fanIn = new Int32Array(L);
  const wOff = new Int32Array(L);
  const bOff = new Int32Array(L);
  let size = 0;
  for (let l = 1; l <= L; l++) {
    rows[l - 1] = spec.units[l] * channels(spec, l);
    fanIn[l - 1] = spec.units[l - 1];
    wOff[l - 1] = size;
    size += rows[l - 1] * fanIn[l - 1];
    bOff[l - 1] = size;
    size += rows[l - 1];
  }
  return { rows, fanIn, wOff, bOff, size };
}

export type WeightDistribution = "UniformAdaptive" | "Uniform" | "Normal";

/**
 * H2O's initial weights, drawn per layer from the seed: UniformAdaptive ±sqrt(6 / (fan_in +
 * fan_out)) (4 times that into a softmax, which acts like a sigmoid), Uniform ±scale or
 * Normal(0, scale). Biases: 0.5 in the first hidden layer and 1
 * in the others for Rectifier and Maxout (so units start active), 0 for Tanh and the output.
 */
export function initialWeights(spec: NetSpec, lay: Layout, dist: WeightDistribution, scale: number, seed: number): Float64Array {
  const w = new Float64Array(lay.size);
  const L = spec.units.length - 1;
  for (let l = 1; l <= L; l++) {
    const rng = new Rng(keyState(seed, 0x5eed, l));
    const range = dist === "UniformAdaptive" ? Math.sqrt(6 / (spec.units[l - 1] + spec.units[l])) * (l === L && spec.softmax ? 4 : 1) : scale;
    const n = lay.rows[l - 1] * lay.fanIn[l - 1];
    const wo = lay.wOff[l - 1];
    for (let i = 0; i < n; i++) {
      if (dist === "Normal") w[wo + i] = scale * Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      else w[wo + i] = (2 * rng.next() - 1) * range;
    }
    const bias = l === L || spec.activation === "Tanh" ? 0 : l === 1 ? 0.5 : 1;
    w.fill(bias, lay.bOff[l - 1], lay.bOff[l - 1] + lay.rows[l - 1]);
  }
  return w;
}

/** The update rules' settings (H2O's parameters). */
export interface Hyper {
  readonly adaptive: boolean;
  readonly rho: number;
  readonly epsilon: number;
  readonly rate: number;
  readonly rateAnnealing: number;
  readonly rateDecay: number;
  readonly momentumStart: number;
  readonly momentumRamp: number;
  readonly momentumStable: number;
  readonly nesterov: boolean;
  readonly l1: number;
  readonly l2: number;
  readonly maxW2: number;
  /**
   * H2O's fast_mode: a weight whose gradient over the mini-batch is exactly 0 (its input was
   * 0 in every row, as a one-hot level the batch lacks) is left alone, its ADADELTA averages
   * or momentum not moved; off, every weight takes every update.
   */
  readonly fastMode: boolean;
}

/** H2O's max_w2 default (Float.MAX_VALUE): no limit, and no rescaling pass. */
const NO_MAX_W2 = 3.4028235e38;

/** Momentum is kept only without ADADELTA, and only when some momentum is asked for. */
export function hasMomenta(h: Hyper): boolean {
  return !h.adaptive && (h.momentumStart !== 0 || h.momentumStable !== 0);
}

/** Per-weight state beside the weights: ADADELTA's E[Δ²] and E[g²] interleaved (2 a weight), momenta (1), or none. */
export function auxSize(h: Hyper, size: number): number {
  return h.adaptive ? 2 * size : hasMomenta(h) ? size : 0;
}

/** Momentum after `processed` samples: a linear ramp from momentum_start to momentum_stable. */
function momentum(h: Hyper, processed: number): number {
  if (processed >= h.momentumRamp) return h.momentumStable;
  return h.momentumStart + ((h.momentumStable - h.momentumStart) * processed) / h.momentumRamp;
}

/** ADADELTA's rate for parameter i given its squared gradient; updates E[g²] and E[Δ²] in `aux`. */
function adaRate(aux: Float64Array, i: number, grad2: number, rho: number, eps: number): number {
  const eg = rho * aux[2 * i + 1] + (1 - rho) * grad2;
  aux[2 * i + 1] = eg;
  const dx = aux[2 * i];
  const rate2 = (dx + eps) / (eg + eps);
  aux[2 * i] = rho * dx + (1 - rho) * rate2 * grad2;
  return Math.sqrt(rate2);
}

/**
 * ADADELTA steps of the F weights of one unit from `base` (gradient g · inv with L1/L2),
 * zeroing their g; returns the sum of their squared gradients. Most of training's time.
 */
function adaRow(w: Float64Array, aux: Float64Array, g: Float64Array, base: number, F: number, inv: number, l1: number, l2: number, rho: number, eps: number, fast: boolean): number {
  if (l1 === 0 && l2 === 0) return adaRowUnpenalized(w, aux, g, base, F, inv, rho, eps, fast);
  let g2 = 0;
  for (let i = base; i < base + F; i++) {
    if (fast && g[i] === 0) continue;
    const wt = w[i];
    const grad = g[i] * inv - (wt > 0 ? l1 : wt < 0 ? -l1 : 0) - wt * l2;
    g[i] = 0;
    const gg = grad * grad;
    g2 += gg;
    const eg = rho * aux[2 * i + 1] + (1 - rho) * gg;
    aux[2 * i + 1] = eg;
    const dx = aux[2 * i];
    const rate2 = (dx + eps) / (eg + eps);
    aux[2 * i] = rho * dx + (1 - rho) * rate2 * gg;
    w[i] = wt + Math.sqrt(rate2) * grad;
  }
  return g2;
}

/** adaRow without L1/L2: the same bits, the penalty terms being exact zeros. */
function adaRowUnpenalized(w: Float64Array, aux: Float64Array, g: Float64Array, base: number, F: number, inv: number, rho: number, eps: number, fast: boolean): number {
  let g2 = 0;
  const fresh = 1 - rho;
  for (let i = base; i < base + F; i++) {
    const gi = g[i];
    if (gi === 0) {
      if (fast) continue;
      // Without fast_mode a zero gradient only decays the averages: the same bits as the
      // full step, without its division and square root.
      aux[2 * i + 1] *= rho;
      aux[2 * i] *= rho;
      continue;
    }
    const grad = gi * inv;
    g[i] = 0;
    const gg = grad * grad;
    g2 += gg;
    const eg = rho * aux[2 * i + 1] + fresh * gg;
    aux[2 * i + 1] = eg;
    const dx = aux[2 * i];
    const rate2 = (dx + eps) / (eg + eps);
    aux[2 * i] = rho * dx + fresh * rate2 * gg;
    w[i] += Math.sqrt(rate2) * grad;
  }
  return g2;
}

/** A plain or momentum step of parameter i (no ADADELTA) along `grad`. */
function sgdStep(w: Float64Array, aux: Float64Array, i: number, grad: number, rate: number, mom: number, momenta: boolean, nesterov: boolean): void {
  if (!momenta) w[i] += rate * grad;
  else if (nesterov) {
    aux[i] = mom * aux[i] + grad;
    w[i] += rate * aux[i];
  } else {
    const delta = rate * grad;
    w[i] += delta + mom * aux[i];
    aux[i] = delta;
  }
}

/**
 * Applies the mean over `batch` rows of the gradient accumulated in `g` to the weights `w`
 * and their state `aux` (see auxSize), with L1/L2 and max_w2, as H2O's bprop does; zeroes
 * `g`. `processed`: samples trained so far (rate annealing, momentum ramp).
 */
export function update(lay: Layout, h: Hyper, w: Float64Array, aux: Float64Array, g: Float64Array, batch: number, processed: number): void {
  const inv = 1 / batch;
  const { l1, l2, rho, epsilon: eps, adaptive, nesterov, fastMode } = h;
  const momenta = hasMomenta(h);
  const mom = momenta ? momentum(h, processed) : 0;
  const limit = h.maxW2 < NO_MAX_W2;
  for (let l = 0; l < lay.rows.length; l++) {
    const R = lay.rows[l];
    const F = lay.fanIn[l];
    const wo = lay.wOff[l];
    const bo = lay.bOff[l];
    const rate = adaptive ? 0 : (h.rate / (1 + h.rateAnnealing * processed)) * h.rateDecay ** l * (1 - mom);
    for (let r = 0; r < R; r++) {
      const base = wo + r * F;
      let g2 = 0;
      if (adaptive) g2 = adaRow(w, aux, g, base, F, inv, l1, l2, rho, eps, fastMode);
      else {
        for (let j = 0; j < F; j++) {
          const i = base + j;
          if (fastMode && g[i] === 0) continue;
          const wt = w[i];
          const grad = g[i] * inv - (wt > 0 ? l1 : wt < 0 ? -l1 : 0) - wt * l2;
          g[i] = 0;
          sgdStep(w, aux, i, grad, rate, mom, momenta, nesterov);
        }
      }
      if (limit) {
        let r2 = 0;
        for (let j = 0; j < F; j++) r2 += w[base + j] * w[base + j];
        if (r2 > h.maxW2) {
          const s = Math.sqrt(h.maxW2 / r2);
          for (let j = 0; j < F; j++) w[base + j] *= s;
        }
      }
      const bi = bo + r;
      const b = w[bi];
      const grad = g[bi] * inv - (b > 0 ? l1 : b < 0 ? -l1 : 0) - b * l2;
      g[bi] = 0;
      // H2O's ADADELTA rate of a bias comes from the mean squared gradient of its unit's weights.
      if (adaptive) w[bi] = b + adaRate(aux, bi, g2 / F, rho, eps) * grad;
      else sgdStep(w, aux, bi, grad, rate, mom, momenta, nesterov);
    }
  }
}

/**
 * Gedeon's variable importance (H2O's DL varimp) of each input unit from the first two weight
 * layers: Σ_k Σ_j |w_ij| / Σ_i |w_ij| · |w_jk| / Σ_j |w_jk|, normalised per output k and
 * scaled so the largest is 1. A Maxout unit's two channels count together.
 */
export function gedeon(spec: NetSpec, lay: Layout, w: Float64Array): Float64Array {
  const I = spec.units[0];
  const J = spec.units[1];
  const ch = channels(spec, 1);
  const K = lay.rows[1];
  // |w_ij| per hidden unit j (channels summed), and its column sums.
  const a1 = new Float64Array(J * I);
  for (let r = 0; r < lay.rows[0]; r++) {
    const j = Math.floor(r / ch);
    for (let i = 0; i < I; i++) a1[j * I + i] += Math.abs(w[lay.wOff[0] + r * I + i]);
  }
  const sumJ = new Float64Array(J);
  for (let j = 0; j < J; j++) for (let i = 0; i < I; i++) sumJ[j] += a1[j * I + i];
  const sumK = new Float64Array(K);
  for (let k = 0; k < K; k++) for (let j = 0; j < J; j++) sumK[k] += Math.abs(w[lay.wOff[1] + k * J + j]);
  const vi = new Float64Array(I);
  const q = new Float64Array(I);
  for (let k = 0; k < K; k++) {
    q.fill(0);
    let total = 0;
    for (let j = 0; j < J; j++) {
      if (sumJ[j] === 0 || sumK[k] === 0) continue;
      const wjk = Math.abs(w[lay.wOff[1] + k * J + j]) / sumK[k];
      for (let i = 0; i < I; i++) q[i] += (a1[j * I + i] / sumJ[j]) * wjk;
    }
    for (let i = 0; i < I; i++) total += q[i];
    if (total > 0) for (let i = 0; i < I; i++) vi[i] += q[i] / total;
  }
  let max = 0;
  for (let i = 0; i < I; i++) max = Math.max(max, vi[i]);
  if (max > 0) for (let i = 0; i < I; i++) vi[i] /= max;
  return vi;
}
