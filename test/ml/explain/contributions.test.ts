// The predict_contributions frame (H2O's layout and options) over GLM's exact contributions:
// top_n / bottom_n / compare_abs picked here from the plain output as H2O documents them,
// output_space summing to the predicted probability, per-reference rows with their indices,
// multinomial blocks; and the requests refused with one message each.

import { expect, test } from "bun:test";
import { Frame } from "../../../src/core/frame.ts";
import { contributionsFrame, contributionsOf } from "../../../src/ml/explain/contributions.ts";
import { algorithm, type Model } from "../../../src/ml/registry.ts";
import { predictFrame } from "../../../src/ml/scoring.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();
const dir = tempDir();
let files = 0;

async function csv(text: string, chunkRows?: number): Promise<Frame> {
  const path = writeTemp(dir, `f${files++}.csv`, text);
  return (await node.importFrame({ kind: "file", path }, { chunkRows }).done).frame;
}

const COLORS = ["red", "red", "green", "blue"];
const train = await csv(
  [
    "x1,x2,color,y,label,klass",
    ...Array.from({ length: 60 }, (_, i) => {
      const x1 = (i % 9) - 4 + i / 30;
      const x2 = ((i * 7) % 13) / 3;
      const color = COLORS[i % 4];
      const s = Math.sin(i * 1.9) + 0.6 * x1 - 0.5 * x2 + (color === "green" ? 1 : 0);
      return [x1, x2, color, s * 3 + 10, s > 0 ? "yes" : "no", ["a", "b", "c"][(i + (x1 > 0 ? 1 : 0)) % 3]].join(",");
    }),
  ].join("\n"),
  20,
);
const rows = await csv("x1,x2,color\n3,0.5,green\n-2,4,blue\n0.5,2,red\n-4,1,green\n1,3.5,red\n", 2);
const background = await csv("x1,x2,color\n1,3,red\n-1.5,4,green\n");

async function fit(algo: string, y: string | null, params: Record<string, unknown>, x: string[] = ["x1", "x2", "color"]): Promise<Model> {
  return (await algorithm(algo)!.train(node.executor, { modelId: algo, frame: train, y, x, params: { seed: 5, ...params } })).model;
}

const gaussian = await fit("glm", "y", { lambda: 0 });
const binomial = await fit("glm", "label", { family: "binomial", lambda: 0 });

/** A frame's rows as values: numbers, or an enum's labels. */
function table(f: Frame): (number | string)[][] {
  return f.chunks.flatMap((c) => Array.from({ length: c.rows }, (_, i) => c.vecs.map((v, j) => (v.kind === "codes" ? (f.columns[j].domain ?? [])[v.codes[i]] : v.kind === "f64" ? v.values[i] : ""))));
}

async function predictions(m: Model, f: Frame): Promise<number[]> {
  return (await predictFrame(node.executor, m, f, [])).flatMap((sc) => Array.from(sc.p));
}

const FEATURES = ["color", "x1", "x2"];

test("plain: one column per input then BiasTerm, each row summing to the prediction", async () => {
  const f = await contributionsFrame(node.executor, gaussian, rows, {}, []);
  expect(f.names).toEqual([...FEATURES, "BiasTerm"]);
  const p = await predictions(gaussian, rows);
  table(f).forEach((row, i) => expect(Math.abs((row as number[]).reduce((a, b) => a + b, 0) - p[i])).toBeLessThanOrEqual(1e-9));
});

