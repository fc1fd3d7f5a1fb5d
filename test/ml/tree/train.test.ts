// GBM and DRF behaviour: hand-worked fits, exactness across threads and chunkings,
// model files, early stopping, cross-validation, distributions and bad input.

import { expect, test } from "bun:test";
import { join } from "node:path";
import type { Frame } from "../../../src/core/frame.ts";
import { InlineExecutor } from "../../../src/core/mr.ts";
import { Rng, rowUniform } from "../../../src/core/rng.ts";
import { type Algorithm, algorithm } from "../../../src/ml/registry.ts";
import type { TreeModel } from "../../../src/ml/tree/model.ts";
import { bagState } from "../../../src/ml/tree/strategy.ts";
import { deserializeModel, serializeModel } from "../../../src/ml/modelfile.ts";
import type { BinomialMetrics } from "../../../src/ml/metrics/binomial.ts";
import type { RegressionMetrics } from "../../../src/ml/metrics/regression.ts";
import { type Model, predictFrame } from "../../../src/ml/scoring.ts";
import { workClock } from "../../support/clock.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();
const dir = tempDir();
/** A tree algorithm whose results are typed as tree models. */
function trees(a: Algorithm) {
  return {
    name: a.name,
    async train(...args: Parameters<Algorithm["train"]>) {
      const r = await a.train(...args);
      return { ...r, model: r.model as TreeModel, cvModels: r.cvModels as TreeModel[] };
    },
  };
}
const gbm = trees(algorithm("gbm")!);
const drf = trees(algorithm("drf")!);

async function load(path: string, chunkRows?: number): Promise<Frame> {
  return (await node.importFrame({ kind: "file", path }, { chunkRows }).done).frame;
}

function csv(name: string, header: string, rows: (string | number)[][]): string {
  return writeTemp(dir, name, `${header}\n${rows.map((r) => r.join(",")).join("\n")}\n`);
}

async function predictions(model: Model, frame: Frame, executor = node.executor): Promise<number[]> {
  const scored = await predictFrame(executor, model, frame, []);
  return scored.flatMap((s) => Array.from(s.p));
}

test("one depth-1 tree with learn_rate 1 predicts the two group means exactly", async () => {
  // y = 1 for x <= 2, 5 above: init 3, the split x <= 2, leaves −2 and +2.
  const frame = await load(
    csv("step.csv", "x,y", [
      [1, 1],
      [2, 1],
      [3, 5],
      [4, 5],
    ]),
  );
  const { model } = await gbm.train(node.executor, { modelId: "step", frame, y: "y", x: null, params: { ntrees: 1, max_depth: 1, learn_rate: 1, min_rows: 1, seed: 1 } });
  expect(await predictions(model, frame)).toEqual([1, 1, 5, 5]);
  expect(model.varimp[0]).toMatchObject({ variable: "x", relative_importance: 16, percentage: 1 });
  expect((model.metrics.training as RegressionMetrics).MSE).toBe(0);
});

test("laplace and huber leaves come from their residuals, as in H2O", async () => {
  // init = median(y) = 10 (lower median: the 3rd of 6); sign gradients split x <= 3;
  // residuals left [-9, -8, 0] → −8, right [10, 11, 90] → 11: predictions 2 and 21.
  const frame = await load(
    csv("median.csv", "x,y", [
      [1, 1],
      [2, 2],
      [3, 10],
      [4, 20],
      [5, 21],
      [6, 100],
    ]),
  );
  const { model } = await gbm.train(node.executor, { modelId: "lap", frame, y: "y", x: null, params: { distribution: "laplace", ntrees: 1, max_depth: 1, learn_rate: 1, min_rows: 1, seed: 1 } });
  expect(await predictions(model, frame)).toEqual([2, 2, 2, 21, 21, 21]);
  // huber: delta = 0.9-quantile of |y − 10| = 90, so the split is the squared-error one,
  // x <= 5; left residuals [-9, -8, 0, 10, 11]: median 0 + mean clipped deviation 0.8.
  const huber = await gbm.train(node.executor, { modelId: "hub", frame, y: "y", x: null, params: { distribution: "huber", ntrees: 1, max_depth: 1, learn_rate: 1, min_rows: 1, seed: 1 } });
  const p = await predictions(huber.model, frame);
  for (let i = 0; i < 5; i++) expect(p[i]).toBeCloseTo(10.8, 12);
  expect(p[5]).toBeCloseTo(100, 12);
});

