// Histograms: per node being split and per feature bin, the sums of quantized gradient,
// quantized hessian and row count. One task per tree level (H2O's one pass per level):
// it first splits each node's rows into its children (rows are kept grouped by node, as
// in LightGBM's data partition), then sums the rows of the nodes to build. The sums are
// of integers held in doubles, exact in any order, so the task is commutative: each
// worker folds its own chunks and any split of rows into chunks, threads or nodes gives
// the same bits.
//
// A node with fewer rows than bins (most nodes of a deep tree) gets no dense histogram:
// the pass hands back its rows' records instead (quantized g and h and the row's bins of
// the node's features), which the grower sums into its non-empty bins. Memory and work
// then follow the rows still splitting, not the number of nodes times the bins. A detached
// node's records hold every tree feature and its rows' ids, and its rows leave the partition
// (grower.ts): its subtree grows from the records.

import { FloeError } from "../../core/errors.ts";
import type { Task } from "../../core/mr.ts";
import { DITHER_STEP, ditherWord, rowDither, rowUniform } from "../../core/rng.ts";
import { bernoulliFromExpNeg, type Distribution, gradients, type LossParams } from "../loss.ts";
import { BUNDLE_ROWS_PER_BIN, type FeatureBundle } from "./bundle.ts";
import { addTreeRows, addTrees, addsByRows, finishRows, type ScoreArgs, type SplitTable } from "./rows.ts";
import { DIRECTION_TABLE_ROWS, leftBit, type Router, routersFor, splitDirections } from "./tree.ts";
import type { TreeChunk } from "./view.ts";

/** Most bytes of histograms and records one level pass may hold; larger levels take more passes. */
export const MAX_PASS_BYTES = 1 << 27;

/** Bytes a row's record takes: quantized g and h, and a bin a feature. */
export function recordBytes(features: number): number {
  return 8 + 2 * features;
}

/** Integer levels a unit of gradient is quantized to (sums stay exact below 2^53). */
export const QUANT_LEVELS = 1 << 20;

/** The in-bag sample and rounding of a tree's rows, known before its gradients. */
export interface RowDraws {
  /** Seed state of the rounding's dither (per tree). */
  readonly roundState: number;
  /** Seed state and rate of the row sample (sample_rate). */
  readonly bagState: number;
  readonly bagRate: number;
}

/** How the first level of a tree starts: quantization scales and the in-bag sample. */
export interface RootArgs extends RowDraws {
  /** Per class: gradient and hessian units per quantization level. */
  readonly gScale: Float64Array;
  readonly hScale: Float64Array;
  /**
   * True when the gradient pass already quantized the rows and formed the root (startTree,
   * from scales known before the gradients): the root pass only sums.
   */
  readonly started?: boolean;
  /**
   * Gradients the root pass computes itself, for one tree a row with scales known before them
   * (bounded losses): a block of rows at a time it adds the previous trees, takes the
   * gradients, quantizes them and sums the in-bag rows into the root's histogram while they
   * are in cache, one pass over the rows where a gradient pass and a root pass made two.
   */
  readonly gradients?: RootGradients | null;
}

export interface RootGradients {
  readonly distribution: Distribution;
  readonly loss: LossParams;
  /** The previous iteration's trees, added to the scores first. */
  readonly addFirst: ScoreArgs | null;
}

/** Per class: gradient and hessian units per quantization level, from the largest |g| then h of each class. */
export function quantScales(maxes: Float64Array, K: number): { gScale: Float64Array; hScale: Float64Array } {
  return {
    gScale: Float64Array.from({ length: K }, (_, k) => (maxes[k] > 0 ? maxes[k] : 1) / QUANT_LEVELS),
    hScale: Float64Array.from({ length: K }, (_, k) => (maxes[K + k] > 0 ? maxes[K + k] : 1) / QUANT_LEVELS),
  };
}

export interface LevelArgs {
  readonly classes: number;
  readonly root: RootArgs | null;
  readonly splits: SplitTable | null;
  /** Per class: node id → histogram slot, or −1 when this pass builds none for it. */
  readonly slotOf: readonly Int32Array[];
  readonly slots: number;
  /**
   * The features of each slot: entries [slotEntry[s], slotEntry[s + 1]) of `entryFeature`.
   * A dense slot sums each feature into a block of its bins at bin `entryOffset` of the
   * partial's histogram (3 doubles a bin: g, h, count); `bins` is the histogram's length.
   */
  readonly slotEntry: Int32Array;
  readonly entryFeature: Int32Array;
  readonly entryOffset: Int32Array;
  readonly bins: number;
  /**
   * Per slot: −1 for a dense slot; for a row slot, its first record in the partial. Its
   * room (`recordCap`: its node's rows) and where its records' bins start (`binStart`,
   * one bin a feature a record) are set for row slots only.
   */
  readonly recordStart: Int32Array;
  readonly recordCap: Int32Array;
  readonly binStart: Int32Array;
  /** Records and record bins of all row slots. */
  readonly records: number;
  readonly recordBins: number;
  /**
   * Per slot: 1 to detach the node (a row slot of every tree feature): its rows finish in it
   * (−2 − node) and leave the partition, and its subtree grows from the records.
   */
  readonly detach: Uint8Array;
  /** Missing bin of each feature. */
  readonly missingBin: Int32Array;
}

