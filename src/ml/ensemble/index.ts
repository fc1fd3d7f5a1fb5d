// Stacked ensembles as floe's registry sees them: parameters, training, scoring, report and
// checks. The base models and the metalearner are trained and scored through the registry's
// `Algorithms`, so this folder imports no other algorithm.

import type { AlgorithmDescriptor, Algorithms, AnyModel } from "../algorithm.ts";
import type { Executor } from "../../core/mr.ts";
import type { Frame } from "../../core/frame.ts";
import { supervisedEvaluator } from "../evaluator.ts";
import { checkEnsemble } from "./check.ts";
import { ensembleMetricsSpec, predictEnsemble, type StackedEnsembleModel } from "./model.ts";
import { ensembleOutput } from "./output.ts";
import { STACKEDENSEMBLE_PARAMS, type StackedEnsembleParams } from "./params.ts";
import { trainStackedEnsemble } from "./train.ts";

const predict = (executor: Executor, m: StackedEnsembleModel, frame: Frame, warnings: string[], algorithms: Algorithms) => predictEnsemble(executor, m, frame, warnings, algorithms.predict);

export const stackedensemble: AlgorithmDescriptor<StackedEnsembleModel, StackedEnsembleParams> = {
  name: "stackedensemble",
  description: "Stacked ensemble: a metalearner over cross-validated base models' predictions (H2O's StackedEnsemble)",
  supervised: true,
  params: STACKEDENSEMBLE_PARAMS,
  train: (executor, req, params, algorithms) => trainStackedEnsemble(executor, req, params, algorithms.algorithm, algorithms.predict),
  tasks: [],
  scorer: {
    // Every column a base model reads, once.
    inputs: (m, algorithms) => [...new Map(m.base_models.flatMap((b: AnyModel) => algorithms.inputs(b)).map((c) => [c.name, c])).values()],
    predict,
    evaluator: (executor, m, algorithms) => supervisedEvaluator(executor, ensembleMetricsSpec(m), (frame, warnings) => predict(executor, m, frame, warnings, algorithms)),
  },
  output: ensembleOutput,
  check: { categories: ["Regression", "Binomial", "Multinomial"], fields: (s, m, _classes, inner) => checkEnsemble(s, m, inner), holder: "stacked ensemble" },
};
