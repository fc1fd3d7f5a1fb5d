// Split finding: the best split of one node from its histogram alone (statistics, never
// rows, which is why histograms may be built anywhere and merged). Numeric features
// scan thresholds with missing values sent left or right; categorical features order
// their bins by mean gradient and scan prefixes (many-vs-many, as LightGBM and H2O do).

import type { Rng } from "../../core/rng.ts";
import type { FeatureSpec } from "./binning.ts";
import { bitsetBytes } from "./tree.ts";

export interface NodeStats {
  /** Real-valued sums of gradient and hessian, and the row count. */
  readonly g: number;
  readonly h: number;
  readonly n: number;
}

export interface Split {
  readonly feature: number;
  readonly gain: number;
  /** Numeric: bins <= threshold go left. */
  readonly threshold: number;
  readonly naLeft: boolean;
  /** Categorical: one byte per bin, 1 = left. */
  readonly bits: Uint8Array | null;
  readonly left: NodeStats;
  readonly right: NodeStats;
}

/** What a split must satisfy, and the regularisation of its score (0 for H2O's trees). */
export interface SplitLimits {
  /** Fewest rows a child may hold. */
  readonly minRows: number;
  /** Smallest gain a split must bring. */
  readonly minSplitImprovement: number;
  /** L2 penalty on leaf values: a node's score is G²/(H + lambda) (XGBoost's reg_lambda). */
  readonly lambda: number;
  /** L1 penalty: G is shrunk towards 0 by alpha first (XGBoost's reg_alpha). */
  readonly alpha: number;
  /** Smallest hessian sum a child may hold (XGBoost's min_child_weight); children need H > 0 anyway. */
  readonly minChildHessian: number;
  /**
   * XGBoost's max_delta_step (0: none): a node is scored with its weight clipped to this,
   * −(2·G·w + (H + lambda)·w²), as its leaf will be.
   */
  readonly maxDeltaStep: number;
}

export interface SplitRules extends SplitLimits {
  /** Real units of one quantized gradient and hessian step. */
  readonly gScale: number;
  readonly hScale: number;
  /** Extremely randomized trees: one random threshold a numeric feature. */
  readonly random: Rng | null;
}

/**
 * A node's score, the part of the loss reduction it accounts for: T(G)²/(H + lambda) (T: G
 * shrunk by alpha), or with max_delta_step its clipped weight's −(2·G·w + (H + lambda)·w²).
 */
function score(g: number, h: number, lambda: number, alpha: number, maxDeltaStep: number): number {
  if (!(h > 0)) return 0;
  const t = alpha > 0 ? Math.sign(g) * Math.max(Math.abs(g) - alpha, 0) : g;
  if (maxDeltaStep > 0) {
    const w = Math.max(-maxDeltaStep, Math.min(maxDeltaStep, -t / (h + lambda)));
    return -(2 * g * w + (h + lambda) * w * w);
  }
  return (t * t) / (h + lambda);
}

/**
 * A node's non-empty bins of one feature, ascending (the missing bin, when present, last):
 * quantized sums of gradient and hessian and the row count of each. Only non-empty bins
 * matter to a split, so a node with few rows is searched in time of its rows, not its bins.
 */
export interface FeatureBins {
  count: number;
  readonly bin: Int32Array;
  readonly g: Float64Array;
  readonly h: Float64Array;
  readonly n: Float64Array;
}

/** Room for `capacity` non-empty bins (a scratch list a caller refills feature after feature). */
export function featureBins(capacity: number): FeatureBins {
  return { count: 0, bin: new Int32Array(capacity), g: new Float64Array(capacity), h: new Float64Array(capacity), n: new Float64Array(capacity) };
}

/**
 * The best split of a node, as numbers: a scratch a caller refills node after node (a split
 * search makes no object a node). `g`, `h`, `n` are the left child's sums; feature −1: none.
 */
export interface FoundSplit {
  feature: number;
  gain: number;
  threshold: number;
  naLeft: boolean;
  bits: Uint8Array | null;
  g: number;
  h: number;
  n: number;
}

export function foundSplit(): FoundSplit {
  return { feature: -1, gain: Number.NEGATIVE_INFINITY, threshold: 0, naLeft: false, bits: null, g: 0, h: 0, n: 0 };
}

/**
 * The best split of a node over `features` (indices into `specs`), or null when none
 * gains more than the rules allow. `binsOf(f, j)` gives the node's non-empty bins of
 * feature f = features[j] (the list may be reused by the next call).
 */
export function bestSplit(binsOf: (f: number, j: number) => FeatureBins, specs: readonly FeatureSpec[], features: ArrayLike<number>, total: NodeStats, rules: SplitRules): Split | null {
  const best = foundSplit();
  if (!searchSplit(binsOf, specs, features, total.g, total.h, total.n, rules, best)) return null;
  const left = { g: best.g, h: best.h, n: best.n };
  const right = { g: total.g - best.g, h: total.h - best.h, n: total.n - best.n };
  return { feature: best.feature, gain: best.gain, threshold: best.threshold, naLeft: best.naLeft, bits: best.bits, left, right };
}