/**
 * Quantizes the gradients, rounded down after a seeded dither a row (rowDither): unbiased,
 * so a leaf of many equal gradients does not drift by a systematic half level a row; in-bag
 * rows form the root.
 */
export function startTree(c: TreeChunk, r: RootArgs, K: number): void {
  const gLevels = Float64Array.from(r.gScale, (s) => 1 / s);
  const hLevels = Float64Array.from(r.hScale, (s) => 1 / s);
  const m = K === 1 ? startRows1(c, r, gLevels[0], hLevels[0], c.g, c.h, 0, 0, c.rows, 0) : startRowsK(c, r, K, gLevels, hLevels);
  formRoot(c, K, m);
}

/** Rows a block of startAndSumRoot: its g and h stay in cache (64 KB of the pair of arrays). */
const GRADIENT_BLOCK = 4096;
const blockG = new Float64Array(GRADIENT_BLOCK);
const blockH = new Float64Array(GRADIENT_BLOCK);

/**
 * The root pass of a tree whose gradients it computes (RootArgs.gradients): a block of rows
 * at a time it adds the previous tree (or, when addTreeRows cannot, all rows first), takes
 * their gradients, starts the tree with them (startTree) and adds the block's in-bag rows to
 * the root's dense slot. The g and h never reach the view (its g and h keep older values).
 * Bernoulli's exp(−score) a row is kept in the view from one tree to the next when the tree
 * is added here (TreeChunk.expNeg): a multiplication a row by its leaf's exp(−value), not an
 * exponential (a tenth of the root pass). The product drifts from exp(−score) by a rounding
 * a tree, far below the quantization of the gradients it feeds, and is the same on any
 * thread count, chunking or cluster.
 */
function startAndSumRoot(out: LevelPartial, c: TreeChunk, a: LevelArgs, r: RootArgs, grad: RootGradients): void {
  const add = grad.addFirst;
  const prev = add && addsByRows(add) ? previousTree(c, add) : null;
  if (add && !prev) addTrees(c, add);
  const bernoulli = grad.distribution === "bernoulli";
  const keepExp = bernoulli && prev !== null && c.expNegKept[0] === 1;
  const expFactor = prev && keepExp ? prev.value.map((v) => Math.exp(-v)) : null;
  const slot = a.slotOf[0][0];
  const offs = offsFor(c.bins.length);
  const { F, block0, span } = slotFeatures(a, slot, c.bins, offs, binsScratch);
  const gLevels = 1 / r.gScale[0];
  const hLevels = 1 / r.hScale[0];
  const { order, qg, qh } = c;
  let m = 0;
  for (let from = 0; from < c.rows; from += GRADIENT_BLOCK) {
    const to = Math.min(c.rows, from + GRADIENT_BLOCK);
    if (prev) addTreeRows(c, prev.value, prev.router, prev.missingBin, from, to, expFactor);
    if (bernoulli) {
      if (!keepExp) for (let i = from; i < to; i++) c.expNeg[i] = Math.exp(-c.score[i]);
      bernoulliFromExpNeg(c.y, c.expNeg, from, to, blockG, blockH);
    } else gradients(grad.distribution, c.y.subarray(from, to), c.score.subarray(from, to), to - from, blockG, blockH, grad.loss);
    const m0 = m;
    m = startRows1(c, r, gLevels, hLevels, blockG, blockH, from, from, to, m);
    addDense(out, a, c, slot, block0, span, order, m0, m, c.rows, qg, qh, binsScratch, offs, F);
  }
  formRoot(c, 1, m);
  if (bernoulli) c.expNegKept[0] = 1;
}

/** The previous tree of a root pass that adds it a block at a time (addsByRows): its growth ended (finishRows), its leaf values and router. */
function previousTree(c: TreeChunk, add: ScoreArgs): { value: Float64Array; router: Router; missingBin: Int32Array } {
  finishRows(c, add.grown?.pending ?? null, 1, add.missingBin);
  return { value: add.trees[0].value, router: routersFor(add, [add.trees])[0][0], missingBin: add.missingBin };
}

/** The root of each class's tree: the first m rows of its order (none when m is 0). */
function formRoot(c: TreeChunk, K: number, m: number): void {
  const n = c.rows;
  for (let k = 0; k < K; k++) {
    c.partCount[k] = 0;
    if (m === 0) continue;
    const p = k * (3 * n + 3);
    c.parts[p] = 0;
    c.parts[p + 1] = 0;
    c.parts[p + 2] = m;
    c.partCount[k] = 1;
  }
}

/**
 * startTree's rows [from, to) for one tree a row (binomial, regression), the common case:
 * scalars in registers instead of per-class loops, and the in-bag list written without a
 * branch. Row i's gradient is g[i − gAt]; the in-bag count so far is `inBag0`.
 */
