// GLM against independent answers: the normal equations solved here, R's glm() (the
// commands are recorded beside their values), the elastic net's KKT conditions computed
// from the data here, scikit-learn's multinomial logistic regression; and bad input.

import { expect, test } from "bun:test";
import { join } from "node:path";
import type { Frame } from "../../src/core/frame.ts";
import { InlineExecutor } from "../../src/core/mr.ts";
import type { GlmModel } from "../../src/ml/glm/model.ts";
import { deserializeModel, serializeModel } from "../../src/ml/modelfile.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { predictFrame } from "../../src/ml/scoring.ts";
import { workClock } from "../support/clock.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const glmAlgo = algorithm("glm")!;

async function load(path: string, chunkRows?: number): Promise<Frame> {
  return (await node.importFrame({ kind: "file", path }, { chunkRows }).done).frame;
}

async function glm(frame: Frame, y: string, x: string[] | null, params: Record<string, unknown>, executor = node.executor): Promise<GlmModel> {
  const { model } = await glmAlgo.train(executor, { modelId: "glm", frame, y, x, params: { seed: 1, ...params } });
  return model as GlmModel;
}

/** A coefficient of the model's table by name (original scale unless `column` says otherwise). */
function coef(m: GlmModel, name: string, column = "coefficients"): number {
  const i = m.coefficients_table.names.indexOf(name);
  if (i < 0) throw new Error(`no coefficient ${name} in ${m.coefficients_table.names.join(", ")}`);
  return Number(m.coefficients_table[column][i]);
}

/** The message a training run fails with ("" when it does not fail). */
async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

function expectRelative(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

/** penguins.csv without its one row whose sex is "." (R reads the same rows: see the commands below). */
const penguinsText = (await Bun.file(join(FIXTURES, "penguins.csv")).text())
  .split("\n")
  .filter((l) => !l.endsWith(",."))
  .join("\n");
const penguins = writeTemp(dir, "penguins.csv", penguinsText);
const rows = penguinsText
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split(","));

test("gaussian at lambda 0 equals the normal equations' solution", async () => {
  // Rows with every value present; X = [1, Chinstrap, Gentoo, beak_length, flipper]; solve X'X b = X'y here.
  const complete = rows.filter((r) => [r[2], r[4], r[5]].every((v) => v !== "NA"));
  const X = complete.map((r) => [1, r[0] === "Chinstrap" ? 1 : 0, r[0] === "Gentoo" ? 1 : 0, Number(r[2]), Number(r[4])]);
  const y = complete.map((r) => Number(r[5]));
  const p = 5;
  const A = Array.from({ length: p }, (_, i) => [...Array.from({ length: p }, (_, j) => X.reduce((s, row) => s + row[i] * row[j], 0)), X.reduce((s, row, k) => s + row[i] * y[k], 0)]);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= p; k++) A[r][k] -= f * A[c][k];
    }
  }
  const b = A.map((row, i) => row[p] / row[i]);
  const frame = await load(penguins);
  const m = await glm(frame, "body_mass_g", ["species", "beak_length_mm", "flipper_length_mm"], { lambda: 0, missing_values_handling: "Skip" });
  expect(m.coefficients_table.names).toEqual(["Intercept", "species.Chinstrap", "species.Gentoo", "beak_length_mm", "flipper_length_mm"]);
  ["Intercept", "species.Chinstrap", "species.Gentoo", "beak_length_mm", "flipper_length_mm"].forEach((name, j) => expectRelative(coef(m, name), b[j], 1e-9));
  expect(m.metrics.training?.nobs).toBe(complete.length);
});