test("same seed, same model: bit-identical on 1 or 2 threads and any chunk size", async () => {
  const params = { ntrees: 20, max_depth: 4, sample_rate: 0.7, col_sample_rate: 0.7, seed: 42 };
  const path = join(FIXTURES, "penguins.csv");
  const a = await gbm.train(node.executor, { modelId: "a", frame: await load(path), y: "species", x: null, params });
  const b = await gbm.train(new InlineExecutor(), { modelId: "b", frame: await load(path, 7), y: "species", x: null, params });
  const frame = await load(path);
  expect(await predictions(b.model, frame)).toEqual(await predictions(a.model, frame));
  const other = await gbm.train(node.executor, { modelId: "c", frame, y: "species", x: null, params: { ...params, seed: 43 } });
  expect(await predictions(other.model, frame)).not.toEqual(await predictions(a.model, frame));
});

test("a model saved and loaded predicts bit for bit what the trained one does", async () => {
  const frame = await load(join(FIXTURES, "penguins.csv"));
  for (const algo of [gbm, drf]) {
    const { model } = await algo.train(node.executor, { modelId: algo.name, frame, y: "body_mass_g", x: null, params: { ntrees: 10, seed: 3 } });
    const loaded = deserializeModel(serializeModel(model, "test"), "model");
    expect(await predictions(loaded, frame)).toEqual(await predictions(model, frame));
    expect(loaded.varimp).toEqual(model.varimp as typeof loaded.varimp);
  }
});

test("binomial GBM separates separable classes (AUC 1) and keeps the max-F1 threshold", async () => {
  const rows = Array.from({ length: 200 }, (_, i) => [i % 50, (i * 7) % 13, i % 50 < 25 ? "no" : "yes"]);
  const frame = await load(csv("sep.csv", "x,noise,label", rows));
  const { model } = await gbm.train(node.executor, { modelId: "sep", frame, y: "label", x: null, params: { ntrees: 10, seed: 1 } });
  const m = model.metrics.training as BinomialMetrics;
  expect(m.AUC).toBe(1);
  expect(m.confusion_matrix).toEqual([
    [100, 0],
    [0, 100],
  ]);
  expect(model.threshold).toBe(m.max_f1_threshold);
  expect(model.varimp[0].variable).toBe("x");
});

test("early stopping ends training when the validation metric stops improving", async () => {
  // A noisy target: validation loss bottoms out early and rises as trees fit the noise.
  const mk = (name: string, salt: number) =>
    csv(
      name,
      "x,y",
      Array.from({ length: 400 }, (_, i) => [i % 20, ((i * 7919 + salt) % 100) / 100 + (i % 20 > 10 ? 0.3 : 0)]),
    );
  const frame = await load(mk("es-train.csv", 1));
  const valid = await load(mk("es-valid.csv", 37));
  const params = { ntrees: 300, learn_rate: 0.3, max_depth: 6, min_rows: 1, stopping_rounds: 3, stopping_tolerance: 0, score_tree_interval: 5, seed: 1 };
  const { model } = await gbm.train(node.executor, { modelId: "es", frame, y: "y", x: null, params, valid });
  expect(model.iterations.length).toBeLessThan(300);
  expect(model.scoring_history.at(-1)?.number_of_trees).toBe(model.iterations.length);
  expect(model.scoring_history.every((h) => h.validation)).toBe(true);
});

test("max_runtime_secs stops adding trees when the time is up (time passes with the work: 1 ms a task)", async () => {
  const frame = await load(join(FIXTURES, "penguins.csv"));
  const timed = async (params: Record<string, unknown>) => {
    const w = workClock(node.executor, 1);
    const { model } = await gbm.train(w.executor, { modelId: "t", frame, y: "body_mass_g", x: null, params: { seed: 1, ...params }, clock: w.clock });
    // The model's time is the clock's: it started at 0 and nothing ran after it.
    expect(model.training_time_ms).toBe(w.clock.now());
    return model;
  };
  const oneTree = (await timed({ ntrees: 2 })).training_time_ms - (await timed({ ntrees: 1 })).training_time_ms;
  const model = await timed({ ntrees: 100000, max_runtime_secs: 0.5 });
  expect(model.iterations.length).toBeGreaterThan(1);
  expect(model.iterations.length).toBeLessThan(100000);
  // It stopped once the time was up, after the tree in progress and a last scoring: within two trees' time.
  expect(model.training_time_ms).toBeGreaterThanOrEqual(500);
  expect(model.training_time_ms).toBeLessThan(500 + 2 * oneTree);
  expect(model.scoring_history.at(-1)?.number_of_trees).toBe(model.iterations.length);
});

