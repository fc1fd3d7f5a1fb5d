// A stacked ensemble as a model: the base models themselves (so a model file scores on its
// own) and the metalearner trained on their outputs. Scoring runs every base model over the
// frame, lays their outputs side by side as level-one data and scores the metalearner on it.

import type { Executor } from "../../core/mr.ts";
import type { Frame } from "../../core/frame.ts";
import type { MetricsSpec } from "../metrics/index.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import type { ModelCommon } from "../model.ts";
import { levelOneFrame } from "./level-one.ts";
import type { AnyModel } from "../algorithm.ts";

export interface StackedEnsembleModel extends ModelCommon {
  readonly algo: "stackedensemble";
  readonly response: { readonly name: string; readonly domain: readonly string[] | null };
  readonly category: "Regression" | "Binomial" | "Multinomial";
  readonly base_models: readonly AnyModel[];
  readonly metalearner: AnyModel;
}

type PredictFrame = (executor: Executor, model: AnyModel, frame: Frame, warnings: string[]) => Promise<ScoredChunk[]>;

/**
 * The ensemble's outputs on a frame: the metalearner's, with the actual response as the
 * base models read it. `predict` scores any model (the registry's, passed in so that this
 * folder imports no other algorithm).
 */
export async function predictEnsemble(executor: Executor, m: StackedEnsembleModel, frame: Frame, warnings: string[], predict: PredictFrame): Promise<ScoredChunk[]> {
  const scored: ScoredChunk[][] = [];
  for (const base of m.base_models) scored.push(await predict(executor, base, frame, warnings));
  const levelOne = levelOneFrame(m.base_models.map(sourceOf), scored, null);
  const meta = await predict(executor, m.metalearner, levelOne, []);
  return meta.map((sc, c) => ({ ...sc, y: scored[0][c].y }));
}

export function sourceOf(model: AnyModel): { model_id: string; domain: readonly string[] | null } {
  return { model_id: model.model_id, domain: model.response?.domain ?? null };
}

export function ensembleMetricsSpec(m: StackedEnsembleModel): MetricsSpec {
  return {
    category: m.category,
    classes: m.response.domain?.length ?? 1,
    distribution: "gaussian",
    lossParams: { tweedie_power: 1.5, quantile_alpha: 0.5, huber_delta: 1 },
  };
}
