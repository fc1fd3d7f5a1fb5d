// Metrics of any model category, computed through the executor from scored chunks.

import type { Chunked, Executor } from "../../core/mr.ts";
import type { Distribution, LossParams } from "../loss.ts";
import { type BinomialMetrics, BinomialScoresTask, binomialMetrics } from "./binomial.ts";
import { type MultinomialMetrics, MultinomialMetricsTask, multinomialMetrics } from "./multinomial.ts";
import { type RegressionMetrics, RegressionMetricsTask, regressionMetrics } from "./regression.ts";
import type { ScoredChunk } from "./scored.ts";

export type ModelCategory = "Regression" | "Binomial" | "Multinomial";
export type Metrics = RegressionMetrics | BinomialMetrics | MultinomialMetrics;

export interface MetricsSpec {
  readonly category: ModelCategory;
  /** Number of classes (classifiers). */
  readonly classes: number;
  /** For mean_residual_deviance of regression models. */
  readonly distribution: Distribution;
  readonly lossParams: LossParams;
}

export async function computeMetrics(executor: Executor, scored: Chunked<ScoredChunk>, spec: MetricsSpec): Promise<Metrics> {
  switch (spec.category) {
    case "Regression":
      return regressionMetrics(await executor.run(RegressionMetricsTask, scored, { distribution: spec.distribution, ...spec.lossParams }));
    case "Binomial":
      return binomialMetrics(await executor.run(BinomialScoresTask, scored, {}));
    case "Multinomial":
      return multinomialMetrics(await executor.run(MultinomialMetricsTask, scored, { classes: spec.classes }), spec.classes);
  }
}