test("binomial at lambda 0 matches R's glm: coefficients, standard errors, deviances, AIC", async () => {
  // R 4.2.2:
  //   d <- read.csv("fixtures/penguins.csv", na.strings=c("", "NA")); d$sex <- factor(d$sex, levels=c("FEMALE","MALE"))
  //   m <- glm(sex ~ species + beak_length_mm + beak_depth_mm + flipper_length_mm + body_mass_g, family=binomial,
  //            data=d, control=glm.control(epsilon=1e-14, maxit=100)); summary(m)$coefficients; deviance(m); AIC(m)
  const R: Record<string, [number, number, number]> = {
    Intercept: [-79.02500787752607891, 12.11585624184911048, 6.91703581387402e-11],
    "species.Chinstrap": [-6.98032921675622831, 1.5743522516625128, 9.25957454030128e-6],
    "species.Gentoo": [-8.35389476751720217, 2.52362615312064165, 9.32045887194685e-4],
    beak_length_mm: [0.61378160582073893, 0.13101205154998277, 2.80062776521471e-6],
    beak_depth_mm: [1.62286067736392026, 0.33241011751597466, 1.04960010598814e-6],
    flipper_length_mm: [0.02077370838682629, 0.04782991567179996, 6.64052751647509e-1],
    body_mass_g: [0.00586528098620856, 0.00108334446444985, 6.16149841037931e-8],
  };
  const frame = await load(penguins);
  const x = ["species", "beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"];
  const m = await glm(frame, "sex", x, { family: "binomial", compute_p_values: true, missing_values_handling: "Skip" });
  expect(m.lambda).toBe(0);
  for (const [name, [estimate, se, p]] of Object.entries(R)) {
    expectRelative(coef(m, name), estimate, 1e-9);
    expect(Math.abs(coef(m, name, "std_error") - se) / se).toBeLessThan(1e-6);
    expect(Math.abs(coef(m, name, "p_value") - p) / p).toBeLessThan(1e-5);
  }
  // deviance(m) 127.108667096278, m$null.deviance 461.608994860289, AIC(m) 141.108667096278, m$df.residual 326
  const t = m.metrics.training as unknown as Record<string, number>;
  expectRelative(t.residual_deviance, 127.108667096278, 1e-10);
  expectRelative(t.null_deviance, 461.608994860289, 1e-10);
  expectRelative(t.AIC, 141.108667096278, 1e-10);
  expect(t.residual_degrees_of_freedom).toBe(326);
  // The same model on one thread and tiny chunks: the same coefficients to 1e-10.
  const inline = await glm(await load(penguins, 13), "sex", x, { family: "binomial", lambda: 0, missing_values_handling: "Skip" }, new InlineExecutor());
  for (const name of Object.keys(R)) expectRelative(coef(inline, name), coef(m, name), 1e-10);
});

test("gaussian p-values use the estimated dispersion and Student's t, as R's glm", async () => {
  // R: p <- glm(body_mass_g ~ species + flipper_length_mm, family=gaussian, data=d)  (d as above, the "." row dropped)
  //    summary(p)$coefficients; summary(p)$dispersion 141333.163701431; AIC(p) 5017.56889279603
  const R: Record<string, [number, number, number]> = {
    Intercept: [-4031.013712784709, 584.78661272399324, 2.69695785052091e-11],
    "species.Chinstrap": [-206.495807363326, 57.79336790426015, 4.04357091678034e-4],
    "species.Gentoo": [268.461296263323, 95.42081753437728, 5.18897838714552e-3],
    flipper_length_mm: [40.70296240388, 3.07435951845979, 1.66456708927724e-32],
  };
  const m = await glm(await load(penguins), "body_mass_g", ["species", "flipper_length_mm"], { compute_p_values: true });
  for (const [name, [estimate, se, p]] of Object.entries(R)) {
    expectRelative(coef(m, name), estimate, 1e-9);
    expect(Math.abs(coef(m, name, "std_error") - se) / se).toBeLessThan(1e-8);
    expect(Math.abs(coef(m, name, "p_value") - p) / p).toBeLessThan(1e-6);
  }
  expectRelative(m.params.dispersion as number, 141333.163701431, 1e-9);
  expectRelative((m.metrics.training as unknown as Record<string, number>).AIC, 5017.56889279603, 1e-10);
});