function startRows1(c: TreeChunk, r: RootArgs, gLevels: number, hLevels: number, g: Float64Array, h: Float64Array, gAt: number, from: number, to: number, inBag0: number): number {
  const { node, qg, qh, order, w, start } = c;
  const { roundState, bagState, bagRate } = r;
  const sampled = bagRate < 1;
  let m = inBag0;
  // rowDither of each row, a step of its sequence a row.
  let word = ditherWord(roundState, start + from);
  for (let i = from; i < to; i++) {
    const u = (word >>> 0) / 4294967296;
    word = (word + DITHER_STEP) | 0;
    qg[i] = Math.floor(g[i - gAt] * gLevels + u);
    qh[i] = Math.floor(h[i - gAt] * hLevels + u);
    const inBag = w[i] > 0 && (!sampled || rowUniform(bagState, start + i) < bagRate);
    // An in-bag row's node id is read only once its growth has ended and written it (rows.ts),
    // so without a sample only the few rows out of the tree need theirs now: a store a row saved.
    if (sampled || !inBag) node[i] = inBag ? 0 : -1;
    // order[m] is past the in-bag rows until the next one claims it (m <= i < n).
    order[m] = i;
    m += inBag ? 1 : 0;
  }
  return m;
}

/** startTree's rows for several trees a row (multinomial); the in-bag count. */
function startRowsK(c: TreeChunk, r: RootArgs, K: number, gLevels: Float64Array, hLevels: Float64Array): number {
  const n = c.rows;
  const { node, qg, qh, g, h, order, w } = c;
  const sampled = r.bagRate < 1;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const id = c.start + i;
    const inBag = w[i] > 0 && (!sampled || rowUniform(r.bagState, id) < r.bagRate);
    const u = rowDither(r.roundState, id);
    for (let k = 0; k < K; k++) {
      const at = i * K + k;
      node[at] = inBag ? 0 : -1;
      qg[k * n + i] = Math.floor(g[at] * gLevels[k] + u);
      qh[k * n + i] = Math.floor(h[at] * hLevels[k] + u);
    }
    if (inBag) {
      for (let k = 0; k < K; k++) order[k * n + m] = i;
      m++;
    }
  }
  return m;
}

// Scratch of the partition, kept between calls: a thread runs one map at a time, and
// deep trees would otherwise allocate a chunk's worth of rows every level.
let rowsScratch = new Int32Array(0);
let partsScratch = new Int32Array(0);

function scratchRows(n: number): Int32Array {
  if (rowsScratch.length < n) rowsScratch = new Int32Array(n);
  return rowsScratch;
}

function scratchParts(n: number): Int32Array {
  if (partsScratch.length < n) partsScratch = new Int32Array(n);
  return partsScratch;
}

/**
 * Splits every partition of a class by the level's splits: each node's rows are split
 * stably into its left then its right child (rows keep ascending order), and rows of nodes
 * that did not split finish (−2 − leaf) and leave, or stay (best-first growth: `keep`).
 * Rows that go on growing keep a stale node id (the parts say where they are): writing it
 * a level was a scattered store a row, up to half of a deep level's partition.
 */
function partition(c: TreeChunk, s: SplitTable, K: number, k: number, missingBin: Int32Array): void {
  const n = c.rows;
  const { node, order, parts, bins } = c;
  const base = k * n;
  const pb = k * (3 * n + 3);
  const splitOf = s.splitOf[k];
  const count = c.partCount[k];
  const scratch = scratchRows(n);
  // The children's parts (any order: passes look nodes up, sums do not depend on order).
  const next = scratchParts(6 * count);
  let made = 0;
  for (let q = 0; q < count; q++) {
    const nd = parts[pb + 3 * q];
    const from = parts[pb + 3 * q + 1];
    const to = parts[pb + 3 * q + 2];
    const sp = nd < splitOf.length ? splitOf[nd] : -1;
    if (sp < 0) {
      if (s.keep) {
        next[made++] = nd;
        next[made++] = from;
        next[made++] = to;
      } else for (let j = from; j < to; j++) node[order[base + j] * K + k] = -2 - nd;
      continue;
    }
    const f = s.feature[sp];
    const bf = bins[f];
    const off = s.catOffset[sp];
    const thr = s.threshold[sp];
    const mb = missingBin[f];
    const na = 1 - s.naLeft[sp];
    const left = s.left[sp];
    const r = splitRows(order, base + from, base + to, scratch, bf, s.bitsets, off, thr, mb, na);
    const l = to - r;
    if (l > from) {
      next[made++] = left;
      next[made++] = from;
      next[made++] = l;
    }
    if (r > 0) {
      next[made++] = left + 1;
      next[made++] = l;
      next[made++] = to;
    }
  }
  parts.set(next.subarray(0, made), pb);
  c.partCount[k] = made / 3;
}

/**
 * Stable partition of rows order[from, to) by a split: rows left of it stay at the front,
 * rows right of it go after them, in order. Branch-free: a row is written to both places and
 * one cursor advances. A categorical split (`off` >= 0) sends a bin left when its bit is set
 * (leftBit); a numeric one by threshold, missing by `na`; a node of many rows looks its rows'
 * sides up in a table of its bins (splitDirections). Returns the rows that went right.
 */
