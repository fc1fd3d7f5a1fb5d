// Baseline SHAP of models without an exact method (deep learning, naive Bayes, stacked
// ensembles) against answers computed here: the model's own predictions of the row and of each
// reference (efficiency), Shapley values by brute force over every order of the inputs, scoring
// hybrid rows written here as CSV (an independent formula and an independent path to the model).

import { expect, test } from "bun:test";
import type { Frame } from "../../../src/core/frame.ts";
import { InlineExecutor } from "../../../src/core/mr.ts";
import type { Contributions } from "../../../src/ml/algorithm.ts";
import { contributionsOf } from "../../../src/ml/explain/contributions.ts";
import { algorithm, type Model } from "../../../src/ml/registry.ts";
import { predictFrame } from "../../../src/ml/scoring.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();
const dir = tempDir();
let files = 0;

const COLORS = ["red", "red", "green", "blue"];
const N = 80;
const data = Array.from({ length: N }, (_, i) => {
  const x1 = (i % 9) - 4 + i / 40;
  const x2 = ((i * 7) % 13) / 3;
  const color = COLORS[i % 4];
  const score = Math.sin(i * 1.9) + 0.6 * x1 - 0.5 * x2 + (color === "green" ? 1 : 0);
  // Twelve more columns for the sampled path (above the exact limit of 10 inputs).
  const extra = Array.from({ length: 12 }, (_, j) => Math.round(Math.cos(i * (j + 1) * 0.7) * 100) / 10);
  return { x1, x2, color, label: score > 0 ? "yes" : "no", y: score * 3 + 10, extra };
});
const EXTRA = Array.from({ length: 12 }, (_, j) => `e${j}`);

async function csv(text: string, chunkRows?: number): Promise<Frame> {
  const path = writeTemp(dir, `f${files++}.csv`, text);
  return (await node.importFrame({ kind: "file", path }, { chunkRows }).done).frame;
}

const train = await csv(["x1,x2,color,label,y," + EXTRA.join(","), ...data.map((r) => [r.x1, r.x2, r.color, r.label, r.y, ...r.extra].join(","))].join("\n"), 32);

type Row = readonly [number, number, string];
const ROWS: Row[] = [
  [2.5, 1, "green"],
  [-3, 4, "blue"],
  [0.25, 2, "red"],
];
// The second reference shares x2 = 4 with the second row: x2 must get exactly 0 there.
const REFS: Row[] = [
  [1, 3, "red"],
  [-1.5, 4, "green"],
];
const toCsv = (rows: readonly Row[]) => ["x1,x2,color", ...rows.map((r) => r.join(","))].join("\n");
const rowsFrame = await csv(toCsv(ROWS), 2);
const refsFrame = await csv(toCsv(REFS));

async function trainModel(algo: string, y: string, x: string[], params: Record<string, unknown>): Promise<Model> {
  const { model } = await algorithm(algo)!.train(node.executor, { modelId: algo, frame: train, y, x, params: { seed: 7, ...params } });
  return model;
}

const dl = await trainModel("deeplearning", "label", ["x1", "x2", "color"], { hidden: "6", epochs: 30, activation: "Tanh", stopping_rounds: 0 });

/** The model's link-space outputs (logit of class 1, or the prediction) of every row of a frame. */
async function link(model: Model, frame: Frame): Promise<number[]> {
  const p = (await predictFrame(node.executor, model, frame, [])).flatMap((sc) => Array.from(sc.p));
  return model.category === "Binomial" ? p.map((q) => Math.log(q / (1 - q))) : p;
}

function outputRows(c: Contributions): number[][] {
  const w = c.classes * (c.names.length + 1);
  return c.chunks.flatMap((ch) => Array.from({ length: ch.rows }, (_, i) => Array.from(ch.values.subarray(i * w, (i + 1) * w))));
}

/** Shapley values by brute force: every order of the inputs, each input's marginal contribution averaged. */
async function bruteForce(model: Model, x: Row, r: Row): Promise<number[]> {
  const subsets = Array.from({ length: 8 }, (_, m) => [0, 1, 2].map((j) => ((m >> j) & 1 ? x[j] : r[j])) as unknown as Row);
  const v = await link(model, await csv(toCsv(subsets)));
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  const phi = [0, 0, 0];
  for (const order of orders) {
    let mask = 0;
    for (const j of order) {
      phi[j] += (v[mask | (1 << j)] - v[mask]) / orders.length;
      mask |= 1 << j;
    }
  }
  return phi;
}

