// Every map/reduce task floe has, by name. The worker entry point serves this registry
// and the cluster will look tasks up in it; algorithms add their tasks here.

import { DistinctNumbersTask, DistinctStringsTask, RecodeTask, ToNumberTask } from "./core/convert.ts";
import { taskRegistry } from "./core/mr.ts";
import { SplitTask } from "./core/ops.ts";
import { HistogramTask, MomentsTask } from "./core/rollups.ts";
import { BinomialScoresTask } from "./ml/metrics/binomial.ts";
import { MultinomialMetricsTask } from "./ml/metrics/multinomial.ts";
import { RegressionMetricsTask } from "./ml/metrics/regression.ts";

export const TASKS = taskRegistry([
  MomentsTask,
  HistogramTask,
  SplitTask,
  DistinctNumbersTask,
  DistinctStringsTask,
  RecodeTask,
  ToNumberTask,
  RegressionMetricsTask,
  BinomialScoresTask,
  MultinomialMetricsTask,
]);
