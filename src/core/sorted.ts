// Small helpers on ascending Float64Arrays, shared by the tasks that sketch, recode and
// rank values (merging sorted partials is exact in any order, hence commutative).

/** The ascending merge of two ascending arrays. */
export function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  mergeInto(a, 0, a.length, b, 0, b.length, out, 0);
  return out;
}

/**
 * One ascending array from ascending runs, merged pairwise level by level (n log k work for
 * k runs): the first level reads the runs themselves, later ones go between two buffers of
 * the total length (one when there are two runs). A new array even for one run.
 */
export function mergeSortedRuns(runs: readonly Float64Array[]): Float64Array {
  let total = 0;
  for (const r of runs) total += r.length;
  let dst = new Float64Array(total);
  if (runs.length === 1) dst.set(runs[0]);
  if (runs.length <= 1) return dst;
  let bounds = [0];
  for (let r = 0, o = 0; r < runs.length; r += 2) {
    const a = runs[r];
    const b = r + 1 < runs.length ? runs[r + 1] : new Float64Array(0);
    mergeInto(a, 0, a.length, b, 0, b.length, dst, o);
    o += a.length + b.length;
    bounds.push(o);
  }
  let src = dst;
  dst = new Float64Array(bounds.length > 2 ? total : 0);
  while (bounds.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const e = r + 2 < bounds.length ? bounds[r + 2] : bounds[r + 1];
      mergeInto(src, bounds[r], bounds[r + 1], src, bounds[r + 1], e, dst, bounds[r]);
      next.push(e);
    }
    [src, dst] = [dst, src];
    bounds = next;
  }
  return src;
}

/**
 * One ascending array, in shared memory, of the values of `runs` (sorted or not): copied side
 * by side and sorted by the engine. A worker settling its partial gets it faster this way than
 * by a merge loop its JIT has yet to compile (a typed array's sort is native: 1.2M values in
 * 13-27 ms here), and hands it back without a copy.
 */
export function sortedConcat(runs: readonly Float64Array[]): Float64Array {
  let total = 0;
  for (const r of runs) total += r.length;
  const out = new Float64Array(new SharedArrayBuffer(total * 8));
  let at = 0;
  for (const r of runs) {
    out.set(r, at);
    at += r.length;
  }
  return out.sort();
}

/** Merges ascending a[i, m) and b[j, e) into out from `o`. */
function mergeInto(a: Float64Array, i: number, m: number, b: Float64Array, j: number, e: number, out: Float64Array, o: number): void {
  while (i < m && j < e) out[o++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < m) out[o++] = a[i++];
  while (j < e) out[o++] = b[j++];
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
