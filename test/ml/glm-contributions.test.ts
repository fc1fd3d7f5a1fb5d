// GLM's SHAP contributions against answers computed here from the model's coefficients (original
// scale) and the training data: coefficient × (value − reference value) per numeric column, the
// level coefficient minus the reference level's for an enum, the bias the linear predictor of
// the reference row; and they sum to the linear predictor of the row.

import { expect, test } from "bun:test";
import type { Frame } from "../../src/core/frame.ts";
import { InlineExecutor } from "../../src/core/mr.ts";
import type { Contributions } from "../../src/ml/algorithm.ts";
import type { GlmModel } from "../../src/ml/glm/model.ts";
import { ALGORITHMS_CONTEXT, algorithm, descriptorOf } from "../../src/ml/registry.ts";
import { predictFrame } from "../../src/ml/scoring.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();

const COLORS = ["red", "red", "red", "green", "green", "blue"];
const N = 60;
const rows = Array.from({ length: N }, (_, i) => {
  const x1 = (i % 7) + (0.5 * i) / 10;
  const x2 = ((i * 3) % 11) - 5;
  const color = COLORS[i % 6];
  const y = 2 + 0.5 * x1 - 1.5 * x2 + (color === "green" ? 1 : color === "blue" ? -2 : 0) + Math.sin(i * 1.3);
  const label = Math.sin(i * 1.7) + 0.3 * x1 - 0.2 * x2 > 0.8 ? "yes" : "no";
  const klass = ["a", "b", "c"][(i + (x1 > 4 ? 1 : 0) + (x2 > 0 ? 1 : 0)) % 3];
  return { x1, x2, color, y, label, klass };
});
const csv = ["x1,x2,color,y,label,klass", ...rows.map((r) => `${r.x1},${r.x2},${r.color},${r.y},${r.label},${r.klass}`)].join("\n");
const means = { x1: rows.reduce((s, r) => s + r.x1, 0) / N, x2: rows.reduce((s, r) => s + r.x2, 0) / N };
const MODE = "red";

async function load(text: string, name: string, chunkRows?: number): Promise<Frame> {
  return (await node.importFrame({ kind: "file", path: writeTemp(dir, name, text) }, { chunkRows }).done).frame;
}

const train = await load(csv, "train.csv", 16);
/** Three reference rows with a missing value, and rows to explain with missing values. */
const background = await load("x1,x2,color\n1,2,blue\n6.5,-4,green\n3,,red\n", "bg.csv");
const scoring = await load("x1,x2,color\n2,3,green\n,1,blue\n5,-2,\n0.5,4,red\n", "rows.csv", 2);

async function glm(y: string, params: Record<string, unknown>): Promise<GlmModel> {
  const { model } = await algorithm("glm")!.train(node.executor, { modelId: "glm", frame: train, y, x: ["x1", "x2", "color"], params: { seed: 1, lambda: 0, ...params } });
  return model as GlmModel;
}

function coef(m: GlmModel, name: string, column = "coefficients"): number {
  const i = m.coefficients_table.names.indexOf(name);
  return i < 0 ? 0 : Number(m.coefficients_table[column][i]);
}

async function contributions(m: GlmModel, frame: Frame, request = {}, executor = node.executor): Promise<Contributions> {
  const got = await descriptorOf("glm").scorer.contributions!(executor, m, frame, [], request, ALGORITHMS_CONTEXT);
  if (!got) throw new Error("glm gave no contributions");
  return got;
}

/** Row-major values of every chunk, one array per output row. */
function outputRows(c: Contributions): number[][] {
  const w = c.classes * (c.names.length + 1);
  return c.chunks.flatMap((ch) => Array.from({ length: ch.rows }, (_, i) => Array.from(ch.values.subarray(i * w, (i + 1) * w))));
}

/** The rows of `scoring` as the test reads them (missing: null). */
const explained = [
  { x1: 2, x2: 3, color: "green" },
  { x1: null, x2: 1, color: "blue" },
  { x1: 5, x2: -2, color: null },
  { x1: 0.5, x2: 4, color: "red" },
];
const references = [
  { x1: 1, x2: 2, color: "blue" },
  { x1: 6.5, x2: -4, color: "green" },
  { x1: 3, x2: null, color: "red" },
];

type Row = { x1: number | null; x2: number | null; color: string | null };

/** The linear predictor of a row by hand: missing numbers are the training mean, a missing level the most frequent. */
function eta(m: GlmModel, r: Row, klass?: string): number {
  const s = klass ? `coefs_class_${klass}` : "coefficients";
  return coef(m, "Intercept", s) + coef(m, "x1", s) * (r.x1 ?? means.x1) + coef(m, "x2", s) * (r.x2 ?? means.x2) + coef(m, `color.${r.color ?? MODE}`, s);
}