test("top_n, bottom_n and compare_abs pick and order the columns as H2O documents", async () => {
  const plain = table(await contributionsFrame(node.executor, gaussian, rows, {}, [])) as number[][];
  /** Feature names of a row ordered by value (or |value|), descending. */
  const desc = (row: number[], abs = false) =>
    FEATURES.map((name, j) => ({ name, v: row[j] }))
      .sort((a, b) => (abs ? Math.abs(b.v) - Math.abs(a.v) : b.v - a.v))
      .map((e) => [e.name, e.v]);
  const cases: { options: Record<string, unknown>; names: string[]; pick: (row: number[]) => (string | number)[][] }[] = [
    { options: { topN: 2 }, names: ["top_feature_1", "top_value_1", "top_feature_2", "top_value_2"], pick: (r) => desc(r).slice(0, 2) },
    { options: { bottomN: 1 }, names: ["bottom_feature_1", "bottom_value_1"], pick: (r) => desc(r).slice(2) },
    { options: { topN: 1, bottomN: 1 }, names: ["top_feature_1", "top_value_1", "bottom_feature_1", "bottom_value_1"], pick: (r) => [desc(r)[0], desc(r)[2]] },
    { options: { topN: 1, compareAbs: true }, names: ["top_feature_1", "top_value_1"], pick: (r) => desc(r, true).slice(0, 1) },
    { options: { bottomN: -1 }, names: ["bottom_feature_1", "bottom_value_1", "bottom_feature_2", "bottom_value_2", "bottom_feature_3", "bottom_value_3"], pick: (r) => desc(r).reverse() },
    { options: { topN: -1 }, names: ["top_feature_1", "top_value_1", "top_feature_2", "top_value_2", "top_feature_3", "top_value_3"], pick: (r) => desc(r) },
    // Together covering every column: all of them, descending, under H2O's names.
    { options: { topN: 2, bottomN: 2 }, names: ["top_feature_1", "top_value_1", "top_feature_2", "top_value_2", "bottom_feature_1", "bottom_value_1"], pick: (r) => desc(r) },
  ];
  for (const c of cases) {
    const f = await contributionsFrame(node.executor, gaussian, rows, c.options, []);
    expect(f.names).toEqual([...c.names, "BiasTerm"]);
    table(f).forEach((row, i) => {
      expect(row).toEqual([...c.pick(plain[i]).flat(), plain[i][3]]);
    });
  }
});

test("output_space: a binomial model's contributions sum to the predicted probability, with and without a background frame", async () => {
  const p = await predictions(binomial, rows);
  for (const background_ of [null, background]) {
    const f = await contributionsFrame(node.executor, binomial, rows, { outputSpace: true, background: background_ }, []);
    table(f).forEach((row, i) => expect(Math.abs((row as number[]).reduce((a, b) => a + b, 0) - p[i])).toBeLessThanOrEqual(1e-9));
  }
  // With a background frame, H2O's meaning: per reference in output space, then the mean (not output space of the mean).
  const perRef = table(await contributionsFrame(node.executor, binomial, rows, { outputSpace: true, background, outputPerReference: true }, []));
  const marginal = table(await contributionsFrame(node.executor, binomial, rows, { outputSpace: true, background }, []));
  marginal.forEach((row, i) =>
    row.forEach((v, j) => {
      const mean = ((perRef[2 * i][j] as number) + (perRef[2 * i + 1][j] as number)) / 2;
      expect(Math.abs((v as number) - mean)).toBeLessThanOrEqual(1e-12);
    }),
  );
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const linkPerRef = table(await contributionsFrame(node.executor, binomial, rows, { background, outputPerReference: true }, []));
  perRef.forEach((row, q) => expect(Math.abs((row[3] as number) - sigmoid(linkPerRef[q][3] as number))).toBeLessThanOrEqual(1e-12));
  // Identity link: no effect.
  const plain = table(await contributionsFrame(node.executor, gaussian, rows, {}, []));
  const output = table(await contributionsFrame(node.executor, gaussian, rows, { outputSpace: true }, []));
  output.forEach((row, i) => row.forEach((v, j) => expect(Math.abs((v as number) - (plain[i][j] as number))).toBeLessThanOrEqual(1e-12)));
});

test("output_space of tree models sums to the predicted probability: GBM's log-odds and DRF's average of probabilities", async () => {
  for (const algo of ["gbm", "drf"]) {
    const m = await fit(algo, "label", { ntrees: 5, max_depth: 3 });
    const p = await predictions(m, rows);
    const f = await contributionsFrame(node.executor, m, rows, { outputSpace: true }, []);
    table(f).forEach((row, i) => expect(Math.abs((row as number[]).reduce((a, b) => a + b, 0) - p[i])).toBeLessThanOrEqual(1e-9));
  }
});

