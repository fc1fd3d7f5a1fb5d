// Split finding: the best split of one node from its histogram alone (statistics, never
// rows, which is why histograms may be built anywhere and merged). Numeric features
// scan thresholds with missing values sent left or right; categorical features order
// their bins by mean gradient and scan prefixes (many-vs-many, as LightGBM and H2O do).

import type { Rng } from "../../core/rng.ts";
import type { FeatureSpec } from "./binning.ts";

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

export interface SplitRules {
  readonly minRows: number;
  readonly minSplitImprovement: number;
  /** Real units of one quantized gradient and hessian step. */
  readonly gScale: number;
  readonly hScale: number;
  /** Extremely randomized trees: one random threshold a numeric feature. */
  readonly random: Rng | null;
}

/** A node's score G²/H, the part of the loss reduction it accounts for. */
function score(g: number, h: number): number {
  return h > 0 ? (g * g) / h : 0;
}

/**
 * The best split of a node over `features` (indices into `specs`), or null when none
 * gains more than the rules allow. `hist` holds the node's slot: 3 doubles a bin
 * (quantized g, quantized h, count), features at `offset[f]`.
 */
export function bestSplit(hist: Float64Array, specs: readonly FeatureSpec[], offset: Int32Array, features: readonly number[], total: NodeStats, rules: SplitRules): Split | null {
  const parent = score(total.g, total.h);
  const found: { best: Split | null } = { best: null };
  const bestGain = () => found.best?.gain ?? Number.NEGATIVE_INFINITY;
  const consider = (s: Split) => {
    if (s.left.n < rules.minRows || s.right.n < rules.minRows || s.left.h <= 0 || s.right.h <= 0) return;
    if (s.gain > rules.minSplitImprovement && s.gain > bestGain()) found.best = s;
  };
  for (const f of features) {
    const spec = specs[f];
    const base = offset[f] * 3;
    const V = spec.valueBins;
    const gs = rules.gScale;
    const hs = rules.hScale;
    const G = (b: number) => hist[base + b * 3] * gs;
    const H = (b: number) => hist[base + b * 3 + 1] * hs;
    const N = (b: number) => hist[base + b * 3 + 2];
    if (spec.kind === "numeric") {
      const mg = G(V);
      const mh = H(V);
      const mn = N(V);
      const side = (lg: number, lh: number, ln: number, b: number, naLeft: boolean): Split => {
        const left = { g: lg, h: lh, n: ln };
        const right = { g: total.g - lg, h: total.h - lh, n: total.n - ln };
        return { feature: f, gain: score(left.g, left.h) + score(right.g, right.h) - parent, threshold: b, naLeft, bits: null, left, right };
      };
      const tryAt = (lg: number, lh: number, ln: number, b: number) => {
        if (mn > 0) {
          consider(side(lg + mg, lh + mh, ln + mn, b, true));
          consider(side(lg, lh, ln, b, false));
        } else {
          // No missing values here: send future ones with the larger side.
          consider(side(lg, lh, ln, b, ln >= total.n - ln));
        }
      };
      if (rules.random) {
        let lo = -1;
        let hi = -1;
        for (let b = 0; b < V; b++) {
          if (N(b) > 0) {
            if (lo < 0) lo = b;
            hi = b;
          }
        }
        if (lo < 0 || lo === hi) continue;
        const t = lo + rules.random.int(hi - lo);
        let lg = 0;
        let lh = 0;
        let ln = 0;
        for (let b = 0; b <= t; b++) {
          lg += G(b);
          lh += H(b);
          ln += N(b);
        }
        tryAt(lg, lh, ln, t);
        continue;
      }
      // Between the last bin of the left side and the first of the right the node saw no
      // rows: put the threshold halfway, so unseen values in the gap split by nearness.
      let lg = 0;
      let lh = 0;
      let ln = 0;
      let b = 0;
      while (b < V && N(b) === 0) b++;
      while (b < V) {
        let next = b + 1;
        while (next < V && N(next) === 0) next++;
        if (next >= V) break;
        lg += G(b);
        lh += H(b);
        ln += N(b);
        tryAt(lg, lh, ln, b + ((next - b - 1) >> 1));
        b = next;
      }
    } else {
      // Categorical: bins (the missing bin included) ordered by mean gradient.
      const present: number[] = [];
      for (let b = 0; b <= V; b++) if (N(b) > 0) present.push(b);
      if (present.length < 2) continue;
      present.sort((a, b) => G(a) / H(a) - G(b) / H(b) || a - b);
      let lg = 0;
      let lh = 0;
      let ln = 0;
      for (let j = 0; j < present.length - 1; j++) {
        const b = present[j];
        lg += G(b);
        lh += H(b);
        ln += N(b);
        const left = { g: lg, h: lh, n: ln };
        const right = { g: total.g - lg, h: total.h - lh, n: total.n - ln };
        const gain = score(left.g, left.h) + score(right.g, right.h) - parent;
        if (left.n < rules.minRows || right.n < rules.minRows || !(gain > rules.minSplitImprovement) || gain <= bestGain()) continue;
        // Bins not seen at this node go with the larger side.
        const bits = new Uint8Array(V + 1);
        if (ln >= total.n - ln) bits.fill(1);
        for (let q = 0; q < present.length; q++) bits[present[q]] = q <= j ? 1 : 0;
        consider({ feature: f, gain, threshold: 0, naLeft: false, bits, left, right });
      }
    }
  }
  return found.best;
}
