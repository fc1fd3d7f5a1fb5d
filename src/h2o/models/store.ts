// Keeping models as floe's server keeps them: in the node's store under floe's model key,
// shared with the cluster's other members through the server's link, with their
// cross-validation models and out-of-fold predictions beside them (a stacked ensemble
// trained later through either API finds them).

import { FloeError } from "../../core/errors.ts";
import { key, type Key } from "../../core/store.ts";
import { descriptorOf, type Model, type TrainResult } from "../../ml/registry.ts";
import type { ServedModel } from "../../server/context.ts";
import type { H2OContext } from "../context.ts";
import { floeId } from "../keys.ts";

export function servedKey(id: string): Key<ServedModel> {
  return key<ServedModel>("model", id);
}

/** The model an H2O key names, or H2O's 404 naming it. */
export function needServed(ctx: H2OContext, h2oKey: string): ServedModel {
  const served = ctx.node.store.get(servedKey(floeId(h2oKey, "model")));
  if (!served) throw new FloeError("not_found", `Object '${h2oKey}' not found: no model of that key`);
  return served;
}

/**
 * Stores a model, and the models it holds (a stacked ensemble's metalearner) under their own
 * ids, as H2O keeps a metalearner as a model of its own that the client fetches by key.
 */
export async function putServed(ctx: H2OContext, id: string, served: ServedModel): Promise<void> {
  ctx.node.store.put(servedKey(id), served);
  await ctx.server.link?.shareModel(id, served);
  for (const inner of innerModels(served.model)) {
    if (ctx.node.store.get(servedKey(inner.model_id))) continue;
    await putServed(ctx, inner.model_id, { model: inner, trainingFrame: served.trainingFrame, createdAt: served.createdAt, cvModels: [] });
  }
}

/** The models `model` holds, by its descriptor (a stacked ensemble's metalearner). */
export function innerModels(model: Model): Model[] {
  return (descriptorOf(model.algo).output.inner?.(model) ?? []).map((i) => i.model as Model);
}

/** Stores a trained model with its cross-validation models and kept out-of-fold predictions. */
export async function putTrainedModel(ctx: H2OContext, result: TrainResult, trainingFrame: string): Promise<void> {
  const createdAt = Date.now();
  for (const cv of result.cvModels) await putServed(ctx, cv.model_id, { model: cv, trainingFrame, createdAt, cvModels: [] });
  await putServed(ctx, result.model.model_id, { model: result.model, trainingFrame, createdAt, cvModels: result.cvModels.map((m) => m.model_id), cvPredictions: result.cvPredictions });
}

export async function deleteServed(ctx: H2OContext, id: string): Promise<void> {
  if (!ctx.node.store.delete(servedKey(id))) throw new FloeError("not_found", `Object '${id}' not found: no model of that key`);
  await ctx.server.link?.shareModel(id, null);
}
