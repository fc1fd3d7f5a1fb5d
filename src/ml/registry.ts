// The algorithms floe trains, by name, with their declared parameters. The CLI, the
// REST API and the UI read this list; nobody re-types a parameter or a default.

import type { Executor } from "../core/mr.ts";
import { randomSeed } from "../core/rng.ts";
import { type ParamSpec, resolveParams } from "./params.ts";
import { DRF_PARAMS, GBM_PARAMS, type TreeParams } from "./tree/params.ts";
import { type TrainInput, type TrainResult, trainTreeModel } from "./tree/train.ts";

export interface Algorithm {
  readonly name: "gbm" | "drf";
  readonly description: string;
  readonly params: readonly ParamSpec[];
  train(executor: Executor, input: Omit<TrainInput, "algo" | "params"> & { params: Readonly<Record<string, unknown>> }): Promise<TrainResult>;
}

function treeAlgorithm(name: "gbm" | "drf", description: string, params: readonly ParamSpec[]): Algorithm {
  return {
    name,
    description,
    params,
    async train(executor, input) {
      const resolved = resolveParams<TreeParams>(params, input.params, name);
      // H2O's seed -1: draw one, and keep it in the model's parameters.
      if (resolved.seed === -1) resolved.seed = randomSeed();
      return trainTreeModel(executor, { ...input, algo: name, params: resolved });
    },
  };
}

export const ALGORITHMS: readonly Algorithm[] = [
  treeAlgorithm("gbm", "Gradient boosting machine (H2O's GBM)", GBM_PARAMS),
  treeAlgorithm("drf", "Distributed random forest; histogram_type=Random gives extremely randomized trees", DRF_PARAMS),
];

export function algorithm(name: string): Algorithm | undefined {
  return ALGORITHMS.find((a) => a.name === name);
}