test("cross-validation: one model a fold, metrics on out-of-fold predictions of every row", async () => {
  const frame = await load(join(FIXTURES, "iris.csv"));
  const r = await drf.train(node.executor, {
    modelId: "cv",
    frame,
    y: "species",
    x: null,
    params: { ntrees: 10, nfolds: 5, seed: 1234, keep_cross_validation_predictions: true },
  });
  expect(r.cvModels.length).toBe(5);
  expect(r.model.metrics.cross_validation?.nobs).toBe(150);
  expect(r.cvPredictions?.reduce((n, c) => n + c.rows, 0)).toBe(150);
  // Out-of-fold: each row's CV prediction is its own fold model's prediction.
  const modulo = await drf.train(node.executor, {
    modelId: "m",
    frame,
    y: "species",
    x: null,
    params: { ntrees: 5, nfolds: 3, fold_assignment: "Modulo", seed: 1, keep_cross_validation_predictions: true },
  });
  const fold0 = await predictions(modulo.cvModels[0], frame);
  const cv = modulo.cvPredictions?.[0].p as Float64Array;
  for (let i = 0; i < 150; i += 3) expect(Array.from(cv.subarray(i * 3, i * 3 + 3))).toEqual(fold0.slice(i * 3, i * 3 + 3));
});

test("stratified folds hold each class in equal shares; early-stopped CV sets the main model's trees", async () => {
  const frame = await load(join(FIXTURES, "penguins.csv"), 50);
  const r = await gbm.train(node.executor, {
    modelId: "strat",
    frame,
    y: "species",
    x: null,
    params: { ntrees: 200, learn_rate: 0.3, nfolds: 4, fold_assignment: "Stratified", stopping_rounds: 2, score_tree_interval: 5, seed: 9, keep_cross_validation_predictions: true },
  });
  // Count each fold's rows per class from the fold models' holdouts: every class splits 4 ways within one row.
  const classes = new Map<string, number[]>();
  const cv = r.cvPredictions ?? [];
  const species = frame.columns[frame.columnIndex("species")].domain ?? [];
  const folds = await Promise.all(r.cvModels.map((m) => predictions(m, frame)));
  for (const c of cv) {
    for (let i = 0; i < c.rows; i++) {
      const p = Array.from(c.p.subarray(i * 3, i * 3 + 3));
      const f = folds.findIndex((fp) => [0, 1, 2].every((k) => fp[(c.index * 50 + i) * 3 + k] === p[k]));
      const counts = classes.get(species[c.y[i]]) ?? [0, 0, 0, 0];
      counts[f]++;
      classes.set(species[c.y[i]], counts);
    }
  }
  for (const counts of classes.values()) expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  const foldTrees = r.cvModels.map((m) => m.iterations.length);
  expect(Math.max(...foldTrees)).toBeLessThan(200);
  const mean = Math.round(foldTrees.reduce((a, b) => a + b, 0) / foldTrees.length);
  expect(r.model.iterations.length).toBe(mean);
  expect(r.model.notes).toContain(`early stopping in cross-validation: the main model has ${mean} trees, the folds' mean`);
});

test("DRF: out-of-bag training metrics; extremely randomized trees differ", async () => {
  const frame = await load(join(FIXTURES, "iris.csv"));
  const forest = await drf.train(node.executor, { modelId: "rf", frame, y: "species", x: null, params: { ntrees: 30, seed: 5 } });
  const xrt = await drf.train(node.executor, { modelId: "xrt", frame, y: "species", x: null, params: { ntrees: 30, seed: 5, histogram_type: "Random" } });
  expect(forest.model.metrics.training?.nobs).toBe(150);
  expect((forest.model.metrics.training as { mean_per_class_error: number }).mean_per_class_error).toBeLessThan(0.1);
  expect((xrt.model.metrics.training as { mean_per_class_error: number }).mean_per_class_error).toBeLessThan(0.15);
  expect(await predictions(xrt.model, frame)).not.toEqual(await predictions(forest.model, frame));
});

