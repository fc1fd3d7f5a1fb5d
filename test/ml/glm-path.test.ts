// GLM's lambda path: strong rules leave columns out of the Gram passes yet give the
// coefficients of each lambda fitted alone over every column; the path ends early once the
// validation deviance rises, keeping the lambda of the lowest validation deviance (computed
// here from the path's coefficients), and cross-validation folds end theirs once their
// holdout deviance rises; the same bits on 1 and 2 threads with cross-validation.

import { expect, test } from "bun:test";
import type { Frame } from "../../src/core/frame.ts";
import { type Executor, InlineExecutor } from "../../src/core/mr.ts";
import type { GlmModel } from "../../src/ml/glm/model.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const glmAlgo = algorithm("glm")!;

/** A deterministic uniform stream in [0, 1) (a linear congruential generator). */
function uniforms(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 300 rows of 8 predictors (x4 close to x1) and y = 3·x1 − 2·x2 + 0.5·x3 + noise. */
function regressionCsv(seed: number, slope1 = 3): string {
  const u = uniforms(seed);
  const lines = ["x1,x2,x3,x4,x5,x6,x7,x8,y"];
  for (let i = 0; i < 300; i++) {
    const x = Array.from({ length: 8 }, () => u() * 2 - 1);
    x[3] = x[0] + 0.3 * (u() - 0.5);
    const y = slope1 * x[0] - 2 * x[1] + 0.5 * x[2] + (u() - 0.5);
    lines.push([...x, y].map((v) => v.toFixed(6)).join(","));
  }
  return `${lines.join("\n")}\n`;
}

async function load(name: string, text: string): Promise<Frame> {
  return (await node.importFrame({ kind: "file", path: writeTemp(dir, name, text) }).done).frame;
}

async function train(executor: Executor, frame: Frame, params: Record<string, unknown>, valid?: Frame): Promise<GlmModel> {
  const { model } = await glmAlgo.train(executor, { modelId: "glm", frame, y: "y", x: null, valid, params: { seed: 1, ...params } });
  return model as GlmModel;
}

/** An executor that records the columns each IRLS Gram pass summed (−1: every column). */
function recordingActive(inner: Executor): { executor: Executor; active: number[] } {
  const active: number[] = [];
  const executor: Executor = {
    threads: inner.threads,
    run(task, data, args, opts) {
      if (task.name === "ml.glm.irls_gram") active.push((args as { active?: Int32Array | null }).active?.length ?? -1);
      return inner.run(task, data, args, opts);
    },
    close: () => inner.close(),
  };
  return { executor, active };
}

const tight = { alpha: 0.5, solver: "COORDINATE_DESCENT", beta_epsilon: 1e-12, objective_epsilon: 1e-14 };

test("strong rules leave columns out of the Gram passes, and each lambda's coefficients equal that lambda fitted alone over every column (1e-8)", async () => {
  const frame = await load("strong.csv", regressionCsv(11));
  const rec = recordingActive(node.executor);
  const m = await train(rec.executor, frame, { ...tight, lambda_search: true, nlambdas: 12, lambda_min_ratio: 1e-3 });
  // Nine coefficients (eight and the intercept): the first lambdas below lambda_max fit fewer.
  expect(rec.active.some((a) => a > 0 && a < 9)).toBe(true);
  const path = m.regularization_path;
  if (!path) throw new Error("no regularization path");
  expect(path.lambdas.length).toBeGreaterThan(6);
  for (let i = 1; i < path.lambdas.length; i++) {
    const alone = await train(node.executor, frame, { ...tight, lambda: path.lambdas[i] });
    const table = alone.coefficients_table;
    path.coefficients[i].forEach((b, j) => {
      const expected = Number(table.coefficients[table.names.indexOf(path.names[j])]);
      expect(Math.abs(b - expected)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(expected)));
    });
  }
});

