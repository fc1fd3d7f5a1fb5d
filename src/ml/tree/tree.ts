// A fitted tree as flat arrays of node records, in bin space: cheap to route rows
// through, to save and to send. A row goes left at node n when
//   categorical  bit `bin` of the set at byte catOffset[n] of catBits is 1 (leftBit;
//                the missing bin is one of the bins)
//   numeric      bin === missing ? naLeft[n] === 1 : bin <= threshold[n]
// Leaves have feature −1 and hold `value`, the raw-score increment (learn rate applied).
// `cover` is what TreeSHAP weighs a node's branches by: the hessian sum of the node's
// training rows for XGBoost (XGBoost's cover), their count for GBM and DRF (in-bag rows).
// Children are made in pairs, so right[n] = left[n] + 1 (routing adds 0 or 1, no branch).

import { sharedI32 } from "../../core/chunk.ts";

export interface Tree {
  readonly feature: Int32Array;
  readonly threshold: Int32Array;
  readonly naLeft: Uint8Array;
  /** Byte offset of a categorical node's left-bin set in `catBits` (one bit a bin); −1 numeric. */
  readonly catOffset: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  /** Categorical nodes' left-bin sets, one bit a bin (bin b: bit b & 7 of byte b >> 3), each from its byte catOffset. */
  readonly catBits: Uint8Array;
  /** Absent in trees of model files written before contributions (they cannot give them). */
  readonly cover?: Float64Array;
}

/** Bytes of a left-bin set over `bins` bins. */
export function bitsetBytes(bins: number): number {
  return (bins + 7) >> 3;
}

/** 1 when bin `b` is in the left-bin set at byte `at` of `bits`, else 0. */
export function leftBit(bits: Uint8Array, at: number, b: number): number {
  return (bits[at + (b >> 3)] >> (b & 7)) & 1;
}

/** Rows a bin of its feature a node needs before its rows go by a splitDirections table. */
export const DIRECTION_TABLE_ROWS = 4;

let directions = new Uint8Array(0);

/**
 * The side each bin 0..mb of a split's feature sends its rows to (0 left, 1 right), as a
 * table (scratch, valid until the next call): a row's side is then one load from a table in
 * cache, not a comparison chain or a bit of a set a row. A categorical split (`off` >= 0)
 * sends a bin left when its bit is set (leftBit); a numeric one by threshold, the missing bin
 * `mb` by `na` (1: right). Worth making for a node with several rows a bin
 * (DIRECTION_TABLE_ROWS): the level passes' partition ran a tenth faster.
 */
export function splitDirections(bitsets: Uint8Array, off: number, thr: number, mb: number, na: number): Uint8Array {
  if (directions.length <= mb) directions = new Uint8Array(mb + 1);
  for (let b = 0; b <= mb; b++) directions[b] = off >= 0 ? 1 - leftBit(bitsets, off, b) : b === mb ? na : +(b > thr);
  return directions;
}

/**
 * A tree's nodes packed for routing rows: 4 ints a node (feature, then the threshold or the
 * categorical bitset's offset, the left child, and flags: 1 missing goes left, 2 categorical),
 * so that a step reads one cache line, not five arrays: deep trees route rows node by node.
 */
export interface Router {
  readonly nodes: Int32Array;
  readonly bitsets: Uint8Array;
}

/** A tree's router. */
function routerOf(t: Tree): Router {
  const n = t.feature.length;
  const nodes = sharedI32(4 * n);
  for (let i = 0; i < n; i++) {
    const cat = t.catOffset[i] >= 0;
    nodes[4 * i] = t.feature[i];
    nodes[4 * i + 1] = cat ? t.catOffset[i] : t.threshold[i];
    nodes[4 * i + 2] = t.left[i];
    nodes[4 * i + 3] = t.naLeft[i] | (cat ? 2 : 0);
  }
  return { nodes, bitsets: t.catBits };
}

const routerCache = new WeakMap<object, Router[][]>();

/**
 * The routers of trees (per iteration, per class), packed once per `owner` and kept as long
 * as it lives: a task's arguments (every chunk of a run shares them), or a model's trees
 * (built once on the thread that scores, then shared with the workers in the arguments).
 */
export function routersFor(owner: object, iterations: readonly (readonly Tree[])[]): Router[][] {
  let routers = routerCache.get(owner);
  if (!routers) {
    routers = iterations.map((trees) => trees.map(routerOf));
    routerCache.set(owner, routers);
  }
  return routers;
}

/** Rows of a node below which routeRowsGrouped walks each row down on its own (a split costs more). */
const FEW_ROWS = 4;

