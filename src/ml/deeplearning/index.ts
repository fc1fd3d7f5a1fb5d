// Deep learning as floe's registry sees it: parameters, training, tasks, scoring, report and checks.

import type { AlgorithmDescriptor } from "../algorithm.ts";
import { designColumns } from "../design.ts";
import { supervisedEvaluator } from "../evaluator.ts";
import { checkDeepLearningModel } from "./check.ts";
import { deepLearningMetricsSpec, type DeepLearningModel, predictDeepLearning } from "./model.ts";
import { deepLearningOutput } from "./output.ts";
import { DEEPLEARNING_PARAMS, type DeepLearningParams } from "./params.ts";
import { DeepLearningScoreTask, HoldoutOutputTask, ScoredTask, TrainTask } from "./tasks.ts";
import { trainDeepLearning } from "./train.ts";

export const deeplearning: AlgorithmDescriptor<DeepLearningModel, DeepLearningParams> = {
  name: "deeplearning",
  description: "Deep learning: a multi-layer perceptron (H2O's DeepLearning)",
  supervised: true,
  params: DEEPLEARNING_PARAMS,
  train: trainDeepLearning,
  tasks: [TrainTask, ScoredTask, HoldoutOutputTask, DeepLearningScoreTask],
  scorer: {
    inputs: (m) => designColumns(m.design).map((c) => ({ name: c.name, enum: c.domain !== null })),
    predict: predictDeepLearning,
    evaluator: (executor, m) => supervisedEvaluator(executor, deepLearningMetricsSpec(m), (frame, warnings) => predictDeepLearning(executor, m, frame, warnings)),
  },
  output: deepLearningOutput,
  check: { categories: ["Regression", "Binomial", "Multinomial"], fields: checkDeepLearningModel },
};
