// Training a GLM as H2O does: the response checked against the family, the design
// built, H2O's data-dependent defaults resolved (lambda from lambda_max, solver, epsilons,
// iterations), a single lambda or a path of them fitted with warm starts, the lambda
// chosen by validation or cross-validation deviance, standard errors when asked, and the
// model with its coefficient tables, metrics and regularisation path.

import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import { DistinctNumbersTask } from "../../core/convert.ts";
import { systemClock } from "../../core/clock.ts";
import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Chunked, Executor } from "../../core/mr.ts";
import { bindColumns } from "../bind.ts";
import { type Design, type DesignChunk, designColumns, makeDesign, termNames, width } from "../design.ts";
import { BuildDesignTask, ResponseTask } from "../design-tasks.ts";
import { checkFolds } from "../folds.ts";
import { choleskyDropping, choleskyInverse } from "../linalg.ts";
import type { BinomialMetrics } from "../metrics/binomial.ts";
import { crossValidate, designCvView, foldDeadline, mainProgress } from "../cv.ts";
import type { Metrics, SupervisedCategory } from "../metrics/index.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import { varimpOf } from "../model.ts";
import type { TrainRequest, TrainResult } from "../algorithm.ts";
import { trainingColumns, validationResponse } from "../training-frame.ts";
import { ALLOWED_LINKS, DEFAULT_LINK, type Family, familyArgs, type FamilyArgs, type Link, link as linkOf } from "./family.ts";
import type { FitContext, FitResult } from "./fit.ts";
import { coefficientsTable, destandardize, type GlmExtras, GlmMetrics, type GlmModel, type Inference, type RegularizationPath, standardized } from "./model.ts";
import type { GlmParams } from "./params.ts";
import { type Path, type PathDeadline, runPath } from "./path.ts";
import { FoldDevianceTask, GradientTask, OutputTask, ScoredTask } from "./tasks.ts";

interface ResponseSpec {
  readonly family: Family;
  readonly category: SupervisedCategory;
  readonly domain: readonly string[] | null;
  /** Multinomial: classes; 0 otherwise. */
  readonly classes: number;
}

/** The family (AUTO resolved) and what it makes of the response; refuses responses out of its domain. */
async function resolveResponse(executor: Executor, frame: Frame, p: GlmParams, yCol: number, category: SupervisedCategory, yDomain: readonly string[] | null): Promise<ResponseSpec> {
  const name = frame.columns[yCol].name;
  const r = frame.rollups?.[yCol];
  const family: Family = p.family === "AUTO" ? (category === "Binomial" ? "binomial" : category === "Multinomial" ? "multinomial" : "gaussian") : p.family;
  const enumResponse = yDomain !== null;
  const bad = (msg: string) => new FloeError("bad_input", `family=${family}: ${msg}`);
  switch (family) {
    case "binomial": {
      if (enumResponse) {
        if (yDomain.length !== 2) throw bad(`needs a two-class response; '${name}' has ${yDomain.length} classes (use family=multinomial)`);
        return { family, category: "Binomial", domain: yDomain, classes: 0 };
      }
      const values = await executor.run(DistinctNumbersTask, frame, { col: yCol });
      if (values.length > 2 || values.some((v) => v !== 0 && v !== 1)) {
        throw bad(`needs a two-class enum response or a numeric one of 0s and 1s; '${name}' has values such as ${Array.from(values.slice(0, 3)).join(", ")}`);
      }
      return { family, category: "Binomial", domain: ["0", "1"], classes: 0 };
    }
    case "multinomial":
      if (!enumResponse) throw bad(`needs an enum response; '${name}' is numeric (--col-types ${name}:enum)`);
      if (yDomain.length < 3) throw bad(`needs at least three classes; '${name}' has ${yDomain.length} (use family=binomial)`);
      return { family, category: "Multinomial", domain: yDomain, classes: yDomain.length };
    default: {
      if (enumResponse) throw bad(`needs a numeric response; '${name}' is an enum (classes ${yDomain.slice(0, 5).join(", ")})`);
      const min = r?.min ?? 0;
      const max = r?.max ?? 0;
      if (family === "quasibinomial" && (min < 0 || max > 1)) throw bad(`needs a response between 0 and 1; '${name}' ranges over [${min}, ${max}]`);
      if (family === "poisson" && min < 0) throw bad(`needs a response >= 0; '${name}' has ${min}`);
      if (family === "gamma" && min <= 0) throw bad(`needs a response > 0; '${name}' has ${min}`);
      if (family === "tweedie" && min < 0) throw bad(`needs a response >= 0; '${name}' has ${min}`);
      return { family, category: "Regression", domain: null, classes: 0 };
    }
  }
}

