// The weighted sample that Coreset seeding clusters on one machine (local.ts): a
// lightweight coreset (Bachem, Lucic and Krause, KDD 2018) drawn in one pass over the
// view. Row i is kept with probability min(1, m·q_i), q_i = ½·1/n + ½·d_i/Σd (d_i its
// squared distance to the grand center, Σd the total sum of squares), and weighs
// 1/min(1, m·q_i): the weighted sample's cost of any k centers estimates the rows' cost
// without bias, and rows far from the bulk (small, distant clusters) are drawn as
// k-means++ would draw them. The draw is a hash of the seed and the global row id, the
// sample is ordered by row id: the same seed gives the same sample on any chunking.

import type { Task } from "../../core/mr.ts";
import { rowUniform } from "../../core/rng.ts";
import { distance } from "./encoding.ts";
import type { KMeansChunk } from "./view.ts";

export interface CoresetArgs {
  /** The grand center (length p): column means, or modes for enums. */
  readonly center: Float64Array;
  readonly p: number;
  readonly isCat: Uint8Array;
  /** Distances are compared in integers of 1/distanceScale, as the total is summed. */
  readonly distanceScale: number;
  /** Σ squared distance to the grand center, in integers of 1/distanceScale (TotssTask). */
  readonly totUnits: number;
  /** Rows of the view. */
  readonly n: number;
  /** Expected sample size; with n ≤ m every row is kept at weight 1. */
  readonly m: number;
  /** keyState of the draw; a row's draw is rowUniform(state, row). */
  readonly state: number;
}

/**
 * Partial: [stride, records…], each record [row, weight, x_0 … x_{p−1}] (stride p + 2),
 * ascending by row.
 */
export const CoresetTask: Task<CoresetArgs, Float64Array, KMeansChunk> = {
  name: "ml.kmeans.coreset",
  commutative: true,
  map(c, { center, p, isCat, distanceScale, totUnits, n, m, state }) {
    const stride = p + 2;
    const kept = new Int32Array(c.rows);
    const weights = new Float64Array(c.rows);
    let count = 0;
    for (let i = 0; i < c.rows; i++) {
      let mq = 1;
      if (n > m) {
        const share = totUnits > 0 ? Math.round(distance(c.x, i * p, center, 0, p, isCat) * distanceScale) / totUnits : 1 / n;
        mq = m * (0.5 / n + 0.5 * share);
        if (rowUniform(state, c.start + i) >= mq) continue;
      }
      kept[count] = i;
      weights[count++] = 1 / Math.min(1, mq);
    }
    const out = new Float64Array(1 + count * stride);
    out[0] = stride;
    for (let t = 0; t < count; t++) {
      const o = 1 + t * stride;
      out[o] = c.start + kept[t];
      out[o + 1] = weights[t];
      out.set(c.x.subarray(kept[t] * p, kept[t] * p + p), o + 2);
    }
    return out;
  },
  reduce(a, b) {
    const stride = a[0];
    const na = (a.length - 1) / stride;
    const nb = (b.length - 1) / stride;
    const out = new Float64Array(1 + (na + nb) * stride);
    out[0] = stride;
    let i = 0;
    let j = 0;
    for (let t = 0; t < na + nb; t++) {
      const ao = 1 + i * stride;
      const bo = 1 + j * stride;
      if (j >= nb || (i < na && a[ao] < b[bo])) {
        out.set(a.subarray(ao, ao + stride), 1 + t * stride);
        i++;
      } else {
        out.set(b.subarray(bo, bo + stride), 1 + t * stride);
        j++;
      }
    }
    return out;
  },
  empty: ({ p }) => Float64Array.of(p + 2),
};
