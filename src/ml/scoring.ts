// Scoring any model, whatever its algorithm: what it reads (the input columns), what it
// writes (the output columns of `floe predict`) and how it is evaluated (`floe eval`:
// metrics fed a frame at a time, so evaluation can stream). Each algorithm's scorer sits in
// its descriptor; this module looks it up by the model's `algo` through the registry.

import type { Frame } from "../core/frame.ts";
import type { Executor } from "../core/mr.ts";
import type { Evaluator, InputColumn } from "./algorithm.ts";
import type { ScoredChunk } from "./metrics/scored.ts";
import { ALGORITHMS_CONTEXT, descriptorOf, type Model, requireInputs } from "./registry.ts";

export type { Evaluator, InputColumn } from "./algorithm.ts";
export type { Model } from "./registry.ts";
export { requireInputs } from "./registry.ts";

export function modelInputs(model: Model): InputColumn[] {
  return ALGORITHMS_CONTEXT.inputs(model);
}

/** The model's outputs on a frame, one scored chunk per frame chunk (see outputNames); refuses a frame with none of its columns. */
export function predictFrame(executor: Executor, model: Model, frame: Frame, warnings: string[]): Promise<ScoredChunk[]> {
  return ALGORITHMS_CONTEXT.predict(executor, model, frame, warnings);
}

export function modelEvaluator(executor: Executor, model: Model): Evaluator {
  const evaluator = descriptorOf(model.algo).scorer.evaluator(executor, model, ALGORITHMS_CONTEXT);
  return {
    add: async (frame, warnings) => {
      requireInputs(model, frame.names);
      await evaluator.add(frame, warnings);
    },
    result: () => evaluator.result(),
  };
}

/**
 * The columns `floe predict` writes: the algorithm's own (PCA's components), or `predict`
 * then one probability per class (classifiers), or `predict` alone (regression, clustering).
 */
export function outputNames(model: Model): string[] {
  const own = descriptorOf(model.algo).scorer.outputNames;
  if (own) return own(model);
  const domain = model.response?.domain;
  return domain ? ["predict", ...domain] : ["predict"];
}