test("DRF's out-of-bag training metrics: each row averages the trees whose bags left it out; with every row in every bag, the forest's own predictions", async () => {
  // 20,000 rows, deep trees of small nodes (grown detached), and 12 trees: later trees skip the in-bag rows' scores.
  const rng = new Rng(17);
  const rows = Array.from({ length: 20_000 }, () => {
    const [a, b, c] = [rng.next(), rng.next(), rng.next()];
    return [a, b, c, Math.sin(6 * a) + b * c + rng.next()];
  });
  const frame = await load(csv("oob.csv", "a,b,c,y", rows));
  const y = rows.map((r) => r[3]);
  const mse = (p: number[], keep: boolean[]) => {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < p.length; i++) if (keep[i]) (sum += (y[i] - p[i]) ** 2), n++;
    return { sum: sum / n, n };
  };
  const params = { ntrees: 12, max_depth: 14, seed: 3 };
  const { model } = await drf.train(node.executor, { modelId: "oob", frame, y: "y", x: null, params: { ...params, sample_rate: 0.632 } });
  // Each tree alone, and the rows its bag (bagState, rowUniform: the bag's draw) left out.
  const sums = new Float64Array(rows.length);
  const counts = new Float64Array(rows.length);
  for (let t = 0; t < model.iterations.length; t++) {
    const alone = await predictions({ ...model, iterations: model.iterations.slice(t, t + 1) }, frame);
    for (let i = 0; i < rows.length; i++) {
      if (rowUniform(bagState(params.seed, t), i) < 0.632) continue;
      sums[i] += alone[i];
      counts[i]++;
    }
  }
  const oob = mse(
    Array.from(sums, (s, i) => s / counts[i]),
    Array.from(counts, (c) => c > 0),
  );
  const training = model.metrics.training as RegressionMetrics;
  expect(training.nobs).toBe(oob.n);
  expect(training.MSE).toBeCloseTo(oob.sum, 10);
  // sample_rate 1: no row is ever out of a bag, so the training metrics score every row with every tree.
  const whole = await drf.train(node.executor, { modelId: "inbag", frame, y: "y", x: null, params: { ...params, sample_rate: 1 } });
  const forest = mse(
    await predictions(whole.model, frame),
    rows.map(() => true),
  );
  expect((whole.model.metrics.training as RegressionMetrics).nobs).toBe(rows.length);
  expect((whole.model.metrics.training as RegressionMetrics).MSE).toBeCloseTo(forest.sum, 10);
});

test("distributions: poisson predicts positive counts; quantile 0.9 covers about 90%", async () => {
  const rows = Array.from({ length: 600 }, (_, i) => [i % 6, Math.floor((((i * 7919) % 1000) / 1000) * (1 + (i % 6)) * 3)]);
  const frame = await load(csv("counts.csv", "x,count", rows));
  const poisson = await gbm.train(node.executor, { modelId: "p", frame, y: "count", x: null, params: { distribution: "poisson", ntrees: 20, seed: 1 } });
  const p = await predictions(poisson.model, frame);
  expect(p.every((v) => v > 0)).toBe(true);
  // The mean prediction of a log-link model still tracks the mean count per group.
  expect(p[5]).toBeGreaterThan(p[0]);
  const q = await gbm.train(node.executor, { modelId: "q", frame, y: "count", x: null, params: { distribution: "quantile", quantile_alpha: 0.9, ntrees: 100, learn_rate: 0.2, seed: 1 } });
  const qp = await predictions(q.model, frame);
  const covered = rows.filter((r, i) => (r[1] as number) <= qp[i]).length / rows.length;
  expect(covered).toBeGreaterThan(0.85);
  expect(covered).toBeLessThan(0.97);
  for (const d of ["gamma", "tweedie", "laplace", "huber"]) {
    const positive = await load(
      csv(
        `pos-${d}.csv`,
        "x,y",
        rows.map(([x, y]) => [x, (y as number) + 1]),
      ),
    );
    const m = await gbm.train(node.executor, { modelId: d, frame: positive, y: "y", x: null, params: { distribution: d, ntrees: 5, seed: 1 } });
    expect(Number.isFinite((m.model.metrics.training as RegressionMetrics).mean_residual_deviance)).toBe(true);
  }
});

