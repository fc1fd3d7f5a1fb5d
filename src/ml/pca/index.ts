// PCA as floe's registry sees it: parameters, training, tasks, scoring, report and checks.

import type { AlgorithmDescriptor } from "../algorithm.ts";
import { designColumns } from "../design.ts";
import { checkPcaModel } from "./check.ts";
import { componentNames, pcaEvaluator, type PcaModel, PcaScoreTask, predictPca } from "./model.ts";
import { pcaOutput } from "./output.ts";
import { PCA_PARAMS, type PcaParams } from "./params.ts";
import { trainPca } from "./train.ts";

export const pca: AlgorithmDescriptor<PcaModel, PcaParams> = {
  name: "pca",
  description: "Principal component analysis (H2O's PCA, GramSVD)",
  supervised: false,
  params: PCA_PARAMS,
  train: trainPca,
  tasks: [PcaScoreTask],
  scorer: {
    inputs: (m) => designColumns(m.design).map((c) => ({ name: c.name, enum: c.domain !== null })),
    predict: predictPca,
    evaluator: pcaEvaluator,
    outputNames: (m) => componentNames(m.k),
  },
  output: pcaOutput,
  check: { categories: ["DimReduction"], fields: (s, m) => checkPcaModel(s, m) },
};
