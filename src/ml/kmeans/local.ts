// k-means on one machine over a small weighted sample (coreset.ts): several greedy
// k-means++ starts, each refined by weighted Lloyd iterations, the one of least weighted
// within-cluster sum of squares kept. Coreset seeding hands its centers to Lloyd over
// every row. Everything here runs in a fixed order on the coordinator with draws from a
// seeded Rng, so the same sample and seed give the same centers.

import type { Rng } from "../../core/rng.ts";
import { BOUND_MARGIN as MARGIN, distance, nearest } from "./encoding.ts";

export interface WeightedSample {
  /** Encoded rows, rows × p row-major. */
  readonly x: Float64Array;
  readonly w: Float64Array;
  readonly rows: number;
}

export interface LocalSpace {
  readonly p: number;
  readonly isCat: Uint8Array;
  /** Levels of each column (0 for numeric). */
  readonly levels: Int32Array;
  /** Lloyd stops once the centers move less than this in total (sum of squared shifts). */
  readonly tolerance: number;
}

/** The sample split from the records [row, weight, x…] of a CoresetTask partial. */
export function sampleOf(records: Float64Array, p: number): WeightedSample {
  const stride = p + 2;
  const rows = (records.length - 1) / stride;
  const x = new Float64Array(rows * p);
  const w = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const o = 1 + i * stride;
    w[i] = records[o + 1];
    x.set(records.subarray(o + 2, o + 2 + p), i * p);
  }
  return { x, w, rows };
}

/** Index of the row drawn with probability ∝ weight[i]; total is their sum (> 0). */
function draw(weight: Float64Array, total: number, rng: Rng): number {
  let u = rng.next() * total;
  for (let i = 0; i < weight.length; i++) {
    u -= weight[i];
    if (u < 0 && weight[i] > 0) return i;
  }
  for (let i = weight.length - 1; i >= 0; i--) if (weight[i] > 0) return i;
  return 0;
}

/**
 * Greedy k-means++ (as scikit-learn's): each next center is the best of 2 + ⌊ln k⌋ rows
 * drawn with probability ∝ weight · squared distance to the centers so far, best meaning
 * the lowest weighted cost once added. Returns k × p centers.
 */
function greedyPlusPlus(s: WeightedSample, k: number, space: LocalSpace, rng: Rng): Float64Array {
  const { p, isCat } = space;
  const { x, w, rows } = s;
  const centers = new Float64Array(k * p);
  const dmin = new Float64Array(rows);
  const trial = new Float64Array(rows);
  const bestTrial = new Float64Array(rows);
  const mass = new Float64Array(rows);
  let wsum = 0;
  for (let i = 0; i < rows; i++) wsum += w[i];
  const first = draw(w, wsum, rng);
  centers.set(x.subarray(first * p, first * p + p), 0);
  for (let i = 0; i < rows; i++) dmin[i] = distance(x, i * p, centers, 0, p, isCat);
  const trials = 2 + Math.floor(Math.log(k));
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < rows; i++) {
      mass[i] = w[i] * dmin[i];
      total += mass[i];
    }
    // Every row on a center already: draw by weight alone (the clusters stay empty).
    const by = total > 0 ? mass : w;
    const byTotal = total > 0 ? total : wsum;
    let bestCost = Infinity;
    let best = -1;
    for (let t = 0; t < trials; t++) {
      const r = draw(by, byTotal, rng);
      let cost = 0;
      for (let i = 0; i < rows; i++) {
        const d = distance(x, i * p, x, r * p, p, isCat);
        trial[i] = d < dmin[i] ? d : dmin[i];
        cost += w[i] * trial[i];
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = r;
        bestTrial.set(trial);
      }
    }
    centers.set(x.subarray(best * p, best * p + p), c * p);
    dmin.set(bestTrial);
  }
  return centers;
}

/**
 * Row i's nearest center by scanning all k (lowest index on ties): sets upper[i] to its
 * distance and lower[i] to the second nearest's (not squared), returns its index.
 */
function scan(x: Float64Array, i: number, centers: Float64Array, k: number, space: LocalSpace, hasCat: boolean, upper: Float64Array, lower: Float64Array, dist: Float64Array): number {
  const best = nearest(x, i * space.p, centers, k, space.p, space.isCat, hasCat, dist);
  upper[i] = Math.sqrt(dist[0]);
  lower[i] = Math.sqrt(dist[1]);
  return best;
}

