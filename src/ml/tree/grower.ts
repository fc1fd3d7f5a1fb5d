// The grower: grows the trees of one iteration (one a class) level by level. Each level
// is one LevelTask over the view (rows move to their children, histograms of the nodes
// to split are summed), then the splits are chosen here from histograms alone. When
// every node uses the tree's features, only the smaller of two siblings is built and the
// larger is its parent minus it. A node with fewer rows than bins comes back as its rows'
// records instead of a dense histogram (node-bins.ts), so a deep level costs its rows.
// When nodes draw their own features, a node of at most KEY_ROWS rows under a larger one is
// detached: its rows leave the view's partition as records of every tree feature, and a
// worker grows its whole subtree from them (subtree-task.ts), so the deep levels of small
// nodes need no pass over the view and no round trip. The grower adds each grown subtree to
// its tree whole (its nodes numbered after the tree's, breadth first), and the rows' leaves
// reach the view with the tree's last splits (SplitTable.leafOfRow).

import { sharedF64, sharedI32, sharedU8 } from "../../core/chunk.ts";
import { FloeError } from "../../core/errors.ts";
import { collectGarbage } from "../../core/memory.ts";
import type { Chunked, Executor } from "../../core/mr.ts";
import { Rng } from "../../core/rng.ts";
import { type FeatureSpec, totalBins } from "./binning.ts";
import { type LevelPartial, LevelTask, MAX_PASS_BYTES, type RootArgs, recordBytes } from "./histogram.ts";
import { drawsFeatures, KEY_ROWS, type NodeDraws, nodeFeatures, nodeRandomState } from "./draws.ts";
import { type DenseHistogram, type DetachedHistogram, NodeBinsReader, type NodeHistogram, quantizedTotals, RECORD_BINS_AT, type RecordStore, recordBins, subtractInto } from "./node-bins.ts";
import type { SplitTable } from "./rows.ts";
import { bestSplit, type NodeStats, type Split, type SplitLimits } from "./split.ts";
import { SplitSearchTask } from "./split-task.ts";
import { type GrownSubtrees, recordStore, SubtreeTask } from "./subtree-task.ts";
import type { Tree } from "./tree.ts";
import type { TreeChunk } from "./view.ts";

/** Bytes of level-pass partials a tree may leave as garbage before its end asks for a collection (core/memory.ts collectGarbage). */
const COLLECT_AFTER_BYTES = 64 * 1024 ** 2;

/** Levels with at least this many nodes to split are searched on the workers (fewer: here, without a round trip). */
const WORKER_SEARCH_NODES = 64;

export interface GrowSpec {
  readonly specs: readonly FeatureSpec[];
  readonly classes: number;
  readonly maxDepth: number;
  readonly limits: SplitLimits;
  readonly root: RootArgs;
  /** Features the tree may use (col_sample_rate_per_tree), ascending. */
  readonly treeFeatures: readonly number[];
  /** How nodes draw the features they may split on (mtries, col_sample_rate) and their random thresholds. */
  readonly draws: NodeDraws;
  /**
   * Whether the larger of two siblings is its parent minus the smaller (every node has the
   * tree's features, so their histograms line up), instead of both being built.
   */
  readonly subtractSiblings: boolean;
  /**
   * Most leaves a tree may have (0: no limit). With a limit the tree grows best-first
   * (XGBoost's lossguide): the leaf whose split gains most is split next, ties to the lower
   * node id, instead of level by level.
   */
  readonly maxLeaves: number;
  /**
   * Whether nodes detach, when nodes draw their own features: a node of at most KEY_ROWS
   * rows under a larger one (a key's root, draws.ts) then has its subtree grown from its
   * rows' records on a worker, without passes over the view. The same tree either way.
   */
  readonly detach: boolean;
  /**
   * Whether the view is all on this node, so this thread can read the records a level pass
   * hands back: a level of few nodes is then searched here even where some nodes are summed
   * from records (a flights GBM tree's split search took 5.2 ms through a task on the
   * workers, mostly round trips, and takes 1.4 ms here).
   */
  readonly recordsHere: boolean;
  /**
   * Whether the rows of a detached node's leaves are told their leaf (the in-bag rows are
   * to be scored: SplitTable.leafOfRow); DRF's need not once its scores are out-of-bag.
   */
  readonly inBagLeaves: boolean;
  /** The value of a leaf with these totals in class k's tree. */
  readonly leafValue: (stats: NodeStats, k: number) => number;
  /** A node's cover (TreeSHAP's weight) from its totals: the hessian sum for XGBoost, the row count for H2O's trees. */
  readonly coverOf: (stats: NodeStats) => number;
  readonly signal?: AbortSignal;
}