function resolveLink(p: GlmParams, family: Family): Link {
  if (p.link === "family_default") return DEFAULT_LINK[family];
  if (!ALLOWED_LINKS[family].includes(p.link)) {
    throw new FloeError("invalid_argument", `glm parameter link=${p.link}: family=${family} takes ${ALLOWED_LINKS[family].join(" or ")}`);
  }
  return p.link;
}

/** H2O's AUTO solver. */
function resolveSolver(p: GlmParams, P: number, multinomial: boolean, alpha: number): FitContext["solver"] {
  if (p.solver !== "AUTO") {
    if (p.solver === "L_BFGS" && p.non_negative) throw new FloeError("invalid_argument", "glm: non_negative needs solver IRLSM or COORDINATE_DESCENT (or AUTO)");
    return p.solver;
  }
  if (p.remove_collinear_columns) return "IRLSM";
  if (P >= 5000 && !p.non_negative) return "L_BFGS";
  if (p.lambda_search) return "COORDINATE_DESCENT";
  if (multinomial && alpha === 0 && !p.non_negative) return "L_BFGS";
  return "IRLSM";
}

function checkArguments(p: GlmParams, multinomial: boolean): void {
  const bad = (msg: string) => new FloeError("invalid_argument", `glm: ${msg}`);
  if (p.lambda_search && p.lambda !== null) throw bad("give either lambda or lambda_search, not both");
  if (p.compute_p_values) {
    if (p.solver !== "AUTO" && p.solver !== "IRLSM") throw bad(`compute_p_values needs solver IRLSM, not ${p.solver}`);
    if (multinomial) throw bad("compute_p_values is not available for family=multinomial");
    if (p.non_negative) throw bad("compute_p_values is not available with non_negative");
    if (p.lambda_search || (p.lambda !== null && p.lambda > 0)) throw bad("compute_p_values needs lambda = 0: penalised coefficients have no standard errors");
  }
  if (p.remove_collinear_columns && !p.intercept) throw bad("remove_collinear_columns needs an intercept");
}

/** A cross-validation fold's path (its holdout deviance at each lambda) and the lambda the folds settled on (−1 before). */
interface FoldPath {
  readonly path: Path;
  readonly chosen: number;
}

/** Σw·deviance of coefficients on a view's usable rows. */
async function deviance(ctx: FitContext, view: Chunked<DesignChunk>, beta: Float64Array): Promise<number> {
  const r = await ctx.executor.run(GradientTask, view, { design: ctx.design, family: ctx.family, beta, classes: ctx.classes });
  return r[r.length - 2];
}

