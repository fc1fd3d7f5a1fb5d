// Path-dependent TreeSHAP (Lundberg, Erion and Lee 2018, "Consistent Individualized Feature
// Attribution for Tree Ensembles", Algorithm 2): the exact Shapley values of one tree's output
// for one row, where the value of a feature subset S is the expectation of the tree when the
// features of S are fixed to the row's and the others follow the training rows (at a node
// splitting outside S, both children weighted by their cover). The unique path of features
// met from the root is kept with, for every subset size, the proportion of subsets that reach
// here (EXTEND); a leaf credits each feature on it with the path's weight without that
// feature (UNWIND). O(L·D²) a tree: L leaves, D depth. Rows are routed in bin space as
// routeRows does (categorical bitsets, the missing bin by naLeft).

import { leftBit, type Tree } from "./tree.ts";

/** A unique path: per element its feature, zero and one fractions and the weight of its subset size. */
export interface Path {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
}

/** Deepest leaf of a tree (the root is depth 0). */
export function treeDepth(t: Tree): number {
  const depth = new Int32Array(t.feature.length);
  let most = 0;
  // Children sit after their parent (check.ts), so one pass in node order sees every parent first.
  for (let n = 0; n < t.feature.length; n++) {
    if (t.feature[n] < 0) continue;
    depth[t.left[n]] = depth[t.right[n]] = depth[n] + 1;
    if (depth[n] + 1 > most) most = depth[n] + 1;
  }
  return most;
}

/** The tree's expected value: its leaves averaged by cover, node by node (the SHAP value of the empty set). */
export function expectedValue(t: Tree, cover: Float64Array): number {
  const mean = new Float64Array(t.feature.length);
  // Children sit after their parent: in reverse node order both are done before it.
  for (let n = t.feature.length - 1; n >= 0; n--) {
    if (t.feature[n] < 0) {
      mean[n] = t.value[n];
      continue;
    }
    const l = t.left[n];
    const r = t.right[n];
    mean[n] = cover[n] > 0 ? (cover[l] * mean[l] + cover[r] * mean[r]) / cover[n] : (mean[l] + mean[r]) / 2;
  }
  return mean[0];
}

/** Where row i of `bins` goes at split node n: its left child or its right. */
export function hotChild(t: Tree, bins: readonly Uint16Array[], missingBin: Int32Array, i: number, n: number): number {
  const f = t.feature[n];
  const b = bins[f][i];
  const cat = t.catOffset[n];
  const goLeft = cat >= 0 ? leftBit(t.catBits, cat, b) === 1 : b === missingBin[f] ? t.naLeft[n] === 1 : b <= t.threshold[n];
  return goLeft ? t.left[n] : t.right[n];
}

/**
 * The path's ratios, by depth d (the path's last element) and element i: (i + 1)/(d + 1) and
 * (d − i)/(d + 1) and their inverses, so EXTEND and UNWIND multiply instead of dividing.
 */
export class Ratios {
  readonly size: number;
  readonly up: Float64Array;
  readonly down: Float64Array;
  readonly upInv: Float64Array;
  readonly downInv: Float64Array;

  constructor(maxDepth: number) {
    const size = maxDepth + 2;
    this.size = size;
    this.up = new Float64Array(size * size);
    this.down = new Float64Array(size * size);
    this.upInv = new Float64Array(size * size);
    this.downInv = new Float64Array(size * size);
    for (let d = 0; d < size; d++) {
      for (let i = 0; i <= d; i++) {
        this.up[d * size + i] = (i + 1) / (d + 1);
        this.upInv[d * size + i] = (d + 1) / (i + 1);
        this.down[d * size + i] = (d - i) / (d + 1);
        this.downInv[d * size + i] = d > i ? (d + 1) / (d - i) : 0;
      }
    }
  }
}

/** EXTEND: adds (feature, zero, one) to the path at `at` of `depth` elements before. */
export function extend(s: Path, r: Ratios, at: number, depth: number, zero: number, one: number, feature: number): void {
  const w = s.weight;
  const row = depth * r.size;
  s.feature[at + depth] = feature;
  s.zero[at + depth] = zero;
  s.one[at + depth] = one;
  w[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    w[at + i + 1] += one * w[at + i] * r.up[row + i];
    w[at + i] = zero * w[at + i] * r.down[row + i];
  }
}