export interface Grown {
  readonly trees: Tree[];
  /** Σ split gain per feature: the raw variable importance of these trees. */
  readonly gains: Float64Array;
  /** Σ hessian of the split nodes per feature (XGBoost's cover), and splits per feature. */
  readonly cover: Float64Array;
  readonly splits: Float64Array;
  /**
   * Splits of the last level, not yet applied to the view's rows: finishRows applies them
   * and gives every in-bag row its leaf (ScoreTask does, to add the trees cheaply).
   */
  readonly pending: SplitTable | null;
}

interface Active {
  readonly k: number;
  readonly node: number;
  readonly depth: number;
  readonly stats: NodeStats;
  /** Built in this level's pass, or its parent's minus its sibling's, or a detached node's records. */
  hist: NodeHistogram | null;
}

/**
 * A node a level pass sums: its rows (as its split counted them; −1 unknown, the root) and
 * features; `detach`: whether it is detached (`features` are then the
 * tree's, the records' bins).
 */
interface Build {
  readonly k: number;
  readonly node: number;
  readonly rows: number;
  readonly features: readonly number[];
  readonly detach: boolean;
}

/** The sums of a node that is not detached (split searches read them). */
type SummedHistogram = Exclude<NodeHistogram, DetachedHistogram>;

/**
 * A tree's nodes as they grow, a column a field (a node is an index, children come in
 * pairs): a deep tree has hundreds of thousands of nodes, and no object is made for one.
 * A new node is a leaf: feature −1, value and cover given.
 */
class GrowingTree {
  size = 0;
  feature = new Int32Array(64);
  threshold = new Int32Array(64);
  naLeft = new Uint8Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  value = new Float64Array(64);
  cover = new Float64Array(64);
  /** Per node: 1 + its left-bin set's index in `sets` (categorical splits), 0 for none. */
  cat = new Int32Array(64);
  readonly sets: Uint8Array[] = [];
  /**
   * Per node: its key's root node and its local index in the key (draws.ts); for a key's
   * root, the key's number (draws name it by) and the local index its next child gets.
   */
  keyRoot = new Int32Array(64);
  keyLocal = new Int32Array(64);
  keyNumber = new Int32Array(64);
  keyNext = new Int32Array(64);
  /** Keys numbered so far (the root's is 0). */
  private keys = 0;

  constructor() {
    this.addLeaf(0, 0);
  }

  addLeaf(value: number, cover: number): number {
    if (this.size === this.feature.length) this.grow();
    const i = this.size++;
    this.feature[i] = -1;
    this.left[i] = -1;
    this.right[i] = -1;
    this.value[i] = value;
    this.cover[i] = cover;
    return i;
  }

  /**
   * Node i (of `rows` rows) becomes a split on `feature` with children `left` and left + 1,
   * which get their keys: their own under the tree's root or a node of more than KEY_ROWS
   * rows, else the next two local indices of i's key.
   */
  setSplit(i: number, feature: number, threshold: number, naLeft: boolean, bits: Uint8Array | null, left: number, rows: number): void {
    this.feature[i] = feature;
    this.threshold[i] = threshold;
    this.naLeft[i] = naLeft ? 1 : 0;
    this.left[i] = left;
    this.right[i] = left + 1;
    if (bits) this.cat[i] = this.sets.push(bits);
    for (let side = 0; side < 2; side++) {
      const c = left + side;
      if (i === 0 || rows > KEY_ROWS) {
        this.keyRoot[c] = c;
        this.keyLocal[c] = 0;
        this.keyNumber[c] = ++this.keys;
        this.keyNext[c] = 1;
      } else {
        const root = this.keyRoot[i];
        this.keyRoot[c] = root;
        this.keyLocal[c] = this.keyNext[root]++;
      }
    }
  }

  private grow(): void {
    const n = 2 * this.feature.length;
    const widen = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.feature = widen(this.feature, (m) => new Int32Array(m));
    this.threshold = widen(this.threshold, (m) => new Int32Array(m));
    this.naLeft = widen(this.naLeft, (m) => new Uint8Array(m));
    this.left = widen(this.left, (m) => new Int32Array(m));
    this.right = widen(this.right, (m) => new Int32Array(m));
    this.value = widen(this.value, (m) => new Float64Array(m));
    this.cover = widen(this.cover, (m) => new Float64Array(m));
    this.cat = widen(this.cat, (m) => new Int32Array(m));
    this.keyRoot = widen(this.keyRoot, (m) => new Int32Array(m));
    this.keyLocal = widen(this.keyLocal, (m) => new Int32Array(m));
    this.keyNumber = widen(this.keyNumber, (m) => new Int32Array(m));
    this.keyNext = widen(this.keyNext, (m) => new Int32Array(m));
  }

