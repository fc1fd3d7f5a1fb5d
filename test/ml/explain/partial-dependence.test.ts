// Partial dependence and ICE against answers built independently: for each grid value the
// data is written again as CSV text with the column replaced by that value, imported as a
// new frame, scored, and its predictions averaged here.

import { expect, test } from "bun:test";
import { join } from "node:path";
import type { Frame } from "../../../src/core/frame.ts";
import { iceCurves, partialDependence } from "../../../src/ml/explain/partial-dependence.ts";
import { algorithm } from "../../../src/ml/registry.ts";
import { type Model, predictFrame } from "../../../src/ml/scoring.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();
const dir = tempDir();
let files = 0;

const penguinsText = await Bun.file(join(FIXTURES, "penguins.csv")).text();
const irisText = await Bun.file(join(FIXTURES, "iris.csv")).text();

function table(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trim().split("\n");
  return { header: lines[0].split(","), rows: lines.slice(1).map((l) => l.split(",")) };
}

function csv(header: string[], rows: string[][]): string {
  return [header.join(","), ...rows.map((r) => r.join(","))].join("\n");
}

async function load(text: string, chunkRows = 64): Promise<Frame> {
  const path = writeTemp(dir, `f${files++}.csv`, text);
  return (await node.importFrame({ kind: "file", path }, { chunkRows }).done).frame;
}

async function train(algo: string, frame: Frame, y: string, x: string[], params: Record<string, unknown>): Promise<Model> {
  const { model } = await algorithm(algo)!.train(node.executor, { modelId: algo, frame, y, x, params: { seed: 7, ...params } });
  return model as Model;
}

/** The model's output `slot` for every row of `text` with columns `set` replaced by the given cells. */
async function predictionsWith(model: Model, text: string, set: Record<string, string>, slot: number, rows?: number[]): Promise<number[]> {
  const t = table(text);
  const picked = rows ? rows.map((r) => t.rows[r]) : t.rows;
  const edited = picked.map((r) => r.map((cell, j) => set[t.header[j]] ?? cell));
  const scored = await predictFrame(node.executor, model, await load(csv(t.header, edited)), []);
  const out: number[] = [];
  for (const c of scored) for (let i = 0; i < c.rows; i++) out.push(c.p[i * c.width + slot]);
  return out;
}

function stats(y: number[], w?: number[]): { mean: number; sd: number; se: number } {
  const ws = w ?? y.map(() => 1);
  const keep = y.map((v, i) => !Number.isNaN(v) && ws[i] > 0);
  const W = ws.reduce((s, v, i) => s + (keep[i] ? v : 0), 0);
  const mean = y.reduce((s, v, i) => s + (keep[i] ? ws[i] * v : 0), 0) / W;
  const sd = Math.sqrt(y.reduce((s, v, i) => s + (keep[i] ? ws[i] * (v - mean) ** 2 : 0), 0) / (W - 1));
  return { mean, sd, se: sd / Math.sqrt(W) };
}

function close(a: number, b: number, tol = 1e-9): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

/** The (non-missing) numbers of a column of the CSV. */
function numbers(text: string, name: string): number[] {
  const t = table(text);
  const j = t.header.indexOf(name);
  return t.rows.map((r) => Number(r[j])).filter((x) => Number.isFinite(x));
}

const penguins = await load(penguinsText);
const gbm = await train("gbm", penguins, "body_mass_g", ["beak_length_mm", "flipper_length_mm", "island", "species"], { ntrees: 5, max_depth: 3 });

test("PDP of a numeric column: an even grid from min to max, each mean the average prediction with the column set to that value", async () => {
  const [pd] = await partialDependence(node.executor, gbm, penguins, { cols: ["beak_length_mm"], nbins: 5 });
  const beak = numbers(penguinsText, "beak_length_mm");
  const min = Math.min(...beak);
  const max = Math.max(...beak);
  expect(pd.columns).toEqual(["beak_length_mm"]);
  expect(pd.values[0].length).toBe(5);
  for (let k = 0; k < 5; k++) {
    const v = pd.values[0][k] as number;
    close(v, min + (k * (max - min)) / 4, 1e-12);
    const direct = stats(await predictionsWith(gbm, penguinsText, { beak_length_mm: String(v) }, 0));
    close(pd.mean_response[k], direct.mean);
    close(pd.stddev_response[k], direct.sd);
    close(pd.std_error_mean_response[k], direct.se);
  }
  // The grid moves the response: a test of a flat model would prove nothing.
  expect(new Set(pd.mean_response.map((m) => m.toFixed(6))).size).toBeGreaterThan(1);
});

