// A trained deep learning model: the design its inputs are expanded by, the network (layer
// sizes, activation, flat weights), the response's standardization for regression, and
// scoring: a frame is bound to the training columns by name (levels by label), expanded
// with the training design and passed forward, one scored chunk per frame chunk.

import type { Frame } from "../../core/frame.ts";
import type { Executor } from "../../core/mr.ts";
import { bindColumns, bindResponse } from "../bind.ts";
import { type Design, type DesignArgs, designColumns, termNames } from "../design.ts";
import type { Distribution, LossParams } from "../loss.ts";
import type { MetricsSpec, SupervisedCategory } from "../metrics/index.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import { type ModelCommon, type VarImp, varimpOf } from "../model.ts";
import { gedeon, layout, type Loss, type NetSpec } from "./network.ts";
import { DeepLearningScoreTask } from "./tasks.ts";

export interface DeepLearningModel extends ModelCommon {
  readonly algo: "deeplearning";
  readonly response: { readonly name: string; readonly domain: readonly string[] | null };
  readonly category: SupervisedCategory;
  readonly design: Design;
  readonly net: NetSpec;
  /** Weights then biases, layer after layer (see network.ts's layout). */
  readonly weights: Float64Array;
  /** Regression: prediction = yMean + yScale · output (the response's mean and sd when standardizing). */
  readonly yMean: number;
  readonly yScale: number;
  readonly distribution: Distribution;
  readonly loss: Loss;
  readonly lossParams: LossParams;
  /** Epochs and iterations of the weights kept (the best scored ones with overwrite_with_best_model). */
  readonly epochs_trained: number;
  readonly iterations: number;
  readonly threshold: number;
}

/** The model's outputs on a frame (with the response where the frame has it). */
export function predictDeepLearning(executor: Executor, m: DeepLearningModel, frame: Frame, warnings: string[]): Promise<ScoredChunk[]> {
  const bound = bindColumns(frame, designColumns(m.design), warnings);
  const y = bindResponse(frame, m.response);
  const expand: DesignArgs = { design: m.design, bound, y, needY: false, holdoutWidth: 0 };
  return executor.run(DeepLearningScoreTask, frame, { expand, spec: m.net, weights: m.weights, yMean: m.yMean, yScale: m.yScale });
}

export function deepLearningMetricsSpec(m: Pick<DeepLearningModel, "category" | "response" | "distribution" | "lossParams">): MetricsSpec {
  return { category: m.category, classes: m.response.domain?.length ?? 1, distribution: m.distribution, lossParams: m.lossParams };
}

/** The hidden layer sizes of a model's network. */
export function hiddenOf(m: Pick<DeepLearningModel, "net">): number[] {
  return m.net.units.slice(1, -1);
}

/** Gedeon's importance of each input unit, named as H2O names them (`col.level`, `col`). */
export function deepLearningVarimp(design: Design, spec: NetSpec, weights: Float64Array): VarImp[] {
  return varimpOf(termNames(design), gedeon(spec, layout(spec), weights));
}
