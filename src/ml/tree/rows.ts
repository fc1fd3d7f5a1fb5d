// Per-row operations of the tree passes, shared by the level task (histogram.ts) and
// the row tasks (row-tasks.ts): moving rows to their children, adding trees to raw
// scores, and gradients.

import { rowUniform } from "../../core/rng.ts";
import { type Distribution, gradients, type LossParams, softmaxGradients } from "../loss.ts";
import { DIRECTION_TABLE_ROWS, leftBit, type Router, routeRowsGrouped, routersFor, splitDirections, type Tree } from "./tree.ts";
import type { TreeChunk } from "./view.ts";

/** The previous level's splits, for every class tree, as flat arrays. */
export interface SplitTable {
  /** Per class: node id → index into the arrays below, or −1 (the node became a leaf). */
  readonly splitOf: readonly Int32Array[];
  readonly feature: Int32Array;
  readonly threshold: Int32Array;
  readonly naLeft: Uint8Array;
  readonly catOffset: Int32Array;
  /** Left-bin sets of categorical splits, one bit a bin (see leftBit), from byte catOffset. */
  readonly bitsets: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Rows of nodes without a split stay in their nodes (best-first growth) instead of finishing there. */
  readonly keep: boolean;
  /**
   * Per class, by global row id: the leaf of a row that left the view's partition with a
   * detached node (grower.ts), −1 for other rows; absent when no node was detached.
   */
  readonly leafOfRow?: readonly Int32Array[];
}

/**
 * Row node ids in the view: n >= 0 a row still in a growing node (which one, the view's
 * parts say: level passes do not rewrite it), −1 not in the tree (out of bag, no weight),
 * and −2 − leaf for a row whose node stopped splitting (or −2 − node for a row of a detached
 * node until finishRows gives it its leaf).
 */
export function finishedLeaf(n: number): number {
  return -2 - n;
}

/**
 * Ends the growth of the chunk's trees: the rows of every growing node (the parts) move by
 * its split in `s`, when it has one, and finish in the node they reach (−2 − leaf), and rows
 * of detached nodes finish in their leaves (s.leafOfRow). Once done the parts are empty, so
 * a second call changes nothing.
 */
export function finishRows(c: TreeChunk, s: SplitTable | null, K: number, missingBin: Int32Array): void {
  const n = c.rows;
  const { node, order, parts, bins } = c;
  for (let k = 0; k < K; k++) {
    const base = k * n;
    const pb = k * (3 * n + 3);
    const splitOf = s?.splitOf[k];
    for (let q = 0; q < c.partCount[k]; q++) {
      const nd = parts[pb + 3 * q];
      const from = base + parts[pb + 3 * q + 1];
      const to = base + parts[pb + 3 * q + 2];
      const sp = s && splitOf && nd < splitOf.length ? splitOf[nd] : -1;
      if (s === null || sp < 0) {
        for (let j = from; j < to; j++) node[order[j] * K + k] = -2 - nd;
        continue;
      }
      const bf = bins[s.feature[sp]];
      const off = s.catOffset[sp];
      const thr = s.threshold[sp];
      const mb = missingBin[s.feature[sp]];
      const na = 1 - s.naLeft[sp];
      // −2 − (left + goRight), left + 1 being the right child.
      const leftLeaf = -2 - s.left[sp];
      if (to - from >= DIRECTION_TABLE_ROWS * (mb + 1)) {
        const sides = splitDirections(s.bitsets, off, thr, mb, na);
        for (let j = from; j < to; j++) {
          const i = order[j];
          node[i * K + k] = leftLeaf - sides[bf[i]];
        }
        continue;
      }
      for (let j = from; j < to; j++) {
        const i = order[j];
        const b = bf[i];
        const goRight = off >= 0 ? 1 - leftBit(s.bitsets, off, b) : b === mb ? na : +(b > thr);
        node[i * K + k] = leftLeaf - goRight;
      }
    }
    c.partCount[k] = 0;
    const leaves = s?.leafOfRow?.[k];
    if (!leaves) continue;
    for (let i = 0, id = c.start; i < n && id < leaves.length; i++, id++) if (leaves[id] >= 0) node[i * K + k] = -2 - leaves[id];
  }
}

export interface GradArgs {
  /** "drf": fit the response itself (g = −y, h = 1), so a leaf is the mean response. */
  readonly distribution: Distribution | "drf";
  readonly classes: number;
  readonly loss: LossParams;
  /** The previous iteration's trees, added to the scores first (one pass instead of two). */
  readonly addFirst?: ScoreArgs | null;
}

/** Adds the previous trees when asked, then writes g and h of every row (DRF: g = −y, h = 1). */
export function computeGradients(c: TreeChunk, { distribution, classes: K, loss, addFirst }: GradArgs): void {
  if (addFirst) addTrees(c, addFirst);
  const n = c.rows;
  if (distribution === "drf") {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) {
        const y = K === 1 ? c.y[i] : c.y[i] === k ? 1 : 0;
        c.g[i * K + k] = c.w[i] > 0 ? -y : 0;
        c.h[i * K + k] = 1;
      }
    }
  } else if (distribution === "multinomial") {
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    for (let k = 0; k < K; k++) {
      softmaxGradients(c.y, c.score, n, K, k, g, h);
      for (let i = 0; i < n; i++) {
        c.g[i * K + k] = g[i];
        c.h[i * K + k] = h[i];
      }
    }
  } else {
    gradients(distribution, c.y, c.score, n, c.g, c.h, loss);
  }
}

