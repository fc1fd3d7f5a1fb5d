// The numbers of `floe explain`'s report (and of its --json), for one model or several on one
// frame, in the sections of H2O's h2o.explain: leaderboard, confusion matrix, residual
// analysis, variable importance, its heatmap across models, the models' correlation, SHAP
// summary, partial dependence with ICE, and local explanations of chosen rows. The math lives
// in the shared explain modules, the scorers and the metrics; this module picks the rows and
// columns H2O picks and gathers the results. A section a model cannot have is skipped with a
// note saying why, never an error.

import { type Chunk, gatherVec, stringAt, type Vec } from "../../core/chunk.ts";
import { FloeError } from "../../core/errors.ts";
import { Frame } from "../../core/frame.ts";
import type { Executor } from "../../core/mr.ts";
import { type LeaderboardRow, leaderboardColumns, leaderboardRow, sortMetricOf, sortRows } from "../leaderboard.ts";
import type { Metrics, SupervisedCategory } from "../metrics/index.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import { isSupervisedCategory, type VarImp } from "../model.ts";
import { type Model, modelEvaluator, modelInputs, predictFrame } from "../scoring.ts";
import { contributionsOf } from "./contributions.ts";
import { checkSignal } from "./frame-edit.ts";
import { localSurrogate } from "./local-surrogate.ts";
import { iceCurves, partialDependence } from "./partial-dependence.ts";

/** The sections, in H2O's order. */
export const EXPLANATIONS = ["leaderboard", "confusion_matrix", "residual_analysis", "varimp", "varimp_heatmap", "model_correlation_heatmap", "shap_summary", "pdp", "ice", "local"] as const;
export type Explanation = (typeof EXPLANATIONS)[number];

export interface ExplainOptions {
  /** Columns of the PDP, ICE and SHAP sections (H2O's `columns`); default: the top features by importance. */
  readonly columns?: readonly string[] | null;
  /** H2O's `top_n_features` (default 5). */
  readonly topNFeatures?: number;
  /** Rows (0-based) explained one by one (default: the first row). */
  readonly rows?: readonly number[];
  /** The sections to compute (default: all that apply). */
  readonly include?: readonly Explanation[];
  readonly exclude?: readonly Explanation[];
  /** Rows drawn in row-level plots (SHAP summary, residuals): larger frames are thinned evenly to this many (default 1000). */
  readonly sampleRows?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
}

export interface ModelSummary {
  readonly model_id: string;
  readonly algo: string;
  readonly category: string;
  readonly response: string;
  readonly domain: readonly string[] | null;
  readonly inputs: readonly string[];
  /** The model's metrics on the report's frame (null: the frame has no response). */
  readonly metrics: Metrics | null;
  readonly training_metrics: Metrics | null;
  readonly notes: readonly string[];
}

export interface ExplainData {
  readonly frame: { readonly rows: number; readonly columns: number };
  readonly response: string;
  readonly category: SupervisedCategory;
  readonly models: readonly ModelSummary[];
  /** The columns the PDP, ICE and SHAP sections show. */
  readonly columns: readonly string[];
  /** Why sections were left out. */
  readonly notes: string[];
  /** Several models: their metrics on the frame in H2O's leaderboard columns, best first by H2O's default metric. */
  leaderboard?: { readonly columns: readonly string[]; readonly sort_metric: string; readonly rows: readonly LeaderboardRow[] };
  varimp?: { readonly model_id: string; readonly variables: readonly VarImp[] }[];
  /** Several models: scaled importance per input column (rows: columns, one value per model). */
  varimp_heatmap?: { readonly models: readonly string[]; readonly variables: readonly string[]; readonly scaled: readonly (readonly number[])[] };
  /** Several models: the correlation of their predictions (regression) or the share of rows they predict alike (classification). */
  model_correlation?: { readonly models: readonly string[]; readonly correlation: readonly (readonly number[])[] };
  /** Regression: residuals against fitted values on the sampled rows. */
  residuals?: { readonly model_id: string; readonly rows: readonly number[]; readonly fitted: readonly number[]; readonly residuals: readonly number[] }[];
  /** Per model with exact contributions (not multinomial, as H2O), the sampled rows' SHAP contributions of the top features. */
  shap_summary?: ShapSummary[];
  /** The chosen rows explained: SHAP contributions where the model has them, else a local surrogate. */
  local?: LocalExplanation[];
  /** Partial dependence of each column of interest, every model on one grid, with ICE curves of the first model. */
  pdp?: DependencePlot[];
}