function splitRows(order: Int32Array, from: number, to: number, scratch: Int32Array, bf: Uint16Array, bitsets: Uint8Array, off: number, thr: number, mb: number, na: number): number {
  let l = from;
  let r = 0;
  if (to - from >= DIRECTION_TABLE_ROWS * (mb + 1)) {
    const sides = splitDirections(bitsets, off, thr, mb, na);
    for (let j = from; j < to; j++) {
      const i = order[j];
      const goRight = sides[bf[i]];
      order[l] = i;
      scratch[r] = i;
      l += 1 - goRight;
      r += goRight;
    }
    order.set(scratch.subarray(0, r), l);
    return r;
  }
  for (let j = from; j < to; j++) {
    const i = order[j];
    const b = bf[i];
    const goRight = off >= 0 ? 1 - leftBit(bitsets, off, b) : b === mb ? na : +(b > thr);
    order[l] = i;
    scratch[r] = i;
    l += 1 - goRight;
    r += goRight;
  }
  order.set(scratch.subarray(0, r), l);
  return r;
}

/**
 * Records one worker (or node) wrote: per row slot `filled[s]` records from its recordStart;
 * detached slots' records also give their rows' global ids (`row`, empty without such slots).
 */
export interface RecordBlock {
  readonly filled: Int32Array;
  readonly qg: Int32Array;
  readonly qh: Int32Array;
  readonly recordBin: Uint16Array;
  readonly row: Int32Array;
}

/**
 * A level pass's partial: the dense slots' histogram, and the row slots' records in one
 * block a worker or node that mapped chunks (each row slot's records from its
 * `recordStart`, its bins `width` a record from its `binStart`). Merging adds histograms
 * and lists blocks side by side: records are never copied on the merging thread.
 */
export interface LevelPartial {
  readonly hist: Float64Array;
  readonly blocks: RecordBlock[];
  readonly recordStart: Int32Array;
  readonly binStart: Int32Array;
  readonly width: Int32Array;
}

/**
 * A zeroed partial in shared memory: a worker's partial then reaches the pool without a
 * copy (a deep level sums thousands of nodes in one pass).
 */
function emptyPartial(a: LevelArgs): LevelPartial {
  const width = new Int32Array(a.slots);
  for (let s = 0; s < a.slots; s++) width[s] = a.slotEntry[s + 1] - a.slotEntry[s];
  const block: RecordBlock = {
    filled: new Int32Array(a.slots),
    qg: new Int32Array(new SharedArrayBuffer(a.records * 4)),
    qh: new Int32Array(new SharedArrayBuffer(a.records * 4)),
    recordBin: new Uint16Array(new SharedArrayBuffer(a.recordBins * 2)),
    row: new Int32Array(new SharedArrayBuffer(a.detach.includes(1) ? a.records * 4 : 0)),
  };
  return { hist: new Float64Array(new SharedArrayBuffer(a.bins * 3 * 8)), blocks: a.records > 0 ? [block] : [], recordStart: a.recordStart, binStart: a.binStart, width };
}

/** Adds b's histogram to acc's and lists b's record blocks after acc's. */
function mergePartial(acc: LevelPartial, b: LevelPartial): void {
  const h = acc.hist;
  const bh = b.hist;
  for (let i = 0; i < h.length; i++) h[i] += bh[i];
  acc.blocks.push(...b.blocks);
}

/** Copies the records of rows order[from, to) to a row slot, from record `r` and record bin `rb`. */
function copyRecords(out: RecordBlock, r: number, rb: number, order: Int32Array, from: number, to: number, qg: Int32Array, qh: Int32Array, featureBins: Uint16Array[], F: number): void {
  const outG = out.qg;
  const outH = out.qh;
  const recordBin = out.recordBin;
  for (let j = from; j < to; j++, r++) {
    const i = order[j];
    outG[r] = qg[i];
    outH[r] = qh[i];
    for (let f = 0; f < F; f++) recordBin[rb++] = featureBins[f][i];
  }
}

// Dense sums take two lanes a bin while rows add up, not three: h and the count share one
// double as qh·PACK + 1 (a row's qh lies in [0, QUANT_LEVELS], so fewer than PACK rows sum
// to below 2^52, exactly), unpacked into the histogram's g, h and count once a slot has
// taken PACK_ROWS rows and when the partial is settled. A third fewer memory updates a row:
// the root pass ran a fifth faster. The lanes are two arrays indexed by bin (g, and h with
// the count), not one array of pairs: no index arithmetic a bin (bench/tree-ab: a tree 6%
// faster).
const PACK = 1 << 16;
const PACK_ROWS = PACK - 1;
/**
 * A worker's packed sums of a partial's dense slots while it maps chunks into it (two doubles
 * a bin of the histogram, and each slot's rows since its last unpack), kept beside the
 * partial rather than in it so that they never travel: LevelTask.settle unpacks them. After
 * the histogram's bins come regions of the view's feature bundle (bundle.ts), one for each
 * slot that sums rows through it, added as slots first do: `regionOf` a slot (−1 none yet,
 * −2 none to be had), and each region's members' first bins in the slot's histogram, M a
 * region from `regionOffs[M·region]`.
 */
