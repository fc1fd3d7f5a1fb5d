// H2O's model builders (/3/ModelBuilders/{algo}): H2O's algorithm names are floe's, the
// request's parameters are translated (params.ts) and checked before the job starts, so a
// wrong one is H2O's 400 naming it rather than a failed job; the training then runs as a
// floe job through FloeNode.train and its model is kept as floe's server keeps models.

import { FloeError } from "../../core/errors.ts";
import type { Job } from "../../core/jobs.ts";
import type { BaseModel } from "../../ml/algorithm.ts";
import { columnParams, resolveParams } from "../../ml/params.ts";
import { ALGORITHMS, type Algorithm, algorithm, type Model, type TrainResult } from "../../ml/registry.ts";
import type { H2OContext } from "../context.ts";
import type { H2OParams } from "../params.ts";
import { type BuilderRequest, builderRequest, h2oParamType } from "./params.ts";
import { needServed, putTrainedModel } from "./store.ts";

/** The algorithm H2O's name gives, or H2O's error naming it and those floe has. */
export function needAlgorithm(name: string) {
  const algo = algorithm(name.toLowerCase());
  if (!algo) throw new FloeError("unsupported", `algorithm '${name}' is not supported by floe; it builds ${ALGORITHMS.map((a) => a.name).join(", ")}`);
  return algo;
}

/** A stacked ensemble's base models: stored here, with out-of-fold predictions, trained on the same frame. */
function baseModels(ctx: H2OContext, list: string | null, trainingFrame: string): BaseModel[] {
  const ids = (list ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new FloeError("invalid_argument", "stackedensemble needs base_models: models trained with nfolds >= 2 and keep_cross_validation_predictions=True");
  return ids.map((id) => {
    const served = needServed(ctx, id);
    if (!served.cvPredictions) throw new FloeError("invalid_argument", `base model '${id}' kept no cross-validation predictions: train it with nfolds >= 2 and keep_cross_validation_predictions=True`);
    if (served.trainingFrame !== trainingFrame) throw new FloeError("invalid_argument", `base model '${id}' was trained on frame '${served.trainingFrame}', not '${trainingFrame}'`);
    return { model: served.model, cvPredictions: served.cvPredictions };
  });
}

/** What a training of `algo` needs from a translated request: frames, response and predictors (checked), base models. */
export function trainingInputs(ctx: H2OContext, algo: Algorithm<Model>, req: BuilderRequest) {
  const frame = ctx.frame(req.trainingFrame);
  const valid = req.validationFrame === null ? null : ctx.frame(req.validationFrame);
  const y = algo.supervised ? req.responseColumn : null;
  if (algo.supervised && y === null) throw new FloeError("invalid_argument", `${algo.name} needs a response_column`, { field: "response_column" });
  for (const name of [...(y === null ? [] : [y]), ...req.ignoredColumns]) frame.columnIndex(name);
  const x = req.ignoredColumns.length ? frame.names.filter((n) => n !== y && !req.ignoredColumns.includes(n)) : null;
  const resolved = resolveParams<Record<string, unknown>>(algo.params, req.params, algo.name);
  for (const name of columnParams(algo.params, resolved)) frame.columnIndex(name);
  const baseModelList = algo.params.some((s) => s.name === "base_models") ? baseModels(ctx, resolved.base_models as string | null, req.trainingFrame) : undefined;
  return { frame, valid, y, x, baseModels: baseModelList };
}

/** Starts training `algoName` as H2O's client asked; the job's dest is the model. */
export function startBuild(ctx: H2OContext, algoName: string, p: H2OParams): Job<TrainResult> {
  const algo = needAlgorithm(algoName);
  const req = builderRequest(algo.name, algo.params, p, p.names());
  const inputs = trainingInputs(ctx, algo, req);
  const { job, done } = ctx.node.train(algo, { modelId: req.modelId, params: req.params, ...inputs }, (result) => putTrainedModel(ctx, result, req.trainingFrame));
  done.catch(() => {});
  return job;
}

/** ModelBuilderV3 of each algorithm: its name and parameters with their defaults, as the client's metadata calls read them. */
export function buildersJson(only?: string) {
  const algos = only === undefined ? ALGORITHMS : [needAlgorithm(only)];
  return Object.fromEntries(
    algos.map((a) => [
      a.name,
      {
        __meta: { schema_version: 3, schema_name: "ModelBuilderV3", schema_type: "ModelBuilder" },
        algo: a.name,
        algo_full_name: a.description,
        supervised: a.supervised,
        can_build: a.supervised ? ["Regression", "Binomial", "Multinomial"] : ["Clustering", "DimReduction"],
        visibility: "Stable",
        parameters: a.params.map((s) => ({
          name: s.name,
          label: s.name,
          help: s.help,
          required: false,
          type: h2oParamType(s),
          default_value: s.default,
          actual_value: s.default,
          input_value: null,
          level: "critical",
          values: s.values ? [...s.values] : [],
          gridable: true,
          is_member_of_frames: [],
          is_mutually_exclusive_with: [],
        })),
      },
    ]),
  );
}