/** UNWIND: removes element `k` from the path at `at` whose last element is `depth`. */
function unwind(s: Path, r: Ratios, at: number, depth: number, k: number): void {
  const w = s.weight;
  const row = depth * r.size;
  const one = s.one[at + k];
  const zero = s.zero[at + k];
  let next = w[at + depth];
  // One fractions are 1 (the row's branch) or 0 (the other) in path-dependent TreeSHAP.
  if (one !== 0) {
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = w[at + i];
      w[at + i] = (next * r.upInv[row + i]) / one;
      next = tmp - w[at + i] * zero * r.down[row + i];
    }
  } else {
    for (let i = depth - 1; i >= 0; i--) w[at + i] = (w[at + i] * r.downInv[row + i]) / zero;
  }
  for (let i = k; i < depth; i++) {
    s.feature[at + i] = s.feature[at + i + 1];
    s.zero[at + i] = s.zero[at + i + 1];
    s.one[at + i] = s.one[at + i + 1];
  }
}

/** The total weight of the path at `at` (last element `depth`) with element `k` unwound, the path left as it is. */
export function unwoundSum(s: Path, r: Ratios, at: number, depth: number, k: number): number {
  const w = s.weight;
  const row = depth * r.size;
  const one = s.one[at + k];
  const zero = s.zero[at + k];
  let total = 0;
  if (one !== 0) {
    let next = w[at + depth];
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = (next * r.upInv[row + i]) / one;
      total += tmp;
      next = w[at + i] - tmp * zero * r.down[row + i];
    }
    return total;
  }
  if (zero === 0) return 0;
  for (let i = depth - 1; i >= 0; i--) total += w[at + i] * r.downInv[row + i];
  return total / zero;
}

/**
 * TreeSHAP of rows of one view chunk: set `bins`, `missingBin` and `phi` for the chunk, then
 * `add` each (tree, row). One walker a thread: its scratch paths are reused row after row.
 */
export class ShapWalker {
  bins: readonly Uint16Array[] = [];
  missingBin: Int32Array = new Int32Array(0);
  phi: Float64Array = new Float64Array(0);
  private t: Tree | null = null;
  private cover: Float64Array = new Float64Array(0);
  private row = 0;
  private base = 0;
  private scale = 1;
  // The unique paths of the recursion: a child's path is a copy of its parent's placed after
  // it (at + depth + 1), so the parent's stays intact for its other child.
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
  private readonly ratios: Ratios;

  /** `maxDepth`: the deepest tree walked (treeDepth). */
  constructor(maxDepth: number) {
    this.ratios = new Ratios(maxDepth);
    const n = ((maxDepth + 2) * (maxDepth + 3)) / 2;
    this.feature = new Int32Array(n);
    this.zero = new Float64Array(n);
    this.one = new Float64Array(n);
    this.weight = new Float64Array(n);
  }

  /** Adds `scale` × the SHAP values of tree `t` for `row` into phi[base + feature]. */
  add(t: Tree, cover: Float64Array, row: number, base: number, scale: number): void {
    this.t = t;
    this.cover = cover;
    this.row = row;
    this.base = base;
    this.scale = scale;
    this.recurse(0, 0, 0, 0, 1, 1, -1);
  }

  private recurse(n: number, parentAt: number, at: number, depth: number, zero: number, one: number, feature: number): void {
    const path: Path = this;
    const r = this.ratios;
    for (let i = 0; i < depth; i++) {
      this.feature[at + i] = this.feature[parentAt + i];
      this.zero[at + i] = this.zero[parentAt + i];
      this.one[at + i] = this.one[parentAt + i];
      this.weight[at + i] = this.weight[parentAt + i];
    }
    extend(path, r, at, depth, zero, one, feature);
    const t = this.t as Tree;
    const f = t.feature[n];
    if (f < 0) {
      const v = t.value[n] * this.scale;
      for (let i = 1; i <= depth; i++) {
        const w = unwoundSum(path, r, at, depth, i);
        this.phi[this.base + this.feature[at + i]] += w * (this.one[at + i] - this.zero[at + i]) * v;
      }
      return;
    }
    const hot = hotChild(t, this.bins, this.missingBin, this.row, n);
    const cold = hot === t.left[n] ? t.right[n] : t.left[n];
    const c = this.cover[n];
    const hotZero = c > 0 ? this.cover[hot] / c : 0.5;
    const coldZero = c > 0 ? this.cover[cold] / c : 0.5;
    let inZero = 1;
    let inOne = 1;
    let d = depth;
    // A feature met again: its earlier edge is taken out and folded into this one.
    for (let k = 1; k <= d; k++) {
      if (this.feature[at + k] !== f) continue;
      inZero = this.zero[at + k];
      inOne = this.one[at + k];
      unwind(path, r, at, d, k);
      d--;
      break;
    }
    const next = at + depth + 1;
    this.recurse(hot, at, next, d + 1, hotZero * inZero, inOne, f);
    this.recurse(cold, at, next, d + 1, coldZero * inZero, 0, f);
  }
}
