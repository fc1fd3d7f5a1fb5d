// Every map/reduce task floe has, by name. The worker entry point serves this registry
// and the cluster will look tasks up in it; algorithms add their tasks here.

import { DistinctNumbersTask, DistinctStringsTask, RecodeTask, ToNumberTask } from "./core/convert.ts";
import { taskRegistry } from "./core/mr.ts";
import { SplitTask } from "./core/ops.ts";
import { HistogramTask, MomentsTask } from "./core/rollups.ts";
import { BinomialScoresTask } from "./ml/metrics/binomial.ts";
import { MultinomialMetricsTask } from "./ml/metrics/multinomial.ts";
import { BuildDesignTask, FoldWeightsTask as DesignFoldWeightsTask, GramTask, HoldoutTask, ResponseTask } from "./ml/design-tasks.ts";
import { PcaScoreTask } from "./ml/pca/model.ts";
import { GlmDevianceTask, GlmScoreTask } from "./ml/glm/model.ts";
import { GradientTask, IrlsGramTask, OutputTask as GlmOutputTask, ScoredTask as GlmScoredTask } from "./ml/glm/tasks.ts";
import { NaiveBayesScoreTask } from "./ml/naivebayes/model.ts";
import { NaiveBayesStatsTask } from "./ml/naivebayes/train.ts";
import { KMeansMetricsTask, KMeansPredictTask } from "./ml/kmeans/model.ts";
import { LloydTask, MinKeyTask, SeedTask, SplitClusterTask, TotssTask } from "./ml/kmeans/tasks.ts";
import { BuildKMeansViewTask } from "./ml/kmeans/view.ts";
import { RegressionMetricsTask } from "./ml/metrics/regression.ts";
import { SketchTask } from "./ml/tree/binning.ts";
import { LevelTask } from "./ml/tree/histogram.ts";
import { AssignFoldsTask, ClassCountsTask, FoldIdsTask } from "./ml/folds.ts";
import { InfiniteCountTask } from "./ml/training-frame.ts";
import { CollectHoldoutTask, FoldWeightsTask, HoldoutOutputTask } from "./ml/tree/folds.ts";
import {
  EnsembleScoreTask,
  GradTask,
  LeafResidualsTask,
  OutputTask,
  ResetScoresTask,
  ResponseSketchTask,
  ResponseStatsTask,
  ScoreTask,
} from "./ml/tree/row-tasks.ts";
import { BuildViewTask } from "./ml/tree/view.ts";
import { DeepLearningScoreTask, HoldoutOutputTask as DeepLearningHoldoutTask, ScoredTask as DeepLearningScoredTask, TrainTask as DeepLearningTrainTask } from "./ml/deeplearning/tasks.ts";

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
  SketchTask,
  BuildViewTask,
  LevelTask,
  GradTask,
  LeafResidualsTask,
  ScoreTask,
  OutputTask,
  EnsembleScoreTask,
  ResetScoresTask,
  ResponseStatsTask,
  ResponseSketchTask,
  AssignFoldsTask,
  ClassCountsTask,
  FoldIdsTask,
  InfiniteCountTask,
  CollectHoldoutTask,
  HoldoutOutputTask,
  FoldWeightsTask,
  BuildDesignTask,
  GramTask,
  GradientTask,
  GlmOutputTask,
  GlmScoredTask,
  ResponseTask,
  DesignFoldWeightsTask,
  IrlsGramTask,
  HoldoutTask,
  GlmScoreTask,
  GlmDevianceTask,
  PcaScoreTask,
  NaiveBayesStatsTask,
  NaiveBayesScoreTask,
  BuildKMeansViewTask,
  MinKeyTask,
  SeedTask,
  LloydTask,
  SplitClusterTask,
  TotssTask,
  KMeansPredictTask,
  KMeansMetricsTask,
  DeepLearningTrainTask,
  DeepLearningScoredTask,
  DeepLearningHoldoutTask,
  DeepLearningScoreTask,
]);