export interface ShapSummary {
  readonly model_id: string;
  /** The features shown, by mean |contribution|, largest first. */
  readonly features: readonly string[];
  /** Per feature, each sampled row's contribution (link space). */
  readonly contributions: readonly (readonly number[])[];
  /** Per feature, each sampled row's value scaled to [0, 1] by rank (enum: by level code); null when missing. */
  readonly normalized: readonly (readonly (number | null)[])[];
  /** Per feature, the mean |contribution| over the sampled rows. */
  readonly mean_abs: readonly number[];
}

export type LocalExplanation =
  | {
      readonly kind: "contributions";
      readonly model_id: string;
      readonly row: number;
      /** The class whose raw score is explained (multinomial: the predicted class). */
      readonly target: string | null;
      readonly bias: number;
      /** bias + every contribution: the raw (link-space) prediction. */
      readonly raw_prediction: number;
      /** Every input, largest |contribution| first. */
      readonly contributions: readonly { readonly variable: string; readonly value: number | string | null; readonly contribution: number }[];
    }
  | {
      readonly kind: "surrogate";
      readonly model_id: string;
      readonly row: number;
      readonly prediction: number;
      readonly local_prediction: number;
      readonly intercept: number;
      readonly r2: number;
      readonly weights: readonly { readonly variable: string; readonly value: number | string | null; readonly weight: number }[];
    };

export interface DependencePlot {
  readonly column: string;
  readonly grid: readonly (number | string | null)[];
  /** One line per model (and per class of a multinomial model explained alone). */
  readonly lines: readonly {
    readonly model_id: string;
    readonly target: string | null;
    readonly mean_response: readonly number[];
    readonly stddev_response: readonly number[];
    readonly std_error_mean_response: readonly number[];
  }[];
  /** ICE curves of rows at the deciles of the first model's prediction (regression and binomial). */
  readonly ice?: { readonly model_id: string; readonly rows: readonly number[]; readonly labels: readonly string[]; readonly responses: readonly (readonly number[])[] };
}

const DEFAULT_SAMPLE = 1000;

/** The value of column `c` at a row of a chunk, as a report shows it (null: missing). */
export function cellValue(frame: Frame, vec: Vec, c: number, i: number): number | string | null {
  switch (vec.kind) {
    case "f64":
      return Number.isNaN(vec.values[i]) ? null : vec.values[i];
    case "codes":
      return vec.codes[i] < 0 ? null : (frame.columns[c].domain?.[vec.codes[i]] ?? null);
    case "utf8":
      return stringAt(vec, i);
  }
}

/** Evenly spaced row ids, at most `n` of them (all rows when there are fewer). */
export function thinRows(rows: number, n: number): number[] {
  if (rows <= n) return Array.from({ length: rows }, (_, i) => i);
  return Array.from({ length: n }, (_, k) => Math.floor((k * rows) / n));
}

/** A frame of the given rows (global ids, ascending), in their order. */
export function rowsFrame(frame: Frame, rows: readonly number[]): Frame {
  const chunks: Chunk[] = [];
  let r = 0;
  for (const chunk of frame.chunks) {
    const local: number[] = [];
    while (r < rows.length && rows[r] < chunk.start + chunk.rows) local.push(rows[r++] - chunk.start);
    if (local.length === 0) continue;
    const at = Int32Array.from(local);
    chunks.push({ index: chunks.length, start: 0, rows: local.length, vecs: chunk.vecs.map((v) => gatherVec(v, at)) });
  }
  return Frame.of(frame.columns, chunks);
}