interface PackedSums {
  g: Float64Array;
  hc: Float64Array;
  readonly rows: Int32Array;
  readonly regionOf: Int32Array;
  regions: number;
  regionOffs: Int32Array;
  bundle: FeatureBundle | null;
}
const packedOf = new WeakMap<LevelPartial, PackedSums>();
/**
 * The packed sums of the last partial this thread settled, zero again (unpacking zeroes the
 * bins it adds): the next partial's, when they are large enough. New ones a pass were fresh
 * memory to fault in, a tenth of a millisecond a level pass on this machine. Only sums of at
 * most SPARE_PACKED_BINS bins are kept (2 MB), so a worker does not hold a deep level's for good.
 */
let sparePacked: PackedSums | null = null;
const SPARE_PACKED_BINS = 1 << 17;
/** Most slots of a partial a worker sums through a bundle (a region of bundle bins each). */
const MAX_BUNDLE_REGIONS = 64;

/** Bytes a dense bin's packed sums take on a worker mapping into a partial, beside its 24 in the partial. */
export const PACKED_BIN_BYTES = 16;

function packedSums(out: LevelPartial, a: LevelArgs): PackedSums {
  let p = packedOf.get(out);
  if (!p) {
    const spare = sparePacked;
    if (spare && spare.g.length >= a.bins && spare.rows.length >= a.slots) {
      sparePacked = null;
      spare.rows.fill(0);
      spare.regionOf.fill(-1);
      spare.regions = 0;
      p = spare;
    } else {
      p = {
        g: new Float64Array(a.bins),
        hc: new Float64Array(a.bins),
        rows: new Int32Array(a.slots),
        regionOf: new Int32Array(a.slots).fill(-1),
        regions: 0,
        regionOffs: new Int32Array(0),
        bundle: null,
      };
    }
    packedOf.set(out, p);
  }
  return p;
}

/** Adds packed sums of bins [from, to) to the histogram, and zeroes them. */
function unpack(p: PackedSums, hist: Float64Array, from: number, to: number): void {
  const { g, hc } = p;
  for (let b = from, t = 3 * from; b < to; b++, t += 3) {
    const packed = hc[b];
    if (packed === 0) continue;
    const count = packed % PACK;
    hist[t] += g[b];
    hist[t + 1] += (packed - count) / PACK;
    hist[t + 2] += count;
    g[b] = 0;
    hc[b] = 0;
  }
}

/**
 * Adds bundle region r's packed sums to its slot's histogram, each bundle bin to the bin of
 * each member its digits name, and zeroes them.
 */
function unpackBundle(p: PackedSums, hist: Float64Array, r: number): void {
  const bundle = p.bundle as FeatureBundle;
  const { g, hc } = p;
  const { counts } = bundle;
  const M = counts.length;
  const base = hist.length / 3 + r * bundle.bins;
  const first = p.regionOffs.subarray(r * M, r * M + M);
  // Each member's bin of bundle bin b, stepped with b as the digits of a counter (the last fastest).
  const at = bundleCounter(first);
  for (let b = base; b < base + bundle.bins; b++) {
    const packed = hc[b];
    if (packed !== 0) {
      const count = packed % PACK;
      const gSum = g[b];
      const hSum = (packed - count) / PACK;
      for (let m = 0; m < M; m++) {
        const t = 3 * at[m];
        hist[t] += gSum;
        hist[t + 1] += hSum;
        hist[t + 2] += count;
      }
      g[b] = 0;
      hc[b] = 0;
    }
    for (let m = M - 1; m >= 0; m--) {
      if (++at[m] < first[m] + counts[m]) break;
      at[m] = first[m];
    }
  }
}

let counterScratch = new Int32Array(0);

/** Scratch of unpackBundle's counter, at the members' first bins. */
function bundleCounter(first: Int32Array): Int32Array {
  if (counterScratch.length < first.length) counterScratch = new Int32Array(first.length);
  counterScratch.set(first);
  return counterScratch;
}

/** Unpacks every slot's packed sums into the partial's histogram: its sums are then whole. */
function settleLevel(out: LevelPartial): void {
  const p = packedOf.get(out);
  if (!p) return;
  for (let r = 0; r < p.regions; r++) unpackBundle(p, out.hist, r);
  unpack(p, out.hist, 0, out.hist.length / 3);
  packedOf.delete(out);
  if (p.g.length <= SPARE_PACKED_BINS && (!sparePacked || sparePacked.g.length < p.g.length)) sparePacked = p;
}

// Scratch of a slot's features: their bin arrays and their blocks' first bins; and of the
// features a run sums through a bundle.
const binsScratch: Uint16Array[] = [];
let offsScratch = new Int32Array(0);
const runBinsScratch: Uint16Array[] = [];
let runOffsScratch = new Int32Array(0);

function offsFor(features: number): Int32Array {
  if (offsScratch.length < features) offsScratch = new Int32Array(features);
  return offsScratch;
}

