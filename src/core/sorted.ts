// Small helpers on ascending Float64Arrays, shared by the tasks that sketch, recode and
// rank values (merging sorted partials is exact in any order, hence commutative).

/** The ascending merge of two ascending arrays. */
export function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) out[o++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[o++] = a[i++];
  while (j < b.length) out[o++] = b[j++];
  return out;
}

/**
 * One ascending array from ascending runs, merged pairwise level by level between two
 * buffers of the total length (n log k work; no array a merge).
 */
export function mergeSortedRuns(runs: readonly Float64Array[]): Float64Array {
  let total = 0;
  for (const r of runs) total += r.length;
  let src = new Float64Array(total);
  let dst = new Float64Array(runs.length > 1 ? total : 0);
  let bounds = [0];
  for (const r of runs) {
    src.set(r, bounds[bounds.length - 1]);
    bounds.push(bounds[bounds.length - 1] + r.length);
  }
  while (bounds.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const a = bounds[r];
      const m = bounds[r + 1];
      const e = r + 2 < bounds.length ? bounds[r + 2] : m;
      let i = a;
      let j = m;
      let o = a;
      while (i < m && j < e) dst[o++] = src[i] <= src[j] ? src[i++] : src[j++];
      while (i < m) dst[o++] = src[i++];
      while (j < e) dst[o++] = src[j++];
      next.push(e);
    }
    [src, dst] = [dst, src];
    bounds = next;
  }
  return src;
}

/** The first index i with sorted[i] >= x (sorted.length when every value is smaller). */
export function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
