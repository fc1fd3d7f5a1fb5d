// Detached subtrees grown whole on the workers: a detached node (grower.ts) has its rows'
// records in a shared store, so one map grows its entire subtree, breadth first, without a
// round trip a level: each node's split is searched from its records' bins, and its records
// are partitioned where they are into its children's (left then right), which stay in cache
// while their own subtrees grow. The grower then adds each subtree to its tree whole, in
// the roots' order (grower.ts graft). Each root is grown by the map of the chunk that owns
// it (chunks are handed to whichever worker is free, and the grower gives them near-equal
// rows); the draws of a node depend on its key (draws.ts), never on the order nodes get
// ids in, so the subtree is the one level passes would grow. The records are shared memory that the
// workers write in place, which is why nodes detach only on one node's view (train.ts).

import { sharedF64, sharedI32, sharedU8 } from "../../core/chunk.ts";
import { FloeError } from "../../core/errors.ts";
import type { Task } from "../../core/mr.ts";
import { Rng } from "../../core/rng.ts";
import type { FeatureSpec } from "./binning.ts";
import { type NodeDraws, nodeFeatures, nodeRandomState } from "./draws.ts";
import { NodeBinsReader, RECORD_BINS_AT, type RecordStore, recordBins, recordStride } from "./node-bins.ts";
import { type FoundSplit, foundSplit, type SplitLimits, type SplitRules, searchSplit } from "./split.ts";
import { leftBit } from "./tree.ts";
import type { TreeChunk } from "./view.ts";

export interface SubtreeArgs {
  /** Record stores; root j's records are stores[storeOf[j]]'s from storeAt[j] (as many as its rows). */
  readonly stores: readonly RecordStore[];
  readonly storeOf: Int32Array;
  readonly storeAt: Int32Array;
  /** Each feature's column among the records' bins (the tree's features; −1: not among them). */
  readonly columnOf: Int32Array;
  /** The chunk whose map grows each root. */
  readonly owner: Int32Array;
  /** Per root: its class, its key's number (draws.ts; a root roots its key), depth and totals (g, h real units, then rows: 3 a root). */
  readonly cls: Int32Array;
  readonly key: Int32Array;
  readonly depth: Int32Array;
  readonly totals: Float64Array;
  readonly specs: readonly FeatureSpec[];
  readonly gScale: Float64Array;
  readonly hScale: Float64Array;
  readonly limits: SplitLimits;
  readonly maxDepth: number;
  readonly draws: NodeDraws;
  readonly missingBin: Int32Array;
}

/**
 * Subtrees one chunk's map grew: subtree s is root roots[s]'s, its nodes from start[s] to
 * start[s + 1] in local order (breadth first, left child first; local 0 is the root). A node
 * is a leaf (feature −1) or a split, with its left child's local index and its gain and
 * left child's sums.
 */
export interface GrownSubtrees {
  readonly roots: Int32Array;
  readonly start: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Int32Array;
  readonly naLeft: Uint8Array;
  readonly left: Int32Array;
  /** gain, then the left child's g, h and rows: 4 a node. */
  readonly sums: Float64Array;
  /** Left-bin sets of categorical splits, by node index. */
  readonly bits: Map<number, Uint8Array>;
}

/** A growable column of numbers, kept between maps (a thread maps one chunk at a time). */
class Column<T extends Int32Array | Float64Array | Uint8Array> {
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}

  room(n: number): T {
    if (this.data.length < n) {
      const wider = this.make(Math.max(n, 2 * this.data.length));
      wider.set(this.data);
      this.data = wider;
    }
    return this.data;
  }
}

const i32 = (n: number) => new Int32Array(n);
const f64 = (n: number) => new Float64Array(n);
// Results of a map, and the nodes being grown (where their records are, depth, totals).
const featureCol = new Column(i32(0), i32);
const thresholdCol = new Column(i32(0), i32);
const naLeftCol = new Column(new Uint8Array(0), (n) => new Uint8Array(n));
const leftCol = new Column(i32(0), i32);
const sumsCol = new Column(f64(0), f64);
const atCol = new Column(i32(0), i32);
const depthCol = new Column(i32(0), i32);
const statsCol = new Column(f64(0), f64);

/**
 * Partitions records [first, first + count) of a store where they are: the split's left
 * records first (as many as its left count), then its right ones; only their row ids unless
 * `whole`. The order within a side is not kept: a node's sums are sums of integers.
 */
function partitionRecords(store: RecordStore, bins: Uint16Array, first: number, count: number, found: FoundSplit, column: number, missingBin: number, whole: boolean): void {
  const { words, stride } = store;
  const mid = first + (found.n | 0);
  const end = first + count;
  const naRight = found.naLeft ? 0 : 1;
  const thr = found.threshold;
  const bits = found.bits;
  const goesRight = (r: number) => {
    const b = bins[2 * r * stride + column];
    return bits ? 1 - leftBit(bits, 0, b) : b === missingBin ? naRight : +(b > thr);
  };
  // Hoare's partition: a right record before mid trades places with a left one from mid on.
  let i = first;
  let k = end - 1;
  for (;;) {
    while (i < mid && goesRight(i) === 0) i++;
    if (i === mid) break;
    while (k >= mid && goesRight(k) === 1) k--;
    if (k < mid) break;
    for (let q = whole ? 0 : 2, last = whole ? stride : 3, x = i * stride, y = k * stride; q < last; q++) {
      const v = words[x + q];
      words[x + q] = words[y + q];
      words[y + q] = v;
    }
    i++;
    k--;
  }
  // Every record was read once, but for those of [mid, k]: they must all go right.
  let left = i - first;
  for (let r = mid; r <= k; r++) left += 1 - goesRight(r);
  if (i !== mid || left !== mid - first) throw new FloeError("internal", `subtree growth: a split sends ${left} rows left, its sums ${mid - first}`);
}