  /** The fitted tree (shared memory: it reaches the workers that score with it without a copy). */
  toTree(): Tree {
    const n = this.size;
    let bitsLength = 0;
    for (const b of this.sets) bitsLength += b.length;
    const copy = <T extends Int32Array | Uint8Array | Float64Array>(out: T, from: T): T => {
      out.set(from.subarray(0, n));
      return out;
    };
    const t: Tree = {
      feature: copy(sharedI32(n), this.feature),
      threshold: copy(sharedI32(n), this.threshold),
      naLeft: copy(sharedU8(n), this.naLeft),
      catOffset: sharedI32(n).fill(-1),
      left: copy(sharedI32(n), this.left),
      right: copy(sharedI32(n), this.right),
      value: copy(sharedF64(n), this.value),
      catBits: sharedU8(bitsLength),
      cover: copy(sharedF64(n), this.cover),
    };
    // Sets in node order, each from its byte catOffset.
    let offset = 0;
    for (let i = 0; i < n; i++) {
      if (this.cat[i] === 0) continue;
      const b = this.sets[this.cat[i] - 1];
      t.catOffset[i] = offset;
      t.catBits.set(b, offset);
      offset += b.length;
    }
    return t;
  }
}

/** A split made: the node, its split and its children's ids. */
interface Made {
  readonly a: Active;
  readonly s: Split;
  readonly left: number;
  readonly right: number;
}

/**
 * Grows an iteration's trees. A deep tree's passes leave hundreds of MB behind (a partial a
 * worker a pass, and a node object a node): once they are garbage, that is once the growing
 * has returned and nothing holds its nodes and partials, a collection frees them.
 */
export async function growTrees(executor: Executor, view: Chunked<TreeChunk>, spec: GrowSpec): Promise<Grown> {
  const { grown, passBytes } = await growLevels(executor, view, spec);
  if (passBytes >= COLLECT_AFTER_BYTES) collectGarbage();
  return grown;
}

