// Dimension-reduction metrics with H2O's names (ModelMetricsPCA): the rows scored, their
// total variance and the "Importance of components" table.

/** H2O's "Importance of components" table, one entry per component. */
export interface Importance {
  readonly standard_deviation: readonly number[];
  readonly proportion_of_variance: readonly number[];
  readonly cumulative_proportion: readonly number[];
}

/** PCA "metrics": rows and the variance each component captures on the data scored. */
export interface PcaMetrics {
  readonly nobs: number;
  readonly total_variance: number;
  readonly importance: Importance;
}