/** Rules the search sets node by node. */
type MutableRules = { -readonly [K in keyof SplitRules]: SplitRules[K] };

/** Grows the subtrees of the roots this chunk owns. */
function growSubtrees(c: TreeChunk, a: SubtreeArgs): GrownSubtrees {
  const reader = new NodeBinsReader(a.specs.reduce((m, s) => Math.max(m, s.valueBins + 1), 1));
  const found = foundSplit();
  const rules: MutableRules = { ...a.limits, gScale: 1, hScale: 1, random: null };
  const storeBins = a.stores.map(recordBins);
  const minRows = 2 * a.limits.minRows;
  const roots: number[] = [];
  const starts: number[] = [0];
  const bits = new Map<number, Uint8Array>();
  let nodes = 0;
  // The node being searched: its store and records, read by binsOf.
  let store = a.stores[0];
  let bins = storeBins[0];
  let at = 0;
  let rows = 0;
  const binsOf = (f: number) => reader.readRecords(store, bins, at, rows, RECORD_BINS_AT + a.columnOf[f]);
  for (let j = 0; j < a.cls.length; j++) {
    if (a.owner[j] !== c.index) continue;
    const k = a.cls[j];
    store = a.stores[a.storeOf[j]];
    bins = storeBins[a.storeOf[j]];
    rules.gScale = a.gScale[k];
    rules.hScale = a.hScale[k];
    const base = nodes;
    // Local node x is node base + x; its children are made in pairs at the end (breadth first).
    let made = 1;
    atCol.room(base + 1)[base] = a.storeAt[j];
    depthCol.room(base + 1)[base] = a.depth[j];
    const stats0 = statsCol.room(3 * (base + 1));
    stats0[3 * base] = a.totals[3 * j];
    stats0[3 * base + 1] = a.totals[3 * j + 1];
    stats0[3 * base + 2] = a.totals[3 * j + 2];
    for (let x = 0; x < made; x++) {
      const i = base + x;
      const feature = featureCol.room(i + 1);
      thresholdCol.room(i + 1);
      naLeftCol.room(i + 1);
      leftCol.room(i + 1)[i] = -1;
      sumsCol.room(4 * (i + 1));
      feature[i] = -1;
      const depth = depthCol.data[i];
      const st = statsCol.data;
      const g = st[3 * i];
      const h = st[3 * i + 1];
      const n = st[3 * i + 2];
      if (!(depth < a.maxDepth && n >= minRows)) continue;
      const features = nodeFeatures(a.draws, k, a.key[j], x, depth);
      const state = nodeRandomState(a.draws, k, a.key[j], x);
      rules.random = state === null ? null : new Rng(state);
      at = atCol.data[i];
      rows = n;
      if (!searchSplit(binsOf, a.specs, features, g, h, n, rules, found)) continue;
      feature[i] = found.feature;
      thresholdCol.data[i] = found.threshold;
      naLeftCol.data[i] = found.naLeft ? 1 : 0;
      const sums = sumsCol.data;
      sums[4 * i] = found.gain;
      sums[4 * i + 1] = found.g;
      sums[4 * i + 2] = found.h;
      sums[4 * i + 3] = found.n;
      if (found.bits) bits.set(i, found.bits);
      const whole = depth + 1 < a.maxDepth && (found.n >= minRows || n - found.n >= minRows);
      partitionRecords(store, bins, at, n | 0, found, RECORD_BINS_AT + a.columnOf[found.feature], a.missingBin[found.feature], whole);
      const l = base + made;
      leftCol.data[i] = made;
      made += 2;
      const atOf = atCol.room(l + 2);
      const depthOf = depthCol.room(l + 2);
      const child = statsCol.room(3 * (l + 2));
      atOf[l] = at;
      atOf[l + 1] = at + (found.n | 0);
      depthOf[l] = depth + 1;
      depthOf[l + 1] = depth + 1;
      child[3 * l] = found.g;
      child[3 * l + 1] = found.h;
      child[3 * l + 2] = found.n;
      child[3 * l + 3] = g - found.g;
      child[3 * l + 4] = h - found.h;
      child[3 * l + 5] = n - found.n;
    }
    nodes = base + made;
    roots.push(j);
    starts.push(nodes);
  }
  const out: GrownSubtrees = {
    roots: Int32Array.from(roots),
    start: Int32Array.from(starts),
    feature: sharedI32(nodes),
    threshold: sharedI32(nodes),
    naLeft: sharedU8(nodes),
    left: sharedI32(nodes),
    sums: sharedF64(4 * nodes),
    bits,
  };
  out.feature.set(featureCol.data.subarray(0, nodes));
  out.threshold.set(thresholdCol.data.subarray(0, nodes));
  out.naLeft.set(naLeftCol.data.subarray(0, nodes));
  out.left.set(leftCol.data.subarray(0, nodes));
  out.sums.set(sumsCol.data.subarray(0, 4 * nodes));
  return out;
}

/** A shared record store for `records` records of `width` features. */
export function recordStore(records: number, width: number): RecordStore {
  const stride = recordStride(width);
  return { words: new Int32Array(new SharedArrayBuffer(records * stride * 4)), stride };
}

export const SubtreeTask: Task<SubtreeArgs, GrownSubtrees[], TreeChunk> = {
  name: "ml.tree.subtrees",
  map: (c, a) => [growSubtrees(c, a)],
  reduce: (a, b) => [...a, ...b],
  empty: () => [],
};