async function growLevels(executor: Executor, view: Chunked<TreeChunk>, spec: GrowSpec): Promise<{ grown: Grown; passBytes: number }> {
  const K = spec.classes;
  const F = spec.specs.length;
  const featureBins = Int32Array.from(spec.specs, totalBins);
  const missingBin = Int32Array.from(spec.specs, (s) => s.valueBins);
  /** Each feature's place among the tree's (the bins of a detached node's records), −1 for others. */
  const columnOf = sharedI32(F).fill(-1);
  spec.treeFeatures.forEach((f, c) => {
    columnOf[f] = c;
  });
  const nodes: GrowingTree[] = Array.from({ length: K }, () => new GrowingTree());
  const gains = new Float64Array(F);
  const cover = new Float64Array(F);
  const splitCounts = new Float64Array(F);
  const perNode = drawsFeatures(spec.draws);
  const keyOf = (k: number, node: number) => nodes[k].keyNumber[nodes[k].keyRoot[node]];
  const featuresOf = (k: number, node: number, depth: number) => (perNode ? nodeFeatures(spec.draws, k, keyOf(k, node), nodes[k].keyLocal[node], depth) : spec.treeFeatures);
  const randomStateOf = (k: number, node: number) => nodeRandomState(spec.draws, k, keyOf(k, node), nodes[k].keyLocal[node]);
  const binsOf = (features: readonly number[]) => {
    let sum = 0;
    for (let e = 0; e < features.length; e++) sum += featureBins[features[e]];
    return sum;
  };
  // A node whose records take no more bytes than its histogram is summed from its records:
  // they cost less to make, send, merge and read than a histogram's every bin.
  const byRows = (b: Build, features: readonly number[]) => b.rows >= 0 && b.rows * recordBytes(features.length) <= 24 * binsOf(features);
  let passBytes = 0;
  const W = spec.treeFeatures.length;
  /** Rows of the view: every global row id is below it. */
  const viewRows = view.chunks.reduce((m, c) => Math.max(m, c.start + c.rows), 0);
  /** Per class, by global row id: the leaf of each row of a detached node (−1 for other rows); empty until one is a leaf. */
  const leafOfRow: Int32Array[] = Array.from({ length: K }, () => new Int32Array(0));
  let detachedLeaves = false;
  /** Detached node `leaf` (class k) is a leaf: its rows, records [at, at + count) of `store`, end in it. */
  const detachedLeaf = (k: number, leaf: number, store: RecordStore, at: number, count: number) => {
    if (!spec.inBagLeaves) return;
    detachedLeaves = true;
    if (leafOfRow[k].length === 0) leafOfRow[k] = sharedI32(viewRows).fill(-1);
    const leaves = leafOfRow[k];
    const { words, stride } = store;
    for (let q = at * stride + 2, end = q + count * stride; q < end; q += stride) leaves[words[q]] = leaf;
  };

  /**
   * The records of a pass's detached slots, gathered from the workers' blocks (a record's
   * bins side by side) into one store of a column a feature: slot s's from at[s] to at[s + 1]
   * (null without detached slots).
   */
  const gatherDetached = (part: LevelPartial, build: readonly Build[], start: number, slots: number, recordStart: Int32Array, binStart: Int32Array) => {
    const at = new Int32Array(slots + 1);
    for (let slot = 0; slot < slots; slot++) {
      let n = 0;
      if (build[start + slot].detach) for (const block of part.blocks) n += block.filled[slot];
      at[slot + 1] = at[slot] + n;
    }
    if (at[slots] === 0) return null;
    const store = recordStore(at[slots], W);
    const { words, stride } = store;
    const bins = recordBins(store);
    for (let slot = 0; slot < slots; slot++) {
      if (at[slot + 1] === at[slot]) continue;
      let pos = at[slot];
      const r0 = recordStart[slot];
      const b0 = binStart[slot];
      for (const block of part.blocks) {
        const f = block.filled[slot];
        const { qg, qh, row, recordBin } = block;
        for (let r = 0, rb = b0; r < f; r++) {
          const w = (pos + r) * stride;
          words[w] = qg[r0 + r];
          words[w + 1] = qh[r0 + r];
          words[w + 2] = row[r0 + r];
          for (let c = 2 * w + RECORD_BINS_AT, end = c + W; c < end; c++, rb++) bins[c] = recordBin[rb];
        }
        pos += f;
      }
    }
    passBytes += at[slots] * 4 * stride;
    return { store, at };
  };

  const reader = new NodeBinsReader(featureBins.reduce((a, b) => Math.max(a, b), 1));

  // Level passes: `build` lists the (class, node) sums to make; `splits` moves rows first.
  const levelPass = async (build: readonly Build[], splits: SplitTable | null, root: RootArgs | null): Promise<NodeHistogram[]> => {
    const out: NodeHistogram[] = [];
    let start = 0;
    do {
      // A batch of nodes whose sums fit the budget (at least one node): its end first, then
      // its arguments filled in place, in shared memory (they reach the workers without a copy).
      let bytes = 0;
      let entries = 0;
      let end = start;
      for (; end < build.length; end++) {
        const b = build[end];
        const cost = b.detach || byRows(b, b.features) ? b.rows * recordBytes(b.features.length) : binsOf(b.features) * 24;
        if (end > start && bytes + cost > MAX_PASS_BYTES) break;
        bytes += cost;
        entries += b.features.length;
      }
      passBytes += bytes * executor.threads;
      const slots = end - start;
      const slotOf = nodes.map((ns) => sharedI32(ns.size).fill(-1));
      const slotEntry = sharedI32(slots + 1);
      const entryFeature = sharedI32(entries);
      const entryOffset = sharedI32(entries);
      const recordStart = sharedI32(slots);
      const recordCap = sharedI32(slots);
      const binStart = sharedI32(slots);
      const detach = sharedU8(slots);
      /** Where each dense slot's block starts in the pass's histogram. */
      const blockStart = new Int32Array(slots);
      let bins = 0;
      let records = 0;
      let recordBins = 0;
      let e = 0;
      for (let slot = 0; slot < slots; slot++) {
        const b = build[start + slot];
        const features = b.features;
        const rows = b.detach || byRows(b, features);
        slotOf[b.k][b.node] = slot;
        detach[slot] = b.detach ? 1 : 0;
        blockStart[slot] = bins;
        recordStart[slot] = rows ? records : -1;
        recordCap[slot] = rows ? b.rows : 0;
        binStart[slot] = rows ? recordBins : 0;
        for (let q = 0; q < features.length; q++, e++) {
          entryFeature[e] = features[q];
          entryOffset[e] = bins;
          if (!rows) bins += featureBins[features[q]];
        }
        if (rows) {
          records += b.rows;
          recordBins += b.rows * features.length;
        }
        slotEntry[slot + 1] = e;
      }
      const first = start === 0;
      const part: LevelPartial = await executor.run(
        LevelTask,
        view,
        {
          classes: K,
          root: first ? root : null,
          splits: first ? splits : null,
          slotOf,
          slots,
          slotEntry,
          entryFeature,
          entryOffset,
          bins,
          recordStart,
          recordCap,
          binStart,
          records,
          recordBins,
          missingBin,
          detach,
        },
        { signal: spec.signal },
      );
      const gathered = gatherDetached(part, build, start, slots, recordStart, binStart);
      for (let slot = 0; slot < slots; slot++) {
        const { features, detach } = build[start + slot];
        if (detach && gathered) {
          const at = gathered.at[slot];
          out.push({ kind: "detached", store: gathered.store, at });
          continue;
        }
        if (recordStart[slot] >= 0) {
          out.push({ kind: "rows", part, slot, features });
          continue;
        }
        const e0 = slotEntry[slot];
        const from = blockStart[slot];
        const at = new Int32Array(features.length);
        for (let q = 0; q < features.length; q++) at[q] = entryOffset[e0 + q] - from;
        out.push({ kind: "dense", data: part.hist.subarray(from * 3, (from + binsOf(features)) * 3), at, features });
      }
      start = end;
    } while (start < build.length);
    return out;
  };

  /** The best splits of these nodes, searched by the workers (SplitSearchTask). */
  const searchOnWorkers = async (search: readonly Active[]): Promise<(Split | null)[]> => {
    const parts: LevelPartial[] = [];
    const hists: Float64Array[] = [];
    const sources = new Map<object, number>();
    const m = search.length;
    const source = sharedI32(m);
    const slot = sharedI32(m);
    const cls = sharedI32(m);
    const totals = new Float64Array(new SharedArrayBuffer(3 * m * 8));
    const randomState = new Float64Array(new SharedArrayBuffer(m * 8));
    const featureStart = sharedI32(m + 1);
    for (let j = 0; j < m; j++) featureStart[j + 1] = featureStart[j] + (search[j].hist as SummedHistogram).features.length;
    const featureList = sharedI32(featureStart[m]);
    const entryAt = sharedI32(featureStart[m]);
    let lastKey: object | null = null;
    let at = 0;
    for (let j = 0; j < m; j++) {
      const a = search[j];
      const h = a.hist as SummedHistogram;
      // A dense node's bins are a view of a pass's histogram: send the whole array once.
      // Nodes of one source come together, so the map is asked once a source.
      const key = h.kind === "rows" ? h.part : h.data.buffer;
      if (key !== lastKey) {
        const known = sources.get(key);
        if (known === undefined) {
          at = h.kind === "rows" ? parts.push(h.part) - 1 : -hists.push(new Float64Array(h.data.buffer));
          sources.set(key, at);
        } else at = known;
        lastKey = key;
      }
      source[j] = at;
      slot[j] = h.kind === "rows" ? h.slot : 0;
      cls[j] = a.k;
      totals[3 * j] = a.stats.g;
      totals[3 * j + 1] = a.stats.h;
      totals[3 * j + 2] = a.stats.n;
      randomState[j] = randomStateOf(a.k, a.node) ?? Number.NaN;
      const e0 = featureStart[j];
      const fs = h.features;
      const first = h.kind === "dense" ? h.data.byteOffset / 24 : 0;
      for (let e = 0; e < fs.length; e++) {
        featureList[e0 + e] = fs[e];
        if (h.kind === "dense") entryAt[e0 + e] = first + h.at[e];
      }
    }
    const splits = await executor.run(
      SplitSearchTask,
      view,
      {
        parts,
        hists,
        chunks: view.chunks.length,
        source,
        slot,
        entryAt,
        cls,
        totals,
        randomState,
        featureStart,
        features: featureList,
        specs: spec.specs,
        gScale: spec.root.gScale,
        hScale: spec.root.hScale,
        limits: spec.limits,
      },
      { signal: spec.signal },
    );
    return search.map((a, j) => {
      const f = splits.feature[j];
      if (f < 0) return null;
      const left = { g: splits.sums[4 * j + 1], h: splits.sums[4 * j + 2], n: splits.sums[4 * j + 3] };
      const right = { g: a.stats.g - left.g, h: a.stats.h - left.h, n: a.stats.n - left.n };
      return { feature: f, gain: splits.sums[4 * j], threshold: splits.threshold[j], naLeft: splits.naLeft[j] === 1, bits: splits.bits.get(j) ?? null, left, right };
    });
  };

  const rootHists = await levelPass(
    Array.from({ length: K }, (_, k) => ({ k, node: 0, rows: -1, features: featuresOf(k, 0, 0), detach: false })),
    null,
    spec.root,
  );
  let active: Active[] = rootHists.map((hist, k) => {
    const dense = hist as DenseHistogram;
    const q = quantizedTotals(dense, featureBins[dense.features[0]]);
    return { k, node: 0, depth: 0, stats: { g: q.g * spec.root.gScale[k], h: q.h * spec.root.hScale[k], n: q.n }, hist };
  });
  for (const a of active) {
    nodes[a.k].value[0] = spec.leafValue(a.stats, a.k);
    nodes[a.k].cover[0] = spec.coverOf(a.stats);
  }

  const canSplit = (st: NodeStats, depth: number) => depth < spec.maxDepth && st.n >= 2 * spec.limits.minRows;
  const searchable = (a: Active) => canSplit(a.stats, a.depth) && a.hist !== null;

  /** The best split of node a, searched here. */
  const searchHere = (a: Active): Split | null => {
    const hist = a.hist as SummedHistogram;
    const state = randomStateOf(a.k, a.node);
    return bestSplit((f, j) => reader.read(hist, j, featureBins[f]), spec.specs, hist.features, a.stats, {
      ...spec.limits,
      gScale: spec.root.gScale[a.k],
      hScale: spec.root.hScale[a.k],
      random: state === null ? null : new Rng(state),
    });
  };

  /** Grows the whole subtrees of newly detached nodes on the workers (SubtreeTask) and adds them to their trees. */
  const growDetached = async (roots: readonly Active[]): Promise<void> => {
    const m = roots.length;
    const stores: RecordStore[] = [];
    const storeIndex = new Map<RecordStore, number>();
    const storeOf = sharedI32(m);
    const storeAt = sharedI32(m);
    const cls = sharedI32(m);
    const key = sharedI32(m);
    const depth = sharedI32(m);
    const totals = sharedF64(3 * m);
    for (let j = 0; j < m; j++) {
      const a = roots[j];
      const h = a.hist as DetachedHistogram;
      let s = storeIndex.get(h.store);
      if (s === undefined) {
        s = stores.push(h.store) - 1;
        storeIndex.set(h.store, s);
      }
      storeOf[j] = s;
      storeAt[j] = h.at;
      cls[j] = a.k;
      // A detached node roots its key.
      key[j] = nodes[a.k].keyNumber[a.node];
      depth[j] = a.depth;
      totals[3 * j] = a.stats.g;
      totals[3 * j + 1] = a.stats.h;
      totals[3 * j + 2] = a.stats.n;
    }
    const grown = await executor.run(
      SubtreeTask,
      view,
      {
        stores,
        storeOf,
        storeAt,
        columnOf,
        owner: ownersOf(roots, view.chunks.length),
        cls,
        key,
        depth,
        totals,
        specs: spec.specs,
        gScale: spec.root.gScale,
        hScale: spec.root.hScale,
        limits: spec.limits,
        maxDepth: spec.maxDepth,
        draws: spec.draws,
        missingBin,
      },
      { signal: spec.signal },
    );
    // In the roots' order, whichever chunk grew them: the same ids on any thread count.
    const grownAt: (readonly [GrownSubtrees, number])[] = [];
    for (const sub of grown) for (let t = 0; t < sub.roots.length; t++) grownAt[sub.roots[t]] = [sub, t];
    for (let j = 0; j < m; j++) graft(roots[j], ...grownAt[j]);
  };

  /** Per local node of the subtree being grafted: its totals (g, h, rows: 3 a node) and first record. */
  let graftStats = new Float64Array(0);
  let graftAt = new Int32Array(0);
  const scratch = { g: 0, h: 0, n: 0 };
  const statsAt = (x: number) => {
    scratch.g = graftStats[3 * x];
    scratch.h = graftStats[3 * x + 1];
    scratch.n = graftStats[3 * x + 2];
    return scratch;
  };

  /**
   * Adds subtree t of `sub`, grown for detached node a, to a's tree: a takes its root's split,
   * the other nodes come after the tree's (breadth first, children in pairs, as the worker
   * made them), and the rows of each leaf get it. The worker left a node's records in place,
   * its left child's first.
   */
  const graft = (a: Active, sub: GrownSubtrees, t: number) => {
    const ns = nodes[a.k];
    const { store, at } = a.hist as DetachedHistogram;
    const base = sub.start[t];
    const size = sub.start[t + 1] - base;
    if (graftAt.length < size) {
      graftAt = new Int32Array(2 * size);
      graftStats = new Float64Array(6 * size);
    }
    graftAt[0] = at;
    graftStats[0] = a.stats.g;
    graftStats[1] = a.stats.h;
    graftStats[2] = a.stats.n;
    // Local node x > 0 is node first + x − 1 of the tree.
    const first = ns.size;
    const { feature, threshold, naLeft, left: leftOf, sums, bits } = sub;
    const categorical = bits.size > 0;
    for (let x = 0; x < size; x++) {
      const i = base + x;
      const node = x === 0 ? a.node : first + x - 1;
      const n = graftStats[3 * x + 2];
      const f = feature[i];
      if (f < 0) {
        detachedLeaf(a.k, node, store, graftAt[x], n);
        continue;
      }
      const l = leftOf[i];
      graftStats[3 * l] = sums[4 * i + 1];
      graftStats[3 * l + 1] = sums[4 * i + 2];
      graftStats[3 * l + 2] = sums[4 * i + 3];
      graftStats[3 * l + 3] = graftStats[3 * x] - sums[4 * i + 1];
      graftStats[3 * l + 4] = graftStats[3 * x + 1] - sums[4 * i + 2];
      graftStats[3 * l + 5] = n - sums[4 * i + 3];
      graftAt[l] = graftAt[x];
      graftAt[l + 1] = graftAt[x] + sums[4 * i + 3];
      const left = ns.addLeaf(spec.leafValue(statsAt(l), a.k), spec.coverOf(statsAt(l)));
      if (left !== first + l - 1) throw new FloeError("internal", `grafting a subtree: its node ${l} became node ${left}, not ${first + l - 1}`);
      ns.addLeaf(spec.leafValue(statsAt(l + 1), a.k), spec.coverOf(statsAt(l + 1)));
      ns.setSplit(node, f, threshold[i], naLeft[i] === 1, categorical ? (bits.get(i) ?? null) : null, left, n);
      gains[f] += sums[4 * i];
      cover[f] += graftStats[3 * x + 1];
      splitCounts[f] += 1;
    }
  };

  /**
   * The best split of each node that may split (null where none gains, and for a detached
   * node, whose whole subtree a worker grows and the tree takes here), on the workers when
   * the level has many nodes or nodes summed from records, else here.
   */
  const chooseSplits = async (candidates: readonly Active[]): Promise<(Split | null)[]> => {
    const search: Active[] = [];
    const place: number[] = [];
    const detached: Active[] = [];
    let remote = false;
    for (let i = 0; i < candidates.length; i++) {
      const a = candidates[i];
      if (!searchable(a)) continue;
      if (a.hist?.kind === "detached") {
        detached.push(a);
        continue;
      }
      search.push(a);
      place.push(i);
      // Records are read where they are.
      if (a.hist?.kind === "rows" && !spec.recordsHere) remote = true;
    }
    if (detached.length > 0) await growDetached(detached);
    remote ||= search.length >= WORKER_SEARCH_NODES;
    const found = remote ? await searchOnWorkers(search) : search.map((a) => searchHere(a));
    const out: (Split | null)[] = new Array(candidates.length).fill(null);
    for (let j = 0; j < search.length; j++) out[place[j]] = found[j];
    return out;
  };

  /** Splits node a: its children become leaves with their own values. */
  const applySplit = (a: Active, s: Split): Made => {
    const ns = nodes[a.k];
    const left = ns.addLeaf(spec.leafValue(s.left, a.k), spec.coverOf(s.left));
    const right = ns.addLeaf(spec.leafValue(s.right, a.k), spec.coverOf(s.right));
    ns.setSplit(a.node, s.feature, s.threshold, s.naLeft, s.bits, left, a.stats.n);
    gains[s.feature] += s.gain;
    cover[s.feature] += a.stats.h;
    splitCounts[s.feature] += 1;
    return { a, s, left, right };
  };

  /**
   * The children of the splits made that may split again, with their sums: a pass that
   * applies `table` (moving rows) builds them. With the tree's features for every node, the
   * smaller of each pair is built and the larger is its parent − smaller; with per-node
   * subsets, or a parent summed from records, both are built.
   */
  const growChildren = async (made: readonly Made[], table: SplitTable | null): Promise<Active[] | null> => {
    const next: Active[] = [];
    const build: Build[] = [];
    const builtFor: Active[] = [];
    const derive: { child: Active; parent: DenseHistogram; sibling: Active }[] = [];
    for (const { a, s, left, right } of made) {
      const depth = a.depth + 1;
      const l: Active = { k: a.k, node: left, depth, stats: s.left, hist: null };
      const r: Active = { k: a.k, node: right, depth, stats: s.right, hist: null };
      // A detached node never splits here: its subtree is grafted whole.
      const parent = a.hist as SummedHistogram;
      if (!canSplit(l.stats, depth) && !canSplit(r.stats, depth)) continue;
      if (!spec.subtractSiblings || parent.kind === "rows") {
        for (let side = 0; side < 2; side++) {
          const c = side === 0 ? l : r;
          if (!canSplit(c.stats, depth)) continue;
          // Detaching keeps the order of children (left, right) only when nodes draw their features.
          const detach = spec.detach && perNode && spec.maxLeaves === 0 && c.stats.n <= KEY_ROWS;
          build.push({ k: a.k, node: c.node, rows: c.stats.n, features: detach ? spec.treeFeatures : featuresOf(a.k, c.node, depth), detach });
          builtFor.push(c);
          next.push(c);
        }
        continue;
      }
      const small = l.stats.n <= r.stats.n ? l : r;
      const large = small === l ? r : l;
      build.push({ k: a.k, node: small.node, rows: small.stats.n, features: parent.features, detach: false });
      builtFor.push(small);
      derive.push({ child: large, parent, sibling: small });
      next.push(small, large);
    }
    if (next.length === 0 || spec.signal?.aborted) return null;
    const hists = await levelPass(build, table, null);
    hists.forEach((h, i) => {
      builtFor[i].hist = h;
    });
    // Each parent's histogram serves one subtraction: do it in place (same features, same layout).
    for (const { child, parent, sibling } of derive) {
      subtractInto(parent, sibling.hist as NodeHistogram);
      child.hist = parent;
    }
    return next;
  };

  const done = (pending: SplitTable | null) => ({
    grown: { trees: nodes.map((ns) => ns.toTree()), gains, cover, splits: splitCounts, pending: detachedLeaves ? { ...(pending ?? splitTable(nodes, [], false)), leafOfRow } : pending },
    passBytes,
  });

  if (spec.maxLeaves > 0) {
    // Best-first: per class, a queue of leaves with their best splits. Each round splits
    // every class's best leaf; the pass that builds the children also moves the rows of
    // every split not yet applied, and leaves the other rows where they are.
    const queues: { a: Active; s: Split }[][] = Array.from({ length: K }, () => []);
    const leaves = new Int32Array(K).fill(1);
    const enqueue = async (list: readonly Active[]) => {
      const splits = await chooseSplits(list);
      list.forEach((a, i) => {
        const s = splits[i];
        if (s) queues[a.k].push({ a, s });
      });
    };
    await enqueue(active);
    let unapplied: Made[] = [];
    for (;;) {
      const made: Made[] = [];
      for (let k = 0; k < K; k++) {
        const q = queues[k];
        if (q.length === 0 || leaves[k] >= spec.maxLeaves) continue;
        let best = 0;
        for (let i = 1; i < q.length; i++) {
          const d = q[i].s.gain - q[best].s.gain;
          if (d > 0 || (d === 0 && q[i].a.node < q[best].a.node)) best = i;
        }
        const [{ a, s }] = q.splice(best, 1);
        made.push(applySplit(a, s));
        leaves[k]++;
      }
      if (made.length === 0) break;
      unapplied = unapplied.concat(made);
      const table = splitTable(nodes, unapplied, true);
      const next = await growChildren(made, table);
      if (next === null) continue;
      unapplied = [];
      await enqueue(next);
    }
    return done(unapplied.length > 0 ? splitTable(nodes, unapplied, true) : null);
  }

  let pending: SplitTable | null = null;
  while (active.length > 0) {
    const splits = await chooseSplits(active);
    const made: Made[] = [];
    active.forEach((a, i) => {
      const s = splits[i];
      if (s) made.push(applySplit(a, s));
    });
    if (made.length === 0) break;
    const table = splitTable(nodes, made, false);
    pending = table;
    const next = await growChildren(made, table);
    if (next === null) break;
    pending = null;
    active = next;
  }
  return done(pending);
}

