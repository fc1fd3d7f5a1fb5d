// Every map/reduce task floe has, by name: core's own, the ones every algorithm shares
// (metrics, folds, design matrix, the training-frame check) and each registered algorithm's
// (its descriptor lists them, so none can be forgotten). The worker entry point serves this
// registry and cluster nodes look tasks up in it.

import { RemapCodesTask } from "./core/bind.ts";
import { ColumnMathTask, RunifTask } from "./core/column-math.ts";
import { DistinctNumbersTask, DistinctStringsTask, RecodeTask, ToNumberTask } from "./core/convert.ts";
import { type AnyTask, taskRegistry } from "./core/mr.ts";
import { GroupByTask } from "./core/group-by.ts";
import { SplitTask } from "./core/ops.ts";
import { FilterRowsTask } from "./core/row-filter.ts";
import { HistogramTask, MomentsTask } from "./core/rollups.ts";
import { BuildDesignTask, FoldWeightsTask, GramTask, HoldoutTask, ResponseTask } from "./ml/design-tasks.ts";
import { AssignFoldsTask, ClassCountsTask, FoldIdsTask } from "./ml/folds.ts";
import { BinomialScoresTask } from "./ml/metrics/binomial.ts";
import { MultinomialMetricsTask } from "./ml/metrics/multinomial.ts";
import { RegressionMetricsTask } from "./ml/metrics/regression.ts";
import { ALGORITHMS } from "./ml/registry.ts";
import { InfiniteCountTask } from "./ml/training-frame.ts";

const CORE_TASKS = [MomentsTask, HistogramTask, SplitTask, DistinctNumbersTask, DistinctStringsTask, RecodeTask, ToNumberTask, ColumnMathTask, RunifTask, FilterRowsTask, RemapCodesTask, GroupByTask];

const SHARED_ML_TASKS = [
  RegressionMetricsTask,
  BinomialScoresTask,
  MultinomialMetricsTask,
  AssignFoldsTask,
  ClassCountsTask,
  FoldIdsTask,
  InfiniteCountTask,
  BuildDesignTask,
  GramTask,
  ResponseTask,
  FoldWeightsTask,
  HoldoutTask,
];

// Algorithms that share a folder (GBM and DRF) list the same tasks: each is registered once.
const ALGORITHM_TASKS = new Set<AnyTask>(ALGORITHMS.flatMap((a) => a.tasks));

export const TASKS = taskRegistry([...CORE_TASKS, ...SHARED_ML_TASKS, ...ALGORITHM_TASKS]);
