// GBM, DRF and XGBoost as floe's registry sees them: three descriptors over the one tree ensemble
// (training loop, tasks, model, scoring and checks shared; parameters and strategy differ).

import type { AlgorithmDescriptor, Scorer } from "../algorithm.ts";
import { supervisedEvaluator } from "../evaluator.ts";
import { SketchTask } from "./binning.ts";
import { checkTreeModel } from "./check.ts";
import { CollectHoldoutTask, FoldWeightsTask, HoldoutOutputTask } from "./folds.ts";
import { LevelTask } from "./histogram.ts";
import { SplitSearchTask } from "./split-task.ts";
import { SubtreeTask } from "./subtree-task.ts";
import { metricsSpecOf, predictFrame, type TreeModel } from "./model.ts";
import { treeOutput } from "./output.ts";
import { DRF_PARAMS, type DrfParams, GBM_PARAMS, type GbmParams, XGBOOST_PARAMS, type XgboostParams, xgboostTreeParams } from "./params.ts";
import { EnsembleScoreTask, GradTask, LeafResidualsTask, OutputTask, ResetScoresTask, ResponseSketchTask, ResponseStatsTask, ScoreTask } from "./row-tasks.ts";
import { ContributionsTask, treeContributions } from "./shap-task.ts";
import { trainTreeModel } from "./train.ts";
import { BuildViewTask } from "./view.ts";
import { XgbGradTask } from "./xgboost.ts";

const TASKS = [
  SketchTask,
  BuildViewTask,
  LevelTask,
  SplitSearchTask,
  SubtreeTask,
  GradTask,
  LeafResidualsTask,
  ScoreTask,
  OutputTask,
  EnsembleScoreTask,
  ResetScoresTask,
  ResponseStatsTask,
  ResponseSketchTask,
  CollectHoldoutTask,
  HoldoutOutputTask,
  FoldWeightsTask,
  ContributionsTask,
];

const scorer: Scorer<TreeModel> = {
  inputs: (m) => m.features.map((f) => ({ name: f.name, enum: f.kind === "enum" })),
  predict: predictFrame,
  evaluator: (executor, m) => supervisedEvaluator(executor, metricsSpecOf(m), (frame, warnings) => predictFrame(executor, m, frame, warnings)),
  contributions: (executor, m, frame, warnings, request) => treeContributions(executor, m, frame, warnings, request),
};

const check = { categories: ["Regression", "Binomial", "Multinomial"], fields: checkTreeModel } as const;

export const gbm: AlgorithmDescriptor<TreeModel, GbmParams> = {
  name: "gbm",
  description: "Gradient boosting machine (H2O's GBM)",
  supervised: true,
  params: GBM_PARAMS,
  train: (executor, req, params) => trainTreeModel(executor, { ...req, y: req.y as string, algo: "gbm", params }),
  tasks: TASKS,
  scorer,
  output: treeOutput,
  check,
};

export const drf: AlgorithmDescriptor<TreeModel, DrfParams> = {
  name: "drf",
  description: "Distributed random forest; histogram_type=Random gives extremely randomized trees",
  supervised: true,
  params: DRF_PARAMS,
  train: (executor, req, params) => trainTreeModel(executor, { ...req, y: req.y as string, algo: "drf", params }),
  tasks: TASKS,
  scorer,
  output: { ...treeOutput, trainingMetricsTitle: "Training metrics (out-of-bag)" },
  check,
};

export const xgboost: AlgorithmDescriptor<TreeModel, XgboostParams> = {
  name: "xgboost",
  description: "XGBoost's boosted trees (H2O's XGBoost: tree_method hist, grow_policy depthwise)",
  supervised: true,
  params: XGBOOST_PARAMS,
  train: (executor, req, params) => trainTreeModel(executor, { ...req, y: req.y as string, algo: "xgboost", params: xgboostTreeParams(params) }),
  tasks: [...TASKS, XgbGradTask],
  scorer,
  output: treeOutput,
  check,
};
