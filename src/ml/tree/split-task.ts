// The split search of a level's nodes as a task: node j is searched by the map of chunk
// j mod chunks, from the histogram or the records the arguments carry (shared memory
// within a node), so the search runs on every worker instead of the thread that grows
// the tree. A node's split is a function of its sums alone: the partial holds each
// searched node's split at the node's place, and any merge order gives the same result.
// A detached node's search also partitions its records where they are into its children's
// (left then right), so the next level searches them without a pass over the view. The
// records are shared memory that every worker writes in place, which is why nodes detach only
// when the view is not spread over a cluster (train.ts): the partial carries no records.

import { sharedF64, sharedI32, sharedU8 } from "../../core/chunk.ts";
import type { Task } from "../../core/mr.ts";
import { Rng } from "../../core/rng.ts";
import type { FeatureSpec } from "./binning.ts";
import type { LevelPartial } from "./histogram.ts";
import { FloeError } from "../../core/errors.ts";
import { type DetachedTable, NodeBinsReader, RECORD_BINS_AT, type RecordStore, recordBins, recordStride } from "./node-bins.ts";
import { type FoundSplit, foundSplit, type SplitLimits, type SplitRules, searchSplit } from "./split.ts";
import { leftBit } from "./tree.ts";
import type { TreeChunk } from "./view.ts";

export interface SplitSearchArgs {
  /** Level partials holding records, and whole histogram arrays holding dense nodes' bins. */
  readonly parts: readonly LevelPartial[];
  readonly hists: readonly Float64Array[];
  /** Chunks of the view: node j is searched by chunk j mod chunks. */
  readonly chunks: number;
  /**
   * Per node: where its sums are (source ≥ 0: records of level partial `source`, slot
   * `slot`; source < 0: a dense histogram in hists[−1 − source], feature entry e at bin
   * `entryAt[e]` of it), its class, its totals (real units), the seed state of its random
   * thresholds (NaN: the best threshold) and its features, entries
   * [featureStart[j], featureStart[j + 1]) of `features` and `entryAt`.
   */
  readonly source: Int32Array;
  readonly slot: Int32Array;
  readonly entryAt: Int32Array;
  readonly cls: Int32Array;
  readonly totals: Float64Array;
  readonly randomState: Float64Array;
  readonly featureStart: Int32Array;
  readonly features: Int32Array;
  readonly specs: readonly FeatureSpec[];
  readonly gScale: Float64Array;
  readonly hScale: Float64Array;
  readonly limits: SplitLimits;
  /**
   * Per node: 1 when detached (its records are in `records`, not in `source`): its split
   * search partitions its records into its children's, their row ids only; 2 when its
   * children may be searched too, so that its whole records are partitioned (in place: its
   * left child's records then start where its own did, its right child's after them).
   */
  readonly detached: Uint8Array;
  readonly records: DetachedTable;
  /** Missing bin of each feature. */
  readonly missingBin: Int32Array;
}

/** The splits found, per node: feature −1 when the node does not split. */
export interface FoundSplits {
  readonly searched: Uint8Array;
  readonly feature: Int32Array;
  readonly threshold: Int32Array;
  readonly naLeft: Uint8Array;
  /** gain, then the left child's g, h and rows: 4 a node. */
  readonly sums: Float64Array;
  /** The left-bin sets of the nodes split on a categorical feature, by node. */
  readonly bits: Map<number, Uint8Array>;
}

/** Split rules the search sets node by node. */
type MutableRules = { -readonly [K in keyof SplitRules]: SplitRules[K] };

/**
 * A partial of no node searched. Shared arrays and the sets of categorical splits only (an
 * array of a deep level's 100,000 nodes, mostly empty, took a worker 5 ms to send back).
 */
function emptyFound(nodes: number): FoundSplits {
  return {
    searched: sharedU8(nodes),
    feature: sharedI32(nodes).fill(-1),
    threshold: sharedI32(nodes),
    naLeft: sharedU8(nodes),
    sums: sharedF64(4 * nodes),
    bits: new Map(),
  };
}

function mergeFound(acc: FoundSplits, b: FoundSplits): void {
  for (let j = 0; j < acc.searched.length; j++) {
    if (!b.searched[j]) continue;
    acc.searched[j] = 1;
    acc.feature[j] = b.feature[j];
    acc.threshold[j] = b.threshold[j];
    acc.naLeft[j] = b.naLeft[j];
    for (let q = 0; q < 4; q++) acc.sums[4 * j + q] = b.sums[4 * j + q];
  }
  for (const [j, bits] of b.bits) acc.bits.set(j, bits);
}