/** Standard errors, z and p values of a single-response model at lambda 0, on the original scale. */
function inference(d: Design, fit: FitResult, family: Family, frozen: Uint8Array): { inference: Inference; dispersion: number } {
  const Q = width(d);
  const g = fit.gram as Float64Array;
  const active = Array.from({ length: Q }, (_, j) => !frozen[j]);
  const { L, dropped } = choleskyDropping(g.subarray(0, Q * Q), Q, 1e-12, active);
  if (dropped.length) {
    throw new FloeError("bad_input", `collinear columns: ${dropped.map((j) => termNames(d)[j]).join(", ")}; set remove_collinear_columns to compute p-values`);
  }
  const inv = choleskyInverse(L, Q);
  let rank = 0;
  for (let j = 0; j < Q; j++) if (active[j]) rank++;
  const estimated = family !== "binomial" && family !== "poisson";
  const df = fit.rows - rank;
  const dispersion = estimated ? fit.pearson / df : 1;
  // Cov on the original scale: T·Cov·Tᵀ with b_j = β_j / scale_j and b_0 = β_0 − Σ β_j·shift_j / scale_j.
  const T = new Float64Array(Q * Q);
  for (let j = 0; j < Q; j++) T[j * Q + j] = 1;
  for (let j = 0; j < d.nums.length; j++) {
    const c = d.numOffset + j;
    const t = d.nums[j];
    T[c * Q + c] = 1 / t.scale;
    if (d.intercept) T[d.P * Q + c] = -t.shift / t.scale;
  }
  const beta = destandardize(d, fit.beta, 0);
  const std_error = new Float64Array(Q);
  const z_value = new Float64Array(Q);
  const p_value = new Float64Array(Q);
  for (let i = 0; i < Q; i++) {
    if (!active[i]) {
      std_error[i] = z_value[i] = p_value[i] = Number.NaN;
      continue;
    }
    let v = 0;
    for (let a = 0; a < Q; a++) {
      if (T[i * Q + a] === 0 || !active[a]) continue;
      for (let b = 0; b < Q; b++) if (T[i * Q + b] !== 0 && active[b]) v += T[i * Q + a] * inv[a * Q + b] * T[i * Q + b];
    }
    std_error[i] = Math.sqrt(v * dispersion);
    z_value[i] = beta[i] / std_error[i];
    p_value[i] = 2 * (estimated ? tCdf(-Math.abs(z_value[i]), df) : normalCdf(-Math.abs(z_value[i]), 0, 1));
  }
  return { inference: { std_error, z_value, p_value }, dispersion };
}

/** Scored chunks of a view at coefficients (rows weighted by the current fit weights). */
async function scoredView(ctx: FitContext, view: Chunked<DesignChunk>, beta: Float64Array): Promise<ScoredChunk[]> {
  return ctx.executor.run(ScoredTask, view, { design: ctx.design, family: ctx.family, beta, classes: ctx.classes });
}

type ModelShape = Pick<GlmModel, "category" | "response" | "family" | "familyArgs" | "classes" | "nullMu" | "beta" | "design">;

async function metricsOf(ctx: FitContext, shape: ModelShape, scored: readonly ScoredChunk[]): Promise<Metrics & GlmExtras> {
  const m = new GlmMetrics(ctx.executor, shape);
  await m.add(scored);
  return m.result();
}