/** Contributions by hand (names in the model's order: color, x1, x2) then the bias: eta of the reference. */
function byHand(m: GlmModel, x: Row, r: Row, klass?: string): number[] {
  const s = klass ? `coefs_class_${klass}` : "coefficients";
  const level = (v: Row) => coef(m, `color.${v.color ?? MODE}`, s);
  return [level(x) - level(r), coef(m, "x1", s) * ((x.x1 ?? means.x1) - (r.x1 ?? means.x1)), coef(m, "x2", s) * ((x.x2 ?? means.x2) - (r.x2 ?? means.x2)), eta(m, r, klass)];
}

const TRAINING_MEANS: Row = { x1: means.x1, x2: means.x2, color: MODE };

function expectClose(actual: number[], expected: number[], tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]))));
}

test("gaussian: coefficient × (value − training mean), enums against the most frequent level; rows sum to the prediction", async () => {
  const m = await glm("y", { family: "gaussian" });
  const c = await contributions(m, scoring);
  expect(c.names).toEqual(["color", "x1", "x2"]);
  expect(c.classes).toBe(1);
  const got = outputRows(c);
  const predictions = (await predictFrame(node.executor, m, scoring, [])).flatMap((sc) => Array.from(sc.p));
  explained.forEach((x, i) => {
    expectClose(got[i], byHand(m, x, TRAINING_MEANS));
    expect(Math.abs(got[i].reduce((a, b) => a + b, 0) - predictions[i])).toBeLessThanOrEqual(1e-9);
  });
  // A missing value is imputed as scoring imputes it: its column contributes exactly nothing.
  expect(got[1][1]).toBe(0);
  expect(got[2][0]).toBe(0);
});

test("binomial: contributions sum to the log-odds of the predicted probability", async () => {
  const m = await glm("label", { family: "binomial" });
  const c = await contributions(m, scoring);
  const got = outputRows(c);
  const p = (await predictFrame(node.executor, m, scoring, [])).flatMap((sc) => Array.from(sc.p));
  explained.forEach((x, i) => {
    expectClose(got[i], byHand(m, x, TRAINING_MEANS));
    expect(Math.abs(got[i].reduce((a, b) => a + b, 0) - Math.log(p[i] / (1 - p[i])))).toBeLessThanOrEqual(1e-9);
  });
  expect(c.inverseLink?.(0.3)).toBeCloseTo(1 / (1 + Math.exp(-0.3)), 12);
});

test("against a background frame: per reference b·(x − r) with bias eta(r); their mean is the marginal SHAP; same bits on 1 thread", async () => {
  const m = await glm("y", { family: "gaussian", standardize: true });
  const perRef = outputRows(await contributions(m, scoring, { background, outputPerReference: true }));
  expect(perRef.length).toBe(explained.length * references.length);
  explained.forEach((x, i) =>
    references.forEach((r, k) => {
      const row = perRef[i * references.length + k];
      expectClose(row, byHand(m, x, r));
      // Everything but the bias sums to eta(x) − eta(r).
      expect(Math.abs(row.slice(0, 3).reduce((a, b) => a + b, 0) - (eta(m, x) - eta(m, r)))).toBeLessThanOrEqual(1e-9);
    }),
  );
  const marginal = outputRows(await contributions(m, scoring, { background }));
  explained.forEach((_, i) => {
    const mean = [0, 1, 2, 3].map((v) => references.reduce((s, _r, k) => s + perRef[i * references.length + k][v], 0) / references.length);
    expectClose(marginal[i], mean);
  });
  const inline = outputRows(await contributions(m, scoring, { background }, new InlineExecutor()));
  expect(inline).toEqual(marginal);
});

test("multinomial: a block per class, each summing to that class's linear predictor", async () => {
  const m = await glm("klass", { family: "multinomial" });
  const c = await contributions(m, scoring);
  expect(c.classes).toBe(3);
  const got = outputRows(c);
  const p = (await predictFrame(node.executor, m, scoring, [])).flatMap((sc) => Array.from(sc.p));
  const domain = m.response.domain!;
  explained.forEach((x, i) => {
    const sums = domain.map((klass, k) => {
      const block = got[i].slice(k * 4, (k + 1) * 4);
      expectClose(block, byHand(m, x, TRAINING_MEANS, klass));
      return block.reduce((a, b) => a + b, 0);
    });
    // Softmax: log p_k − log p_0 = eta_k − eta_0.
    for (let k = 1; k < 3; k++) expect(Math.abs(sums[k] - sums[0] - Math.log(p[i * 3 + k] / p[i * 3]))).toBeLessThanOrEqual(1e-9);
  });
});

test("output_per_reference without a background frame is refused", async () => {
  const m = await glm("y", { family: "gaussian" });
  await expect(contributions(m, scoring, { outputPerReference: true })).rejects.toThrow("output_per_reference needs a background_frame");
});