/**
 * Slot `slot`'s features into `featureBins` (their bin arrays) and `offs` (the first bin of
 * each one's block, for a dense slot): their count, and a dense slot's bins [block0, block0 + span).
 */
function slotFeatures(a: LevelArgs, slot: number, bins: readonly Uint16Array[], offs: Int32Array, featureBins: Uint16Array[]): { F: number; block0: number; span: number } {
  const e0 = a.slotEntry[slot];
  const F = a.slotEntry[slot + 1] - e0;
  const block0 = a.entryOffset[e0];
  let span = 0;
  for (let e = 0; e < F; e++) {
    const f = a.entryFeature[e0 + e];
    offs[e] = a.entryOffset[e0 + e];
    featureBins[e] = bins[f];
    span = offs[e] - block0 + a.missingBin[f] + 1;
  }
  return { F, block0, span };
}

/**
 * A run of `rows` rows of dense slot `slot` (features `featureBins`, blocks from `offs`) summed
 * through the chunk's bundle when the slot has all of its members and the run pays for
 * spreading it: the run's features then are the bundle's codes (the slot's bundle region)
 * and the slot's other features, in the run scratch; their count, else 0.
 */
function bundleRun(p: PackedSums, hist: Float64Array, a: LevelArgs, c: TreeChunk, slot: number, rows: number, featureBins: Uint16Array[], offs: Int32Array, F: number): number {
  const bundle = c.bundle;
  if (!bundle || rows < BUNDLE_ROWS_PER_BIN * bundle.bins) return 0;
  const r = bundleRegion(p, a, bundle, slot, offs, F);
  if (r < 0) return 0;
  if (runOffsScratch.length < F) runOffsScratch = new Int32Array(F);
  runBinsScratch[0] = c.bundleBins;
  runOffsScratch[0] = hist.length / 3 + r * bundle.bins;
  const e0 = a.slotEntry[slot];
  let n = 1;
  for (let e = 0; e < F; e++) {
    if (bundle.members.includes(a.entryFeature[e0 + e])) continue;
    runBinsScratch[n] = featureBins[e];
    runOffsScratch[n++] = offs[e];
  }
  return n;
}

/**
 * The bundle region of dense slot `slot`, added (and the packed sums grown) when it has none
 * yet; −1 when the slot lacks a member or the partial has its most regions.
 */
function bundleRegion(p: PackedSums, a: LevelArgs, bundle: FeatureBundle, slot: number, offs: Int32Array, F: number): number {
  const had = p.regionOf[slot];
  if (had !== -1) return had < 0 ? -1 : had;
  const e0 = a.slotEntry[slot];
  const M = bundle.members.length;
  let found = 0;
  for (let e = 0; e < F; e++) if (bundle.members.includes(a.entryFeature[e0 + e])) found++;
  if (found < M || p.regions === MAX_BUNDLE_REGIONS) {
    p.regionOf[slot] = -2;
    return -1;
  }
  const r = p.regions++;
  const need = a.bins + p.regions * bundle.bins;
  if (p.g.length < need) {
    const size = Math.min(Math.max(need, 2 * p.g.length), a.bins + MAX_BUNDLE_REGIONS * bundle.bins);
    const g = new Float64Array(size);
    const hc = new Float64Array(size);
    g.set(p.g);
    hc.set(p.hc);
    p.g = g;
    p.hc = hc;
  }
  if (p.regionOffs.length < p.regions * M) {
    const grown = new Int32Array(MAX_BUNDLE_REGIONS * M);
    grown.set(p.regionOffs);
    p.regionOffs = grown;
  }
  for (let e = 0; e < F; e++) {
    const m = bundle.members.indexOf(a.entryFeature[e0 + e]);
    if (m >= 0) p.regionOffs[r * M + m] = offs[e];
  }
  p.regionOf[slot] = r;
  p.bundle = bundle;
  return r;
}

/**
 * Adds rows order[from, to) to dense slot `slot` (its bins [block0, block0 + span) of the
 * histogram, feature e's block from bin offs[e]) in the partial's packed sums, unpacking the
 * slot's bins whenever its rows would pass PACK_ROWS. `runRows` are the rows of the slot's
 * run in this chunk that these are part of, which decide whether they are summed through the
 * chunk's bundle (bundleRun). A pass over the rows for each group of six features and one
 * for the rest, a row's index and gradient read once a group: the bin arrays and their offsets held in
 * locals; a loop over any number of features instead reloads each feature's array from a
 * list every row (twice as slow at the root of a flights tree). Six a pass rather than three
 * summed a flights tree's histograms a sixth faster, though their locals no longer all fit
 * the processor's registers. (Feature by feature is slower still: rows of one bin then chain
 * their additions through memory, where a row's features go to different bins.)
 */