test("PDP with weights: the weighted mean and standard deviation", async () => {
  const t = table(penguinsText);
  const header = [...t.header, "w"];
  const weights = t.rows.map((_, i) => (i % 3) + 1);
  const text = csv(
    header,
    t.rows.map((r, i) => [...r, String(weights[i])]),
  );
  const frame = await load(text);
  const [pd] = await partialDependence(node.executor, gbm, frame, { cols: ["flipper_length_mm"], nbins: 3, weightColumn: "w" });
  for (let k = 0; k < 3; k++) {
    const direct = stats(await predictionsWith(gbm, text, { flipper_length_mm: String(pd.values[0][k]) }, 0), weights);
    close(pd.mean_response[k], direct.mean);
    close(pd.stddev_response[k], direct.sd);
    close(pd.std_error_mean_response[k], direct.se);
  }
});

test("PDP of a pair: the cross product of the grids, the first column varying slowest", async () => {
  const [pd] = await partialDependence(node.executor, gbm, penguins, { pairs: [["flipper_length_mm", "island"]], nbins: 3 });
  const flipper = numbers(penguinsText, "flipper_length_mm");
  const lo = Math.min(...flipper);
  const hi = Math.max(...flipper);
  const islands = ["Biscoe", "Dream", "Torgersen"];
  expect(pd.columns).toEqual(["flipper_length_mm", "island"]);
  expect(pd.values[0]).toEqual([lo, lo, lo, (lo + hi) / 2, (lo + hi) / 2, (lo + hi) / 2, hi, hi, hi]);
  expect(pd.values[1]).toEqual([...islands, ...islands, ...islands]);
  for (let k = 0; k < 9; k++) {
    const direct = stats(await predictionsWith(gbm, penguinsText, { flipper_length_mm: String(pd.values[0][k]), island: String(pd.values[1][k]) }, 0));
    close(pd.mean_response[k], direct.mean);
  }
});

test("an enum column's grid is its levels; include_na adds a missing value last, scored as missing", async () => {
  const [pd] = await partialDependence(node.executor, gbm, penguins, { cols: ["island"], includeNa: true });
  const levels = [...new Set(table(penguinsText).rows.map((r) => r[1]))].sort();
  expect(pd.values[0]).toEqual([...levels, null]);
  for (let k = 0; k < pd.values[0].length; k++) {
    const cell = pd.values[0][k] === null ? "NA" : String(pd.values[0][k]);
    close(pd.mean_response[k], stats(await predictionsWith(gbm, penguinsText, { island: cell }, 0)).mean);
  }
});

test("an integer column with fewer values than nbins in its range gets one grid point per integer", async () => {
  const frame = await load("n,y\n1,1\n2,4\n3,9\n4,16\n2,4\n3,9\n1,1\n4,16\n");
  const glm = await train("glm", frame, "y", ["n"], { lambda: 0 });
  const [pd] = await partialDependence(node.executor, glm, frame, { cols: ["n"], nbins: 20 });
  expect(pd.values[0]).toEqual([1, 2, 3, 4]);
});

test("ICE: each chosen row's prediction with the column set to each grid value; PDP of one row agrees", async () => {
  const ice = await iceCurves(node.executor, gbm, penguins, { col: "beak_length_mm", rows: [40, 7], nbins: 4 });
  expect(ice.rows).toEqual([40, 7]);
  expect(ice.grid.length).toBe(4);
  for (let g = 0; g < 4; g++) {
    const direct = await predictionsWith(gbm, penguinsText, { beak_length_mm: String(ice.grid[g]) }, 0, [40, 7]);
    close(ice.responses[0][g], direct[0]);
    close(ice.responses[1][g], direct[1]);
  }
  const [one] = await partialDependence(node.executor, gbm, penguins, { cols: ["beak_length_mm"], nbins: 4, rowIndex: 7 });
  one.mean_response.forEach((m, g) => close(m, ice.responses[1][g]));
  expect(one.stddev_response).toEqual([0, 0, 0, 0]);
});

