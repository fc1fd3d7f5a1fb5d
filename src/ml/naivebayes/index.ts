// Naive Bayes as floe's registry sees it: parameters, training, tasks, scoring, report and checks.

import type { AlgorithmDescriptor } from "../algorithm.ts";
import { supervisedEvaluator } from "../evaluator.ts";
import { checkNaiveBayesModel } from "./check.ts";
import { naiveBayesMetricsSpec, type NaiveBayesModel, NaiveBayesScoreTask, predictNaiveBayes } from "./model.ts";
import { naiveBayesOutput } from "./output.ts";
import { NAIVEBAYES_PARAMS, type NaiveBayesParams } from "./params.ts";
import { NaiveBayesStatsTask, trainNaiveBayes } from "./train.ts";

export const naivebayes: AlgorithmDescriptor<NaiveBayesModel, NaiveBayesParams> = {
  name: "naivebayes",
  description: "Naive Bayes classifier",
  supervised: true,
  params: NAIVEBAYES_PARAMS,
  train: trainNaiveBayes,
  tasks: [NaiveBayesStatsTask, NaiveBayesScoreTask],
  scorer: {
    inputs: (m) => m.predictors.map((f) => ({ name: f.name, enum: f.domain !== null })),
    predict: predictNaiveBayes,
    evaluator: (executor, m) => supervisedEvaluator(executor, naiveBayesMetricsSpec(m), (frame, warnings) => predictNaiveBayes(executor, m, frame, warnings)),
  },
  output: naiveBayesOutput,
  check: { categories: ["Binomial", "Multinomial"], fields: checkNaiveBayesModel },
};