test("tree models against a background frame: interventional SHAP in the raw score's space (GBM log-odds, DRF probability)", async () => {
  const logit = (p: number) => Math.log(p / (1 - p));
  // Depth-1 trees make GBM additive in log-odds, so feature j's value against reference r is
  // f(x_j, r_rest) − f(r): scored here on hybrid rows written by hand.
  const stumps = await fit("gbm", "label", { ntrees: 10, max_depth: 1, learn_rate: 0.3 });
  const raw = await contributionsOf(node.executor, stumps, rows, { background, outputPerReference: true }, []);
  expect([...raw.names].sort()).toEqual(FEATURES);
  const header = ["color", "x1", "x2"];
  const values = raw.chunks.flatMap((c) => Array.from(c.values));
  const x = [
    ["green", 3, 0.5],
    ["blue", -2, 4],
    ["red", 0.5, 2],
    ["green", -4, 1],
    ["red", 1, 3.5],
  ];
  const r = [
    ["red", 1, 3],
    ["green", -1.5, 4],
  ];
  const hybrids: (string | number)[][] = [];
  for (const xi of x) for (const ri of r) for (const name of raw.names) hybrids.push(ri.map((v, k) => (header[k] === name ? xi[k] : v)));
  const asCsv = (list: (string | number)[][]) => csv([header.join(","), ...list.map((h) => h.join(","))].join("\n"));
  const ph = (await predictions(stumps, await asCsv(hybrids))).map(logit);
  const pr = (await predictions(stumps, await asCsv(r))).map(logit);
  hybrids.forEach((_, q) => {
    const pair = Math.floor(q / 3);
    const j = q % 3;
    expect(values[pair * 4 + j]).toBeCloseTo(ph[q] - pr[pair % 2], 9);
    if (j === 0) expect(values[pair * 4 + 3]).toBeCloseTo(pr[pair % 2], 9);
  });
  const forest = await fit("drf", "label", { ntrees: 5, max_depth: 3 });
  const p = await predictions(forest, rows);
  const pRef = await predictions(forest, background);
  const perRef = table(await contributionsFrame(node.executor, forest, rows, { background, outputPerReference: true }, []));
  perRef.forEach((row, q) => {
    expect((row.slice(0, 3) as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(p[Math.floor(q / 2)] - pRef[q % 2], 9);
    expect(row[3]).toBeCloseTo(pRef[q % 2], 9);
  });
});

test("output_per_reference: a row per (row, reference) with RowIdx and BackgroundRowIdx", async () => {
  const f = await contributionsFrame(node.executor, gaussian, rows, { background, outputPerReference: true }, []);
  expect(f.names).toEqual([...FEATURES, "BiasTerm", "RowIdx", "BackgroundRowIdx"]);
  const t = table(f);
  expect(t.length).toBe(rows.rows * background.rows);
  expect(t.map((r) => [r[4], r[5]])).toEqual(Array.from({ length: 10 }, (_, q) => [Math.floor(q / 2), q % 2]));
  const raw = await contributionsOf(node.executor, gaussian, rows, { background, outputPerReference: true }, []);
  expect(t.map((r) => r.slice(0, 4))).toEqual(raw.chunks.flatMap((c) => Array.from({ length: c.rows }, (_, i) => Array.from(c.values.subarray(i * 4, i * 4 + 4)))));
});

test("multinomial: a block per class named <column>.<class>, BiasTerm.<class>; top_n and output_space refused", async () => {
  const m = await fit("glm", "klass", { family: "multinomial", lambda: 0 });
  const f = await contributionsFrame(node.executor, m, rows, {}, []);
  expect(f.names).toEqual(["a", "b", "c"].flatMap((k) => [...FEATURES, "BiasTerm"].map((n) => `${n}.${k}`)));
  await expect(contributionsFrame(node.executor, m, rows, { topN: 1 }, [])).rejects.toThrow("top_n and bottom_n are not available for multinomial models");
  await expect(contributionsFrame(node.executor, m, rows, { outputSpace: true }, [])).rejects.toThrow("output_space is not available for multinomial models");
});

test("bad requests are refused with one message naming what is wrong", async () => {
  const km = await fit("kmeans", null, { k: 2 }, ["x1", "x2"]);
  await expect(contributionsFrame(node.executor, km, rows, {}, [])).rejects.toThrow("kmeans models (Clustering) have no contributions");
  await expect(contributionsFrame(node.executor, gaussian, rows, { topN: 1.5 }, [])).rejects.toThrow("top_n must be an integer");
  await expect(contributionsFrame(node.executor, gaussian, rows, { bottomN: Number.NaN }, [])).rejects.toThrow("bottom_n must be an integer");
  await expect(contributionsFrame(node.executor, gaussian, rows, { outputPerReference: true }, [])).rejects.toThrow("output_per_reference needs a background_frame");
  const partial = await csv("x1,color\n1,red\n");
  await expect(contributionsFrame(node.executor, gaussian, rows, { background: partial }, [])).rejects.toThrow("the background frame lacks the model's column(s) x2");
  const empty = Frame.of(rows.columns, []);
  await expect(contributionsFrame(node.executor, gaussian, empty, {}, [])).rejects.toThrow("the frame to explain has no rows");
  await expect(contributionsFrame(node.executor, gaussian, rows, { background: empty }, [])).rejects.toThrow("the background frame has no rows");
});
