// The split search of a level's nodes as a task: node j is searched by the map of chunk
// j mod chunks, from the histogram or the records the arguments carry (shared memory
// within a node), so the search runs on every worker instead of the thread that grows
// the tree. A node's split is a function of its sums alone: the partial holds each
// searched node's split at the node's place, and any merge order gives the same result.
// A detached node's search also writes its records again as its children's (left then
// right) in the partial, so the next level searches them without a pass over the view.

import type { Task } from "../../core/mr.ts";
import { Rng } from "../../core/rng.ts";
import type { FeatureSpec } from "./binning.ts";
import type { LevelPartial } from "./histogram.ts";
import { FloeError } from "../../core/errors.ts";
import { type DetachedTable, NodeBinsReader, type RecordStore } from "./node-bins.ts";
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
   * search writes its rows' ids again as its children's; 2 when its children may be searched
   * too, so that its whole records are written again.
   */
  readonly detached: Uint8Array;
  readonly records: DetachedTable;
  /**
   * Where detached node j's children's records go: `out` from record outAt[j] (the grower
   * reuses two such stores a tree, level after level). Locally `out` is shared memory; the
   * partial names it too, so a remote node's writes come back in its copy.
   */
  readonly out: RecordStore | null;
  readonly outAt: Int32Array;
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
  readonly bits: (Uint8Array | null)[];
  /**
   * Children's records of detached nodes that split: node j's left child's from record
   * moved[j] of stores[movedTo[j]] (−1: none), its right child's after them.
   */
  readonly stores: RecordStore[];
  readonly movedTo: Int32Array;
  readonly moved: Int32Array;
}

/** Split rules the search sets node by node. */
type MutableRules = { -readonly [K in keyof SplitRules]: SplitRules[K] };

function emptyFound(nodes: number): FoundSplits {
  return {
    searched: new Uint8Array(nodes),
    feature: new Int32Array(nodes).fill(-1),
    threshold: new Int32Array(nodes),
    naLeft: new Uint8Array(nodes),
    sums: new Float64Array(4 * nodes),
    bits: new Array(nodes).fill(null),
    stores: [],
    movedTo: new Int32Array(nodes).fill(-1),
    moved: new Int32Array(nodes),
  };
}

function mergeFound(acc: FoundSplits, b: FoundSplits): void {
  const shift = acc.stores.length;
  for (let j = 0; j < acc.searched.length; j++) {
    if (!b.searched[j]) continue;
    acc.searched[j] = 1;
    acc.feature[j] = b.feature[j];
    acc.threshold[j] = b.threshold[j];
    acc.naLeft[j] = b.naLeft[j];
    for (let q = 0; q < 4; q++) acc.sums[4 * j + q] = b.sums[4 * j + q];
    acc.bits[j] = b.bits[j];
    acc.movedTo[j] = b.movedTo[j] < 0 ? -1 : b.movedTo[j] + shift;
    acc.moved[j] = b.moved[j];
  }
  acc.stores.push(...b.stores);
}

/** Shared record columns for `records` records of `width` features. */
export function recordStore(records: number, width: number): RecordStore {
  return {
    qg: new Int32Array(new SharedArrayBuffer(records * 4)),
    qh: new Int32Array(new SharedArrayBuffer(records * 4)),
    row: new Int32Array(new SharedArrayBuffer(records * 4)),
    bins: Array.from({ length: width }, () => new Uint16Array(new SharedArrayBuffer(records * 2))),
  };
}

// Where each record of a node goes, kept between calls: a thread maps one chunk at a time.
let places = new Int32Array(0);

/**
 * Writes detached node j's records (`rows` of them) to `to` from `at`: the split's left rows
 * first (as many as its left count), then its right rows, each side in the order read; only
 * their row ids unless `whole`.
 */
function moveRecords(t: DetachedTable, j: number, found: FoundSplit, count: number, missingBin: Int32Array, to: RecordStore, at: number, whole: boolean): void {
  const rows = count | 0;
  const left = found.n | 0;
  const from = t.stores[t.storeOf[j]];
  const start = t.storeAt[j];
  const column = from.bins[t.columnOf[found.feature]];
  const mb = missingBin[found.feature];
  const naRight = found.naLeft ? 0 : 1;
  const thr = found.threshold;
  const bits = found.bits;
  if (places.length < rows) places = new Int32Array(rows);
  const place = places;
  // Each record's place, without a branch a record (the sides are a coin toss to the processor).
  let l = at;
  let r = at + left;
  for (let q = 0; q < rows; q++) {
    const b = column[start + q];
    const goRight = bits ? 1 - leftBit(bits, 0, b) : b === mb ? naRight : +(b > thr);
    place[q] = l + goRight * (r - l);
    r += goRight;
    l += 1 - goRight;
  }
  if (l !== at + left || r !== at + rows) throw new FloeError("internal", `split search: a detached node's split sends ${l - at} rows left, its sums ${left}`);
  moveI32(place, from.row, to.row, start, rows);
  if (!whole) return;
  moveI32(place, from.qg, to.qg, start, rows);
  moveI32(place, from.qh, to.qh, start, rows);
  for (let c = 0; c < from.bins.length; c++) moveU16(place, from.bins[c], to.bins[c], start, rows);
}

/** from[start + q] to to[place[q]] for q < rows. */
function moveI32(place: Int32Array, from: Int32Array, to: Int32Array, start: number, rows: number): void {
  for (let q = 0; q < rows; q++) to[place[q]] = from[start + q];
}

function moveU16(place: Int32Array, from: Uint16Array, to: Uint16Array, start: number, rows: number): void {
  for (let q = 0; q < rows; q++) to[place[q]] = from[start + q];
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
    const binsOf = (f: number, e: number) =>
      a.detached[j]
        ? reader.readDetached(a.records, j, f, a.totals[3 * j + 2])
        : src >= 0
          ? reader.readRows(a.parts[src], slot, e)
          : reader.readDense(a.hists[-1 - src], a.entryAt[e0 + e], a.specs[f].valueBins + 1);
    const to = a.out;
    let named = false;
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
      out.bits[j] = found.bits;
      const rows = a.totals[3 * j + 2];
      if (to && a.detached[j]) {
        const whole = a.detached[j] === 2 && (found.n >= minRows || rows - found.n >= minRows);
        moveRecords(a.records, j, found, rows, a.missingBin, to, a.outAt[j], whole);
        if (!named) out.stores.push(to);
        named = true;
        out.movedTo[j] = out.stores.length - 1;
        out.moved[j] = a.outAt[j];
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
