// A fitted isolation forest as flat arrays (cheap to score, to save and to send), and the
// path length that scores a row. Every node of every tree sits in the same arrays; tree t
// holds nodes treeStart[t] .. treeStart[t+1) and a split's children are left[n] and
// left[n] + 1, always after it. Two kinds of split:
//   isolation forest  x[feature] < value goes left (an axis-parallel cut);
//   extended forest   Σ_j w_j·x_j − value ≤ 0 goes left, over the columns whose weight
//                     w_j (normals, p per node) is not 0 (a hyperplane through a point).
// A missing value (NaN) of a column a split reads follows the right branch.

export interface Forest {
  /** Length trees + 1. */
  readonly treeStart: Int32Array;
  /** Left child's node index; −1 at a leaf. */
  readonly left: Int32Array;
  /** Split column (isolation forest); −1 at leaves and in extended forests. */
  readonly feature: Int32Array;
  /** A split's threshold or hyperplane offset; a leaf's path length. */
  readonly value: Float64Array;
  /** Extended forest: p weights per node, row-major (0 at leaves); empty for an isolation forest. */
  readonly normals: Float64Array;
}

const EULER_GAMMA = 0.5772156649;

/**
 * The average path length of an unsuccessful search in a binary search tree of n keys
 * (the isolation forest paper's c(n), H2O's averagePathLengthOfUnsuccessfulSearch):
 * 0 below 2, 1 at 2, else 2·H(n − 1) − 2(n − 1)/n with H(i) ≈ ln i + γ.
 */
export function averagePathLength(n: number): number {
  if (n < 2) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** The leaf node row xo of `x` (p values per row) reaches in the tree rooted at `root`. */
function leafOf(f: Forest, root: number, x: Float64Array, xo: number, p: number): number {
  const { left, feature, value, normals } = f;
  let n = root;
  if (normals.length === 0) {
    while (left[n] >= 0) n = x[xo + feature[n]] < value[n] ? left[n] : left[n] + 1;
    return n;
  }
  while (left[n] >= 0) {
    let s = -value[n];
    const wo = n * p;
    for (let j = 0; j < p; j++) {
      const w = normals[wo + j];
      if (w !== 0) s += w * x[xo + j];
    }
    n = s <= 0 ? left[n] : left[n] + 1;
  }
  return n;
}

/** Σ over the trees of the path length of row xo of `x` (p values per row). */
export function totalPathLength(f: Forest, x: Float64Array, xo: number, p: number): number {
  let total = 0;
  const trees = f.treeStart.length - 1;
  for (let t = 0; t < trees; t++) total += f.value[leafOf(f, f.treeStart[t], x, xo, p)];
  return total;
}
