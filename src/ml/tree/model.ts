// A fitted tree ensemble (GBM or DRF) and how it scores a frame: the frame is binned
// with the training bins (columns matched by name, enum levels by label), every row
// is routed through the trees, and raw scores become predictions. Prediction from a
// model loaded from a file runs this same code on the same arrays, so it is bit-exact.

import type { Frame } from "../../core/frame.ts";
import { bindColumns, bindResponse } from "../bind.ts";
import type { Executor } from "../../core/mr.ts";
import type { Distribution, LossParams } from "../loss.ts";
import type { MetricsSpec, SupervisedCategory } from "../metrics/index.ts";
import type { ModelCommon } from "../model.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import type { BinColumn, FeatureSpec } from "./binning.ts";
import { EnsembleScoreTask, OutputTask, type OutputArgs } from "./row-tasks.ts";
import { routersFor, type Tree } from "./tree.ts";
import { BuildViewTask, type TreeChunk } from "./view.ts";

export interface ScoringEvent {
  readonly number_of_trees: number;
  readonly timestamp_ms: number;
  readonly training: Record<string, number>;
  readonly validation?: Record<string, number>;
}

export interface TreeModel extends ModelCommon {
  readonly algo: "gbm" | "drf" | "xgboost";
  readonly response: { readonly name: string; readonly domain: readonly string[] | null };
  readonly category: SupervisedCategory;
  /** Trees a iteration: classes for multinomial, else 1. */
  readonly treesPerIteration: number;
  readonly features: readonly FeatureSpec[];
  readonly init: Float64Array;
  readonly iterations: readonly (readonly Tree[])[];
  readonly output: OutputArgs["output"];
  readonly distribution: Distribution;
  readonly lossParams: LossParams;
  readonly threshold: number;
  readonly scoring_history: readonly ScoringEvent[];
  /** XGBoost's importances per column: total gain, total cover (hessian of the split rows) and splits. */
  readonly feature_importance?: readonly FeatureImportance[];
}

export interface FeatureImportance {
  readonly variable: string;
  readonly gain: number;
  readonly cover: number;
  readonly frequency: number;
}

/**
 * The bin columns of `frame` for `features`, matched by name. Enum levels are mapped by
 * label; what cannot be matched is scored as missing and reported in `warnings`.
 */
export function bindFeatures(frame: Frame, features: readonly FeatureSpec[], warnings: string[]): BinColumn[] {
  const bound = bindColumns(
    frame,
    features.map((f) => ({ name: f.name, domain: f.kind === "enum" ? (f.domain ?? []) : null })),
    warnings,
  );
  return features.map((spec, i) => ({ ...bound[i], spec }));
}

/** The training-view chunks of a frame scored by `model` (raw scores filled in). */
export async function scoredView(executor: Executor, model: TreeModel, frame: Frame, warnings: string[]): Promise<{ chunks: TreeChunk[] }> {
  const features = bindFeatures(frame, model.features, warnings);
  const y = bindResponse(frame, model.response);
  const K = model.treesPerIteration;
  const chunks = await executor.run(BuildViewTask, frame, { features, y, classes: K });
  const view = { chunks };
  const missingBin = Int32Array.from(model.features, (f) => f.valueBins);
  // The routers are packed once a model and kept with its trees: a streamed scoring runs this batch after batch.
  await executor.run(EnsembleScoreTask, view, { iterations: model.iterations, routers: routersFor(model.iterations, model.iterations), init: model.init, missingBin });
  return view;
}

export function outputArgs(model: TreeModel): OutputArgs {
  return {
    output: model.output,
    classes: model.treesPerIteration,
    trees: model.iterations.length,
    binomial: model.category === "Binomial",
  };
}

/** The model's outputs on a frame, with the response where the frame has it. */
export async function predictFrame(executor: Executor, model: TreeModel, frame: Frame, warnings: string[]): Promise<ScoredChunk[]> {
  const view = await scoredView(executor, model, frame, warnings);
  return executor.run(OutputTask, view, outputArgs(model));
}

/** What the model's metrics are computed with. */
export function metricsSpecOf(model: TreeModel): MetricsSpec {
  return {
    category: model.category,
    classes: model.response.domain?.length ?? 1,
    distribution: model.distribution,
    lossParams: model.lossParams,
  };
}