test("PDP of a multinomial model reads the target class's probability; without a target it names the classes", async () => {
  const iris = await load(irisText);
  const drf = await train("drf", iris, "species", ["sepal_length", "sepal_width", "petal_length", "petal_width"], { ntrees: 5, max_depth: 4 });
  const tables = await partialDependence(node.executor, drf, iris, { cols: ["petal_length"], nbins: 4, targets: ["Iris-virginica", "Iris-setosa"] });
  expect(tables.map((t) => t.target)).toEqual(["Iris-virginica", "Iris-setosa"]);
  // Scored chunks hold the class probabilities in domain order: virginica is class 2, setosa class 0.
  for (const [t, slot] of [
    [0, 2],
    [1, 0],
  ]) {
    for (let k = 0; k < 4; k++) {
      const direct = stats(await predictionsWith(drf, irisText, { petal_length: String(tables[t].values[0][k]) }, slot));
      close(tables[t].mean_response[k], direct.mean);
    }
  }
  await expect(partialDependence(node.executor, drf, iris, { cols: ["petal_length"] })).rejects.toThrow("name a target class (one of Iris-setosa, Iris-versicolor, Iris-virginica)");
  await expect(partialDependence(node.executor, drf, iris, { cols: ["petal_length"], targets: ["rose"] })).rejects.toThrow("'rose' is not a class");
});

test("every model kind: a binomial model's PDP is the mean probability of class 1 with the column set", async () => {
  const t = table(irisText);
  const text = csv(
    t.header,
    t.rows.map((r) => [...r.slice(0, 4), r[4] === "Iris-virginica" ? "yes" : "no"]),
  );
  const iris = await load(text);
  const x = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
  const cv = { nfolds: 3, keep_cross_validation_predictions: true, fold_assignment: "Modulo" };
  const base = (algo: string, params: Record<string, unknown>) => algorithm(algo)!.train(node.executor, { modelId: algo, frame: iris, y: "species", x, params: { seed: 7, ...cv, ...params } });
  const bases = [await base("gbm", { ntrees: 3, max_depth: 2 }), await base("glm", { family: "binomial" })];
  const ensemble = (
    await algorithm("stackedensemble")!.train(node.executor, {
      modelId: "se",
      frame: iris,
      y: "species",
      x: null,
      params: { seed: 7 },
      baseModels: bases.map((b) => ({ model: b.model, cvPredictions: b.cvPredictions })),
    })
  ).model as Model;
  const models = [
    ...bases.map((b) => b.model as Model),
    ensemble,
    await train("drf", iris, "species", x, { ntrees: 3, max_depth: 3 }),
    await train("xgboost", iris, "species", x, { ntrees: 3, max_depth: 2 }),
    await train("naivebayes", iris, "species", x, {}),
    await train("deeplearning", iris, "species", x, { hidden: "4", epochs: 2 }),
  ];
  for (const model of models) {
    const [pd] = await partialDependence(node.executor, model, iris, { cols: ["petal_width"], nbins: 3 });
    for (let k = 0; k < 3; k++) {
      const direct = stats(await predictionsWith(model, text, { petal_width: String(pd.values[0][k]) }, 0));
      close(pd.mean_response[k], direct.mean);
    }
  }
});

test("bad input: each refused with one clear error", async () => {
  const pd = (options: Parameters<typeof partialDependence>[3]) => partialDependence(node.executor, gbm, penguins, options);
  await expect(pd({ cols: ["wingspan"] })).rejects.toThrow("unknown column 'wingspan'");
  await expect(pd({ cols: ["sex"] })).rejects.toThrow("column 'sex' is not used by model gbm");
  await expect(pd({ cols: ["beak_length_mm"], rowIndex: 344 })).rejects.toThrow("row index 344 is out of range: the frame has 344 rows");
  await expect(pd({ cols: ["beak_length_mm"], nbins: 1 })).rejects.toThrow("nbins must be an integer of at least 2, got 1");
  await expect(pd({ cols: ["island"], nbins: 2 })).rejects.toThrow("column 'island' has 3 levels, more than nbins (2)");
  await expect(pd({ cols: ["island"], userSplits: { island: ["Atlantis"] } })).rejects.toThrow("'Atlantis' is not a level of column 'island'");
  await expect(iceCurves(node.executor, gbm, penguins, { col: "beak_length_mm", rows: [-1] })).rejects.toThrow("row index -1 is out of range");
});
