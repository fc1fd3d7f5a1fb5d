// Clustering metrics with H2O's names (ModelMetricsClustering): tot_withinss, totss,
// betweenss = totss − tot_withinss, and per centroid its size and within-cluster sum of
// squares. Centroids are numbered from 1 as in H2O's centroid statistics table
// (predictions number clusters from 0, as H2O's do).
//
// Over a scoring frame the sums come in one partial, folded in chunk order:
//   [n, size(k), withinss(k), Σ(x − g)(p), Σ(x − g)²(p)]
// with g the model's grand center. totss is computed about the frame's own mean,
// Σ(x − g)² − (Σ(x − g))²/n per numeric column (shifting by g keeps it accurate), plus,
// per enum column, the rows whose level differs from the training mode (H2O's count,
// which the scorer puts in the Σ(x − g) slot).

export interface CentroidStat {
  readonly centroid: number;
  readonly size: number;
  readonly within_cluster_sum_of_squares: number;
}

export interface ClusteringMetrics {
  readonly nobs: number;
  readonly tot_withinss: number;
  readonly betweenss: number;
  readonly totss: number;
  readonly centroid_stats: readonly CentroidStat[];
}

/** Metrics from per-cluster sizes and within sums of squares, and the total sum of squares. */
export function clusteringMetrics(size: ArrayLike<number>, withinss: ArrayLike<number>, totss: number): ClusteringMetrics {
  let nobs = 0;
  let tot = 0;
  const centroid_stats: CentroidStat[] = [];
  for (let c = 0; c < size.length; c++) {
    nobs += size[c];
    tot += withinss[c];
    centroid_stats.push({ centroid: c + 1, size: size[c], within_cluster_sum_of_squares: withinss[c] });
  }
  // One cluster: its center is the grand center, so H2O reports totss = tot_withinss.
  const total = size.length === 1 ? tot : totss;
  return { nobs, tot_withinss: tot, betweenss: total - tot, totss: total, centroid_stats };
}

/** Length of the scoring partial for k clusters over p columns. */
export function clusteringPartialLength(k: number, p: number): number {
  return 1 + 2 * k + 2 * p;
}

/** Sums two scoring partials (a new array). */
export function addClusteringPartials(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let t = 0; t < a.length; t++) out[t] = a[t] + b[t];
  return out;
}

/** The metrics of a scoring partial; `isCat[j]` marks enum columns. */
export function clusteringFromPartial(s: Float64Array, k: number, isCat: ArrayLike<number>): ClusteringMetrics {
  const p = isCat.length;
  const n = s[0];
  const s1 = 1 + 2 * k;
  const s2 = s1 + p;
  let totss = 0;
  for (let j = 0; j < p; j++) totss += isCat[j] ? s[s1 + j] : n > 0 ? s[s2 + j] - (s[s1 + j] * s[s1 + j]) / n : 0;
  return clusteringMetrics(s.subarray(1, 1 + k), s.subarray(1 + k, 1 + 2 * k), totss);
}
