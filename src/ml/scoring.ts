// Scoring any model: the union of model types, and per algorithm what scoring reads (the
// input columns), what it writes (the output columns of `floe predict`) and how it is
// evaluated (`floe eval`: metrics fed a frame at a time, so evaluation can stream).

import type { Executor } from "../core/mr.ts";
import type { Frame } from "../core/frame.ts";
import { FloeError } from "../core/errors.ts";
import { type Metrics, MetricsAccumulator, type MetricsSpec } from "./metrics/index.ts";
import type { ScoredChunk } from "./metrics/scored.ts";
import { metricsSpecOf as treeMetricsSpec, predictFrame as treePredict, type TreeModel } from "./tree/model.ts";
import { GlmMetrics, type GlmModel, predictGlm } from "./glm/model.ts";
import { naiveBayesMetricsSpec, type NaiveBayesModel, predictNaiveBayes } from "./naivebayes/model.ts";
import { type KMeansModel, kmeansEvaluator, predictKMeans } from "./kmeans/model.ts";
import { designColumns } from "./design.ts";
import { ensembleMetricsSpec, predictEnsemble, type StackedEnsembleModel } from "./ensemble/model.ts";
import { componentNames, type PcaModel, pcaEvaluator, predictPca } from "./pca/model.ts";
import { type DeepLearningModel, deepLearningMetricsSpec, predictDeepLearning } from "./deeplearning/model.ts";

export type Model = TreeModel | GlmModel | NaiveBayesModel | KMeansModel | PcaModel | StackedEnsembleModel | DeepLearningModel;

/** A column scoring reads: enum columns are read as text and matched by label. */
export interface InputColumn {
  readonly name: string;
  readonly enum: boolean;
}

/** Metrics accumulated over frames given one at a time. */
export interface Evaluator {
  add(frame: Frame, warnings: string[]): Promise<void>;
  result(): Metrics;
}

interface Scorer<M extends Model> {
  /** Predictor columns the model reads (not the response). */
  inputs(model: M): InputColumn[];
  /**
   * Scores a frame: one scored chunk per frame chunk, `p` holding the model's outputs
   * (see outputNames) and `y` the response where the frame has it.
   */
  predict(executor: Executor, model: M, frame: Frame, warnings: string[]): Promise<ScoredChunk[]>;
  evaluator(executor: Executor, model: M): Evaluator;
}

/** The evaluator of a supervised model: its predictions fed to the shared metrics. */
export function supervisedEvaluator<M extends Model>(
  executor: Executor,
  model: M,
  spec: MetricsSpec,
  predict: (executor: Executor, model: M, frame: Frame, warnings: string[]) => Promise<ScoredChunk[]>,
): Evaluator {
  const acc = new MetricsAccumulator(executor, spec);
  return {
    add: async (frame, warnings) => acc.add({ chunks: await predict(executor, model, frame, warnings) }),
    result: () => acc.result(),
  };
}

const treeScorer: Scorer<TreeModel> = {
  inputs: (m) => m.features.map((f) => ({ name: f.name, enum: f.kind === "enum" })),
  predict: treePredict,
  evaluator: (executor, m) => supervisedEvaluator(executor, m, treeMetricsSpec(m), treePredict),
};

const glmScorer: Scorer<GlmModel> = {
  inputs: (m) => designColumns(m.design).map((c) => ({ name: c.name, enum: c.domain !== null })),
  predict: predictGlm,
  evaluator(executor, m) {
    const acc = new GlmMetrics(executor, m);
    return {
      add: async (frame, warnings) => acc.add(await predictGlm(executor, m, frame, warnings)),
      result: () => acc.result(),
    };
  },
};

const naiveBayesScorer: Scorer<NaiveBayesModel> = {
  inputs: (m) => m.predictors.map((f) => ({ name: f.name, enum: f.domain !== null })),
  predict: predictNaiveBayes,
  evaluator: (executor, m) => supervisedEvaluator(executor, m, naiveBayesMetricsSpec(m), predictNaiveBayes),
};

