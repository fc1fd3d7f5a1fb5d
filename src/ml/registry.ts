// The algorithms floe trains: a list of descriptors (src/ml/algorithm.ts), one per
// algorithm folder. The CLI, the REST API, the UI, scoring, model files and the workers'
// task registry all read this list; adding an algorithm is one folder and one line here.

import { FloeError } from "../core/errors.ts";
import { randomSeed } from "../core/rng.ts";
import type { Algorithm, AlgorithmDescriptor, Algorithms, AnyModel, InputColumn, TrainResult as AnyTrainResult } from "./algorithm.ts";
import { resolveParams } from "./params.ts";
import { refuseInfiniteResponse } from "./training-frame.ts";
import { releasingViews } from "./views.ts";
import { deeplearning } from "./deeplearning/index.ts";
import { stackedensemble } from "./ensemble/index.ts";
import { glm } from "./glm/index.ts";
import { extendedisolationforest, isolationforest } from "./isoforest/index.ts";
import { kmeans } from "./kmeans/index.ts";
import { naivebayes } from "./naivebayes/index.ts";
import { pca } from "./pca/index.ts";
import { drf, gbm, xgboost } from "./tree/index.ts";

export type { Algorithm, AlgorithmInfo, TrainRequest } from "./algorithm.ts";

export const ALGORITHMS = [gbm, drf, xgboost, glm, pca, naivebayes, deeplearning, stackedensemble, kmeans, isolationforest, extendedisolationforest] as const;

/** A trained model of any registered algorithm: what model files hold and what scoring reads. */
export type Model = (typeof ALGORITHMS)[number] extends infer D ? (D extends AlgorithmDescriptor<infer M, infer _P> ? M : never) : never;

/** A training's result: a model of a registered algorithm, its CV models and predictions. */
export type TrainResult = AnyTrainResult<Model>;

/** The descriptor of the algorithm that made `model` (or of that name); unsupported if this floe has none. */
export function descriptorOf(algo: string): AlgorithmDescriptor<Model, unknown> {
  const d = ALGORITHMS.find((a) => a.name === algo);
  if (!d) throw new FloeError("unsupported", `models of algorithm '${algo}' cannot be scored by this floe`);
  return d as unknown as AlgorithmDescriptor<Model, unknown>;
}

/**
 * A descriptor ready to train: a supervised one gets a response, an unsupervised one none;
 * parameters are resolved against its declarations (H2O's seed −1 becomes a drawn seed,
 * kept in the model) and an infinite response is refused, before its own training runs; the
 * resident views it builds are released when it ends (views.ts).
 */
function trainable(d: AlgorithmDescriptor<AnyModel, unknown>): Algorithm<Model> {
  const { name, description, supervised, params } = d;
  return {
    name,
    description,
    supervised,
    params,
    async train(executor, req) {
      if (supervised && !req.y) throw new FloeError("invalid_argument", `${name} needs a response column (-y)`);
      if (!supervised && req.y) throw new FloeError("invalid_argument", `${name} takes no response column; pick its columns with --x`);
      const resolved = resolveParams<{ seed: number }>(params, req.params, name);
      if (resolved.seed === -1) resolved.seed = randomSeed();
      if (req.y) await refuseInfiniteResponse(executor, req.frame, req.y);
      return (await releasingViews(executor, (tracked) => d.train(tracked, req, resolved, ALGORITHMS_CONTEXT))) as TrainResult;
    },
  };
}

/** The algorithm of that name, ready to train, or undefined. */
export function algorithm(name: string): Algorithm<Model> | undefined {
  const d = ALGORITHMS.find((a) => a.name === name);
  return d && trainable(d as unknown as AlgorithmDescriptor<AnyModel, unknown>);
}

function inputsOf(model: AnyModel): InputColumn[] {
  return descriptorOf(model.algo).scorer.inputs(model as Model, ALGORITHMS_CONTEXT);
}

/**
 * Refuses data whose columns (`names`) hold none of the columns the model reads: every
 * prediction would be the same constant. (Some missing columns are scored as missing,
 * with a warning each, as H2O does.)
 */
export function requireInputs(model: AnyModel, names: readonly string[]): void {
  const inputs = inputsOf(model).map((c) => c.name);
  if (inputs.length === 0 || inputs.some((name) => names.includes(name))) return;
  const list = (all: readonly string[]) => all.slice(0, 10).join(", ") + (all.length > 10 ? `, … (${all.length} in all)` : "");
  throw new FloeError("bad_input", `none of the model's ${model.response ? "predictor " : ""}columns (${list(inputs)}) is in the data (its columns: ${list(names)})`);
}

/** What descriptors may ask of the other algorithms (a stacked ensemble trains and scores its members through it). */
export const ALGORITHMS_CONTEXT: Algorithms = {
  algorithm,
  inputs: inputsOf,
  async predict(executor, model, frame, warnings) {
    requireInputs(model, frame.names);
    return descriptorOf(model.algo).scorer.predict(executor, model as Model, frame, warnings, ALGORITHMS_CONTEXT);
  },
};