export async function trainGlm(executor: Executor, req: TrainRequest, p: GlmParams): Promise<TrainResult> {
  const clock = req.clock ?? systemClock;
  const started = clock.now();
  const frame = req.frame;
  const cols = trainingColumns(frame, req.y as string, req.x, p.ignore_const_cols);
  checkFolds(p, cols.rows);
  const response = await resolveResponse(executor, frame, p, cols.yCol, cols.category, cols.yDomain);
  const { family, classes: K } = response;
  checkArguments(p, K > 0);
  const linkName = resolveLink(p, family);
  const fam = familyArgs(family, linkName, p.tweedie_variance_power, p.tweedie_link_power);
  const notes = [...cols.notes];

  // Enum columns first, largest first (as H2O orders them), then numeric ones.
  const xCols = cols.xCols.filter((c) => frame.columns[c].name !== p.fold_column);
  const enums = xCols.filter((c) => frame.columns[c].type === "enum").sort((a, b) => (frame.columns[b].domain?.length ?? 0) - (frame.columns[a].domain?.length ?? 0) || a - b);
  const ordered = [...enums, ...xCols.filter((c) => frame.columns[c].type !== "enum")];
  const lambdaGiven = p.compute_p_values && p.lambda === null ? 0 : p.lambda;
  const lambdaZero = lambdaGiven === 0 && !p.lambda_search;
  const design = makeDesign(frame, ordered, {
    transform: p.standardize ? "STANDARDIZE" : "NONE",
    intercept: p.intercept,
    // H2O keeps every level unless the model is unpenalised (a reference level is needed then).
    useAllFactorLevels: p.use_all_factor_levels || !(lambdaZero && p.intercept),
    missing: p.missing_values_handling,
  });
  const names = termNames(design);
  const Q = width(design);
  const alpha = p.alpha ?? (p.solver === "L_BFGS" ? 0 : 0.5);
  const solver = resolveSolver(p, design.P, K > 0, alpha);
  const yArg = { col: cols.yCol };
  const holdoutWidth = Math.max(K, 1);
  const bound = ordered.map((col) => ({ col }));
  const view = { chunks: await executor.run(BuildDesignTask, frame, { design, bound, y: yArg, needY: true, holdoutWidth }) };
  let valid: { chunks: DesignChunk[] } | null = null;
  if (req.valid) {
    const warnings: string[] = [];
    const y = validationResponse(req.valid, cols, warnings);
    const vbound = bindColumns(req.valid, designColumns(design), warnings);
    valid = { chunks: await executor.run(BuildDesignTask, req.valid, { design, bound: vbound, y, needY: true, holdoutWidth }) };
    notes.push(...warnings.map((w) => `validation: ${w}`));
  }

  // The null model: intercept only (the mean response, or the class shares).
  const sums = await executor.run(ResponseTask, view, { classes: K });
  const sw = sums[0];
  if (sw === 0)
    throw new FloeError("bad_input", `no rows to train on: every row has a missing response${p.missing_values_handling === "Skip" ? " or a missing predictor (missing_values_handling=Skip)" : ""}`);
  const ymu = sums[1] / sw;
  const nullMu = K > 0 ? Float64Array.from({ length: K }, (_, k) => sums[2 + k] / sw) : Float64Array.of(ymu);
  const betaNull = new Float64Array(Q * Math.max(K, 1));
  if (design.intercept) {
    if (K > 0) for (let k = 0; k < K; k++) betaNull[k * Q + design.P] = Math.log(Math.max(nullMu[k], 1e-15));
    else betaNull[design.P] = family === "quasibinomial" ? 0 : linkOf(fam, Math.min(Math.max(ymu, 1e-10), family === "binomial" ? 1 - 1e-10 : Number.POSITIVE_INFINITY));
  }

  // H2O's lambda_max: the largest gradient at the null model over alpha (at least 0.01).
  const g0 = await executor.run(GradientTask, view, { design, family: fam, beta: betaNull, classes: K });
  let gmax = 0;
  for (let i = 0; i < Q * Math.max(K, 1); i++) if (i % Q !== design.P || !design.intercept) gmax = Math.max(gmax, Math.abs(g0[i] / sw));
  const lambdaMax = gmax / Math.max(alpha, 0.01);
  const lambdaMinRatio = p.lambda_min_ratio === -1 ? (Math.floor(sw / 16) > design.P ? 1e-4 : 1e-2) * (alpha === 0 ? 1e-2 : 1) : p.lambda_min_ratio;
  const nlambdas = p.nlambdas === -1 ? (alpha === 0 ? 30 : 100) : p.nlambdas;
  if (p.lambda_search && nlambdas < 2) throw new FloeError("invalid_argument", `glm parameter nlambdas=${nlambdas}: a lambda search needs at least 2`);
  const lambdas = p.lambda_search ? Array.from({ length: nlambdas }, (_, i) => lambdaMax * lambdaMinRatio ** (i / (nlambdas - 1))) : [lambdaGiven ?? 10 * lambdaMinRatio * lambdaMax];
  const Kc = Math.max(K, 1);
  const maxIterations =
    p.max_iterations !== -1
      ? p.max_iterations
      : solver === "L_BFGS"
        ? (p.lambda_search ? nlambdas * 100 * Kc : Kc * Math.max(100, design.P >> 2)) * (alpha > 0 ? 10 : 1)
        : p.lambda_search
          ? 10 * nlambdas
          : 50;
  const zero = lambdas[0] === 0;
  // L-BFGS judges progress over several iterations, which needs a finer tolerance than one IRLS step.
  const objectiveEpsilon = p.objective_epsilon !== -1 ? p.objective_epsilon : (p.lambda_search ? 1e-4 : zero ? 1e-6 : 1e-4) * (solver === "L_BFGS" ? 1e-4 : 1);
  const gradientEpsilon = p.gradient_epsilon !== -1 ? p.gradient_epsilon : (zero ? 1e-6 : 1e-4) * (p.lambda_search ? 1e-2 : 1);
  // Along a path each lambda's solution is the next one's warm start: its subproblems need not
  // be solved far beyond what IRLS's convergence test (beta_epsilon) can see. A single fit
  // solves them to 1e-9, or finer when beta_epsilon asks for it.
  const cdTolerance = p.lambda_search ? p.beta_epsilon * 1e-2 : Math.min(1e-9, p.beta_epsilon * 1e-2);
  const strongRules = p.lambda_search && alpha > 0 && K === 0 && solver !== "L_BFGS";
  const context = (frozen: Uint8Array, holdoutFold = -1): FitContext => ({
    executor,
    view,
    design,
    family: fam,
    classes: K,
    solver,
    alpha,
    nonNegative: p.non_negative,
    maxIterations,
    betaEpsilon: p.beta_epsilon,
    objectiveEpsilon,
    gradientEpsilon,
    cdTolerance,
    holdoutFold,
    removeCollinear: p.remove_collinear_columns,
    frozen,
    checkSeparation: zero && (family === "binomial" || family === "quasibinomial" || family === "multinomial"),
    names,
    signal: req.signal,
  });
  const shape = (beta: Float64Array): ModelShape => ({
    category: response.category,
    response: { name: cols.yName, domain: response.domain },
    family,
    familyArgs: fam,
    classes: K,
    nullMu,
    beta,
    design,
  });
  const progress = req.onProgress ?? (() => {});

  // max_runtime_secs: fold f's path stops at its share of the time (foldDeadline), the main one at all of it.
  const deadline = p.max_runtime_secs > 0 && p.lambda_search ? started + p.max_runtime_secs * 1000 : null;
  const deadlineAt = (at: number | null): PathDeadline | null => (at === null ? null : { clock, at });

  // Cross-validation: one path a fold; the lambda with the lowest mean holdout deviance wins.
  const cv = await crossValidate<FoldPath, GlmModel>(
    executor,
    { frame, columns: cols, view: designCvView(executor, view, holdoutWidth), params: p, modelId: req.modelId, progress },
    {
      async fit(f, foldProgress, folds) {
        const ctx = context(new Uint8Array(Q), f);
        const heldOut = (beta: Float64Array) => executor.run(FoldDevianceTask, view, { design, family: fam, beta, classes: K, fold: f });
        const path = await runPath(ctx, lambdas, betaNull, {
          lambdaMax,
          heldOut,
          stopEarly: p.lambda_search,
          // A fold's holdout deviance can dip and fall again as enum columns enter the path:
          // a fold stops only after a sustained rise, since the folds are compared over the
          // lambdas every one of them reached.
          patience: 10,
          strongRules,
          progress: foldProgress,
          deadline: deadlineAt(foldDeadline(started, deadline, f, folds)),
        });
        return { path, chosen: -1 };
      },
      settle(paths) {
        // Paths cut by max_runtime_secs or ended early are compared over the lambdas every fold reached.
        const holdout = new Float64Array(Math.min(...paths.map((fold) => fold.path.fits.length)));
        for (const fold of paths) for (let i = 0; i < holdout.length; i++) holdout[i] += (fold.path.heldOutDeviance as number[])[i];
        const chosen = holdout.indexOf(Math.min(...holdout));
        return paths.map((fold) => ({ ...fold, chosen }));
      },
      writeHoldout: (f, fold) => executor.run(OutputTask, view, { design, family: fam, beta: fold.path.fits[fold.chosen].beta, classes: K, fold: f }),
      model: (modelId, fold) => {
        const fit = fold.path.fits[fold.chosen];
        return assemble(modelId, fit.beta, fit.iterations, lambdas[fold.chosen], null, null, null, [], clock.now() - started);
      },
      metrics: (chunks, folds) => metricsOf(context(new Uint8Array(Q)), shape(folds[0].path.fits[folds[0].chosen].beta), chunks),
    },
  );
  const chosen = cv ? cv.fits[0].chosen : -1;
  const cvMetrics = cv?.metrics ?? null;
  if (cv && p.lambda_search) notes.push(`lambda chosen by ${cv.folds}-fold cross-validation deviance: ${lambdas[chosen]}`);

  const frozen = new Uint8Array(Q);
  const ctx = context(frozen);
  const mainLambdas = chosen >= 0 ? lambdas.slice(0, chosen + 1) : lambdas;
  const path = await runPath(ctx, mainLambdas, betaNull, {
    lambdaMax,
    heldOut: valid ? (beta) => deviance(ctx, valid, beta) : null,
    stopEarly: chosen < 0 && p.lambda_search,
    patience: 3,
    strongRules,
    progress: mainProgress(progress, cv),
    deadline: deadlineAt(deadline),
  });
  if (path.stoppedEarly) notes.push(`lambda search stopped after ${path.fits.length} of ${mainLambdas.length} lambdas: ${valid ? "validation" : "training"} deviance stopped improving`);
  else if (path.fits.length < mainLambdas.length) notes.push(`max_runtime_secs: the lambda search stopped after ${path.fits.length} of ${mainLambdas.length} lambdas`);
  else if (cv && Math.min(...cv.fits.map((fold) => fold.path.fits.length)) < lambdas.length)
    notes.push(
      `the folds' lambda searches ended early (holdout deviance rising${p.max_runtime_secs > 0 ? ", or max_runtime_secs" : ""}); lambda chosen among the first ${Math.min(...cv.fits.map((fold) => fold.path.fits.length))}`,
    );
  const best = path.heldOutDeviance && p.lambda_search ? path.heldOutDeviance.indexOf(Math.min(...path.heldOutDeviance)) : path.fits.length - 1;
  const fit = path.fits[best];
  const lambda = path.lambdas[best];
  if (!fit.converged) notes.push(`reached max_iterations (${maxIterations}) before converging`);
  const removed = names.filter((_, j) => frozen[j]);
  if (removed.length) notes.push(`removed collinear columns: ${removed.join(", ")}`);

  const inf = p.compute_p_values ? inference(design, fit, family, frozen) : null;
  const training = await metricsOf(ctx, shape(fit.beta), await scoredView(ctx, view, fit.beta));
  const validation = valid ? await metricsOf(ctx, shape(fit.beta), await scoredView(ctx, valid, fit.beta)) : null;
  const nullDeviance = training.null_deviance;
  const regularizationPath: RegularizationPath | null = p.lambda_search
    ? {
        lambdas: path.lambdas,
        explained_deviance_train: path.fits.map((f) => 1 - f.deviance / nullDeviance),
        explained_deviance_valid: path.heldOutDeviance && validation ? path.heldOutDeviance.map((d) => 1 - d / validation.null_deviance) : null,
        names,
        coefficients: path.fits.map((f) => Array.from(destandardize(design, f.beta, K))),
      }
    : null;
  const model = {
    ...assemble(req.modelId, fit.beta, fit.iterations, lambda, inf?.inference ?? null, training, validation, notes, clock.now() - started, regularizationPath, cvMetrics, inf?.dispersion),
    cross_validation_metrics_summary: cv?.summary ?? null,
  };
  return { model, cvModels: cv?.models ?? [], cvPredictions: p.keep_cross_validation_predictions ? (cv?.predictions ?? null) : null };

  function assemble(
    modelId: string,
    beta: Float64Array,
    iterations: number,
    lambda: number,
    inferred: Inference | null,
    train: (Metrics & GlmExtras) | null,
    validMetrics: (Metrics & GlmExtras) | null,
    modelNotes: string[],
    ms: number,
    regPath: RegularizationPath | null = null,
    cv: Metrics | null = null,
    dispersion?: number,
  ): GlmModel {
    const std = standardized(design, beta, K);
    const scores = new Float64Array(design.P);
    for (let k = 0; k < Kc; k++) for (let j = 0; j < design.P; j++) scores[j] += Math.abs(std[k * Q + j]);
    const thresholdSource = (validMetrics ?? train) as BinomialMetrics | null;
    return {
      algo: "glm",
      model_id: modelId,
      params: { ...(p as unknown as Record<string, number | boolean | string | null>), family, link: linkName, solver, alpha, lambda, ...(dispersion !== undefined ? { dispersion } : {}) },
      response: { name: cols.yName, domain: response.domain },
      category: response.category,
      family,
      link: linkName,
      familyArgs: fam as FamilyArgs,
      design,
      classes: K,
      beta,
      alpha,
      lambda,
      nullMu,
      iterations,
      coefficients_table: coefficientsTable(design, beta, K, response.domain, inferred),
      regularization_path: regPath,
      metrics: { training: train, validation: validMetrics, cross_validation: cv },
      varimp: varimpOf(names.slice(0, design.P), scores),
      scoring_history: [],
      notes: modelNotes,
      training_time_ms: ms,
      threshold: response.category === "Binomial" ? (thresholdSource?.max_f1_threshold ?? 0.5) : 0.5,
    };
  }
}