/**
 * The chunk whose map grows each detached root: the largest first, each to the chunk with the
 * fewest rows so far, so that the chunks a worker takes from the pool carry even work.
 */
function ownersOf(roots: readonly Active[], chunks: number): Int32Array {
  const owner = sharedI32(roots.length);
  const load = new Float64Array(chunks);
  const bySize = roots.map((_, j) => j).sort((x, y) => roots[y].stats.n - roots[x].stats.n || x - y);
  for (const j of bySize) {
    let least = 0;
    for (let c = 1; c < chunks; c++) if (load[c] < load[least]) least = c;
    owner[j] = least;
    load[least] += roots[j].stats.n;
  }
  return owner;
}

/** The splits made, as the flat table the level task reads; `keep`: rows of other nodes stay where they are. */
function splitTable(nodes: readonly GrowingTree[], made: readonly Made[], keep: boolean): SplitTable {
  const n = made.length;
  const bitsLength = made.reduce((t, m) => t + (m.s.bits?.length ?? 0), 0);
  const table = {
    splitOf: nodes.map((ns) => sharedI32(ns.size).fill(-1)),
    feature: sharedI32(n),
    threshold: sharedI32(n),
    naLeft: sharedU8(n),
    catOffset: sharedI32(n),
    bitsets: sharedU8(bitsLength),
    left: sharedI32(n),
    right: sharedI32(n),
    keep,
  };
  let offset = 0;
  made.forEach(({ a, s, left, right }, i) => {
    table.splitOf[a.k][a.node] = i;
    table.feature[i] = s.feature;
    table.threshold[i] = s.threshold;
    table.naLeft[i] = s.naLeft ? 1 : 0;
    table.left[i] = left;
    table.right[i] = right;
    if (s.bits) {
      table.catOffset[i] = offset;
      table.bitsets.set(s.bits, offset);
      offset += s.bits.length;
    } else table.catOffset[i] = -1;
  });
  return table;
}