/** i = 0..199: x = i/50, z = a|b|c by i mod 3, y = floor(exp(0.5 + 0.8x)) + 2i (R: floor(exp(0.5+0.8*x) + (i*7 %% 5)), %% binding first). */
const counts = writeTemp(dir, "counts.csv", `x,z,y\n${Array.from({ length: 200 }, (_, i) => `${i / 50},${"abc"[i % 3]},${Math.floor(Math.exp(0.5 + 0.8 * (i / 50))) + 2 * i}`).join("\n")}\n`);

test("poisson (log link) and gamma (inverse link) match R's glm", async () => {
  // R: i <- 0:199; x <- i/50; z <- factor(c("a","b","c")[i %% 3 + 1]); y <- floor(exp(0.5 + 0.8*x) + (i*7 %% 5))
  //    g <- glm(y ~ x + z, family=poisson); deviance(g) 1606.38376783156; AIC(g) 2988.9397194834
  //    h <- glm(y + 1 ~ x + z, family=Gamma); summary(h)$coefficients; summary(h)$dispersion 0.130190702699342
  const frame = await load(counts);
  const pois = await glm(frame, "y", null, { family: "poisson", compute_p_values: true });
  const Rp: Record<string, [number, number]> = {
    Intercept: [4.045123539681271474, 0.01521266531188003],
    x: [0.555427089689663256, 0.00473604332951607],
    "z.b": [-0.000829501868501416, 0.01190760992711463],
    "z.c": [0.004801040013772995, 0.01196898665610597],
  };
  for (const [name, [estimate, se]] of Object.entries(Rp)) {
    expect(Math.abs(coef(pois, name) - estimate)).toBeLessThan(1e-9);
    // R's standard errors use the weights of its last iteration's start; floe's those of the solution.
    expect(Math.abs(coef(pois, name, "std_error") - se) / se).toBeLessThan(1e-5);
  }
  const t = pois.metrics.training as unknown as Record<string, number>;
  expectRelative(t.residual_deviance, 1606.38376783156, 1e-9);
  expectRelative(t.AIC, 2988.9397194834, 1e-9);

  const shifted = writeTemp(dir, "counts1.csv", `x,z,y\n${Array.from({ length: 200 }, (_, i) => `${i / 50},${"abc"[i % 3]},${Math.floor(Math.exp(0.5 + 0.8 * (i / 50))) + 2 * i + 1}`).join("\n")}\n`);
  // The inverse link is not canonical: IRLS converges linearly, so ask for R's tighter convergence.
  const gamma = await glm(await load(shifted), "y", null, { family: "gamma", compute_p_values: true, beta_epsilon: 1e-12, objective_epsilon: 1e-15 });
  expect(gamma.link).toBe("inverse");
  const Rg: Record<string, [number, number]> = {
    Intercept: [1.17158209409993e-2, 0.000418394914044941],
    x: [-2.61226700458477e-3, 0.000117150485702748],
    "z.b": [1.96622355733442e-5, 0.000241923687457595],
    "z.c": [-3.83187439952783e-5, 0.000244438518832995],
  };
  for (const [name, [estimate, se]] of Object.entries(Rg)) {
    expect(Math.abs(coef(gamma, name) - estimate)).toBeLessThan(1e-9);
    expect(Math.abs(coef(gamma, name, "std_error") - se) / se).toBeLessThan(1e-5);
  }
  expectRelative(gamma.params.dispersion as number, 0.130190702699342, 1e-6);
});