/**
 * Weighted Lloyd iterations from `centers` (updated in place); returns the weighted cost
 * of the final centers. Hamerly's bounds (the distance to the row's center and a lower
 * bound on the others', moved by how far the centers move) spare most rows the scan of
 * all k centers once clusters settle; the distance (the square root of encoding.ts's,
 * a metric) obeys the triangle inequality they rely on, and every row still gets its
 * nearest center, lowest index on ties, as a full scan would give it.
 */
function weightedLloyd(s: WeightedSample, centers: Float64Array, k: number, space: LocalSpace, maxIterations: number): number {
  const { p, isCat, levels } = space;
  const { x, w, rows } = s;
  const hasCat = isCat.some((c) => c === 1);
  const offset = new Int32Array(p);
  let totalLevels = 0;
  for (let j = 0; j < p; j++) {
    offset[j] = totalLevels;
    totalLevels += levels[j];
  }
  const sums = new Float64Array(k * p);
  const mass = new Float64Array(k);
  const votes = new Float64Array(k * totalLevels);
  const assign = new Int32Array(rows).fill(-1);
  const upper = new Float64Array(rows);
  const lower = new Float64Array(rows);
  const half = new Float64Array(k);
  const moved = new Float64Array(k);
  const next = new Float64Array(k * p);
  const dist = new Float64Array(2);
  for (let it = 0; it < maxIterations; it++) {
    sums.fill(0);
    mass.fill(0);
    votes.fill(0);
    // Half the distance from each center to its nearest other: a row closer than that to its center stays.
    half.fill(Infinity);
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        const h = 0.5 * Math.sqrt(distance(centers, a * p, centers, b * p, p, isCat));
        if (h < half[a]) half[a] = h;
        if (h < half[b]) half[b] = h;
      }
    }
    let changed = 0;
    for (let i = 0; i < rows; i++) {
      const xo = i * p;
      let cl = assign[i];
      if (cl < 0) cl = scan(x, i, centers, k, space, hasCat, upper, lower, dist);
      else {
        const bound = (half[cl] > lower[i] ? half[cl] : lower[i]) * MARGIN;
        if (!(upper[i] < bound)) {
          upper[i] = Math.sqrt(distance(x, xo, centers, cl * p, p, isCat));
          if (!(upper[i] < bound)) cl = scan(x, i, centers, k, space, hasCat, upper, lower, dist);
        }
      }
      if (assign[i] !== cl) {
        changed++;
        assign[i] = cl;
      }
      const wi = w[i];
      mass[cl] += wi;
      const so = cl * p;
      if (hasCat) {
        for (let j = 0; j < p; j++) {
          if (isCat[j]) votes[cl * totalLevels + offset[j] + x[xo + j]] += wi;
          else sums[so + j] += wi * x[xo + j];
        }
      } else {
        for (let j = 0; j < p; j++) sums[so + j] += wi * x[xo + j];
      }
    }
    if (changed === 0) break;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < p; j++) {
        const t = c * p + j;
        if (mass[c] === 0) next[t] = centers[t];
        else if (isCat[j]) {
          const o = c * totalLevels + offset[j];
          let best = 0;
          for (let l = 1; l < levels[j]; l++) if (votes[o + l] > votes[o + best]) best = l;
          next[t] = best;
        } else next[t] = sums[t] / mass[c];
      }
    }
    let shift = 0;
    let far = -1;
    for (let c = 0; c < k; c++) {
      const d = distance(next, c * p, centers, c * p, p, isCat);
      shift += d;
      moved[c] = Math.sqrt(d);
      if (far < 0 || moved[c] > moved[far]) far = c;
    }
    let farOther = 0;
    for (let c = 0; c < k; c++) if (c !== far && moved[c] > farOther) farOther = moved[c];
    for (let i = 0; i < rows; i++) {
      upper[i] += moved[assign[i]];
      lower[i] -= assign[i] === far ? farOther : moved[far];
    }
    centers.set(next);
    if (shift <= space.tolerance) break;
  }
  let cost = 0;
  for (let i = 0; i < rows; i++) {
    nearest(x, i * p, centers, k, p, isCat, hasCat, dist);
    cost += w[i] * dist[0];
  }
  return cost;
}

/** The best of `starts` greedy k-means++ starts refined by weighted Lloyd: k × p centers. */
export function bestOfStarts(s: WeightedSample, k: number, space: LocalSpace, starts: number, maxIterations: number, rng: Rng): Float64Array {
  let best: Float64Array | null = null;
  let bestCost = Infinity;
  for (let r = 0; r < starts; r++) {
    const centers = greedyPlusPlus(s, k, space, rng);
    const cost = weightedLloyd(s, centers, k, space, maxIterations);
    if (best === null || cost < bestCost) {
      best = centers;
      bestCost = cost;
    }
  }
  return best as Float64Array;
}
