// The split search of a level's nodes as a task: node j is searched by the map of chunk
// j mod chunks, from the histogram or the records the arguments carry (shared memory
// within a node), so the search runs on every worker instead of the thread that grows
// the tree. A node's split is a function of its sums alone: the partial holds each
// searched node's split at the node's place, and any merge order gives the same result.
// (Detached nodes grow their whole subtrees elsewhere: subtree-task.ts.)

import { sharedF64, sharedI32, sharedU8 } from "../../core/chunk.ts";
import type { Task } from "../../core/mr.ts";
import { Rng } from "../../core/rng.ts";
import type { FeatureSpec } from "./binning.ts";
import type { LevelPartial } from "./histogram.ts";
import { NodeBinsReader } from "./node-bins.ts";
import { foundSplit, type SplitLimits, type SplitRules, searchSplit } from "./split.ts";
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
    let src = 0;
    let slot = 0;
    let e0 = 0;
    let j = 0;
    const binsOf = (f: number, e: number) => (src >= 0 ? reader.readRows(a.parts[src], slot, e) : reader.readDense(a.hists[-1 - src], a.entryAt[e0 + e], a.specs[f].valueBins + 1));
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