/**
 * The gain of the candidate with left sums (lg, lh, ln) of a node with totals (tg, th, tn)
 * and score `parent`, or NaN when the rules do not allow it (NaN is never the best).
 */
function candidateGain(lg: number, lh: number, ln: number, tg: number, th: number, tn: number, parent: number, r: SplitLimits): number {
  const rh = th - lh;
  const rn = tn - ln;
  if (ln < r.minRows || rn < r.minRows || lh <= 0 || rh <= 0 || lh < r.minChildHessian || rh < r.minChildHessian) return Number.NaN;
  return score(lg, lh, r.lambda, r.alpha, r.maxDeltaStep) + score(tg - lg, rh, r.lambda, r.alpha, r.maxDeltaStep) - parent;
}

// Scratch of the categorical scan: the bins' order and their mean gradients (a thread
// searches one node at a time), and the merge sort's other half.
let catOrder = new Int32Array(0);
let catMean = new Float64Array(0);
let catMerge = new Int32Array(0);
const catOrderList: number[] = [];

/**
 * Orders a categorical feature's `count` non-empty bins by mean gradient, ties by bin, into
 * catOrder. Without NaN means that is a total order, which any sort gives: insertion sort for
 * a few bins, a merge sort of the typed arrays for more (the engine's sort with a comparator
 * took most of a GBM split search on flights' 300 airports). A NaN (a bin of zero g and h)
 * makes the comparison inconsistent, so the engine's sort decides, as it always has.
 */
function orderByMean(fb: FeatureBins, gs: number, hs: number): Int32Array {
  const count = fb.count;
  if (catOrder.length < count) {
    catOrder = new Int32Array(fb.bin.length);
    catMean = new Float64Array(fb.bin.length);
    catMerge = new Int32Array(fb.bin.length);
  }
  const order = catOrder;
  const mean = catMean;
  const bin = fb.bin;
  let nan = false;
  for (let j = 0; j < count; j++) {
    mean[j] = (fb.g[j] * gs) / (fb.h[j] * hs);
    if (Number.isNaN(mean[j])) nan = true;
  }
  if (nan) {
    const list = catOrderList;
    list.length = 0;
    for (let j = 0; j < count; j++) list.push(j);
    list.sort((a, b) => mean[a] - mean[b] || bin[a] - bin[b]);
    for (let j = 0; j < count; j++) order[j] = list[j];
    return order;
  }
  for (let j = 0; j < count; j++) order[j] = j;
  if (count <= 64) insertionByMean(order, 0, count, mean, bin);
  else mergeByMean(order, catMerge, count, mean, bin);
  return order;
}

/** Whether bin entry a goes before entry b: smaller mean, ties by bin. */
function before(a: number, b: number, mean: Float64Array, bin: Int32Array): boolean {
  return mean[a] < mean[b] || (mean[a] === mean[b] && bin[a] < bin[b]);
}

function insertionByMean(order: Int32Array, from: number, to: number, mean: Float64Array, bin: Int32Array): void {
  for (let i = from + 1; i < to; i++) {
    const x = order[i];
    let q = i - 1;
    while (q >= from && before(x, order[q], mean, bin)) {
      order[q + 1] = order[q];
      q--;
    }
    order[q + 1] = x;
  }
}

/** Bottom-up merge sort of order[0, count): runs of 16 by insertion, then merged pairwise through `other`. */
function mergeByMean(order: Int32Array, other: Int32Array, count: number, mean: Float64Array, bin: Int32Array): void {
  const RUN = 16;
  for (let from = 0; from < count; from += RUN) insertionByMean(order, from, Math.min(count, from + RUN), mean, bin);
  let src = order;
  let dst = other;
  for (let width = RUN; width < count; width *= 2) {
    for (let lo = 0; lo < count; lo += 2 * width) {
      const mid = Math.min(count, lo + width);
      const hi = Math.min(count, lo + 2 * width);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) dst[k] = i < mid && (j >= hi || !before(src[j], src[i], mean, bin)) ? src[i++] : src[j++];
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== order) order.set(src.subarray(0, count));
}

/**
 * Writes the best split of a node with totals (tg, th, tn) into `best`; false (best.feature
 * −1) when none gains more than the rules allow. Candidates are tried in a fixed order and
 * a later one wins only by gaining strictly more.
 */