test("the path ends once the validation deviance has risen for three lambdas, and keeps the lambda of the lowest one", async () => {
  // Validation rows whose slope on x1 is 1, not 3: as lambda falls the fitted slope passes 1
  // and the validation deviance rises again.
  const frame = await load("rise-train.csv", regressionCsv(5));
  const valid = await load("rise-valid.csv", regressionCsv(6, 1));
  const nlambdas = 60;
  const m = await train(node.executor, frame, { alpha: 1, lambda_search: true, nlambdas, lambda_min_ratio: 1e-4 }, valid);
  const path = m.regularization_path;
  if (!path) throw new Error("no regularization path");
  // Σ (y − ŷ)² of the validation rows at each lambda's coefficients (original scale), computed here.
  const rows = regressionCsv(6, 1)
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",").map(Number));
  const at = (b: readonly number[]) => rows.reduce((s, r) => s + (r[8] - (b[8] + r.slice(0, 8).reduce((e, x, j) => e + b[j] * x, 0))) ** 2, 0);
  const deviances = path.coefficients.map(at);
  const best = deviances.indexOf(Math.min(...deviances));
  expect(path.lambdas.length).toBeLessThan(nlambdas);
  expect(path.lambdas.length - 1 - best).toBe(3);
  expect(m.lambda).toBe(path.lambdas[best]);
  expect(m.notes).toContain(`lambda search stopped after ${path.lambdas.length} of ${nlambdas} lambdas: validation deviance stopped improving`);
});

test("a binomial lambda search with cross-validation gives the same bits on 1 and 2 threads", async () => {
  const u = uniforms(3);
  const lines = ["a,b,c,x,y"];
  for (let i = 0; i < 400; i++) {
    const a = `a${Math.floor(u() * 12)}`;
    const b = `b${Math.floor(u() * 7)}`;
    const x = u() * 4 - 2;
    const eta = (Number(a.slice(1)) % 3) - 1 + 0.8 * x;
    lines.push(`${a},${b},c${i % 3},${x.toFixed(5)},${u() < 1 / (1 + Math.exp(-eta)) ? "yes" : "no"}`);
  }
  const frame = (await node.importFrame({ kind: "file", path: writeTemp(dir, "bin.csv", `${lines.join("\n")}\n`) }, { chunkRows: 64 }).done).frame;
  const params = { lambda_search: true, nlambdas: 30, nfolds: 3 };
  const inline = new InlineExecutor();
  const one = await train(inline, frame, params);
  const two = await train(node.executor, frame, params);
  expect(one.regularization_path?.lambdas.length).toBeGreaterThan(1);
  expect(Array.from(two.beta)).toEqual(Array.from(one.beta));
  expect(two.regularization_path?.coefficients).toEqual(one.regularization_path?.coefficients as number[][]);
  expect(two.lambda).toBe(one.lambda);
});

test("cross-validation folds end their paths once their holdout deviance has risen for ten lambdas (a response of pure noise)", async () => {
  const u = uniforms(21);
  const lines = ["x1,x2,x3,x4,x5,x6,y"];
  for (let i = 0; i < 240; i++) lines.push([...Array.from({ length: 6 }, () => u() * 2 - 1), u()].map((v) => v.toFixed(6)).join(","));
  const frame = await load("noise.csv", `${lines.join("\n")}\n`);
  const nlambdas = 50;
  const m = await train(node.executor, frame, { alpha: 1, lambda_search: true, nlambdas, nfolds: 3 });
  const note = m.notes.find((n) => n.startsWith("the folds' lambda searches ended early (holdout deviance rising)"));
  expect(note).toBeDefined();
  const reached = Number(note?.match(/among the first (\d+)/)?.[1]);
  // At least 11 lambdas (ten without improvement after the best), far fewer than 50.
  expect(reached).toBeGreaterThanOrEqual(11);
  expect(reached).toBeLessThan(nlambdas / 2);
  expect(m.regularization_path?.lambdas.length).toBeLessThanOrEqual(reached);
});