/** The models all explain one response of one kind, and the frame holds every column they read. */
function checkModels(models: readonly Model[], frame: Frame): { response: string; category: SupervisedCategory } {
  if (models.length === 0) throw new FloeError("invalid_argument", "no model to explain: give at least one model file before the data");
  const first = models[0];
  if (!first.response || !isSupervisedCategory(first.category)) {
    throw new FloeError("bad_input", `model '${first.model_id}' is a ${first.category.toLowerCase()} model: explain needs supervised models (regression or classification)`);
  }
  for (const m of models) {
    if (!m.response || m.response.name !== first.response.name || m.category !== first.category) {
      throw new FloeError(
        "bad_input",
        `model '${m.model_id}' (${m.category.toLowerCase()}${m.response ? ` of '${m.response.name}'` : ""}) does not predict what '${first.model_id}' does (${first.category.toLowerCase()} of '${first.response.name}'): explain models of one response together`,
      );
    }
    const missing = modelInputs(m)
      .map((c) => c.name)
      .filter((name) => !frame.names.includes(name));
    if (missing.length) {
      throw new FloeError("bad_input", `the data lacks column${missing.length > 1 ? "s" : ""} ${missing.map((n) => `'${n}'`).join(", ")} that model '${m.model_id}' reads`);
    }
  }
  return { response: first.response.name, category: first.category };
}

/** The model's importance per input column: one-hot levels (GLM's `col.level`) summed into their column, scaled to the top. */
export function columnImportance(model: Model): Map<string, number> {
  const inputs = modelInputs(model).map((c) => c.name);
  const sums = new Map<string, number>();
  for (const v of model.varimp) {
    const column = inputs.includes(v.variable) ? v.variable : inputs.find((c) => v.variable.startsWith(`${c}.`));
    if (column !== undefined) sums.set(column, (sums.get(column) ?? 0) + v.relative_importance);
  }
  const top = Math.max(0, ...sums.values());
  return new Map(inputs.map((c) => [c, top > 0 ? (sums.get(c) ?? 0) / top : 0]));
}

/** H2O's columns of interest: those asked for (checked), else the first model's top N by importance (else its first N inputs). */
function columnsOfInterest(models: readonly Model[], frame: Frame, options: ExplainOptions): string[] {
  const inputs = [...new Set(models.flatMap((m) => modelInputs(m).map((c) => c.name)))];
  if (options.columns && options.columns.length) {
    for (const c of options.columns) {
      if (!frame.names.includes(c)) frame.columnIndex(c);
      if (!inputs.includes(c))
        throw new FloeError("invalid_argument", `--columns: '${c}' is not a predictor of ${models.length > 1 ? "the models" : `model '${models[0].model_id}'`} (predictors: ${inputs.join(", ")})`);
    }
    return [...new Set(options.columns)];
  }
  const n = options.topNFeatures ?? 5;
  if (!Number.isInteger(n) || n < 1) throw new FloeError("invalid_argument", `top_n_features must be a positive integer, got ${n}`);
  const importance = columnImportance(models[0]);
  const ranked = [...importance.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  return ranked.slice(0, n);
}

/** The model's metrics on the frame (null when the frame has no response). */
async function frameMetrics(executor: Executor, model: Model, frame: Frame, response: string, warnings: string[]): Promise<Metrics | null> {
  if (!frame.names.includes(response)) return null;
  const evaluator = modelEvaluator(executor, model);
  await evaluator.add(frame, warnings);
  return evaluator.result();
}

/** Per row, the predicted value (regression) or class code (classification), from scored chunks. */
function predictedValues(model: Model, scored: readonly ScoredChunk[]): Float64Array {
  const rows = scored.reduce((n, sc) => n + sc.rows, 0);
  const out = new Float64Array(rows);
  const domain = model.response?.domain ?? null;
  let at = 0;
  for (const sc of scored) {
    for (let i = 0; i < sc.rows; i++, at++) {
      if (!domain) out[at] = sc.p[i * sc.width];
      else if (domain.length === 2) out[at] = Number.isNaN(sc.p[i]) ? Number.NaN : sc.p[i] >= (model.threshold ?? 0.5) ? 1 : 0;
      else {
        let best = 0;
        for (let k = 1; k < sc.width; k++) if (sc.p[i * sc.width + k] > sc.p[i * sc.width + best]) best = k;
        out[at] = Number.isNaN(sc.p[i * sc.width]) ? Number.NaN : best;
      }
    }
  }
  return out;
}

function pearson(a: Float64Array, b: Float64Array): number {
  let n = 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    n++;
    ma += a[i];
    mb += b[i];
  }
  if (n < 2) return Number.NaN;
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

/** The share of rows (both predicted) where two classifiers predict the same class, as H2O's model_correlation for classification. */
function agreement(a: Float64Array, b: Float64Array): number {
  let n = 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    n++;
    if (a[i] === b[i]) same++;
  }
  return n ? same / n : Number.NaN;
}