function addDense(
  out: LevelPartial,
  a: LevelArgs,
  c: TreeChunk,
  slot: number,
  block0: number,
  span: number,
  order: Int32Array,
  from: number,
  to: number,
  runRows: number,
  qg: Int32Array,
  qh: Int32Array,
  featureBins: Uint16Array[],
  offs: Int32Array,
  F: number,
): void {
  const p = packedSums(out, a);
  const bundled = bundleRun(p, out.hist, a, c, slot, runRows, featureBins, offs, F);
  const { g: pg, hc: ph } = p;
  const b = bundled > 0 ? runBinsScratch : featureBins;
  const o = bundled > 0 ? runOffsScratch : offs;
  const n = bundled > 0 ? bundled : F;
  for (let s = from; s < to; ) {
    if (p.rows[slot] === PACK_ROWS) {
      unpack(p, out.hist, block0, block0 + span);
      if (p.regionOf[slot] >= 0) unpackBundle(p, out.hist, p.regionOf[slot]);
      p.rows[slot] = 0;
    }
    const e = Math.min(to, s + PACK_ROWS - p.rows[slot]);
    let f = 0;
    for (; f + 6 <= n; f += 6) addRows6(pg, ph, order, s, e, qg, qh, b[f], b[f + 1], b[f + 2], b[f + 3], b[f + 4], b[f + 5], o[f], o[f + 1], o[f + 2], o[f + 3], o[f + 4], o[f + 5]);
    const left = n - f;
    if (left === 5) addRows5(pg, ph, order, s, e, qg, qh, b[f], b[f + 1], b[f + 2], b[f + 3], b[f + 4], o[f], o[f + 1], o[f + 2], o[f + 3], o[f + 4]);
    else if (left === 4) addRows4(pg, ph, order, s, e, qg, qh, b[f], b[f + 1], b[f + 2], b[f + 3], o[f], o[f + 1], o[f + 2], o[f + 3]);
    else if (left === 3) addRows3(pg, ph, order, s, e, qg, qh, b[f], b[f + 1], b[f + 2], o[f], o[f + 1], o[f + 2]);
    else if (left === 2) addRows2(pg, ph, order, s, e, qg, qh, b[f], b[f + 1], o[f], o[f + 1]);
    else if (left === 1) addRows1(pg, ph, order, s, e, qg, qh, b[f], o[f]);
    p.rows[slot] += e - s;
    s = e;
  }
}

/** Rows order[from, to) into six features' bins of the packed sums' lanes `pg` and `ph` (PackedSums.g and .hc). */
function addRows6(
  pg: Float64Array,
  ph: Float64Array,
  order: Int32Array,
  from: number,
  to: number,
  qg: Int32Array,
  qh: Int32Array,
  b0: Uint16Array,
  b1: Uint16Array,
  b2: Uint16Array,
  b3: Uint16Array,
  b4: Uint16Array,
  b5: Uint16Array,
  o0: number,
  o1: number,
  o2: number,
  o3: number,
  o4: number,
  o5: number,
): void {
  for (let j = from; j < to; j++) {
    const i = order[j];
    const g = qg[i];
    const hc = qh[i] * PACK + 1;
    let t = o0 + b0[i];
    pg[t] += g;
    ph[t] += hc;
    t = o1 + b1[i];
    pg[t] += g;
    ph[t] += hc;
    t = o2 + b2[i];
    pg[t] += g;
    ph[t] += hc;
    t = o3 + b3[i];
    pg[t] += g;
    ph[t] += hc;
    t = o4 + b4[i];
    pg[t] += g;
    ph[t] += hc;
    t = o5 + b5[i];
    pg[t] += g;
    ph[t] += hc;
  }
}

function addRows5(
  pg: Float64Array,
  ph: Float64Array,
  order: Int32Array,
  from: number,
  to: number,
  qg: Int32Array,
  qh: Int32Array,
  b0: Uint16Array,
  b1: Uint16Array,
  b2: Uint16Array,
  b3: Uint16Array,
  b4: Uint16Array,
  o0: number,
  o1: number,
  o2: number,
  o3: number,
  o4: number,
): void {
  for (let j = from; j < to; j++) {
    const i = order[j];
    const g = qg[i];
    const hc = qh[i] * PACK + 1;
    let t = o0 + b0[i];
    pg[t] += g;
    ph[t] += hc;
    t = o1 + b1[i];
    pg[t] += g;
    ph[t] += hc;
    t = o2 + b2[i];
    pg[t] += g;
    ph[t] += hc;
    t = o3 + b3[i];
    pg[t] += g;
    ph[t] += hc;
    t = o4 + b4[i];
    pg[t] += g;
    ph[t] += hc;
  }
}

function addRows4(
  pg: Float64Array,
  ph: Float64Array,
  order: Int32Array,
  from: number,
  to: number,
  qg: Int32Array,
  qh: Int32Array,
  b0: Uint16Array,
  b1: Uint16Array,
  b2: Uint16Array,
  b3: Uint16Array,
  o0: number,
  o1: number,
  o2: number,
  o3: number,
): void {
  for (let j = from; j < to; j++) {
    const i = order[j];
    const g = qg[i];
    const hc = qh[i] * PACK + 1;
    let t = o0 + b0[i];
    pg[t] += g;
    ph[t] += hc;
    t = o1 + b1[i];
    pg[t] += g;
    ph[t] += hc;
    t = o2 + b2[i];
    pg[t] += g;
    ph[t] += hc;
    t = o3 + b3[i];
    pg[t] += g;
    ph[t] += hc;
  }
}

