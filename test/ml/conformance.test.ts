// Every registered algorithm through the same steps, as scikit-learn's check_estimator does:
// train on iris, save the model file and load it back, score it (the loaded model predicts
// the same bits as the trained one, as many outputs as it names), evaluate it, report it as
// text and JSON, and find its tasks in the workers' registry. A new algorithm in the
// registry's list is checked here without a line of this file changing.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { deserializeModel, serializeModel } from "../../src/ml/modelfile.ts";
import { ALGORITHMS, algorithm, type TrainResult } from "../../src/ml/registry.ts";
import { modelEvaluator, modelInputs, outputNames, predictFrame } from "../../src/ml/scoring.ts";
import { modelJson, modelText } from "../../src/present/model.ts";
import { TASKS } from "../../src/tasks.ts";
import { VERSION } from "../../src/version.ts";
import { FIXTURES, testNode } from "../support/node.ts";

const node = testNode();
const frame = (await node.importFrame({ kind: "file", path: join(FIXTURES, "iris.csv") }).done).frame;
const NUMBERS = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
/** Base models for an algorithm that stacks others: cross-validated alike, predictions kept. */
const STACKABLE = { nfolds: 3, seed: 5, keep_cross_validation_predictions: true };

async function trainOn(name: string, modelId: string): Promise<TrainResult> {
  const a = algorithm(name);
  if (!a) throw new Error(`no algorithm ${name}`);
  const takesBases = a.params.some((p) => p.name === "base_models");
  const baseModels = takesBases ? await Promise.all(["gbm", "glm"].map((b) => trainOn(b, `${modelId}_${b}`))) : undefined;
  const params = takesBases ? { seed: 5 } : { seed: 5, ...(a.params.some((p) => p.name === "nfolds") ? STACKABLE : {}) };
  return a.train(node.executor, {
    modelId,
    frame,
    y: a.supervised ? "species" : null,
    x: a.supervised ? null : NUMBERS,
    params,
    baseModels: baseModels?.map((r) => ({ model: r.model, cvPredictions: r.cvPredictions })),
  });
}

describe("every registered algorithm", () => {
  for (const d of ALGORITHMS) {
    test(`${d.name}: train, save, load, predict, evaluate, report; its tasks are registered`, async () => {
      const { model } = await trainOn(d.name, `conformance_${d.name}`);
      expect(model.algo).toBe(d.name);
      expect(model.model_id).toBe(`conformance_${d.name}`);

      const loaded = deserializeModel(serializeModel(model, VERSION), `${d.name}.floe`);
      const direct = await predictFrame(node.executor, model, frame, []);
      const reloaded = await predictFrame(node.executor, loaded, frame, []);
      expect(reloaded.reduce((n, sc) => n + sc.rows, 0)).toBe(150);
      // Classifiers score class probabilities and name the label first; the others name each output.
      const domain = loaded.response?.domain;
      if (domain) expect(outputNames(loaded)).toEqual(["predict", ...domain]);
      else expect(outputNames(loaded).length).toBe(reloaded[0].width);
      for (let c = 0; c < direct.length; c++) {
        expect(Buffer.from(reloaded[c].p.buffer, reloaded[c].p.byteOffset, reloaded[c].p.byteLength).equals(Buffer.from(direct[c].p.buffer, direct[c].p.byteOffset, direct[c].p.byteLength))).toBe(
          true,
        );
      }
      expect(
        modelInputs(loaded)
          .map((c) => c.name)
          .every((n) => frame.names.includes(n)),
      ).toBe(true);

      const evaluator = modelEvaluator(node.executor, loaded);
      await evaluator.add(frame, []);
      expect(evaluator.result()).toMatchObject({ nobs: 150 });

      expect(modelText(loaded)).toStartWith(`model conformance_${d.name}: ${d.name}, `);
      expect(modelJson(loaded)).toMatchObject({ model_id: `conformance_${d.name}`, algo: d.name });

      for (const task of d.tasks) expect(TASKS.get(task.name)).toBe(task);
    });
  }
});
