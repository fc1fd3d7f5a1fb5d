// The evaluator of a supervised model (`floe eval`, validation frames given one at a time):
// its predictions fed to the shared metrics, so evaluation can stream.

import type { Frame } from "../core/frame.ts";
import type { Executor } from "../core/mr.ts";
import type { Evaluator } from "./algorithm.ts";
import { MetricsAccumulator, type MetricsSpec } from "./metrics/index.ts";
import type { ScoredChunk } from "./metrics/scored.ts";

/** Metrics of `spec` over the predictions `predict` makes on each frame added. */
export function supervisedEvaluator(executor: Executor, spec: MetricsSpec, predict: (frame: Frame, warnings: string[]) => Promise<ScoredChunk[]>): Evaluator {
  const acc = new MetricsAccumulator(executor, spec);
  return {
    add: async (frame, warnings) => acc.add({ chunks: await predict(frame, warnings) }),
    result: () => acc.result(),
  };
}