/** The correlation matrix of the models' predictions (H2O's model_correlation_heatmap). */
export function predictionCorrelation(predicted: readonly Float64Array[], classification: boolean): number[][] {
  return predicted.map((a, i) => predicted.map((b, j) => (i === j ? 1 : classification ? agreement(a, b) : pearson(a, b))));
}

/** Sections asked for and applicable; the others are dropped silently (asked-for but inapplicable ones get a note where they are computed). */
function wanted(options: ExplainOptions): Set<Explanation> {
  for (const e of [...(options.include ?? []), ...(options.exclude ?? [])]) {
    if (!(EXPLANATIONS as readonly string[]).includes(e)) throw new FloeError("invalid_argument", `unknown explanation '${e}'; use ${EXPLANATIONS.join(", ")}`);
  }
  const set = new Set<Explanation>(options.include?.length ? options.include : EXPLANATIONS);
  for (const e of options.exclude ?? []) set.delete(e);
  return set;
}

/**
 * The report's numbers for `models` on `frame` (imported with rollups). Throws a FloeError
 * for input the report cannot use: no model, unsupervised or mixed models, a frame without
 * the models' columns, unknown columns or rows.
 */
export async function explainData(executor: Executor, models: readonly Model[], frame: Frame, options: ExplainOptions = {}): Promise<ExplainData> {
  const { response, category } = checkModels(models, frame);
  const sections = wanted(options);
  const columns = columnsOfInterest(models, frame, options);
  for (const r of options.rows ?? []) {
    if (!Number.isInteger(r) || r < 0 || r >= frame.rows) throw new FloeError("invalid_argument", `--rows: row ${r} is not in the data (rows 0 to ${frame.rows - 1})`);
  }
  const warnings: string[] = [];
  const progress = options.onProgress ?? (() => {});
  // One step a model scored, a SHAP summary, a partial dependence or ICE plot, a row explained.
  const steps =
    models.length * (1 + (sections.has("shap_summary") ? 1 : 0) + (sections.has("local") ? (options.rows ?? [0]).length : 0)) +
    (sections.has("pdp") || sections.has("ice") ? columns.length * (models.length + 1) : 0);
  let done = 0;
  const step = () => progress(++done / steps);

  const summaries: ModelSummary[] = [];
  const predicted: Float64Array[] = [];
  const scoredAll: ScoredChunk[][] = [];
  for (const model of models) {
    checkSignal(options.signal);
    const metrics = await frameMetrics(executor, model, frame, response, warnings);
    const scored = await predictFrame(executor, model, frame, warnings);
    scoredAll.push(scored);
    predicted.push(predictedValues(model, scored));
    summaries.push({
      model_id: model.model_id,
      algo: model.algo,
      category: model.category,
      response,
      domain: model.response?.domain ?? null,
      inputs: modelInputs(model).map((c) => c.name),
      metrics,
      training_metrics: model.metrics.training,
      notes: model.notes,
    });
    step();
  }
  const notes = [...new Set(warnings)];
  const data: ExplainData = { frame: { rows: frame.rows, columns: frame.columns.length }, response, category, models: summaries, columns, notes };
  const several = models.length > 1;
  const hasResponse = frame.names.includes(response);

  if (several && sections.has("leaderboard")) {
    if (!hasResponse) notes.push(`leaderboard: the data has no '${response}' column to measure the models on`);
    else {
      // leaderboardRow reads a model's metrics: here those on the frame.
      const rows = models.map((m, i) => leaderboardRow({ ...m, metrics: { training: summaries[i].metrics, validation: null, cross_validation: null } } as Model, category));
      const sortMetric = sortMetricOf(category, "AUTO");
      data.leaderboard = { columns: leaderboardColumns(category), sort_metric: sortMetric, rows: sortRows(rows, sortMetric) };
    }
  }
  if (sections.has("confusion_matrix") && category !== "Regression" && !hasResponse) notes.push(`confusion matrix: the data has no '${response}' column`);
  if (sections.has("residual_analysis") && category === "Regression") {
    if (!hasResponse) notes.push(`residual analysis: the data has no '${response}' column`);
    else data.residuals = models.map((m, i) => residualsOf(m, scoredAll[i], options.sampleRows ?? DEFAULT_SAMPLE));
  }
  if (sections.has("varimp")) {
    data.varimp = models.filter((m) => m.varimp.length > 0).map((m) => ({ model_id: m.model_id, variables: m.varimp }));
    for (const m of models) if (m.varimp.length === 0) notes.push(`variable importance: model '${m.model_id}' (${m.algo}) has none`);
  }
  if (several && sections.has("varimp_heatmap")) {
    const withVarimp = models.filter((m) => m.varimp.length > 0);
    const variables = [...new Set(withVarimp.flatMap((m) => modelInputs(m).map((c) => c.name)))];
    const importance = withVarimp.map(columnImportance);
    data.varimp_heatmap = { models: withVarimp.map((m) => m.model_id), variables, scaled: variables.map((v) => importance.map((imp) => imp.get(v) ?? 0)) };
  }
  if (several && sections.has("model_correlation_heatmap")) {
    data.model_correlation = { models: models.map((m) => m.model_id), correlation: predictionCorrelation(predicted, category !== "Regression") };
  }
  if (sections.has("shap_summary")) {
    if (category === "Multinomial") notes.push("SHAP summary: left out for multinomial models, as H2O does (a contribution block per class)");
    else data.shap_summary = await shapSummaries(executor, models, frame, options, notes, step);
  }
  if (sections.has("pdp") || sections.has("ice")) data.pdp = await dependencePlots(executor, models, frame, columns, predicted[0], sections, options, step);
  if (sections.has("local")) data.local = await localExplanations(executor, models, frame, options, step);
  return data;
}

