// A bundle of low-cardinality features: their bins read as the digits of one number, so a
// row adds to one bin of the bundle's histogram instead of one bin of each member's. A
// node of many rows sums its rows into the bundle and then spreads each bundle bin onto
// its members' histograms (histogram.ts): flights' hour, day of week and month (25, 8 and
// 8 bins) make a bundle of 1,600 bins, and a row updates four histograms instead of six.
// The level passes of a flights GBM took 0.87-0.89x the CPU (each pass run with and without
// the bundle, alternating, on one thread). The sums are of integers, so the histograms are
// exactly the ones the members give alone.

import { sharedI32 } from "../../core/chunk.ts";

/** Most bins a bundle may have: spreading it costs a step a bin, paid back by its rows. */
export const BUNDLE_MAX_BINS = 4096;

/**
 * Rows a node's run (its rows in a chunk) needs, per bundle bin, to be summed through the
 * bundle: a slot's bundle costs a step a bin to spread, once a pass, and a row saves an
 * update a member but one. Measured on flights, level passes through the bundle took
 * 0.87-0.89x the CPU at half a row a bin, and 0.88-0.93x at a quarter or one.
 */
export const BUNDLE_ROWS_PER_BIN = 0.5;

/**
 * In shared memory, as all of a view chunk: a worker pool keeps such chunks on its workers
 * (the view's chunks stay put and are claimed a pass), where any other array made every
 * chunk travel whole to a worker every pass.
 */
export interface FeatureBundle {
  /** Member features, ascending; each one's bins (its missing bin + 1) and its digit's place value. */
  readonly members: Int32Array;
  readonly counts: Int32Array;
  readonly strides: Int32Array;
  /** Bins of the bundle: the product of its members' counts. */
  readonly bins: number;
}

/**
 * The bundle of the features with fewest bins whose product stays within `maxBins`, from
 * each feature's bin count; null when fewer than two features fit.
 */
export function chooseBundle(binCounts: ArrayLike<number>, maxBins = BUNDLE_MAX_BINS): FeatureBundle | null {
  const bySize = Array.from({ length: binCounts.length }, (_, f) => f).sort((a, b) => binCounts[a] - binCounts[b] || a - b);
  const members: number[] = [];
  let bins = 1;
  for (const f of bySize) {
    if (bins * binCounts[f] > maxBins) break;
    members.push(f);
    bins *= binCounts[f];
  }
  if (members.length < 2) return null;
  members.sort((a, b) => a - b);
  const M = members.length;
  const counts = sharedI32(M);
  const strides = sharedI32(M);
  for (let m = M - 1, place = 1; m >= 0; m--) {
    counts[m] = binCounts[members[m]];
    strides[m] = place;
    place *= counts[m];
  }
  const shared = sharedI32(M);
  shared.set(members);
  return { members: shared, counts, strides, bins };
}

/** The bundle bin of rows [0, rows) into `out`, from the features' bins. */
export function bundleCodes(bins: readonly Uint16Array[], b: FeatureBundle, rows: number, out: Uint16Array): void {
  out.fill(0, 0, rows);
  for (let m = 0; m < b.members.length; m++) {
    const member = bins[b.members[m]];
    const stride = b.strides[m];
    for (let i = 0; i < rows; i++) out[i] += member[i] * stride;
  }
}
