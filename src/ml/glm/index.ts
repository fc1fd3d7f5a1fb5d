// GLM as floe's registry sees it: parameters, training, tasks, scoring, report and checks.

import type { AlgorithmDescriptor } from "../algorithm.ts";
import { designColumns } from "../design.ts";
import { checkGlmModel } from "./check.ts";
import { GlmContributionsTask, GlmReferenceTermsTask, glmContributions } from "./contributions.ts";
import { GlmDevianceTask, GlmMetrics, type GlmModel, GlmScoreTask, predictGlm } from "./model.ts";
import { glmOutput } from "./output.ts";
import { GLM_PARAMS, type GlmParams } from "./params.ts";
import { FoldDevianceTask, GradientTask, IrlsGramTask, OutputTask, ScoredTask } from "./tasks.ts";
import { trainGlm } from "./train.ts";

export const glm: AlgorithmDescriptor<GlmModel, GlmParams> = {
  name: "glm",
  description: "Generalized linear model (H2O's GLM): families, elastic net, lambda search, p-values",
  supervised: true,
  params: GLM_PARAMS,
  train: trainGlm,
  tasks: [IrlsGramTask, GradientTask, FoldDevianceTask, OutputTask, ScoredTask, GlmScoreTask, GlmDevianceTask, GlmReferenceTermsTask, GlmContributionsTask],
  scorer: {
    inputs: (m) => designColumns(m.design).map((c) => ({ name: c.name, enum: c.domain !== null })),
    predict: predictGlm,
    evaluator(executor, m) {
      const acc = new GlmMetrics(executor, m);
      return {
        add: async (frame, warnings) => acc.add(await predictGlm(executor, m, frame, warnings)),
        result: () => acc.result(),
      };
    },
    contributions: (executor, m, frame, warnings, request) => glmContributions(executor, m, frame, warnings, request),
  },
  output: glmOutput,
  check: { categories: ["Regression", "Binomial", "Multinomial"], fields: checkGlmModel },
};
