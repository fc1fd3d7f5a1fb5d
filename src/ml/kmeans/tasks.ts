// The passes of k-means training over the view (view.ts): seeding (the k rows with the
// smallest seeded keys; the row furthest from the centers so far, or one drawn with
// probability ∝ squared distance), Lloyd's assignment pass, splitting a cluster
// (estimate_k) and the total sum of squares. Every sum is of grid values (encoding.ts)
// or integers, every max breaks ties by the lower global row id: partials are exact, so
// the tasks are commutative and their results do not depend on chunks or threads.

import type { Task } from "../../core/mr.ts";
import { rowUniform } from "../../core/rng.ts";
import { BOUND_MARGIN, distance, nearest } from "./encoding.ts";
import type { KMeansChunk } from "./view.ts";

/** Of two picks [key, row, x…] the one with the larger key, the lower row on ties (row −1: none). */
function betterPick(a: Float64Array, b: Float64Array): Float64Array {
  if (a[1] < 0) return b;
  if (b[1] < 0) return a;
  return b[0] > a[0] || (b[0] === a[0] && b[1] < a[1]) ? b : a;
}

export interface MinKeyArgs {
  readonly k: number;
  readonly p: number;
  /** keyState of the draw; a row's key is rowUniform(state, row). */
  readonly state: number;
}

/**
 * Partial: [k, stride, picks…]: up to k picks [key, row, x_0 … x_{p−1}] (stride p + 2),
 * ascending by key then row: the k rows with the smallest keys, i.e. k rows drawn
 * uniformly without replacement.
 */
export const MinKeyTask: Task<MinKeyArgs, Float64Array, KMeansChunk> = {
  name: "ml.kmeans.min_key",
  commutative: true,
  map(c, { k, p, state }) {
    const keys = new Float64Array(k);
    const rows = new Int32Array(k);
    let m = 0;
    for (let i = 0; i < c.rows; i++) {
      const u = rowUniform(state, c.start + i);
      if (m === k && u >= keys[m - 1]) continue;
      // Insertion into the sorted list; rows come in increasing order, so equal keys stay behind.
      let at = m < k ? m++ : m - 1;
      while (at > 0 && keys[at - 1] > u) {
        keys[at] = keys[at - 1];
        rows[at] = rows[at - 1];
        at--;
      }
      keys[at] = u;
      rows[at] = i;
    }
    const stride = p + 2;
    const out = new Float64Array(2 + m * stride);
    out[0] = k;
    out[1] = stride;
    for (let t = 0; t < m; t++) {
      const o = 2 + t * stride;
      out[o] = keys[t];
      out[o + 1] = c.start + rows[t];
      out.set(c.x.subarray(rows[t] * p, rows[t] * p + p), o + 2);
    }
    return out;
  },
  reduce(a, b) {
    const k = a[0];
    const stride = a[1];
    const na = (a.length - 2) / stride;
    const nb = (b.length - 2) / stride;
    const m = Math.min(k, na + nb);
    const out = new Float64Array(2 + m * stride);
    out[0] = k;
    out[1] = stride;
    let i = 0;
    let j = 0;
    for (let t = 0; t < m; t++) {
      const ao = 2 + i * stride;
      const bo = 2 + j * stride;
      const takeA = j >= nb || (i < na && (a[ao] < b[bo] || (a[ao] === b[bo] && a[ao + 1] < b[bo + 1])));
      if (takeA) {
        out.set(a.subarray(ao, ao + stride), 2 + t * stride);
        i++;
      } else {
        out.set(b.subarray(bo, bo + stride), 2 + t * stride);
        j++;
      }
    }
    return out;
  },
  empty: ({ k, p }) => Float64Array.of(k, p + 2),
};

export interface SeedArgs {
  /** The newest center (length p): each row's dmin is lowered to its distance to it. */
  readonly center: Float64Array;
  readonly p: number;
  readonly isCat: Uint8Array;
  /** Furthest: the row of largest dmin; PlusPlus: the row drawn with probability ∝ dmin. */
  readonly mode: "Furthest" | "PlusPlus";
  /** keyState of this draw (PlusPlus). */
  readonly state: number;
}

/**
 * Updates each row's dmin and returns the pick [key, row, x_0 … x_{p−1}] (row −1: none).
 * PlusPlus is a one-item weighted reservoir (A-Res): key = log(u)/dmin, the order of u^(1/dmin),
 * so the largest key is drawn with probability ∝ dmin; rows on a center (dmin 0) get −∞.
 */