const kmeansScorer: Scorer<KMeansModel> = {
  inputs: (m) => m.columns.map((c) => ({ name: c.name, enum: c.domain !== null })),
  predict: predictKMeans,
  evaluator: kmeansEvaluator,
};

const deepLearningScorer: Scorer<DeepLearningModel> = {
  inputs: (m) => designColumns(m.design).map((c) => ({ name: c.name, enum: c.domain !== null })),
  predict: predictDeepLearning,
  evaluator: (executor, m) => supervisedEvaluator(executor, m, deepLearningMetricsSpec(m), predictDeepLearning),
};

const pcaScorer: Scorer<PcaModel> = {
  inputs: (m) => designColumns(m.design).map((c) => ({ name: c.name, enum: c.domain !== null })),
  predict: predictPca,
  evaluator: pcaEvaluator,
};

const predictStacked = (executor: Executor, m: StackedEnsembleModel, frame: Frame, warnings: string[]) => predictEnsemble(executor, m, frame, warnings, predictFrame);

const ensembleScorer: Scorer<StackedEnsembleModel> = {
  // Every column a base model reads, once.
  inputs: (m) => [...new Map(m.base_models.flatMap(modelInputs).map((c) => [c.name, c])).values()],
  predict: predictStacked,
  evaluator: (executor, m) => supervisedEvaluator(executor, m, ensembleMetricsSpec(m), predictStacked),
};

function scorerOf(model: Model): Scorer<Model> {
  switch (model.algo) {
    case "gbm":
    case "drf":
      return treeScorer as Scorer<Model>;
    case "glm":
      return glmScorer as Scorer<Model>;
    case "naivebayes":
      return naiveBayesScorer as Scorer<Model>;
    case "kmeans":
      return kmeansScorer as Scorer<Model>;
    case "deeplearning":
      return deepLearningScorer as Scorer<Model>;
    case "pca":
      return pcaScorer as Scorer<Model>;
    case "stackedensemble":
      return ensembleScorer as Scorer<Model>;
    default:
      throw new FloeError("unsupported", `models of algorithm '${(model as { algo: string }).algo}' cannot be scored by this floe`);
  }
}

export function modelInputs(model: Model): InputColumn[] {
  return scorerOf(model).inputs(model);
}

/**
 * Refuses data whose columns (`names`) hold none of the columns the model reads: every
 * prediction would be the same constant. (Some missing columns are scored as missing,
 * with a warning each, as H2O does.)
 */
export function requireInputs(model: Model, names: readonly string[]): void {
  const inputs = modelInputs(model).map((c) => c.name);
  if (inputs.length === 0 || inputs.some((name) => names.includes(name))) return;
  const list = (all: readonly string[]) => all.slice(0, 10).join(", ") + (all.length > 10 ? `, … (${all.length} in all)` : "");
  throw new FloeError("bad_input", `none of the model's ${model.response ? "predictor " : ""}columns (${list(inputs)}) is in the data (its columns: ${list(names)})`);
}

export async function predictFrame(executor: Executor, model: Model, frame: Frame, warnings: string[]): Promise<ScoredChunk[]> {
  requireInputs(model, frame.names);
  return scorerOf(model).predict(executor, model, frame, warnings);
}

export function modelEvaluator(executor: Executor, model: Model): Evaluator {
  const evaluator = scorerOf(model).evaluator(executor, model);
  return {
    add: async (frame, warnings) => {
      requireInputs(model, frame.names);
      await evaluator.add(frame, warnings);
    },
    result: () => evaluator.result(),
  };
}

/**
 * The columns `floe predict` writes: `predict` then one probability per class
 * (classifiers), `predict` alone (regression and clustering), or the components.
 */
export function outputNames(model: Model): string[] {
  if (model.algo === "pca") return componentNames(model.k);
  const domain = model.response?.domain;
  return domain ? ["predict", ...domain] : ["predict"];
}