/** A shared record store for `records` records of `width` features. */
export function recordStore(records: number, width: number): RecordStore {
  const stride = recordStride(width);
  return { words: new Int32Array(new SharedArrayBuffer(records * stride * 4)), stride };
}

/**
 * Partitions detached node j's records (`count` of them, `bins`: their store's recordBins)
 * where they are: the split's left records first (as many as its left count), then its
 * right ones; only their row ids unless `whole`. The order within a side is not kept: a
 * node's sums are sums of integers, the same in any order.
 */
function partitionRecords(t: DetachedTable, bins: Uint16Array, j: number, found: FoundSplit, count: number, missingBin: Int32Array, whole: boolean): void {
  const { words, stride } = t.stores[t.storeOf[j]];
  const first = t.storeAt[j];
  const mid = first + (found.n | 0);
  const end = first + (count | 0);
  const column = RECORD_BINS_AT + t.columnOf[found.feature];
  const mb = missingBin[found.feature];
  const naRight = found.naLeft ? 0 : 1;
  const thr = found.threshold;
  const bits = found.bits;
  const goesRight = (r: number) => {
    const b = bins[2 * r * stride + column];
    return bits ? 1 - leftBit(bits, 0, b) : b === mb ? naRight : +(b > thr);
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
  if (i !== mid || left !== mid - first) throw new FloeError("internal", `split search: a detached node's split sends ${left} rows left, its sums ${mid - first}`);
}

export const SplitSearchTask: Task<SplitSearchArgs, FoundSplits, TreeChunk> = {
  name: "ml.tree.split_search",
  commutative: true,
  map(c, a) {
    const out = emptyFound(a.slot.length);
    SplitSearchTask.mapInto?.(out, c, a);
    return out;
  },
  mapInto(out, c, a) {
    const reader = new NodeBinsReader(a.specs.reduce((m, s) => Math.max(m, s.valueBins + 1), 1));
    // One reader, feature list, rule set and result for every node this chunk searches: the
    // current node's place is in these locals, which binsOf reads.
    const features: number[] = [];
    const found = foundSplit();
    const rules: MutableRules = { ...a.limits, gScale: 1, hScale: 1, random: null };
    const storeBins = a.records.stores.map(recordBins);
    let src = 0;
    let slot = 0;
    let e0 = 0;
    let j = 0;
    const binsOf = (f: number, e: number) =>
      a.detached[j]
        ? reader.readDetached(a.records, storeBins[a.records.storeOf[j]], j, f, a.totals[3 * j + 2])
        : src >= 0
          ? reader.readRows(a.parts[src], slot, e)
          : reader.readDense(a.hists[-1 - src], a.entryAt[e0 + e], a.specs[f].valueBins + 1);
    const minRows = 2 * a.limits.minRows;
    for (j = c.index % a.chunks; j < a.slot.length; j += a.chunks) {
      e0 = a.featureStart[j];
      const e1 = a.featureStart[j + 1];
      features.length = 0;
      for (let e = e0; e < e1; e++) features.push(a.features[e]);
      src = a.source[j];
      slot = a.slot[j];
      const k = a.cls[j];
      const state = a.randomState[j];
      rules.gScale = a.gScale[k];
      rules.hScale = a.hScale[k];
      rules.random = Number.isNaN(state) ? null : new Rng(state);
      out.searched[j] = 1;
      if (!searchSplit(binsOf, a.specs, features, a.totals[3 * j], a.totals[3 * j + 1], a.totals[3 * j + 2], rules, found)) continue;
      out.feature[j] = found.feature;
      out.threshold[j] = found.threshold;
      out.naLeft[j] = found.naLeft ? 1 : 0;
      out.sums[4 * j] = found.gain;
      out.sums[4 * j + 1] = found.g;
      out.sums[4 * j + 2] = found.h;
      out.sums[4 * j + 3] = found.n;
      if (found.bits) out.bits.set(j, found.bits);
      const rows = a.totals[3 * j + 2];
      if (a.detached[j]) {
        const whole = a.detached[j] === 2 && (found.n >= minRows || rows - found.n >= minRows);
        partitionRecords(a.records, storeBins[a.records.storeOf[j]], j, found, rows, a.missingBin, whole);
      }
    }
  },
  reduce(a, b) {
    const out = emptyFound(a.searched.length);
    mergeFound(out, a);
    mergeFound(out, b);
    return out;
  },
  mergeInto: mergeFound,
  empty: (a) => emptyFound(a.slot.length),
};