/** The FloeError a section may meet for one model (a model kind without exact contributions, a file too old), as a note; anything else is thrown. */
function skipped(err: unknown, what: string, model: Model, notes: string[]): void {
  if (!(err instanceof FloeError) || err.code === "cancelled" || err.code === "internal") throw err;
  notes.push(`${what}: model '${model.model_id}' (${model.algo}) skipped: ${err.message}`);
}

/** Each row's value of column `c` of a frame, scaled to [0, 1]: numbers by rank (ties share the lower), enum levels by code; null when missing. */
function normalizedColumn(frame: Frame, c: number): (number | null)[] {
  const values: (number | null)[] = [];
  for (const chunk of frame.chunks) {
    const vec = chunk.vecs[c];
    for (let i = 0; i < chunk.rows; i++) {
      if (vec.kind === "codes") {
        const levels = frame.columns[c].domain?.length ?? 1;
        values.push(vec.codes[i] < 0 ? null : levels > 1 ? vec.codes[i] / (levels - 1) : 0.5);
      } else if (vec.kind === "f64") values.push(Number.isNaN(vec.values[i]) ? null : vec.values[i]);
      else values.push(null);
    }
  }
  if (frame.columns[c].type === "enum") return values;
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const rank = (v: number) => {
    let lo = 0;
    let hi = present.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (present[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return present.length > 1 ? lo / (present.length - 1) : 0.5;
  };
  return values.map((v) => (v === null ? null : rank(v)));
}

async function shapSummaries(executor: Executor, models: readonly Model[], frame: Frame, options: ExplainOptions, notes: string[], step: () => void): Promise<ShapSummary[]> {
  const sample = rowsFrame(frame, thinRows(frame.rows, options.sampleRows ?? DEFAULT_SAMPLE));
  const out: ShapSummary[] = [];
  for (const model of models) {
    checkSignal(options.signal);
    let contributions: Awaited<ReturnType<typeof contributionsOf>>;
    try {
      contributions = await contributionsOf(executor, model, sample, { signal: options.signal }, []);
    } catch (err) {
      skipped(err, "SHAP summary", model, notes);
      step();
      continue;
    }
    step();
    const width = contributions.names.length + 1;
    const perFeature = contributions.names.map(() => [] as number[]);
    for (const ch of contributions.chunks) for (let i = 0; i < ch.rows; i++) for (let f = 0; f < width - 1; f++) perFeature[f].push(ch.values[i * width + f]);
    const meanAbs = perFeature.map((xs) => xs.reduce((a, x) => a + (Number.isNaN(x) ? 0 : Math.abs(x)), 0) / Math.max(1, xs.length));
    const asked = options.columns?.length ? contributions.names.map((n, f) => (options.columns?.includes(n) ? f : -1)).filter((f) => f >= 0) : null;
    const order = (asked ?? contributions.names.map((_, f) => f)).sort((a, b) => meanAbs[b] - meanAbs[a] || a - b);
    const shown = asked ? order : order.slice(0, options.topNFeatures ?? 5);
    out.push({
      model_id: model.model_id,
      features: shown.map((f) => contributions.names[f]),
      contributions: shown.map((f) => perFeature[f]),
      normalized: shown.map((f) => normalizedColumn(sample, sample.columnIndex(contributions.names[f]))),
      mean_abs: shown.map((f) => meanAbs[f]),
    });
  }
  return out;
}

/** The values of row 0 of a one-row frame, by column name. */
function rowValues(one: Frame): Map<string, number | string | null> {
  const chunk = one.chunks.find((c) => c.rows > 0);
  return new Map(one.columns.map((col, c) => [col.name, chunk ? cellValue(one, chunk.vecs[c], c, 0) : null]));
}

async function localExplanations(executor: Executor, models: readonly Model[], frame: Frame, options: ExplainOptions, step: () => void): Promise<LocalExplanation[]> {
  const out: LocalExplanation[] = [];
  for (const row of options.rows ?? [0]) {
    const one = rowsFrame(frame, [row]);
    const values = rowValues(one);
    for (const model of models) {
      checkSignal(options.signal);
      let c: Awaited<ReturnType<typeof contributionsOf>> | null = null;
      try {
        c = await contributionsOf(executor, model, one, { signal: options.signal }, []);
      } catch (err) {
        if (!(err instanceof FloeError) || err.code === "cancelled" || err.code === "internal") throw err;
      }
      if (c) {
        const width = c.names.length + 1;
        const domain = model.response?.domain ?? null;
        // A multinomial model's block of the class it predicts for the row.
        const scored = c.classes > 1 ? await predictFrame(executor, model, one, []) : null;
        const predicted = scored ? predictedValues(model, scored)[0] : 0;
        const block = Number.isNaN(predicted) ? 0 : predicted;
        const v = c.chunks.find((ch) => ch.rows > 0)?.values.subarray(block * width, (block + 1) * width) ?? new Float64Array(width);
        const contributions = c.names.map((variable, f) => ({ variable, value: values.get(variable) ?? null, contribution: v[f] })).sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
        const raw = v.reduce((a, x) => a + x, 0);
        out.push({ kind: "contributions", model_id: model.model_id, row, target: scored && domain ? domain[block] : null, bias: v[width - 1], raw_prediction: raw, contributions });
      } else {
        const s = await localSurrogate(executor, model, frame, row, { seed: options.seed ?? 42, signal: options.signal });
        out.push({ kind: "surrogate", model_id: model.model_id, row, prediction: s.prediction, local_prediction: s.localPrediction, intercept: s.intercept, r2: s.r2, weights: s.weights });
      }
      step();
    }
  }
  return out;
}

/** Rows at the deciles of a prediction (0th, 10th, ..., 100th percentile), as H2O's ice_plot picks rows from a sorted frame. */
export function decileRows(predicted: Float64Array): { rows: number[]; labels: string[] } {
  const order = Array.from(predicted.keys())
    .filter((i) => !Number.isNaN(predicted[i]))
    .sort((a, b) => predicted[a] - predicted[b] || a - b);
  if (order.length === 0) return { rows: [], labels: [] };
  const rows: number[] = [];
  const labels: string[] = [];
  for (let d = 0; d <= 10; d++) {
    const row = order[Math.round(((order.length - 1) * d) / 10)];
    if (rows.includes(row)) continue;
    rows.push(row);
    labels.push(`${d * 10}th percentile (row ${row})`);
  }
  return { rows, labels };
}

async function dependencePlots(
  executor: Executor,
  models: readonly Model[],
  frame: Frame,
  columns: readonly string[],
  firstPredicted: Float64Array,
  sections: Set<Explanation>,
  options: ExplainOptions,
  step: () => void,
): Promise<DependencePlot[]> {
  const first = models[0];
  const domain = first.response?.domain ?? null;
  const multinomial = domain !== null && domain.length > 2;
  // A multinomial model alone gets a line per class; several models share one plot of the first class's probability (H2O asks a target of them).
  const targets = multinomial ? (models.length > 1 ? [domain[0]] : [...domain]) : undefined;
  const ice = sections.has("ice") && !multinomial ? decileRows(firstPredicted) : null;
  const plots: DependencePlot[] = [];
  for (const column of columns) {
    let grid: (number | string | null)[] = [];
    const lines: DependencePlot["lines"][number][] = [];
    if (sections.has("pdp")) {
      for (const model of models) {
        checkSignal(options.signal);
        const tables = await partialDependence(executor, model, frame, { cols: [column], targets, includeNa: true, signal: options.signal });
        for (const t of tables) {
          grid = t.values[0].slice();
          lines.push({ model_id: model.model_id, target: t.target, mean_response: t.mean_response, stddev_response: t.stddev_response, std_error_mean_response: t.std_error_mean_response });
        }
        step();
      }
    }
    if (ice && ice.rows.length) {
      const curves = await iceCurves(executor, first, frame, { col: column, rows: ice.rows, includeNa: true, signal: options.signal });
      plots.push({ column, grid: curves.grid, lines, ice: { model_id: first.model_id, rows: curves.rows, labels: ice.labels, responses: curves.responses } });
    } else plots.push({ column, grid, lines });
    step();
  }
  return plots;
}

/** Fitted values and residuals (actual − fitted) of the sampled rows that have both. */
function residualsOf(model: Model, scored: readonly ScoredChunk[], sample: number) {
  const fitted: number[] = [];
  const residuals: number[] = [];
  const rows: number[] = [];
  const total = scored.reduce((n, sc) => n + sc.rows, 0);
  const wantedRows = new Set(thinRows(total, sample));
  let at = 0;
  for (const sc of scored) {
    for (let i = 0; i < sc.rows; i++, at++) {
      if (!wantedRows.has(at) || Number.isNaN(sc.y[i]) || Number.isNaN(sc.p[i * sc.width])) continue;
      rows.push(at);
      fitted.push(sc.p[i * sc.width]);
      residuals.push(sc.y[i] - sc.p[i * sc.width]);
    }
  }
  return { model_id: model.model_id, rows, fitted, residuals };
}
