// PCA against an eigen-decomposition of the covariance computed by numpy, the Jacobi
// solver against a closed form, and scoring, files and bad input.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { symmetricEigen } from "../../src/ml/linalg.ts";
import { deserializeModel, serializeModel } from "../../src/ml/modelfile.ts";
import type { PcaMetrics } from "../../src/ml/metrics/dimreduction.ts";
import type { PcaModel } from "../../src/ml/pca/model.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { modelEvaluator, predictFrame } from "../../src/ml/scoring.ts";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
const X = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

async function pca(path: string, params: Record<string, unknown>, x: string[] | null = X): Promise<PcaModel> {
  const frame = (await node.importFrame({ kind: "file", path }).done).frame;
  const { model } = await algorithm("pca")!.train(node.executor, { modelId: "pca", frame, y: null, x, params: { seed: 1, ...params } });
  return model as PcaModel;
}

test("symmetricEigen: the closed form of a 2 × 2 matrix", () => {
  // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1)/√2 and (1, −1)/√2 (largest entry positive).
  const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
  expect(values[0]).toBeCloseTo(3, 14);
  expect(values[1]).toBeCloseTo(1, 14);
  expect(Math.abs(vectors[0] - Math.SQRT1_2)).toBeLessThan(1e-14);
  expect(Math.abs(vectors[2] - Math.SQRT1_2)).toBeLessThan(1e-14);
  expect(Math.abs(Math.abs(vectors[1]) - Math.SQRT1_2)).toBeLessThan(1e-14);
});

test("component variances and eigenvectors equal numpy's eigen-decomposition of the covariance", async () => {
  // /usr/bin/python3: w, v = np.linalg.eigh(np.cov(X.T)) on iris's four columns, sorted descending.
  const eig = [4.228241706034863, 0.242670747928634, 0.078209500042919, 0.02383509297345];
  const vec = [
    [-0.361386591785368, 0.656588771286845, 0.582029851306063, 0.315487192903973],
    [0.084522514064569, 0.730161434785024, -0.597910830100089, -0.319723103666131],
    [-0.856670605949835, -0.173372662795859, -0.076236075820963, -0.479838986994634],
    [-0.35828919715155, -0.075481019917463, -0.545831432020075, 0.753657425264046],
  ];
  const m = await pca(iris, { k: 4, transform: "DEMEAN" });
  m.importance.standard_deviation.forEach((sd, c) => expect(Math.abs(sd * sd - eig[c]) / eig[c]).toBeLessThan(1e-10));
  const total = eig.reduce((a, b) => a + b, 0);
  expect(Math.abs(m.total_variance - total)).toBeLessThan(1e-10);
  expect(m.importance.cumulative_proportion[3]).toBeCloseTo(1, 12);
  // Eigenvectors agree up to sign.
  for (let c = 0; c < 4; c++) {
    const sign = Math.sign(m.eigenvectors[c]) * Math.sign(vec[0][c]);
    for (let i = 0; i < 4; i++) expect(Math.abs(m.eigenvectors[i * 4 + c] - sign * vec[i][c])).toBeLessThan(1e-9);
  }
  // STANDARDIZE decomposes the correlation matrix: np.linalg.eigvalsh(np.cov(Xs.T)) with Xs scaled by the sample sd.
  const std = await pca(iris, { k: 2, transform: "STANDARDIZE" });
  [2.918497816531994, 0.914030471468071].forEach((e, c) => expect(Math.abs(std.importance.standard_deviation[c] ** 2 - e)).toBeLessThan(1e-10));
  expect(std.total_variance).toBeCloseTo(4, 12);
});

test("scores are projections; a saved model scores the same; eval recomputes the variances", async () => {
  const frame = (await node.importFrame({ kind: "file", path: iris }).done).frame;
  const m = await pca(iris, { k: 2, transform: "DEMEAN" });
  const scored = await predictFrame(node.executor, m, frame, []);
  const p = scored.flatMap((s) => Array.from(s.p));
  // The scores' sample variance is the component's variance; their mean is 0 after DEMEAN.
  for (let c = 0; c < 2; c++) {
    const v = Array.from({ length: 150 }, (_, i) => p[i * 2 + c]);
    const mean = v.reduce((a, b) => a + b, 0) / 150;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / 149;
    expect(Math.abs(mean)).toBeLessThan(1e-12);
    expect(variance).toBeCloseTo(m.importance.standard_deviation[c] ** 2, 10);
  }
  const loaded = deserializeModel(serializeModel(m, "test"), "m");
  expect((await predictFrame(node.executor, loaded, frame, [])).flatMap((s) => Array.from(s.p))).toEqual(p);
  const ev = modelEvaluator(node.executor, m);
  await ev.add(frame, []);
  expect((ev.result() as PcaMetrics).importance.standard_deviation[0]).toBeCloseTo(m.importance.standard_deviation[0], 12);
});

test("CLI: train --algo pca, predict writes PC1..PCk; enums are one-hot expanded", async () => {
  const model = join(dir, "pca.floe");
  const r = await floe(["train", join(FIXTURES, "penguins.csv"), "--algo", "pca", "--k", "3", "--transform", "STANDARDIZE", "--out", model, "--json"]);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.eigenvectors.names).toEqual(expect.arrayContaining(["species.Chinstrap", "species.Gentoo", "island.Dream", "beak_length_mm"]));
  expect(out.notes.some((n: string) => n.startsWith("left out") && n.includes("missing values"))).toBe(true);
  const pred = await floe(["predict", model, join(FIXTURES, "penguins.csv")]);
  const lines = pred.stdout.trimEnd().split("\n");
  expect(lines[0]).toBe("PC1,PC2,PC3");
  expect(lines.length).toBe(345);
  // The fourth data row has every measurement missing: without impute_missing it scores as missing.
  expect(lines[4]).toBe(",,");
});

test("bad input: k above the columns or rows, -y given, nothing to decompose", async () => {
  const fail = async (run: Promise<unknown>) => {
    try {
      await run;
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  };
  expect(await fail(pca(iris, { k: 5 }))).toBe("pca parameter k=5: the data has 4 columns once expanded, so at most k=4");
  const two = writeTemp(dir, "two.csv", "a,b\n1,2\n3,5\n");
  expect(await fail(pca(two, { k: 2 }, null))).toBe("");
  const one = writeTemp(dir, "one.csv", "a,b,c\n1,2,4\n");
  expect(await fail(pca(one, { k: 1, ignore_const_cols: false }, null))).toContain("pca needs at least 2 rows");
  const frame = (await node.importFrame({ kind: "file", path: iris }).done).frame;
  expect(await fail(algorithm("pca")!.train(node.executor, { modelId: "p", frame, y: "species", x: null, params: {} }))).toBe("pca takes no response column; pick its columns with --x");
  const nothing = writeTemp(dir, "nothing.csv", "a,b\n,1\n,1\n,1\n");
  expect(await fail(pca(nothing, {}, null))).toBe("no usable columns to decompose (dropped column 'a': all 3 values are missing; dropped constant column 'b')");
});
