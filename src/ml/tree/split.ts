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
 * The best split of a node over `features` (indices into `specs`), or null when none
 * gains more than the rules allow. `binsOf(f, j)` gives the node's non-empty bins of
 * feature f = features[j] (the list may be reused by the next call).
 */
export function bestSplit(binsOf: (f: number, j: number) => FeatureBins, specs: readonly FeatureSpec[], features: readonly number[], total: NodeStats, rules: SplitRules): Split | null {
  const { minRows, minSplitImprovement, lambda, alpha, minChildHessian, maxDeltaStep } = rules;
  const parent = score(total.g, total.h, lambda, alpha, maxDeltaStep);
  // The best so far, kept as numbers: candidates are many, a Split is made for the winner only.
  const best = { gain: Number.NEGATIVE_INFINITY, feature: -1, threshold: 0, naLeft: false, bits: null as Uint8Array | null, g: 0, h: 0, n: 0 };
  /** Takes the candidate with left sums (lg, lh, ln) when it is allowed and the best so far. */
  const consider = (f: number, lg: number, lh: number, ln: number, threshold: number, naLeft: boolean, bits: Uint8Array | null): boolean => {
    const rh = total.h - lh;
    const rn = total.n - ln;
    if (ln < minRows || rn < minRows || lh <= 0 || rh <= 0 || lh < minChildHessian || rh < minChildHessian) return false;
    const gain = score(lg, lh, lambda, alpha, maxDeltaStep) + score(total.g - lg, rh, lambda, alpha, maxDeltaStep) - parent;
    if (!(gain > minSplitImprovement && gain > best.gain)) return false;
    Object.assign(best, { gain, feature: f, threshold, naLeft, bits, g: lg, h: lh, n: ln });
    return true;
  };
  const gs = rules.gScale;
  const hs = rules.hScale;
  for (let e = 0; e < features.length; e++) {
    const f = features[e];
    const spec = specs[f];
    const V = spec.valueBins;
    const fb = binsOf(f, e);
    const { bin } = fb;
    const G = (j: number) => fb.g[j] * gs;
    const H = (j: number) => fb.h[j] * hs;
    const N = (j: number) => fb.n[j];
    if (spec.kind === "numeric") {
      // Value bins are entries [0, m); the missing bin, if any rows have it, is entry m.
      let m = fb.count;
      let mg = 0;
      let mh = 0;
      let mn = 0;
      if (m > 0 && bin[m - 1] === V) {
        m--;
        mg = G(m);
        mh = H(m);
        mn = N(m);
      }
      const tryAt = (lg: number, lh: number, ln: number, b: number) => {
        if (mn > 0) {
          consider(f, lg + mg, lh + mh, ln + mn, b, true, null);
          consider(f, lg, lh, ln, b, false, null);
        } else {
          // No missing values here: send future ones with the larger side.
          consider(f, lg, lh, ln, b, ln >= total.n - ln, null);
        }
      };
      if (m < 2) continue;
      let lg = 0;
      let lh = 0;
      let ln = 0;
      if (rules.random) {
        const t = bin[0] + rules.random.int(bin[m - 1] - bin[0]);
        for (let j = 0; j < m && bin[j] <= t; j++) {
          lg += G(j);
          lh += H(j);
          ln += N(j);
        }
        tryAt(lg, lh, ln, t);
        continue;
      }
      // Between the last bin of the left side and the first of the right the node saw no
      // rows: put the threshold halfway, so unseen values in the gap split by nearness.
      for (let j = 0; j + 1 < m; j++) {
        lg += G(j);
        lh += H(j);
        ln += N(j);
        tryAt(lg, lh, ln, bin[j] + ((bin[j + 1] - bin[j] - 1) >> 1));
      }
    } else {
      // Categorical: bins (the missing bin included) ordered by mean gradient.
      if (fb.count < 2) continue;
      const order = Array.from({ length: fb.count }, (_, j) => j).sort((a, b) => G(a) / H(a) - G(b) / H(b) || bin[a] - bin[b]);
      let lg = 0;
      let lh = 0;
      let ln = 0;
      for (let q = 0; q < order.length - 1; q++) {
        const j = order[q];
        lg += G(j);
        lh += H(j);
        ln += N(j);
        if (!consider(f, lg, lh, ln, 0, false, null)) continue;
        // Bins not seen at this node go with the larger side.
        const bits = new Uint8Array(bitsetBytes(V + 1));
        // Only bins 0..V: the bits past them stay 0, so a set has one form (files, digests).
        if (ln >= total.n - ln) for (let b = 0; b <= V; b++) bits[b >> 3] |= 1 << (b & 7);
        for (let r = 0; r < order.length; r++) {
          const b = bin[order[r]];
          if (r <= q) bits[b >> 3] |= 1 << (b & 7);
          else bits[b >> 3] &= ~(1 << (b & 7));
        }
        best.bits = bits;
      }
    }
  }
  if (best.feature < 0) return null;
  const left = { g: best.g, h: best.h, n: best.n };
  const right = { g: total.g - best.g, h: total.h - best.h, n: total.n - best.n };
  return { feature: best.feature, gain: best.gain, threshold: best.threshold, naLeft: best.naLeft, bits: best.bits, left, right };
}