/** The leaf row i reaches from node n. */
function routeRow(nodes: Int32Array, sets: Uint8Array, bins: readonly Uint16Array[], missingBin: Int32Array, n: number, i: number): number {
  for (let f = nodes[4 * n]; f >= 0; f = nodes[4 * n]) {
    const b = bins[f][i];
    const at = nodes[4 * n + 1];
    const flags = nodes[4 * n + 3];
    const goRight = flags & 2 ? 1 - leftBit(sets, at, b) : b === missingBin[f] ? 1 - (flags & 1) : +(b > at);
    n = nodes[4 * n + 2] + goRight;
  }
  return n;
}

/** Nodes still to route in routeRowsGrouped: (node, from, to) triples, grown as needed. */
let groupStack = new Int32Array(3 * 64);

/**
 * routeRows for many rows of a deep tree: the rows are split down the tree a node at a time,
 * as the level passes split a node's rows (each node read once, a split's bins read in row
 * order), instead of each row walking from the root through nodes scattered in memory. The
 * rows rows[0, count) are reordered, leaves[j] then being rows[j]'s leaf; the split uses
 * leaves as scratch (a node's part of it is written only once the node is a leaf).
 */
export function routeRowsGrouped(r: Router, bins: readonly Uint16Array[], missingBin: Int32Array, rows: Int32Array, count: number, leaves: Int32Array): void {
  if (count === 0) return;
  const nodes = r.nodes;
  const sets = r.bitsets;
  let stack = groupStack;
  stack[0] = 0;
  stack[1] = 0;
  stack[2] = count;
  let top = 3;
  while (top > 0) {
    top -= 3;
    const n = stack[top];
    const from = stack[top + 1];
    const to = stack[top + 2];
    const f = nodes[4 * n];
    if (to - from <= FEW_ROWS) {
      for (let j = from; j < to; j++) leaves[j] = routeRow(nodes, sets, bins, missingBin, n, rows[j]);
      continue;
    }
    if (f < 0) {
      for (let j = from; j < to; j++) leaves[j] = n;
      continue;
    }
    const bf = bins[f];
    const at = nodes[4 * n + 1];
    const flags = nodes[4 * n + 3];
    const cat = (flags & 2) !== 0;
    const mb = missingBin[f];
    const na = 1 - (flags & 1);
    // Stable and branch-free (as the level passes' partition): every row is written to both
    // sides and one cursor advances.
    let l = from;
    let right = from;
    for (let j = from; j < to; j++) {
      const i = rows[j];
      const b = bf[i];
      const goRight = cat ? 1 - leftBit(sets, at, b) : b === mb ? na : +(b > at);
      rows[l] = i;
      leaves[right] = i;
      l += 1 - goRight;
      right += goRight;
    }
    for (let j = from, t = l; j < right; j++, t++) rows[t] = leaves[j];
    if (top + 6 > stack.length) {
      const grown = new Int32Array(2 * stack.length);
      grown.set(stack);
      stack = groupStack = grown;
    }
    const left = nodes[4 * n + 2];
    if (to > l) {
      stack[top++] = left + 1;
      stack[top++] = l;
      stack[top++] = to;
    }
    if (l > from) {
      stack[top++] = left;
      stack[top++] = from;
      stack[top++] = l;
    }
  }
}

/** Rows routed together: enough independent lookups to overlap their cache misses, few enough to stay in cache. */
const ROUTE_BLOCK = 256;

/**
 * The leaves rows land in: rows[j] (or j, when `rows` is null) for j < count, into leaves[j].
 * Rows go down a level at a time in blocks, so a block's lookups are independent and the
 * processor overlaps their cache misses (a deep tree's nodes do not fit in cache; one row's
 * path is a chain of dependent misses). `missingBin[f]` is feature f's missing bin.
 */
export function routeRows(r: Router, bins: readonly Uint16Array[], missingBin: Int32Array, rows: Int32Array | null, count: number, leaves: Int32Array): void {
  const nodes = r.nodes;
  const sets = r.bitsets;
  for (let s = 0; s < count; s += ROUTE_BLOCK) {
    const e = Math.min(count, s + ROUTE_BLOCK);
    leaves.fill(0, s, e);
    for (let moved = true; moved; ) {
      moved = false;
      for (let j = s; j < e; j++) {
        const n = leaves[j];
        const f = nodes[4 * n];
        if (f < 0) continue;
        moved = true;
        const b = bins[f][rows === null ? j : rows[j]];
        const at = nodes[4 * n + 1];
        const flags = nodes[4 * n + 3];
        const goRight = flags & 2 ? 1 - leftBit(sets, at, b) : b === missingBin[f] ? 1 - (flags & 1) : +(b > at);
        leaves[j] = nodes[4 * n + 2] + goRight;
      }
    }
  }
}
