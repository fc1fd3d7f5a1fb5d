// K-means as floe's registry sees it: parameters, training, tasks, scoring, report and checks.

import type { AlgorithmDescriptor } from "../algorithm.ts";
import { checkKMeansModel } from "./check.ts";
import { CoresetTask } from "./coreset.ts";
import { kmeansEvaluator, KMeansMetricsTask, type KMeansModel, KMeansPredictTask, predictKMeans } from "./model.ts";
import { kmeansOutput } from "./output.ts";
import { KMEANS_PARAMS, type KMeansParams } from "./params.ts";
import { LloydTask, MinKeyTask, SeedTask, SplitClusterTask, TotssTask } from "./tasks.ts";
import { trainKMeans } from "./train.ts";
import { BuildKMeansViewTask } from "./view.ts";

export const kmeans: AlgorithmDescriptor<KMeansModel, KMeansParams> = {
  name: "kmeans",
  description: "K-means clustering (H2O's KMeans); pick columns with --x",
  supervised: false,
  params: KMEANS_PARAMS,
  train: trainKMeans,
  tasks: [BuildKMeansViewTask, MinKeyTask, SeedTask, CoresetTask, LloydTask, SplitClusterTask, TotssTask, KMeansPredictTask, KMeansMetricsTask],
  scorer: {
    inputs: (m) => m.columns.map((c) => ({ name: c.name, enum: c.domain !== null })),
    predict: predictKMeans,
    evaluator: kmeansEvaluator,
  },
  output: kmeansOutput,
  check: { categories: ["Clustering"], fields: (s, m) => checkKMeansModel(s, m) },
};
