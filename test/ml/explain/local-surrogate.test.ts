// The local surrogate against a model whose answer is known: a linear model (GLM, gaussian)
// is its own best local fit, so the surrogate's weights are its coefficients and R² is 1.

import { expect, test } from "bun:test";
import { join } from "node:path";
import type { Frame } from "../../../src/core/frame.ts";
import { InlineExecutor } from "../../../src/core/mr.ts";
import { pickRows } from "../../../src/ml/explain/frame-edit.ts";
import { localSurrogate } from "../../../src/ml/explain/local-surrogate.ts";
import type { GlmModel } from "../../../src/ml/glm/model.ts";
import { algorithm } from "../../../src/ml/registry.ts";
import { type Model, predictFrame } from "../../../src/ml/scoring.ts";
import { FIXTURES, testNode } from "../../support/node.ts";

const node = testNode();
const penguinsText = await Bun.file(join(FIXTURES, "penguins.csv")).text();
const penguins = (await node.importFrame({ kind: "file", path: join(FIXTURES, "penguins.csv") }, { chunkRows: 64 }).done).frame;
const numeric = ["beak_length_mm", "beak_depth_mm", "flipper_length_mm"];

async function train(algo: string, frame: Frame, y: string, x: string[], params: Record<string, unknown>): Promise<Model> {
  const { model } = await algorithm(algo)!.train(node.executor, { modelId: algo, frame, y, x, params: { seed: 5, ...params } });
  return model as Model;
}

function coef(m: GlmModel, name: string): number {
  return Number(m.coefficients_table.coefficients[m.coefficients_table.names.indexOf(name)]);
}

const glm = (await train("glm", penguins, "body_mass_g", numeric, { lambda: 0 })) as GlmModel;

test("on a linear model the surrogate's weights are the coefficients, R² is 1 and it predicts the row exactly", async () => {
  const s = await localSurrogate(node.executor, glm, penguins, 10, { seed: 3, samples: 500 });
  expect(s.weights.map((w) => w.variable).sort()).toEqual([...numeric].sort());
  for (const w of s.weights) {
    const c = coef(glm, w.variable);
    expect(Math.abs(w.weight - c)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(c)));
  }
  expect(Math.abs(s.r2 - 1)).toBeLessThan(1e-9);
  const direct = (await predictFrame(node.executor, glm, pickRows(penguins, [10]), []))[0].p[0];
  expect(s.prediction).toBe(direct);
  expect(Math.abs(s.localPrediction - direct)).toBeLessThan(1e-6 * Math.abs(direct));
  const row10 = penguinsText.trim().split("\n")[11].split(",");
  expect(s.weights.find((w) => w.variable === "flipper_length_mm")?.value).toBe(Number(row10[4]));
});

test("repeatable with a seed, on 1 or 2 threads; another seed draws other samples", async () => {
  const gbm = await train("gbm", penguins, "sex", [...numeric, "island"], { ntrees: 5, max_depth: 3 });
  const a = await localSurrogate(node.executor, gbm, penguins, 20, { seed: 9, samples: 300 });
  expect(await localSurrogate(new InlineExecutor(), gbm, penguins, 20, { seed: 9, samples: 300 })).toEqual(a);
  const b = await localSurrogate(node.executor, gbm, penguins, 20, { seed: 10, samples: 300 });
  expect(b.weights).not.toEqual(a.weights);
  // sex has three classes (".", FEMALE, MALE): the class explained by default is the one predicted for the row.
  const p = (await predictFrame(node.executor, gbm, pickRows(penguins, [20]), []))[0].p;
  expect(a.prediction).toBe(Math.max(...p));
  const female = await localSurrogate(node.executor, gbm, penguins, 20, { seed: 9, samples: 300, target: "FEMALE" });
  expect(female.prediction).toBe(p[1]);
  expect(a.weights.find((w) => w.variable === "island")?.value).toBe(penguinsText.trim().split("\n")[21].split(",")[1]);
});

test("max_features keeps the features of largest standardised weight", async () => {
  const s = await localSurrogate(node.executor, glm, penguins, 10, { seed: 3, samples: 500, maxFeatures: 1 });
  const sd = (name: string) => penguins.rollups![penguins.columnIndex(name)].sd!;
  const top = [...numeric].sort((a, b) => Math.abs(coef(glm, b)) * sd(b) - Math.abs(coef(glm, a)) * sd(a))[0];
  expect(s.weights.map((w) => w.variable)).toEqual([top]);
});

test("bad input: each refused with one clear error", async () => {
  await expect(localSurrogate(node.executor, glm, penguins, 344, {})).rejects.toThrow("row index 344 is out of range: the frame has 344 rows");
  await expect(localSurrogate(node.executor, glm, penguins, 1, { samples: 1 })).rejects.toThrow("samples must be an integer of at least 2, got 1");
  await expect(localSurrogate(node.executor, glm, penguins, 1, { maxFeatures: 0 })).rejects.toThrow("max_features must be an integer of at least 1, got 0");
  await expect(localSurrogate(node.executor, glm, penguins, 1, { kernelWidth: -1 })).rejects.toThrow("kernel_width must be a positive number, got -1");
});
