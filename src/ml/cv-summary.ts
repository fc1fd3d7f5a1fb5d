// H2O's cross-validation metrics summary: each scalar metric computed on each fold's
// holdout rows alone, then its mean and sample standard deviation across the folds.
// The holdout predictions are already there (cross-validation made them); a fold's
// metrics weigh the other folds' rows 0.

import type { Metrics } from "./metrics/index.ts";
import type { ScoredChunk } from "./metrics/scored.ts";

export interface CvSummaryRow {
  readonly mean: number;
  /** Sample standard deviation (n − 1) across the folds. */
  readonly sd: number;
  readonly folds: readonly number[];
}

/** Metric name → its summary across folds (scalar metrics only). */
export type CvSummary = Readonly<Record<string, CvSummaryRow>>;

/** The holdout predictions of fold `f` alone: other rows weigh 0. */
function foldOnly(scored: readonly ScoredChunk[], folds: readonly Int32Array[], f: number): ScoredChunk[] {
  return scored.map((sc, i) => {
    const w = new Float64Array(sc.rows);
    const fold = folds[i];
    for (let r = 0; r < sc.rows; r++) w[r] = fold[r] === f ? (sc.w ? sc.w[r] : 1) : 0;
    return { ...sc, w };
  });
}

/**
 * The summary over `nfolds` folds, from the holdout predictions (`scored`, chunk by chunk),
 * each chunk's fold ids, and the algorithm's own way of computing metrics.
 */
export async function cvSummary(scored: readonly ScoredChunk[], folds: readonly Int32Array[], nfolds: number, metricsOf: (chunks: ScoredChunk[]) => Promise<Metrics>): Promise<CvSummary> {
  const perFold: Record<string, number>[] = [];
  for (let f = 0; f < nfolds; f++) perFold.push((await metricsOf(foldOnly(scored, folds, f))) as unknown as Record<string, number>);
  const out: Record<string, CvSummaryRow> = {};
  for (const name of Object.keys(perFold[0])) {
    if (name === "nobs" || !perFold.every((m) => typeof m[name] === "number")) continue;
    const values = perFold.map((m) => m[name]);
    const mean = values.reduce((s, v) => s + v, 0) / nfolds;
    const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
    out[name] = { mean, sd: nfolds > 1 ? Math.sqrt(ss / (nfolds - 1)) : 0, folds: values };
  }
  return out;
}
