// Metrics of any model category, computed through the executor from scored chunks.

import type { Chunked, Executor } from "../../core/mr.ts";
import type { Distribution, LossParams } from "../loss.ts";
import type { PcaMetrics } from "./dimreduction.ts";
import type { AnomalyMetrics } from "./anomaly.ts";
import type { ClusteringMetrics } from "./clustering.ts";
import { type BinomialMetrics, BinomialScoresTask, binomialMetrics, type SortedScores } from "./binomial.ts";
import { type MultinomialMetrics, MultinomialMetricsTask, multinomialMetrics } from "./multinomial.ts";
import { type RegressionMetrics, RegressionMetricsTask, regressionMetrics } from "./regression.ts";
import type { ScoredChunk } from "./scored.ts";

export type SupervisedCategory = "Regression" | "Binomial" | "Multinomial";
export type Metrics = RegressionMetrics | BinomialMetrics | MultinomialMetrics | ClusteringMetrics | PcaMetrics | AnomalyMetrics;

export interface MetricsSpec {
  readonly category: SupervisedCategory;
  /** Number of classes (classifiers). */
  readonly classes: number;
  /** For mean_residual_deviance of regression models. */
  readonly distribution: Distribution;
  readonly lossParams: LossParams;
}

/**
 * Metrics accumulated batch by batch (streaming scoring): each `add` runs the category's
 * task over a batch of scored chunks and merges its partial; `result` finishes them.
 */
export class MetricsAccumulator {
  private partial: unknown = undefined;

  constructor(
    private readonly executor: Executor,
    private readonly spec: MetricsSpec,
  ) {}

  async add(scored: Chunked<ScoredChunk>): Promise<void> {
    const s = this.spec;
    switch (s.category) {
      case "Regression": {
        const args = { distribution: s.distribution, ...s.lossParams };
        this.merge(RegressionMetricsTask.reduce, await this.executor.run(RegressionMetricsTask, scored, args));
        return;
      }
      case "Binomial":
        this.merge(BinomialScoresTask.reduce, await this.executor.run(BinomialScoresTask, scored, {}));
        return;
      case "Multinomial":
        this.merge(MultinomialMetricsTask.reduce, await this.executor.run(MultinomialMetricsTask, scored, { classes: s.classes }));
        return;
    }
  }

  private merge<P>(reduce: (a: P, b: P) => P, p: P): void {
    this.partial = this.partial === undefined ? p : reduce(this.partial as P, p);
  }

  result(): Metrics {
    const s = this.spec;
    switch (s.category) {
      case "Regression":
        return regressionMetrics((this.partial as Float64Array | undefined) ?? RegressionMetricsTask.empty({ distribution: s.distribution, ...s.lossParams }));
      case "Binomial":
        return binomialMetrics((this.partial as SortedScores | undefined) ?? BinomialScoresTask.empty({}));
      case "Multinomial":
        return multinomialMetrics((this.partial as Float64Array | undefined) ?? MultinomialMetricsTask.empty({ classes: s.classes }), s.classes);
    }
  }
}

export async function computeMetrics(executor: Executor, scored: Chunked<ScoredChunk>, spec: MetricsSpec): Promise<Metrics> {
  const acc = new MetricsAccumulator(executor, spec);
  await acc.add(scored);
  return acc.result();
}