export interface ScoreArgs {
  readonly trees: readonly Tree[];
  readonly missingBin: Int32Array;
  /**
   * DRF: also add each tree's output to the out-of-bag sums of rows it did not train on (on
   * the view it grew on, its rows with a weight that are not in it; elsewhere, the rows its
   * bag's draw leaves out).
   */
  readonly oob: { readonly bagState: number; readonly bagRate: number } | null;
  /**
   * On the view the trees grew on: the grower's pending splits. Rows that trained then
   * find their leaf in their node id once their growth ends (finishRows); the others (and
   * every row of another view) are routed from the root.
   */
  readonly grown: { readonly pending: SplitTable | null } | null;
  /**
   * False: the rows that trained on the trees do not take them (DRF's training scores are
   * out-of-bag once a row has been out of a bag, and its grower then leaves the in-bag rows
   * without their leaves: GrowSpec.inBagLeaves).
   */
  readonly inBag?: boolean;
}

// Scratch of addTrees, kept between calls: a thread maps one chunk at a time.
let outOfBagRows = new Uint8Array(0);
let routedRows = new Int32Array(0);
let routedLeaves = new Int32Array(0);

/**
 * Adds an iteration's trees to the raw scores of a chunk's rows (see ScoreArgs): rows whose
 * leaf their node id gives at once, the others routed together (routeRowsGrouped: out-of-bag
 * rows of a deep forest's tree are many, and rows of another view all). The rows it added
 * to the out-of-bag sums: how many.
 */
export function addTrees(c: TreeChunk, args: ScoreArgs): number {
  const { trees, missingBin, oob, grown } = args;
  const inBag = args.inBag !== false;
  const K = trees.length;
  const n = c.rows;
  c.expNegKept[0] = 0;
  if (grown) finishRows(c, grown.pending, K, missingBin);
  const routers = routersFor(args, [trees])[0];
  if (routedRows.length < n) {
    outOfBagRows = new Uint8Array(n);
    routedRows = new Int32Array(n);
    routedLeaves = new Int32Array(n);
  }
  const outOfBag = oob === null ? null : outOfBagRows;
  let outOfBagCount = 0;
  if (oob !== null && outOfBag !== null) {
    for (let i = 0; i < n; i++) {
      // The rows a grown tree left out of its bag are its rows with a weight that are not in it.
      const out = c.w[i] > 0 && (grown ? c.node[i * K] === -1 : !(oob.bagRate >= 1 || rowUniform(oob.bagState, c.start + i) < oob.bagRate));
      outOfBag[i] = out ? 1 : 0;
      if (out) {
        c.oobCount[i] += 1;
        outOfBagCount++;
      }
    }
  }
  for (let k = 0; k < K; k++) {
    const value = trees[k].value;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const node = grown ? c.node[i * K + k] : -1;
      if (node === -1) {
        routedRows[m++] = i;
        continue;
      }
      if (!inBag) continue;
      const v = value[finishedLeaf(node)];
      c.score[i * K + k] += v;
      if (outOfBag?.[i]) c.oob[i * K + k] += v;
    }
    routeRowsGrouped(routers[k], c.bins, missingBin, routedRows, m, routedLeaves);
    for (let j = 0; j < m; j++) {
      const i = routedRows[j];
      const v = value[routedLeaves[j]];
      c.score[i * K + k] += v;
      if (outOfBag?.[i]) c.oob[i * K + k] += v;
    }
  }
  return outOfBagCount;
}

// Scratch of addTreeRows: the rows of a block it routes.
let blockRows = new Int32Array(0);
let blockLeaves = new Int32Array(0);

/** Whether addTreeRows can add these trees a block of rows at a time: one tree, to every row of the view it grew on, without out-of-bag sums. */
export function addsByRows(args: ScoreArgs): boolean {
  return args.trees.length === 1 && args.grown !== null && args.oob === null && args.inBag !== false;
}

/**
 * addTrees for trees that addsByRows, over rows [from, to) only, once finishRows has ended
 * the tree's growth: each row's score takes its leaf's value, as addTrees would. Given
 * `expFactor` (exp(−value) of each node), each row's exp(−score) (TreeChunk.expNeg) is
 * multiplied by its leaf's.
 */
export function addTreeRows(c: TreeChunk, value: Float64Array, router: Router, missingBin: Int32Array, from: number, to: number, expFactor: Float64Array | null): void {
  const { node, score, expNeg } = c;
  if (blockRows.length < to - from) {
    blockRows = new Int32Array(to - from);
    blockLeaves = new Int32Array(to - from);
  }
  const routedRows = blockRows;
  const routedLeaves = blockLeaves;
  let m = 0;
  for (let i = from; i < to; i++) {
    const nd = node[i];
    if (nd === -1) {
      routedRows[m++] = i;
      continue;
    }
    const leaf = finishedLeaf(nd);
    score[i] += value[leaf];
    if (expFactor) expNeg[i] = nextExpNeg(expNeg[i] * expFactor[leaf], score[i]);
  }
  routeRowsGrouped(router, c.bins, missingBin, routedRows, m, routedLeaves);
  for (let j = 0; j < m; j++) {
    const i = routedRows[j];
    score[i] += value[routedLeaves[j]];
    if (expFactor) expNeg[i] = nextExpNeg(expNeg[i] * expFactor[routedLeaves[j]], score[i]);
  }
}

/**
 * A row's exp(−score) once a tree is added: the product, or the exponential itself where
 * the product nears the ends of the doubles (subnormal, zero or infinite products would lose
 * the digits a later tree that moves the score back needs).
 */
function nextExpNeg(product: number, score: number): number {
  return product > 1e-300 && product < 1e300 ? product : Math.exp(-score);
}
