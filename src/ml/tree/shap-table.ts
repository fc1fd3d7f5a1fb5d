// TreeSHAP by table (Yang 2021, "Fast TreeSHAP", its v2): in path-dependent TreeSHAP a leaf's
// share of each feature depends on the row only through which of the leaf's path features
// the row agrees with (follows every split of that feature on the path: one fraction 1, else
// 0); the zero fractions are the tree's. So each leaf's shares are computed once for every
// agreement pattern (2^m patterns of its m path features), and a row costs one pass over the
// nodes (the agreement mask of each) and a lookup a leaf: O(N + L·D) instead of O(L·D²). The
// table grows as 2^m, so deep trees (many features a path) use the recursion (shap.ts).

import { sharedF64, sharedI32 } from "../../core/chunk.ts";
import { hotChild, type Path, Ratios, extend, unwoundSum } from "./shap.ts";
import type { Tree } from "./tree.ts";

/** Most path features a leaf may have for its tree to use a table (masks are 32-bit). */
const MAX_PATH_FEATURES = 24;

export interface ShapTable {
  /** Per split node: its feature's index among the features of the path to it (its bit in a mask). */
  readonly bit: Int32Array;
  /** The leaves; leaf j's path features are features[start[j], start[j + 1]). */
  readonly leaves: Int32Array;
  readonly start: Int32Array;
  readonly features: Int32Array;
  /** Leaf j's shares for pattern p are values[at[j] + p·m, + m) (m its path features), scaled. */
  readonly at: Int32Array;
  readonly values: Float64Array;
}

/** Per leaf of t, the features of its path (first seen first) and their zero fractions (cover shares, multiplied when repeated). */
function leafPaths(t: Tree, cover: Float64Array): { leaf: number; features: number[]; zeros: number[] }[] {
  const out: { leaf: number; features: number[]; zeros: number[] }[] = [];
  const visit = (n: number, features: number[], zeros: number[]) => {
    const f = t.feature[n];
    if (f < 0) {
      out.push({ leaf: n, features, zeros });
      return;
    }
    const known = features.indexOf(f);
    const idx = known >= 0 ? known : features.length;
    const fs = known >= 0 ? features : [...features, f];
    for (const c of [t.left[n], t.right[n]]) {
      const zs = [...zeros];
      zs[idx] = (known >= 0 ? zeros[idx] : 1) * (cover[n] > 0 ? cover[c] / cover[n] : 0.5);
      visit(c, fs, zs);
    }
  };
  visit(0, [], []);
  return out;
}

/** The entries t's table would hold (Infinity when a path has too many features for a mask). */
export function shapTableSize(t: Tree, cover: Float64Array): number {
  let size = 0;
  for (const { features } of leafPaths(t, cover)) {
    const m = features.length;
    if (m > MAX_PATH_FEATURES) return Number.POSITIVE_INFINITY;
    size += 2 ** m * m;
  }
  return size;
}

/** t's table, its values multiplied by `scale` (shared memory: sent to the workers without a copy). */
export function buildShapTable(t: Tree, cover: Float64Array, scale: number): ShapTable {
  const paths = leafPaths(t, cover);
  const bit = sharedI32(t.feature.length).fill(-1);
  // A node's bit: its feature's index on the path to it, the same in every leaf's path below it.
  const mark = (n: number, features: number[]) => {
    if (t.feature[n] < 0) return;
    const known = features.indexOf(t.feature[n]);
    const fs = known >= 0 ? features : [...features, t.feature[n]];
    bit[n] = known >= 0 ? known : features.length;
    mark(t.left[n], fs);
    mark(t.right[n], fs);
  };
  mark(0, []);
  const L = paths.length;
  const leaves = sharedI32(L);
  const start = sharedI32(L + 1);
  const at = sharedI32(L);
  let features = 0;
  let entries = 0;
  paths.forEach((p, j) => {
    leaves[j] = p.leaf;
    start[j] = features;
    at[j] = entries;
    features += p.features.length;
    entries += 2 ** p.features.length * p.features.length;
  });
  start[L] = features;
  const featureList = sharedI32(features);
  const values = sharedF64(entries);
  const depth = paths.reduce((d, p) => Math.max(d, p.features.length), 0);
  const r = new Ratios(depth);
  const path: Path = { feature: new Int32Array(depth + 1), zero: new Float64Array(depth + 1), one: new Float64Array(depth + 1), weight: new Float64Array(depth + 1) };
  paths.forEach((p, j) => {
    const m = p.features.length;
    featureList.set(p.features, start[j]);
    const v = t.value[p.leaf] * scale;
    for (let pattern = 0; pattern < 2 ** m; pattern++) {
      extend(path, r, 0, 0, 1, 1, -1);
      for (let i = 0; i < m; i++) extend(path, r, 0, i + 1, p.zeros[i], (pattern >> i) & 1, p.features[i]);
      for (let i = 0; i < m; i++) {
        const w = unwoundSum(path, r, 0, m, i + 1);
        values[at[j] + pattern * m + i] = w * (((pattern >> i) & 1) - p.zeros[i]) * v;
      }
    }
  });
  return { bit, leaves, start, features: featureList, at, values };
}

/** Adds t's SHAP values for `row` (from its table) into phi[base + feature]; `agree` holds a mask a node. */
export function addTableShap(t: Tree, table: ShapTable, bins: readonly Uint16Array[], missingBin: Int32Array, row: number, phi: Float64Array, base: number, agree: Int32Array): void {
  const nodes = t.feature.length;
  agree[0] = -1;
  // Children sit after their parent: in node order a node's mask is known before its children's.
  for (let n = 0; n < nodes; n++) {
    if (t.feature[n] < 0) continue;
    const hot = hotChild(t, bins, missingBin, row, n);
    const cold = hot === t.left[n] ? t.right[n] : t.left[n];
    agree[hot] = agree[n];
    agree[cold] = agree[n] & ~(1 << table.bit[n]);
  }
  const { leaves, start, features, at, values } = table;
  for (let j = 0; j < leaves.length; j++) {
    const from = start[j];
    const m = start[j + 1] - from;
    const pattern = agree[leaves[j]] & ((1 << m) - 1);
    const off = at[j] + pattern * m;
    for (let i = 0; i < m; i++) phi[base + features[from + i]] += values[off + i];
  }
}
