// The algorithms floe trains, by name, with their declared parameters. The CLI, the
// REST API and the UI read this list; nobody re-types a parameter or a default.

import type { Clock } from "../core/clock.ts";
import { FloeError } from "../core/errors.ts";
import type { Frame } from "../core/frame.ts";
import type { Executor } from "../core/mr.ts";
import { randomSeed } from "../core/rng.ts";
import type { ScoredChunk } from "./metrics/scored.ts";
import { type ParamSpec, resolveParams } from "./params.ts";
import type { Model } from "./scoring.ts";
import { DRF_PARAMS, GBM_PARAMS, type TreeParams } from "./tree/params.ts";
import { trainTreeModel } from "./tree/train.ts";
import { GLM_PARAMS, type GlmParams } from "./glm/params.ts";
import { trainGlm } from "./glm/train.ts";
import { PCA_PARAMS, type PcaParams } from "./pca/params.ts";
import { trainPca } from "./pca/train.ts";
import { NAIVEBAYES_PARAMS, type NaiveBayesParams } from "./naivebayes/params.ts";
import { trainNaiveBayes } from "./naivebayes/train.ts";
import { KMEANS_PARAMS, type KMeansParams } from "./kmeans/params.ts";
import { trainKMeans } from "./kmeans/train.ts";
import { DEEPLEARNING_PARAMS, type DeepLearningParams } from "./deeplearning/params.ts";
import { trainDeepLearning } from "./deeplearning/train.ts";
import { STACKEDENSEMBLE_PARAMS, type StackedEnsembleParams } from "./ensemble/params.ts";
import { type BaseModel, trainStackedEnsemble } from "./ensemble/train.ts";
import { predictFrame } from "./scoring.ts";
import { refuseInfiniteResponse } from "./training-frame.ts";

export interface TrainRequest {
  readonly modelId: string;
  /** The training frame, with rollups. */
  readonly frame: Frame;
  /** The response column: required by supervised algorithms, refused by the others. */
  readonly y: string | null;
  /** Predictor columns (default: every column but the response). */
  readonly x: readonly string[] | null;
  /** Parameters by H2O name, unresolved: checked against the algorithm's declarations. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly valid?: Frame | null;
  readonly signal?: AbortSignal;
  /** The time max_runtime_secs and training_time_ms read (default: the system's; tests pass a manual one). */
  readonly clock?: Clock;
  readonly onProgress?: (fraction: number) => void;
  /** A stacked ensemble's base models with their out-of-fold predictions, looked up by the caller. */
  readonly baseModels?: readonly BaseModel[];
}

/** A trained model plus what lives only in memory: CV predictions and CV models. */
export interface TrainResult {
  readonly model: Model;
  readonly cvModels: readonly Model[];
  /** Out-of-fold predictions, chunk by chunk in training-frame order. */
  readonly cvPredictions: readonly ScoredChunk[] | null;
}

export interface Algorithm {
  readonly name: Model["algo"];
  readonly description: string;
  /** Supervised algorithms need a response; the others take none. */
  readonly supervised: boolean;
  readonly params: readonly ParamSpec[];
  train(executor: Executor, req: TrainRequest): Promise<TrainResult>;
}

/**
 * An algorithm whose parameters are resolved against `params` (H2O's seed −1 becomes a
 * drawn seed, kept in the model) before `fit` runs; a supervised one gets a response.
 */
function declare<P extends { seed: number }>(
  name: Model["algo"],
  description: string,
  supervised: boolean,
  params: readonly ParamSpec[],
  fit: (executor: Executor, req: TrainRequest, p: P) => Promise<TrainResult>,
): Algorithm {
  return {
    name,
    description,
    supervised,
    params,
    async train(executor, req) {
      if (supervised && !req.y) throw new FloeError("invalid_argument", `${name} needs a response column (-y)`);
      if (!supervised && req.y) throw new FloeError("invalid_argument", `${name} takes no response column; pick its columns with --x`);
      const resolved = resolveParams<P>(params, req.params, name);
      if (resolved.seed === -1) resolved.seed = randomSeed();
      if (req.y) await refuseInfiniteResponse(executor, req.frame, req.y);
      return fit(executor, req, resolved);
    },
  };
}

export const ALGORITHMS: readonly Algorithm[] = [
  declare<TreeParams>("gbm", "Gradient boosting machine (H2O's GBM)", true, GBM_PARAMS, (ex, req, p) => trainTreeModel(ex, { ...req, y: req.y as string, algo: "gbm", params: p })),
  declare<TreeParams>("drf", "Distributed random forest; histogram_type=Random gives extremely randomized trees", true, DRF_PARAMS, (ex, req, p) =>
    trainTreeModel(ex, { ...req, y: req.y as string, algo: "drf", params: p }),
  ),
  declare<GlmParams>("glm", "Generalized linear model (H2O's GLM): families, elastic net, lambda search, p-values", true, GLM_PARAMS, trainGlm),
  declare<PcaParams>("pca", "Principal component analysis (H2O's PCA, GramSVD)", false, PCA_PARAMS, trainPca),
  declare<NaiveBayesParams>("naivebayes", "Naive Bayes classifier", true, NAIVEBAYES_PARAMS, trainNaiveBayes),
  declare<DeepLearningParams>("deeplearning", "Deep learning: a multi-layer perceptron (H2O's DeepLearning)", true, DEEPLEARNING_PARAMS, trainDeepLearning),
  declare<StackedEnsembleParams>("stackedensemble", "Stacked ensemble: a metalearner over cross-validated base models' predictions (H2O's StackedEnsemble)", true, STACKEDENSEMBLE_PARAMS, (ex, req, p) =>
    trainStackedEnsemble(ex, req, p, algorithm, predictFrame),
  ),
  declare<KMeansParams>("kmeans", "K-means clustering (H2O's KMeans); pick columns with --x", false /* unsupervised */, KMEANS_PARAMS, trainKMeans),
];

export function algorithm(name: string): Algorithm | undefined {
  return ALGORITHMS.find((a) => a.name === name);
}