export const SeedTask: Task<SeedArgs, Float64Array, KMeansChunk> = {
  name: "ml.kmeans.seed",
  commutative: true,
  map(c, { center, p, isCat, mode, state }) {
    let bestKey = -Infinity;
    let best = -1;
    const furthest = mode === "Furthest";
    for (let i = 0; i < c.rows; i++) {
      const d = distance(c.x, i * p, center, 0, p, isCat);
      const dm = d < c.dmin[i] ? d : c.dmin[i];
      c.dmin[i] = dm;
      const key = furthest ? dm : Math.log(rowUniform(state, c.start + i)) / dm;
      if (best < 0 || key > bestKey) {
        bestKey = key;
        best = i;
      }
    }
    const out = new Float64Array(p + 2);
    out[1] = -1;
    if (best >= 0) {
      out[0] = bestKey;
      out[1] = c.start + best;
      out.set(c.x.subarray(best * p, best * p + p), 2);
    }
    return out;
  },
  reduce: betterPick,
  empty: (args) => Float64Array.of(-Infinity, -1, ...new Float64Array(args.p)),
};

export interface LloydArgs {
  /** Current centers, k × p row-major (enum columns hold level codes). */
  readonly centers: Float64Array;
  readonly k: number;
  readonly p: number;
  readonly isCat: Uint8Array;
  /** Levels of each column (0 for numeric): the partial counts levels per cluster. */
  readonly levels: Int32Array;
  readonly distanceScale: number;
  /** Track each cluster's bounding box (estimate_k splits the widest). */
  readonly bounds: boolean;
  /** Hamerly's pruning from the last pass's centers to these; null: scan every center for every row. */
  readonly prune: Pruning | null;
}

/**
 * What a Lloyd pass needs to keep rows on their center without scanning the others
 * (Hamerly 2010): a row whose distance to its center is below half that center's distance
 * to its nearest other center, or below the row's lower bound on its distance to every
 * other center, stays. Distances here are not squared (encoding.ts's distance is a
 * squared metric), and the bounds are trusted only by BOUND_MARGIN, so rows end on the
 * center a full scan would give them.
 */
export interface Pruning {
  /** Per center: half the distance to its nearest other center. */
  readonly half: Float64Array;
  /** Per center c: the most any other center moved since the last pass (lowers the bounds of c's rows). */
  readonly drop: Float64Array;
}

/** The pruning of a pass with `centers` after one with `prev` (both k × p). */
export function pruning(prev: Float64Array, centers: Float64Array, k: number, p: number, isCat: Uint8Array): Pruning {
  const half = new Float64Array(k).fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const h = 0.5 * Math.sqrt(distance(centers, a * p, centers, b * p, p, isCat));
      if (h < half[a]) half[a] = h;
      if (h < half[b]) half[b] = h;
    }
  }
  const moved = new Float64Array(k);
  let far = 0;
  for (let c = 0; c < k; c++) {
    moved[c] = Math.sqrt(distance(prev, c * p, centers, c * p, p, isCat));
    if (moved[c] > moved[far]) far = c;
  }
  let farOther = 0;
  for (let c = 0; c < k; c++) if (c !== far && moved[c] > farOther) farOther = moved[c];
  const drop = new Float64Array(k).fill(moved[far]);
  drop[far] = farOther;
  return { half, drop };
}

/**
 * Partial of a Lloyd pass. `stats`: k × p sums of numeric values, k sizes, k within-
 * cluster sums of squares (integers of 1/distanceScale), rows that changed cluster, then
 * per cluster the counts of every level of every enum column. `worst`: [distance, row,
 * x…] of the row furthest from its center (reseeds an empty cluster). `lo`/`hi`: k × p.
 */
export interface LloydPartial {
  readonly stats: Float64Array;
  readonly worst: Float64Array;
  readonly lo: Float64Array | null;
  readonly hi: Float64Array | null;
}

/** Offsets of the parts of LloydPartial.stats. */
export function lloydLayout(k: number, p: number, levels: Int32Array) {
  let totalLevels = 0;
  const levelOffset = new Int32Array(p);
  for (let j = 0; j < p; j++) {
    levelOffset[j] = totalLevels;
    totalLevels += levels[j];
  }
  const size = k * p;
  const withinss = size + k;
  const reassigned = withinss + k;
  const cats = reassigned + 1;
  return { size, withinss, reassigned, cats, totalLevels, levelOffset, length: cats + k * totalLevels };
}

function emptyLloyd(args: LloydArgs): LloydPartial {
  const { k, p } = args;
  const worst = new Float64Array(p + 2);
  worst[1] = -1;
  return {
    stats: new Float64Array(lloydLayout(k, p, args.levels).length),
    worst,
    lo: args.bounds ? new Float64Array(k * p).fill(Infinity) : null,
    hi: args.bounds ? new Float64Array(k * p).fill(-Infinity) : null,
  };
}