test("elastic net: the solution satisfies the KKT conditions, computed here from the data", async () => {
  const complete = rows.filter((r) => r.slice(2, 6).every((v) => v !== "NA"));
  const path = writeTemp(dir, "complete.csv", `species,beak_length_mm,beak_depth_mm,flipper_length_mm,body_mass_g\n${complete.map((r) => [r[0], ...r.slice(2, 6)].join(",")).join("\n")}\n`);
  const lambda = 250;
  const alpha = 0.9;
  const m = await glm(await load(path), "body_mass_g", null, { alpha, lambda, solver: "COORDINATE_DESCENT" });
  // The standardized design: every species level (lambda > 0 keeps all levels), numerics (x − mean) / sd (n − 1).
  const num = [1, 2, 3].map((c) => complete.map((r) => Number(r[c + 1])));
  const stats = num.map((v) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return { mean, sd: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) };
  });
  const X = complete.map((r, i) => [...["Adelie", "Chinstrap", "Gentoo"].map((s) => (r[0] === s ? 1 : 0)), ...num.map((v, j) => (v[i] - stats[j].mean) / stats[j].sd), 1]);
  const names = ["species.Adelie", "species.Chinstrap", "species.Gentoo", "beak_length_mm", "beak_depth_mm", "flipper_length_mm", "Intercept"];
  const beta = names.map((n) => coef(m, n, "standardized_coefficients"));
  const y = complete.map((r) => Number(r[5]));
  const n = y.length;
  const resid = X.map((row, i) => y[i] - row.reduce((s, x, j) => s + x * beta[j], 0));
  let zeros = 0;
  names.forEach((name, j) => {
    const g = -X.reduce((s, row, i) => s + row[j] * resid[i], 0) / n;
    if (name === "Intercept") expect(Math.abs(g)).toBeLessThan(1e-6);
    else if (beta[j] === 0) {
      zeros++;
      expect(Math.abs(g)).toBeLessThanOrEqual(lambda * alpha + 1e-6);
    } else expect(Math.abs(g + lambda * (1 - alpha) * beta[j] + lambda * alpha * Math.sign(beta[j]))).toBeLessThan(1e-5);
  });
  expect(zeros).toBeGreaterThan(0);
  // IRLSM (coordinate descent inside IRLS) and L-BFGS (OWL-QN) reach the same optimum.
  const irlsm = await glm(await load(path), "body_mass_g", null, { alpha, lambda });
  const owlqn = await glm(await load(path), "body_mass_g", null, { alpha, lambda, solver: "L_BFGS", gradient_epsilon: 1e-9, objective_epsilon: 1e-14 });
  for (const name of names) {
    expect(Math.abs(coef(irlsm, name) - coef(m, name))).toBeLessThan(1e-6 * Math.max(1, Math.abs(coef(m, name))));
    expect(Math.abs(coef(owlqn, name) - coef(m, name))).toBeLessThan(1e-3 * Math.max(1, Math.abs(coef(m, name))));
  }
});

test("multinomial with a ridge penalty matches scikit-learn's LogisticRegression", async () => {
  // /usr/bin/python3 (scikit-learn 1.2.1): LogisticRegression(C=10, multi_class='multinomial', solver='newton-cg',
  //   tol=1e-12, max_iter=100000).fit(X, y) on iris's four columns (unstandardized); predict_proba(X)[[0, 50, 70, 100, 133]].
  // (Its lbfgs solver stops with a gradient of 5e-3 here; newton-cg reaches the optimum.)
  // sklearn minimises ½‖W‖² + C·Σ logloss, i.e. floe's objective with alpha 0 and lambda = 1 / (C·n).
  const sk = [
    [9.971698775514e-1, 2.830122448593e-3, 3.81249172123e-15],
    [5.623988033506e-5, 9.915716496758e-1, 8.372110443902e-3],
    [8.852382268679e-5, 4.364129736398e-1, 5.634985025375e-1],
    [5.781880572247e-11, 3.40037238688e-5, 9.999659962183e-1],
    [7.690480279985e-6, 5.152815726977e-1, 4.84710736822e-1],
  ];
  const frame = await load(join(FIXTURES, "iris.csv"));
  for (const solver of ["IRLSM", "L_BFGS"]) {
    const m = await glm(frame, "species", null, {
      alpha: 0,
      lambda: 1 / 1500,
      standardize: false,
      solver,
      beta_epsilon: 1e-10,
      objective_epsilon: 1e-14,
      gradient_epsilon: 1e-10,
      max_iterations: 1000,
    });
    expect(m.family).toBe("multinomial");
    const p = (await predictFrame(node.executor, m, frame, [])).flatMap((s) => Array.from(s.p));
    [0, 50, 70, 100, 133].forEach((row, r) => {
      for (let k = 0; k < 3; k++) expect(Math.abs(p[row * 3 + k] - sk[r][k])).toBeLessThan(1e-7);
    });
  }
});