test("scoring data with an unseen level or a missing column warns and scores them as missing", async () => {
  const frame = await load(join(FIXTURES, "penguins.csv"));
  const { model } = await gbm.train(node.executor, { modelId: "w", frame, y: "body_mass_g", x: ["island", "flipper_length_mm"], params: { ntrees: 5, seed: 1 } });
  const odd = await load(
    csv("odd.csv", "island,other", [
      ["Atlantis", 1],
      ["Dream", 2],
    ]),
  );
  const warnings: string[] = [];
  const [scored] = await predictFrame(node.executor, model, odd, warnings);
  expect(warnings).toEqual(["column 'island': 1 level(s) not seen in training (Atlantis) scored as missing", "column 'flipper_length_mm' is missing: scored as missing values"]);
  expect(scored.rows).toBe(2);
  expect(scored.p.every((v) => Number.isFinite(v))).toBe(true);
});

test("bad input: clear errors naming the column or parameter", async () => {
  const frame = await load(join(FIXTURES, "mixed.csv"));
  const train = (y: string, params: Record<string, unknown> = {}, f = frame) => gbm.train(node.executor, { modelId: "bad", frame: f, y, x: null, params: { ntrees: 2, seed: 1, ...params } });
  await expect(train("nope")).rejects.toThrow("response column 'nope' is not in the frame");
  await expect(train("amount", { distribution: "bernoulli" })).rejects.toThrow("distribution=bernoulli needs a two-class enum response; 'amount' is numeric");
  await expect(train("amount", { ntrees: 0 })).rejects.toThrow("gbm parameter ntrees=0: must be at least 1");
  await expect(train("amount", { trees: 5 })).rejects.toThrow("gbm has no parameter 'trees'");
  const oneClass = await load(
    csv("one.csv", "x,label", [
      [1, "a"],
      [2, "a"],
      [3, "a"],
    ]),
  );
  await expect(train("label", {}, oneClass)).rejects.toThrow("response column 'label' has a single class ('a')");
  const empty = await load(
    csv("nay.csv", "x,y", [
      [1, "NA"],
      [2, "NA"],
    ]),
  );
  await expect(train("y", {}, empty)).rejects.toThrow("response column 'y' has no values (all 2 rows are missing)");
  const neg = await load(
    csv("neg.csv", "x,y", [
      [1, -1],
      [2, 3],
    ]),
  );
  await expect(train("y", { distribution: "poisson" }, neg)).rejects.toThrow("distribution=poisson needs a response >= 0");
  const constant = await load(
    csv("const.csv", "c,x,y", [
      [1, 1, 1],
      [1, 2, 2],
      [1, 3, 3],
      [1, 4, 4],
    ]),
  );
  const { model } = await train("y", { min_rows: 1 }, constant);
  expect(model.notes).toEqual(["dropped constant column 'c'"]);
  const many = await load(
    csv(
      "many.csv",
      "x,label",
      Array.from({ length: 40 }, (_, i) => [i, `c${i % 20}`]),
    ),
  );
  await expect(train("label", { nbins_cats: 10 }, many)).rejects.toThrow("response 'label' has 20 classes, more than nbins_cats (10)");
  const inf = await load(
    csv("inf.csv", "x,y", [
      [1, 1],
      ["inf", 2],
      ["-inf", 3],
      ["NaN", 4],
      [5, 5],
    ]),
  );
  const withInf = await train("y", { min_rows: 1 }, inf);
  expect((await predictions(withInf.model, inf)).every(Number.isFinite)).toBe(true);
});

test("max_runtime_secs with cross-validation: each fold and the main model get their share of the time (time passes with the work)", async () => {
  const frame = await load(join(FIXTURES, "penguins.csv"));
  const w = workClock(node.executor, 1);
  const params = { seed: 1, ntrees: 100000, nfolds: 3, max_runtime_secs: 0.6, keep_cross_validation_models: true };
  const r = await gbm.train(w.executor, { modelId: "cvt", frame, y: "body_mass_g", x: null, params, clock: w.clock });
  const trees = [...r.cvModels.map((m) => m.iterations.length), r.model.iterations.length];
  // Four fits in 600 ms: about 150 ms each, none starved to a single tree by the fits before it.
  expect(trees.length).toBe(4);
  for (const t of trees) expect(t).toBeGreaterThan(0.5 * trees[0]);
  expect(trees[0]).toBeGreaterThan(2);
});