test("deep learning, exact: per reference the brute-force Shapley values, summing to link f(x) − link f(r), bias link f(r)", async () => {
  const c = await contributionsOf(node.executor, dl, rowsFrame, { background: refsFrame, outputPerReference: true }, []);
  // Deep learning reads enums first, as its design expands them.
  expect(c.names).toEqual(["color", "x1", "x2"]);
  const column = c.names.map((name) => ["x1", "x2", "color"].indexOf(name));
  const got = outputRows(c);
  expect(got.length).toBe(ROWS.length * REFS.length);
  const fx = await link(dl, rowsFrame);
  const fr = await link(dl, refsFrame);
  for (let i = 0; i < ROWS.length; i++) {
    for (let k = 0; k < REFS.length; k++) {
      const row = got[i * REFS.length + k];
      const expected = await bruteForce(dl, ROWS[i], REFS[k]);
      for (let j = 0; j < 3; j++) expect(Math.abs(row[j] - expected[column[j]])).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(row[3] - fr[k])).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(row[0] + row[1] + row[2] - (fx[i] - fr[k]))).toBeLessThanOrEqual(1e-9);
    }
  }
  // The values are not trivially zero: every input moves this model's output somewhere.
  for (let j = 0; j < 3; j++) expect(got.some((row) => Math.abs(row[j]) > 1e-3)).toBe(true);
  // An input whose value is the same in the row and the reference contributes exactly nothing.
  expect(got[1 * REFS.length + 1][c.names.indexOf("x2")]).toBe(0);
});

test("the mean over the references is the marginal SHAP; the same bits on one thread", async () => {
  const perRef = outputRows(await contributionsOf(node.executor, dl, rowsFrame, { background: refsFrame, outputPerReference: true }, []));
  const marginal = outputRows(await contributionsOf(node.executor, dl, rowsFrame, { background: refsFrame }, []));
  expect(marginal.length).toBe(ROWS.length);
  marginal.forEach((row, i) =>
    row.forEach((value, v) => {
      const mean = (perRef[i * 2][v] + perRef[i * 2 + 1][v]) / 2;
      expect(Math.abs(value - mean)).toBeLessThanOrEqual(1e-12);
    }),
  );
  const inline = outputRows(await contributionsOf(new InlineExecutor(), dl, rowsFrame, { background: refsFrame }, []));
  expect(inline).toEqual(marginal);
});

test("above 10 inputs: seeded antithetic permutations still sum exactly to f(x) − f(r); the same seed gives the same values", async () => {
  const nb = await trainModel("naivebayes", "label", ["x1", "x2", "color", ...EXTRA], {});
  const wide = (rows: readonly (typeof data)[number][]) => ["x1,x2,color," + EXTRA.join(","), ...rows.map((r) => [r.x1, r.x2, r.color, ...r.extra].join(","))].join("\n");
  const rows = await csv(wide(data.slice(0, 3)));
  const refs = await csv(wide(data.slice(40, 42)));
  const request = { background: refs, outputPerReference: true, permutations: 8, seed: 3 };
  const c = await contributionsOf(node.executor, nb, rows, request, []);
  expect(c.names.length).toBe(15);
  const got = outputRows(c);
  const fx = await link(nb, rows);
  const fr = await link(nb, refs);
  got.forEach((row, q) => {
    const sum = row.slice(0, 15).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - (fx[Math.floor(q / 2)] - fr[q % 2]))).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(row[15] - fr[q % 2])).toBeLessThanOrEqual(1e-9);
  });
  expect(outputRows(await contributionsOf(new InlineExecutor(), nb, rows, request, []))).toEqual(got);
  const other = outputRows(await contributionsOf(node.executor, nb, rows, { ...request, seed: 4 }, []));
  expect(other).not.toEqual(got);
  await expect(contributionsOf(node.executor, nb, rows, { ...request, permutations: 3 }, [])).rejects.toThrow("permutations must be an even integer");
});

test("stacked ensemble (regression): per reference the values sum to f(x) − f(r)", async () => {
  const cv = { nfolds: 3, keep_cross_validation_predictions: true };
  const bases = await Promise.all([
    algorithm("glm")!.train(node.executor, { modelId: "g", frame: train, y: "y", x: ["x1", "x2", "color"], params: { seed: 7, lambda: 0, ...cv } }),
    algorithm("deeplearning")!.train(node.executor, { modelId: "d", frame: train, y: "y", x: ["x1", "x2", "color"], params: { seed: 7, hidden: "4", epochs: 10, stopping_rounds: 0, ...cv } }),
  ]);
  const { model: se } = await algorithm("stackedensemble")!.train(node.executor, {
    modelId: "se",
    frame: train,
    y: "y",
    x: null,
    params: { seed: 7 },
    baseModels: bases.map((b) => ({ model: b.model, cvPredictions: b.cvPredictions })),
  });
  const got = outputRows(await contributionsOf(node.executor, se, rowsFrame, { background: refsFrame, outputPerReference: true }, []));
  const fx = await link(se, rowsFrame);
  const fr = await link(se, refsFrame);
  got.forEach((row, q) => {
    expect(Math.abs(row[0] + row[1] + row[2] - (fx[Math.floor(q / 2)] - fr[q % 2]))).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(row[3] - fr[q % 2])).toBeLessThanOrEqual(1e-9);
  });
});

test("without a background frame a model with no exact method is refused, naming it", async () => {
  await expect(contributionsOf(node.executor, dl, rowsFrame, {}, [])).rejects.toThrow("background_frame is required for deeplearning models");
});