export function searchSplit(
  binsOf: (f: number, j: number) => FeatureBins,
  specs: readonly FeatureSpec[],
  features: ArrayLike<number>,
  tg: number,
  th: number,
  tn: number,
  rules: SplitRules,
  best: FoundSplit,
): boolean {
  const minSplitImprovement = rules.minSplitImprovement;
  const parent = score(tg, th, rules.lambda, rules.alpha, rules.maxDeltaStep);
  let bestGain = Number.NEGATIVE_INFINITY;
  let bestFeature = -1;
  let bestThreshold = 0;
  let bestNaLeft = false;
  let bestBits: Uint8Array | null = null;
  let bestG = 0;
  let bestH = 0;
  let bestN = 0;
  const gs = rules.gScale;
  const hs = rules.hScale;
  for (let e = 0; e < features.length; e++) {
    const f = features[e];
    const spec = specs[f];
    const V = spec.valueBins;
    const fb = binsOf(f, e);
    const { bin, g: fg, h: fh, n: fn } = fb;
    if (spec.kind === "numeric") {
      // Value bins are entries [0, m); the missing bin, if any rows have it, is entry m.
      let m = fb.count;
      let mg = 0;
      let mh = 0;
      let mn = 0;
      if (m > 0 && bin[m - 1] === V) {
        m--;
        mg = fg[m] * gs;
        mh = fh[m] * hs;
        mn = fn[m];
      }
      if (m < 2) continue;
      let lg = 0;
      let lh = 0;
      let ln = 0;
      // Thresholds to try: one random (extremely randomized trees), or between every two
      // bins the node saw. Between the last bin of the left side and the first of the right
      // the node saw no rows: put the threshold halfway, so unseen values in the gap split by
      // nearness.
      const random = rules.random;
      let j = 0;
      let t = 0;
      if (random) t = bin[0] + random.int(bin[m - 1] - bin[0]);
      for (;;) {
        if (random) {
          for (; j < m && bin[j] <= t; j++) {
            lg += fg[j] * gs;
            lh += fh[j] * hs;
            ln += fn[j];
          }
        } else {
          if (j + 1 >= m) break;
          lg += fg[j] * gs;
          lh += fh[j] * hs;
          ln += fn[j];
          t = bin[j] + ((bin[j + 1] - bin[j] - 1) >> 1);
          j++;
        }
        if (mn > 0) {
          let gain = candidateGain(lg + mg, lh + mh, ln + mn, tg, th, tn, parent, rules);
          if (gain > minSplitImprovement && gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestThreshold = t;
            bestNaLeft = true;
            bestBits = null;
            bestG = lg + mg;
            bestH = lh + mh;
            bestN = ln + mn;
          }
          gain = candidateGain(lg, lh, ln, tg, th, tn, parent, rules);
          if (gain > minSplitImprovement && gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestThreshold = t;
            bestNaLeft = false;
            bestBits = null;
            bestG = lg;
            bestH = lh;
            bestN = ln;
          }
        } else {
          // No missing values here: send future ones with the larger side.
          const gain = candidateGain(lg, lh, ln, tg, th, tn, parent, rules);
          if (gain > minSplitImprovement && gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestThreshold = t;
            bestNaLeft = ln >= tn - ln;
            bestBits = null;
            bestG = lg;
            bestH = lh;
            bestN = ln;
          }
        }
        if (random) break;
      }
    } else {
      // Categorical: bins (the missing bin included) ordered by mean gradient, prefixes go left.
      const count = fb.count;
      if (count < 2) continue;
      const order = orderByMean(fb, gs, hs);
      let lg = 0;
      let lh = 0;
      let ln = 0;
      let bestPrefix = -1;
      for (let q = 0; q < count - 1; q++) {
        const j = order[q];
        lg += fg[j] * gs;
        lh += fh[j] * hs;
        ln += fn[j];
        const gain = candidateGain(lg, lh, ln, tg, th, tn, parent, rules);
        if (!(gain > minSplitImprovement && gain > bestGain)) continue;
        bestGain = gain;
        bestFeature = f;
        bestThreshold = 0;
        bestNaLeft = false;
        bestG = lg;
        bestH = lh;
        bestN = ln;
        bestPrefix = q;
      }
      if (bestPrefix < 0) continue;
      // The set of the best prefix, made once (order is scratch the next feature reuses).
      // Bins not seen at this node go with the larger side.
      const bits = new Uint8Array(bitsetBytes(V + 1));
      // Only bins 0..V: the bits past them stay 0, so a set has one form (files, digests).
      if (bestN >= tn - bestN) for (let b = 0; b <= V; b++) bits[b >> 3] |= 1 << (b & 7);
      for (let r = 0; r < count; r++) {
        const b = bin[order[r]];
        if (r <= bestPrefix) bits[b >> 3] |= 1 << (b & 7);
        else bits[b >> 3] &= ~(1 << (b & 7));
      }
      bestBits = bits;
    }
  }
  best.feature = bestFeature;
  best.gain = bestGain;
  best.threshold = bestThreshold;
  best.naLeft = bestNaLeft;
  best.bits = bestBits;
  best.g = bestG;
  best.h = bestH;
  best.n = bestN;
  return bestFeature >= 0;
}
