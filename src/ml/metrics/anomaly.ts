// Anomaly-detection metrics with H2O's names (ModelMetricsAnomaly): over the scored rows,
// the mean of the raw score (an isolation forest's mean path length) and of the normalized
// anomaly score. A labelled validation frame gets binomial metrics instead (binomial.ts).

export interface AnomalyMetrics {
  readonly nobs: number;
  /** Mean of the raw score: the mean path length over the trees. */
  readonly mean_score: number;
  /** Mean of the normalized anomaly score (higher: more anomalous). */
  readonly mean_normalized_score: number;
}

/** Metrics from the row count and the sums of the raw and the normalized scores. */
export function anomalyMetrics(nobs: number, sumScore: number, sumNormalized: number): AnomalyMetrics {
  return { nobs, mean_score: nobs > 0 ? sumScore / nobs : Number.NaN, mean_normalized_score: nobs > 0 ? sumNormalized / nobs : Number.NaN };
}