/** Assigns each row to its nearest center (updating `assign` and `lower`) and sums what the next centers need. */
export const LloydTask: Task<LloydArgs, LloydPartial, KMeansChunk> = {
  name: "ml.kmeans.lloyd",
  commutative: true,
  map(c, args) {
    const { centers, k, p, isCat, distanceScale } = args;
    const out = emptyLloyd(args);
    const { stats, lo, hi } = out;
    const L = lloydLayout(k, p, args.levels);
    let hasCat = false;
    for (let j = 0; j < p; j++) if (isCat[j]) hasCat = true;
    const dist = new Float64Array(2);
    const x = c.x;
    const prune = args.prune;
    let worstD = -1;
    let worstRow = -1;
    let reassigned = 0;
    for (let i = 0; i < c.rows; i++) {
      const xo = i * p;
      let cl = -1;
      let d = 0;
      if (prune) {
        const own = c.assign[i];
        const lower = c.lower[i] - prune.drop[own];
        const bound = (prune.half[own] > lower ? prune.half[own] : lower) * BOUND_MARGIN;
        d = distance(x, xo, centers, own * p, p, isCat);
        if (bound > 0 && d < bound * bound) {
          cl = own;
          c.lower[i] = lower;
        }
      }
      if (cl < 0) {
        cl = nearest(x, xo, centers, k, p, isCat, hasCat, dist);
        d = dist[0];
        c.lower[i] = Math.sqrt(dist[1]);
      }
      if (c.assign[i] !== cl) {
        reassigned++;
        c.assign[i] = cl;
      }
      stats[L.size + cl]++;
      stats[L.withinss + cl] += Math.round(d * distanceScale);
      if (d > worstD) {
        worstD = d;
        worstRow = i;
      }
      const so = cl * p;
      if (hasCat) {
        const co = L.cats + cl * L.totalLevels;
        for (let j = 0; j < p; j++) {
          if (isCat[j]) stats[co + L.levelOffset[j] + x[xo + j]]++;
          else stats[so + j] += x[xo + j];
        }
      } else {
        for (let j = 0; j < p; j++) stats[so + j] += x[xo + j];
      }
      if (lo && hi) {
        for (let j = 0; j < p; j++) {
          const v = x[xo + j];
          if (v < lo[so + j]) lo[so + j] = v;
          if (v > hi[so + j]) hi[so + j] = v;
        }
      }
    }
    stats[L.reassigned] = reassigned;
    if (worstRow >= 0) {
      out.worst[0] = worstD;
      out.worst[1] = c.start + worstRow;
      out.worst.set(x.subarray(worstRow * p, worstRow * p + p), 2);
    }
    return out;
  },
  reduce(a, b) {
    const stats = new Float64Array(a.stats.length);
    for (let t = 0; t < stats.length; t++) stats[t] = a.stats[t] + b.stats[t];
    let lo: Float64Array | null = null;
    let hi: Float64Array | null = null;
    if (a.lo && b.lo && a.hi && b.hi) {
      lo = new Float64Array(a.lo.length);
      hi = new Float64Array(a.hi.length);
      for (let t = 0; t < lo.length; t++) {
        lo[t] = Math.min(a.lo[t], b.lo[t]);
        hi[t] = Math.max(a.hi[t], b.hi[t]);
      }
    }
    return { stats, worst: betterPick(a.worst, b.worst), lo, hi };
  },
  empty: emptyLloyd,
};

export interface SplitArgs {
  readonly cluster: number;
  /** Column along which to split, and where: rows above go to cluster `into`. */
  readonly dim: number;
  readonly at: number;
  readonly into: number;
  readonly p: number;
}

/** Partial: sums (p) and size of the rows kept, then sums (p) and size of the rows moved. */
export const SplitClusterTask: Task<SplitArgs, Float64Array, KMeansChunk> = {
  name: "ml.kmeans.split",
  commutative: true,
  map(c, { cluster, dim, at, into, p }) {
    const out = new Float64Array(2 * p + 2);
    for (let i = 0; i < c.rows; i++) {
      if (c.assign[i] !== cluster) continue;
      const xo = i * p;
      const side = c.x[xo + dim] > at ? p + 1 : 0;
      if (side) c.assign[i] = into;
      for (let j = 0; j < p; j++) out[side + j] += c.x[xo + j];
      out[side + p]++;
    }
    return out;
  },
  reduce(a, b) {
    const out = new Float64Array(a.length);
    for (let t = 0; t < a.length; t++) out[t] = a[t] + b[t];
    return out;
  },
  empty: ({ p }) => new Float64Array(2 * p + 2),
};

export interface TotssArgs {
  /** The grand center (length p): column means, or modes for enums. */
  readonly center: Float64Array;
  readonly p: number;
  readonly isCat: Uint8Array;
  readonly distanceScale: number;
}

/** Partial: Σ squared distance to the grand center, in integers of 1/distanceScale. */
export const TotssTask: Task<TotssArgs, number, KMeansChunk> = {
  name: "ml.kmeans.totss",
  commutative: true,
  map(c, { center, p, isCat, distanceScale }) {
    let s = 0;
    for (let i = 0; i < c.rows; i++) s += Math.round(distance(c.x, i * p, center, 0, p, isCat) * distanceScale);
    return s;
  },
  reduce: (a, b) => a + b,
  empty: () => 0,
};