test("lambda search: a path from lambda_max, explained deviance rising, the best lambda by validation", async () => {
  const frame = await load(penguins);
  const valid = await load(penguins);
  const { model } = await glmAlgo.train(node.executor, { modelId: "path", frame, y: "body_mass_g", x: null, valid, params: { lambda_search: true, nlambdas: 20, seed: 1 } });
  const m = model as GlmModel;
  const path = m.regularization_path;
  expect(path).not.toBeNull();
  if (!path) return;
  expect(path.lambdas[0]).toBeGreaterThan(path.lambdas[1]);
  // At lambda_max every coefficient but the intercept is zero.
  expect(path.coefficients[0].slice(0, -1).every((c) => c === 0)).toBe(true);
  for (let i = 1; i < path.explained_deviance_train.length; i++) expect(path.explained_deviance_train[i]).toBeGreaterThanOrEqual(path.explained_deviance_train[i - 1] - 1e-9);
  const valid_ = path.explained_deviance_valid as number[];
  expect(m.lambda).toBe(path.lambdas[valid_.indexOf(Math.max(...valid_))]);
});

test("cross-validation: out-of-fold metrics of every row; default lambda is H2O's 10 · lambda_min_ratio · lambda_max", async () => {
  const frame = await load(join(FIXTURES, "iris.csv"));
  const r = await glmAlgo.train(node.executor, { modelId: "cv", frame, y: "species", x: null, params: { nfolds: 3, seed: 7, keep_cross_validation_predictions: true } });
  const m = r.model as GlmModel;
  expect(m.metrics.cross_validation?.nobs).toBe(150);
  expect(r.cvModels.length).toBe(3);
  expect(r.cvPredictions?.reduce((n, c) => n + c.rows, 0)).toBe(150);
  expect((m.metrics.cross_validation as { mean_per_class_error: number }).mean_per_class_error).toBeLessThan(0.1);
  // 150 rows / 16 > 4 columns: lambda_min_ratio 1e-4, so lambda = 1e-3 · lambda_max (alpha 0.5).
  const path = await glmAlgo.train(node.executor, { modelId: "lm", frame, y: "species", x: null, params: { lambda_search: true, nlambdas: 2, seed: 7 } });
  const lambdaMax = (path.model as GlmModel).regularization_path?.lambdas[0] as number;
  expectRelative(m.lambda, 1e-3 * lambdaMax, 1e-12);
});

test("a model saved and loaded predicts what the trained one does; CLI train, predict, eval", async () => {
  const frame = await load(penguins);
  const m = await glm(frame, "sex", null, { family: "binomial" });
  const loaded = deserializeModel(serializeModel(m, "test"), "m");
  const a = (await predictFrame(node.executor, m, frame, [])).flatMap((s) => Array.from(s.p));
  const b = (await predictFrame(node.executor, loaded, frame, [])).flatMap((s) => Array.from(s.p));
  expect(b).toEqual(a);
});

