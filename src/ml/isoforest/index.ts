// H2O's isolation forest and extended isolation forest as floe's registry sees them:
// parameters, training, tasks, scoring, report and checks. Both are unsupervised anomaly
// detectors; a model scores rows with H2O's output columns (model.ts).

import type { AlgorithmDescriptor } from "../algorithm.ts";
import { checkForestModel } from "./check.ts";
import { type ExtendedIsolationForestModel, ForestMetricsTask, ForestPredictTask, forestEvaluator, forestOutputNames, type IsolationForestModel, predictForest } from "./model.ts";
import { forestOutput } from "./output.ts";
import { EXTENDED_ISOFOREST_PARAMS, type ExtendedIsoForestParams, ISOFOREST_PARAMS, type IsoForestParams } from "./params.ts";
import { SampleTask } from "./sample.ts";
import { PathTotalsTask } from "./totals.ts";
import { trainExtendedIsolationForest, trainIsolationForest } from "./train.ts";

const scorer = {
  inputs: (m: IsolationForestModel | ExtendedIsolationForestModel) => m.columns.map((c) => ({ name: c.name, enum: c.domain !== null })),
  predict: predictForest,
  evaluator: forestEvaluator,
  outputNames: forestOutputNames,
};

export const isolationforest: AlgorithmDescriptor<IsolationForestModel, IsoForestParams> = {
  name: "isolationforest",
  description: "Isolation forest anomaly detection (H2O's IsolationForest); pick columns with --x",
  supervised: false,
  params: ISOFOREST_PARAMS,
  train: trainIsolationForest,
  tasks: [SampleTask, PathTotalsTask, ForestPredictTask, ForestMetricsTask],
  scorer,
  output: forestOutput,
  check: { categories: ["AnomalyDetection"], fields: (s, m) => checkForestModel(s, m, false) },
};

export const extendedisolationforest: AlgorithmDescriptor<ExtendedIsolationForestModel, ExtendedIsoForestParams> = {
  name: "extendedisolationforest",
  description: "Extended isolation forest anomaly detection, hyperplane splits (H2O's ExtendedIsolationForest); pick columns with --x",
  supervised: false,
  params: EXTENDED_ISOFOREST_PARAMS,
  train: trainExtendedIsolationForest,
  tasks: [SampleTask, ForestPredictTask, ForestMetricsTask],
  scorer,
  output: forestOutput,
  check: { categories: ["AnomalyDetection"], fields: (s, m) => checkForestModel(s, m, true) },
};
