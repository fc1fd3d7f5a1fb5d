// Training a stacked ensemble as H2O does: base models cross-validated on the same folds
// give their out-of-fold predictions; those, side by side, are the level-one data on which
// the metalearner (AUTO: a GLM with non-negative coefficients) learns how to combine them.
// AUTO's GLM picks its lambda from a search of ten (a hundred gave the same fits on
// level-one data at several times the cost, which matters inside AutoML's budget).
// The ensemble's metrics are the metalearner's: training metrics on the out-of-fold
// predictions, cross-validation metrics from metalearner_nfolds, validation metrics from
// the base models' predictions on the validation frame.

import { systemClock } from "../../core/clock.ts";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Executor } from "../../core/mr.ts";
import { computeRollups } from "../../core/rollups.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import type { Algorithm, AnyModel, BaseModel, TrainRequest, TrainResult } from "../algorithm.ts";
import { levelOneFrame } from "./level-one.ts";
import { sourceOf, type StackedEnsembleModel } from "./model.ts";
import type { StackedEnsembleParams } from "./params.ts";

type SupervisedModel = AnyModel & { readonly response: { readonly name: string; readonly domain: readonly string[] | null } };

/** The metalearner's parameters: AUTO's GLM settings, then the user's JSON. */
function metalearnerParams(p: StackedEnsembleParams, algo: string): Record<string, unknown> {
  let given: Record<string, unknown> = {};
  if (p.metalearner_params) {
    try {
      given = JSON.parse(p.metalearner_params);
    } catch {
      throw new FloeError("invalid_argument", `stackedensemble parameter metalearner_params is not a JSON object: ${p.metalearner_params}`);
    }
    if (!given || typeof given !== "object" || Array.isArray(given)) throw new FloeError("invalid_argument", "stackedensemble parameter metalearner_params must be a JSON object");
  }
  const auto = p.metalearner_algorithm === "AUTO" ? { non_negative: true, lambda_search: true, nlambdas: 10 } : {};
  const folds = p.metalearner_nfolds > 0 ? { nfolds: p.metalearner_nfolds, fold_assignment: p.metalearner_fold_assignment } : {};
  return { ...auto, ...folds, ...given, seed: p.seed, ...(algo === "naivebayes" ? {} : { keep_cross_validation_models: false }) };
}

/** Refuses base models that cannot be stacked: unsupervised, another response, no or other folds. */
function checkBases(bases: readonly BaseModel[], y: string): SupervisedModel[] {
  if (bases.length === 0) throw new FloeError("invalid_argument", "a stacked ensemble needs base models (base_models)");
  const models: SupervisedModel[] = [];
  for (const b of bases) {
    const m = b.model;
    if (!m.response) throw new FloeError("invalid_argument", `base model '${m.model_id}' (${m.algo}) is not supervised and cannot be stacked`);
    if (m.algo === "stackedensemble") throw new FloeError("invalid_argument", `base model '${m.model_id}' is itself a stacked ensemble`);
    if (m.response.name !== y) throw new FloeError("invalid_argument", `base model '${m.model_id}' predicts '${m.response.name}', not '${y}'`);
    if (!b.cvPredictions) {
      throw new FloeError("invalid_argument", `base model '${m.model_id}' has no cross-validation predictions: train it with nfolds >= 2 and keep_cross_validation_predictions`);
    }
    models.push(m as SupervisedModel);
  }
  const first = models[0];
  const folds = (m: AnyModel) => JSON.stringify([m.params.nfolds, m.params.fold_assignment, m.params.fold_column, m.params.fold_assignment === "Modulo" ? 0 : m.params.seed]);
  for (const m of models.slice(1)) {
    if (JSON.stringify(m.response.domain) !== JSON.stringify(first.response.domain)) {
      throw new FloeError("invalid_argument", `base models '${first.model_id}' and '${m.model_id}' have different classes`);
    }
    if (folds(m) !== folds(first)) {
      throw new FloeError("invalid_argument", `base models '${first.model_id}' and '${m.model_id}' were cross-validated on different folds (nfolds, fold_assignment, fold_column and seed must match)`);
    }
  }
  return models;
}

/** The level-one frame (with rollups) of base models' outputs on the rows of `scored`. */
async function levelOne(executor: Executor, models: readonly SupervisedModel[], scored: readonly (readonly ScoredChunk[])[]): Promise<Frame> {
  const frame = levelOneFrame(models.map(sourceOf), scored, models[0].response);
  return frame.withRollups(await computeRollups(executor, frame));
}

export async function trainStackedEnsemble(
  executor: Executor,
  req: TrainRequest,
  p: StackedEnsembleParams,
  algorithmOf: (name: string) => Algorithm | undefined,
  predict: (executor: Executor, model: AnyModel, frame: Frame, warnings: string[]) => Promise<ScoredChunk[]>,
): Promise<TrainResult> {
  const clock = req.clock ?? systemClock;
  const started = clock.now();
  const y = req.y as string;
  const models = checkBases(req.baseModels ?? [], y);
  const algoName = p.metalearner_algorithm === "AUTO" ? "glm" : p.metalearner_algorithm;
  const meta = algorithmOf(algoName);
  if (!meta) throw new FloeError("invalid_argument", `no metalearner algorithm '${algoName}'`);
  const train = await levelOne(
    executor,
    models,
    (req.baseModels ?? []).map((b) => b.cvPredictions as ScoredChunk[]),
  );
  let valid: Frame | null = null;
  if (req.valid) {
    const scored: ScoredChunk[][] = [];
    for (const m of models) scored.push(await predict(executor, m, req.valid, []));
    valid = await levelOne(executor, models, scored);
  }
  const result = await meta.train(executor, {
    modelId: `${req.modelId}_metalearner`,
    frame: train,
    y,
    x: null,
    params: metalearnerParams(p, algoName),
    valid,
    signal: req.signal,
    clock,
    onProgress: req.onProgress,
  });
  const metalearner = result.model;
  const model: StackedEnsembleModel = {
    algo: "stackedensemble",
    model_id: req.modelId,
    params: { ...p, metalearner_algorithm: algoName, base_models: models.map((m) => m.model_id).join(",") },
    response: models[0].response,
    category: models[0].category as StackedEnsembleModel["category"],
    base_models: models,
    metalearner,
    metrics: metalearner.metrics,
    cross_validation_metrics_summary: metalearner.cross_validation_metrics_summary ?? null,
    varimp: metalearner.varimp,
    scoring_history: [],
    notes: [
      `${models.length} base models; metalearner ${algoName}${p.metalearner_nfolds > 0 ? ` with ${p.metalearner_nfolds}-fold cross-validation` : ""}`,
      "training metrics are the metalearner's on the base models' out-of-fold predictions",
      ...metalearner.notes.map((n) => `metalearner: ${n}`),
    ],
    training_time_ms: clock.now() - started,
    threshold: metalearner.threshold,
  };
  return { model, cvModels: [], cvPredictions: result.cvPredictions };
}
