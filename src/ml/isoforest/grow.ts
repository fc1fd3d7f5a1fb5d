// Growing isolation trees from a tree's sample (sample.ts), breadth first, into the flat
// arrays of forest.ts. Every random choice comes from the tree's own Rng, seeded from
// (seed, tree), consumed in node order, so a sample gives the same tree anywhere.
//
// Isolation forest (as H2O's, hex/tree/isofor): a node tries up to mtry columns in random
// order and cuts at a uniform draw between the first non-constant one's smallest and
// largest value, if each side keeps min_rows rows; a leaf's path length is H2O's: the depth
// of its parent split (0 for a tree that never splits). Extended forest (as H2O's,
// hex/tree/isoforextended, after Hariri et al.): every node below the height limit
// ⌈log2 sample_size⌉ with 2 or more rows is cut by a hyperplane through a uniform point of
// the rows' bounding box, its normal Gaussian with p − extension_level − 1 entries zeroed;
// a leaf's path length is its height + c(rows it holds), an empty side a leaf of its own.

import { Rng } from "../../core/rng.ts";
import { averagePathLength, type Forest } from "./forest.ts";

/** Nodes of the trees grown so far, turned into a Forest at the end. */
export class ForestBuilder {
  private readonly treeStart: number[] = [0];
  private readonly left: number[] = [];
  private readonly feature: number[] = [];
  private readonly value: number[] = [];
  private readonly normals: number[] = [];

  constructor(
    private readonly p: number,
    private readonly extended: boolean,
  ) {}

  /** A new leaf-to-be; returns its index. */
  node(): number {
    this.left.push(-1);
    this.feature.push(-1);
    this.value.push(0);
    if (this.extended) for (let j = 0; j < this.p; j++) this.normals.push(0);
    return this.left.length - 1;
  }

  leaf(n: number, pathLength: number): void {
    this.value[n] = pathLength;
  }

  /** Makes n a split with two new children; returns the left one's index. */
  split(n: number, feature: number, value: number, normal?: Float64Array): number {
    const l = this.node();
    this.node();
    this.left[n] = l;
    this.feature[n] = feature;
    this.value[n] = value;
    if (normal) for (let j = 0; j < this.p; j++) this.normals[n * this.p + j] = normal[j];
    return l;
  }

  endTree(): void {
    this.treeStart.push(this.left.length);
  }

  get trees(): number {
    return this.treeStart.length - 1;
  }

  build(): Forest {
    return {
      treeStart: Int32Array.from(this.treeStart),
      left: Int32Array.from(this.left),
      feature: Int32Array.from(this.feature),
      value: Float64Array.from(this.value),
      normals: Float64Array.from(this.normals),
    };
  }
}

interface Pending {
  readonly node: number;
  readonly lo: number;
  readonly hi: number;
  readonly depth: number;
}

/** Smallest and largest non-missing value of column j over rows idx[lo..hi) (NaN, NaN when none). */
function range(x: Float64Array, p: number, idx: Int32Array, lo: number, hi: number, j: number, out: Float64Array): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let r = lo; r < hi; r++) {
    const v = x[idx[r] * p + j];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  out[0] = min <= max ? min : Number.NaN;
  out[1] = min <= max ? max : Number.NaN;
}

/** Moves the rows of idx[lo..hi) that go left to the front; returns how many they are. */
function partition(idx: Int32Array, lo: number, hi: number, goesLeft: (row: number) => boolean): number {
  let mid = lo;
  for (let r = lo; r < hi; r++) {
    if (goesLeft(idx[r])) {
      const t = idx[mid];
      idx[mid++] = idx[r];
      idx[r] = t;
    }
  }
  return mid - lo;
}

export interface IsolationTreeOptions {
  readonly maxDepth: number;
  readonly mtry: number;
  readonly minRows: number;
}

/** Grows one isolation-forest tree on m sampled rows of `x` (m × p) into `b`. */
export function growIsolationTree(b: ForestBuilder, x: Float64Array, m: number, p: number, o: IsolationTreeOptions, rng: Rng): void {
  const idx = Int32Array.from({ length: m }, (_, i) => i);
  const order = new Int32Array(p);
  const mm = new Float64Array(2);
  const queue: Pending[] = [{ node: b.node(), lo: 0, hi: m, depth: 0 }];
  for (let q = 0; q < queue.length; q++) {
    const { node, lo, hi, depth } = queue[q];
    b.leaf(node, depth > 0 ? depth - 1 : 0);
    if (depth >= o.maxDepth || hi - lo < 2 * o.minRows) continue;
    for (let j = 0; j < p; j++) order[j] = j;
    for (let c = 0; c < o.mtry; c++) {
      const pick = c + rng.int(p - c);
      const col = order[pick];
      order[pick] = order[c];
      order[c] = col;
      range(x, p, idx, lo, hi, col, mm);
      if (!(mm[0] < mm[1])) continue;
      let t = mm[0] + rng.next() * (mm[1] - mm[0]);
      if (!(t > mm[0])) t = mm[1];
      const nLeft = partition(idx, lo, hi, (i) => x[i * p + col] < t);
      if (nLeft < o.minRows || hi - lo - nLeft < o.minRows) continue;
      const l = b.split(node, col, t);
      queue.push({ node: l, lo, hi: lo + nLeft, depth: depth + 1 }, { node: l + 1, lo: lo + nLeft, hi, depth: depth + 1 });
      break;
    }
  }
  b.endTree();
}

/** A standard normal draw (Box–Muller). */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** Grows one extended-forest tree on m sampled rows of `x` (m × p) into `b`. */
export function growExtendedTree(b: ForestBuilder, x: Float64Array, m: number, p: number, heightLimit: number, extensionLevel: number, rng: Rng): void {
  const idx = Int32Array.from({ length: m }, (_, i) => i);
  const normal = new Float64Array(p);
  const order = new Int32Array(p);
  const mm = new Float64Array(2);
  const queue: Pending[] = [{ node: b.node(), lo: 0, hi: m, depth: 0 }];
  for (let q = 0; q < queue.length; q++) {
    const { node, lo, hi, depth } = queue[q];
    const rows = hi - lo;
    if (depth >= heightLimit || rows <= 1) {
      b.leaf(node, depth + averagePathLength(rows));
      continue;
    }
    let offset = 0;
    for (let j = 0; j < p; j++) normal[j] = gaussian(rng);
    for (let j = 0; j < p; j++) order[j] = j;
    for (let c = 0; c < p - extensionLevel - 1; c++) {
      const pick = c + rng.int(p - c);
      normal[order[pick]] = 0;
      order[pick] = order[c];
    }
    for (let j = 0; j < p; j++) {
      range(x, p, idx, lo, hi, j, mm);
      const point = Number.isNaN(mm[0]) ? 0 : mm[0] + rng.next() * (mm[1] - mm[0]);
      if (normal[j] !== 0) offset += normal[j] * point;
    }
    const nLeft = partition(idx, lo, hi, (i) => {
      let s = -offset;
      for (let j = 0; j < p; j++) if (normal[j] !== 0) s += normal[j] * x[i * p + j];
      return s <= 0;
    });
    const l = b.split(node, -1, offset, normal);
    for (const [child, from, to] of [
      [l, lo, lo + nLeft],
      [l + 1, lo + nLeft, hi],
    ]) {
      if (to > from) queue.push({ node: child, lo: from, hi: to, depth: depth + 1 });
      else b.leaf(child, depth + 1);
    }
  }
  b.endTree();
}