function addRows3(
  pg: Float64Array,
  ph: Float64Array,
  order: Int32Array,
  from: number,
  to: number,
  qg: Int32Array,
  qh: Int32Array,
  b0: Uint16Array,
  b1: Uint16Array,
  b2: Uint16Array,
  o0: number,
  o1: number,
  o2: number,
): void {
  for (let j = from; j < to; j++) {
    const i = order[j];
    const g = qg[i];
    const hc = qh[i] * PACK + 1;
    let t = o0 + b0[i];
    pg[t] += g;
    ph[t] += hc;
    t = o1 + b1[i];
    pg[t] += g;
    ph[t] += hc;
    t = o2 + b2[i];
    pg[t] += g;
    ph[t] += hc;
  }
}

function addRows2(pg: Float64Array, ph: Float64Array, order: Int32Array, from: number, to: number, qg: Int32Array, qh: Int32Array, b0: Uint16Array, b1: Uint16Array, o0: number, o1: number): void {
  for (let j = from; j < to; j++) {
    const i = order[j];
    const g = qg[i];
    const hc = qh[i] * PACK + 1;
    let t = o0 + b0[i];
    pg[t] += g;
    ph[t] += hc;
    t = o1 + b1[i];
    pg[t] += g;
    ph[t] += hc;
  }
}

function addRows1(pg: Float64Array, ph: Float64Array, order: Int32Array, from: number, to: number, qg: Int32Array, qh: Int32Array, b0: Uint16Array, o0: number): void {
  for (let j = from; j < to; j++) {
    const i = order[j];
    const t = o0 + b0[i];
    pg[t] += qg[i];
    ph[t] += qh[i] * PACK + 1;
  }
}

/**
 * Partial layout: slot after slot, and in a slot its features one block after another
 * (see LevelArgs). One node's bins are small enough to stay in cache while its rows add up.
 */
export const LevelTask: Task<LevelArgs, LevelPartial, TreeChunk> = {
  name: "ml.tree.level",
  commutative: true,
  map(c, a) {
    const partial = emptyPartial(a);
    LevelTask.mapInto?.(partial, c, a);
    settleLevel(partial);
    return partial;
  },
  mapInto(out, c, a) {
    const K = a.classes;
    const n = c.rows;
    if (a.root?.gradients) {
      startAndSumRoot(out, c, a, a.root, a.root.gradients);
      return;
    }
    if (a.root && !a.root.started) startTree(c, a.root, K);
    const { node, order, parts, qg, qh, bins } = c;
    const { recordStart } = a;
    const offs = offsFor(bins.length);
    const featureBins = binsScratch;
    for (let k = 0; k < K; k++) {
      if (a.splits) partition(c, a.splits, K, k, a.missingBin);
      const qgk = K === 1 ? qg : qg.subarray(k * n, k * n + n);
      const qhk = K === 1 ? qh : qh.subarray(k * n, k * n + n);
      // Each built node's rows are a contiguous run of `order`: sum them feature by feature.
      const slotOf = a.slotOf[k];
      const base = k * n;
      const pb = k * (3 * n + 3);
      // Parts stay in place but for detached nodes': `kept` parts so far.
      let kept = 0;
      for (let q = 0; q < c.partCount[k]; q++) {
        const nd = parts[pb + 3 * q];
        const slot = nd < slotOf.length ? slotOf[nd] : -1;
        const from = base + parts[pb + 3 * q + 1];
        const to = base + parts[pb + 3 * q + 2];
        if (slot >= 0 && a.detach[slot]) {
          for (let j = from; j < to; j++) node[order[j] * K + k] = -2 - nd;
        } else {
          parts[pb + 3 * kept] = nd;
          parts[pb + 3 * kept + 1] = from - base;
          parts[pb + 3 * kept + 2] = to - base;
          kept++;
        }
        if (slot < 0) continue;
        const { F, block0, span } = slotFeatures(a, slot, bins, offs, featureBins);
        const r0 = recordStart[slot];
        if (r0 >= 0) {
          const block = out.blocks[0];
          const w = block.filled[slot];
          if (w + to - from > a.recordCap[slot]) throw new FloeError("internal", `level pass: node ${nd} has more rows than its split counted`);
          copyRecords(block, r0 + w, a.binStart[slot] + w * F, order, from, to, qgk, qhk, featureBins, F);
          if (a.detach[slot]) for (let j = from, r = r0 + w; j < to; j++, r++) block.row[r] = c.start + order[j];
          block.filled[slot] = w + to - from;
        } else addDense(out, a, c, slot, block0, span, order, from, to, to - from, qgk, qhk, featureBins, offs, F);
      }
      c.partCount[k] = kept;
    }
  },
  reduce(a, b) {
    const hist = new Float64Array(a.hist.length);
    for (let i = 0; i < hist.length; i++) hist[i] = a.hist[i] + b.hist[i];
    return { ...a, hist, blocks: [...a.blocks, ...b.blocks] };
  },
  settle: settleLevel,
  mergeInto: mergePartial,
  empty: emptyPartial,
};