test("bad input: separable classes, collinear columns, responses out of the family's domain, an all-missing column", async () => {
  const sep = await load(writeTemp(dir, "sep.csv", `x,label\n${Array.from({ length: 40 }, (_, i) => `${i},${i < 20 ? "a" : "b"}`).join("\n")}\n`));
  expect(await failure(glm(sep, "label", null, { lambda: 0 }))).toMatch(/perfectly separable/);
  // The default lambda regularises the same data to finite coefficients.
  const reg = await glm(sep, "label", null, {});
  expect(Number.isFinite(coef(reg, "x"))).toBe(true);

  const collinear = await load(
    writeTemp(dir, "col.csv", `a,b,c,y\n${Array.from({ length: 30 }, (_, i) => `${i % 7},${i % 5},${2 * (i % 7) - (i % 5)},${(i % 7) + 0.5 * (i % 5) + ((i * 13) % 3)}`).join("\n")}\n`),
  );
  expect(await failure(glm(collinear, "y", null, { lambda: 0 }))).toContain("collinear columns: c is a linear combination of other columns");
  const removed = await glm(collinear, "y", null, { lambda: 0, remove_collinear_columns: true, compute_p_values: true });
  expect(coef(removed, "c")).toBe(0);
  expect(Number.isNaN(coef(removed, "c", "std_error"))).toBe(true);
  expect(removed.notes).toContain("removed collinear columns: c");
  const without = await glm(collinear, "y", ["a", "b"], { lambda: 0 });
  expectRelative(coef(removed, "a"), coef(without, "a"), 1e-9);

  const counts3 = await load(counts);
  const negative = await load(writeTemp(dir, "neg.csv", "x,y\n1,2\n2,-1\n3,4\n"));
  await expect(glm(negative, "y", null, { family: "poisson" })).rejects.toThrow("family=poisson: needs a response >= 0; 'y' has -1");
  expect(await failure(glm(counts3, "y", null, { family: "binomial" }))).toMatch(/family=binomial: needs a two-class enum response or a numeric one of 0s and 1s/);
  await expect(glm(negative, "y", null, { family: "gamma" })).rejects.toThrow("family=gamma: needs a response > 0; 'y' has -1");
  await expect(glm(counts3, "z", null, { family: "gaussian" })).rejects.toThrow(/family=gaussian: needs a numeric response; 'z' is an enum/);
  expect(await failure(glm(counts3, "y", null, { compute_p_values: true, lambda: 0.1 }))).toContain("compute_p_values needs lambda = 0");
  expect(await failure(glm(counts3, "y", null, { link: "logit" }))).toContain("link=logit: family=gaussian takes identity or log or inverse");

  const empty = await load(writeTemp(dir, "empty.csv", "x,e,y\n1,,2\n2,,3\n3,,5\n4,,4\n"));
  const dropped = await glm(empty, "y", null, { lambda: 0 });
  expect(dropped.notes).toContain("dropped constant column 'e'");
  expect(await failure(glm(empty, "y", null, { lambda: 0, ignore_const_cols: false }))).toContain("column 'e' has no values (all 4 rows are missing)");
});

test("max_runtime_secs ends a lambda search with the lambdas fitted so far, cross-validation included (time passes with the work: 10 ms a task)", async () => {
  const frame = (await node.importFrame({ kind: "file", path: join(FIXTURES, "penguins.csv") }, { naStrings: ["NA", "."] }).done).frame;
  const params = { lambda_search: true, nlambdas: 40, alpha: 0.5, seed: 3, nfolds: 3 };
  const free = await glmAlgo.train(node.executor, { modelId: "free", frame, y: "body_mass_g", x: null, params });
  const freeLambdas = (free.model as GlmModel).regularization_path?.lambdas.length as number;
  const timed = workClock(node.executor, 10);
  const cut = await glmAlgo.train(timed.executor, { modelId: "cut", frame, y: "body_mass_g", x: null, params: { ...params, max_runtime_secs: 1 }, clock: timed.clock });
  const m = cut.model as GlmModel;
  const lambdas = m.regularization_path?.lambdas.length as number;
  // The path stops short of the one without a limit, and the model says why.
  expect(lambdas).toBeGreaterThanOrEqual(1);
  expect(lambdas).toBeLessThan(freeLambdas);
  expect(m.notes.some((n) => n.startsWith("max_runtime_secs:"))).toBe(true);
  // The limit is soft: the work after the deadline is at most the lambda under way and the scoring.
  expect(timed.clock.now()).toBeLessThan(2_000);
  // The lambdas it did fit are the free path's first ones, with the same coefficients.
  expect(m.regularization_path?.lambdas).toEqual((free.model as GlmModel).regularization_path?.lambdas.slice(0, lambdas));
  expect(m.regularization_path?.coefficients).toEqual((free.model as GlmModel).regularization_path?.coefficients.slice(0, lambdas));
});
