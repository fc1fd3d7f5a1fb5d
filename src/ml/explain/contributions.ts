// SHAP contributions of any supervised model (H2O's predict_contributions). A model whose scorer
// has an exact method gives them (GLM's linear terms, with a background frame too; TreeSHAP);
// the others, and tree models against a background frame, get baseline SHAP against the
// background frame's rows (baseline-shap.ts), which they then require, as H2O does. contributionsOf gives the raw link-space numbers; contributionsFrame
// H2O's frame: one column per input column then BiasTerm, or with top_n / bottom_n H2O's
// top_feature_1, top_value_1, …, bottom_feature_1, bottom_value_1, …, BiasTerm.
//
// Where floe differs from H2O: multinomial models get a block per class, columns named
// "<column>.<class>" then "BiasTerm.<class>" (H2O refuses them), and refuse top_n, bottom_n and
// output_space; output_per_reference rows are ordered by row then reference, with H2O's RowIdx
// and BackgroundRowIdx columns; top_n / bottom_n also work with a background frame.

import { type Chunk, sharedF64, sharedI32, type Vec } from "../../core/chunk.ts";
import { FloeError } from "../../core/errors.ts";
import { type ColumnSpec, Frame } from "../../core/frame.ts";
import type { Executor } from "../../core/mr.ts";
import type { ContributionChunk, ContributionRequest, Contributions } from "../algorithm.ts";
import { isSupervisedCategory } from "../model.ts";
import { ALGORITHMS_CONTEXT, descriptorOf } from "../registry.ts";
import { type Model, modelInputs } from "../scoring.ts";
import { type BaselineOptions, baselineShap, type OutputLink } from "./baseline-shap.ts";
import { type SortOptions, sortedLayout } from "./contribution-sort.ts";

export interface ContributionOptions extends ContributionRequest {
  readonly topN?: number;
  readonly bottomN?: number;
  readonly compareAbs?: boolean;
  readonly outputSpace?: boolean;
  /** Baseline SHAP above its exact limit: permutations drawn (even) and their seed. */
  readonly permutations?: number;
  readonly seed?: number;
}

/** The most values a contributions request may produce (rows × references × classes × columns): 2 GB of doubles. */
export const MAX_CONTRIBUTION_VALUES = 2 ** 28;

function checkRequest(model: Model, frame: Frame, request: ContributionRequest): void {
  if (!isSupervisedCategory(model.category)) {
    throw new FloeError("unsupported", `${model.algo} models (${model.category}) have no contributions: SHAP explains the prediction of a supervised model`);
  }
  if (frame.rows === 0) throw new FloeError("bad_input", "the frame to explain has no rows");
  const background = request.background ?? null;
  if (request.outputPerReference && !background) throw new FloeError("invalid_argument", "output_per_reference needs a background_frame");
  if (!background && !descriptorOf(model.algo).scorer.contributions) {
    throw new FloeError(
      "invalid_argument",
      `background_frame is required for ${model.algo} models: floe has no exact SHAP method for them and computes baseline SHAP against the background frame's rows`,
    );
  }
  if (!background) return;
  if (background.rows === 0) throw new FloeError("bad_input", "the background frame has no rows");
  const inputs = modelInputs(model).map((c) => c.name);
  const missing = inputs.filter((name) => !background.names.includes(name));
  if (missing.length)
    throw new FloeError("bad_input", `the background frame lacks the model's column(s) ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? `, … (${missing.length} in all)` : ""}`);
  if (request.outputPerReference) {
    const classes = model.category === "Multinomial" ? (model.response?.domain?.length ?? 1) : 1;
    const values = frame.rows * background.rows * classes * (inputs.length + 1);
    if (values > MAX_CONTRIBUTION_VALUES) {
      throw new FloeError(
        "invalid_argument",
        `output_per_reference would produce ${frame.rows} × ${background.rows} rows of ${classes * (inputs.length + 1)} values, over floe's limit of ${MAX_CONTRIBUTION_VALUES}: use fewer rows or background rows`,
      );
    }
  }
}

/**
 * The model's SHAP contributions in link space (see Contributions): exact where its scorer has
 * a method, else baseline SHAP against `request.background`, which is then required.
 */
export async function contributionsOf(executor: Executor, model: Model, frame: Frame, request: ContributionRequest & Omit<BaselineOptions, "link">, warnings: string[]): Promise<Contributions> {
  checkRequest(model, frame, request);
  const exact = await descriptorOf(model.algo).scorer.contributions?.(executor, model, frame, warnings, request, ALGORITHMS_CONTEXT);
  if (exact) return exact;
  if (!request.background) throw new FloeError("internal", `${model.algo}'s scorer gave no contributions without a background frame`);
  return baselineShap(executor, model, frame, request.background, request.outputPerReference ?? false, { ...request, link: outputLinkOf(model) }, warnings);
}

/** Distributions whose models predict exp(raw score). */
const LOG_LINKED = ["poisson", "gamma", "tweedie", "negativebinomial"];

/**
 * The link space baseline SHAP attributes in, the one the model's raw score lives in: log-odds
 * of a binomial model (but DRF's raw score is the averaged probability itself), log of a
 * log-linked regression, else the prediction.
 */
function outputLinkOf(model: Model): OutputLink {
  if (model.category === "Binomial") return model.algo === "drf" ? "identity" : "logit";
  return LOG_LINKED.includes(String(model.params.distribution ?? "")) ? "log" : "identity";
}

function checkCount(name: string, n: number | undefined): number {
  if (n === undefined || n === null) return 0;
  if (!Number.isInteger(n)) throw new FloeError("invalid_argument", `${name} must be an integer (negative: all, sorted), not ${n}`);
  return n;
}

/** output_space: the model's inverse link, given by its scorer or known from its category and distribution. */
function inverseLinkOf(model: Model, c: Contributions): (z: number) => number {
  if (c.inverseLink) return c.inverseLink;
  if (model.category === "Binomial") return (z) => 1 / (1 + Math.exp(-z));
  return LOG_LINKED.includes(String(model.params.distribution ?? "")) ? Math.exp : (z) => z;
}

/**
 * H2O's output space, row by row: contributions scaled by (f(x) − f(bias)) / (link(x) − bias)
 * so they sum to the prediction less f(bias), and the bias becomes f(bias) (ratio 0 when the
 * link values are within 1e-6, as H2O). Single-class models only.
 */
function toOutputSpace(chunks: readonly ContributionChunk[], width: number, inverse: (z: number) => number): ContributionChunk[] {
  return chunks.map((ch) => {
    const values = Float64Array.from(ch.values);
    for (let r = 0; r < ch.rows; r++) {
      const o = r * width;
      const bias = values[o + width - 1];
      let sum = bias;
      for (let j = 0; j < width - 1; j++) sum += values[o + j];
      const ratio = Math.abs(sum - bias) < 1e-6 ? 0 : (inverse(sum) - inverse(bias)) / (sum - bias);
      for (let j = 0; j < width - 1; j++) values[o + j] *= ratio;
      values[o + width - 1] = inverse(bias);
    }
    return { index: ch.index, rows: ch.rows, values };
  });
}

/** The mean over each row's R references of per-reference rows. */
function averageReferences(chunks: readonly ContributionChunk[], width: number, R: number): ContributionChunk[] {
  return chunks.map((ch) => {
    const rows = ch.rows / R;
    const values = new Float64Array(rows * width);
    for (let i = 0; i < rows; i++) for (let k = 0; k < R; k++) for (let v = 0; v < width; v++) values[i * width + v] += ch.values[(i * R + k) * width + v] / R;
    return { index: ch.index, rows, values };
  });
}

/** The output columns: per class block (multinomial: names suffixed with the class) each input then BiasTerm. */
function plainColumns(names: readonly string[], domain: readonly string[] | null): string[] {
  const block = [...names, "BiasTerm"];
  return domain ? domain.flatMap((klass) => block.map((n) => `${n}.${klass}`)) : block;
}

/**
 * Refuses, before any work starts, a predict_contributions request the model cannot answer
 * (one message naming what is wrong); the sorting it asks for.
 */
export function checkContributions(model: Model, frame: Frame, options: ContributionOptions): SortOptions {
  checkRequest(model, frame, options);
  const sort: SortOptions = { topN: checkCount("top_n", options.topN), bottomN: checkCount("bottom_n", options.bottomN), compareAbs: options.compareAbs ?? false };
  const multinomial = model.category === "Multinomial";
  if (multinomial && (sort.topN !== 0 || sort.bottomN !== 0))
    throw new FloeError("unsupported", "top_n and bottom_n are not available for multinomial models (floe gives a block of contributions per class)");
  if (multinomial && options.outputSpace) throw new FloeError("unsupported", "output_space is not available for multinomial models");
  return sort;
}

/**
 * H2O's predict_contributions frame of `model` on `frame` (see the top of this file). Rows that
 * cannot be scored hold missing values.
 */
export async function contributionsFrame(executor: Executor, model: Model, frame: Frame, options: ContributionOptions, warnings: string[]): Promise<Frame> {
  const sort = checkContributions(model, frame, options);
  const sorting = sort.topN !== 0 || sort.bottomN !== 0;
  const background = options.background ?? null;
  const perReference = options.outputPerReference ?? false;
  // Output space is taken per reference, then averaged (H2O's marginal SHAP in output space).
  const perReferenceFirst = options.outputSpace === true && background !== null && !perReference;
  const c = await contributionsOf(executor, model, frame, perReferenceFirst ? { ...options, outputPerReference: true } : options, warnings);
  const width = c.classes * (c.names.length + 1);
  let chunks = c.chunks;
  if (options.outputSpace) chunks = toOutputSpace(chunks, width, inverseLinkOf(model, c));
  if (perReferenceFirst && background) chunks = averageReferences(chunks, width, background.rows);
  const R = perReference && background ? background.rows : 0;
  return sorting ? sortedFrame(frame, c.names, chunks, sort, R) : plainFrame(frame, plainColumns(c.names, model.category === "Multinomial" ? (model.response?.domain ?? null) : null), chunks, R);
}

/** H2O's RowIdx and BackgroundRowIdx of per-reference rows. */
function referenceIndexVecs(frame: Frame, ch: ContributionChunk, R: number): Vec[] {
  const rowIdx = sharedF64(ch.rows);
  const refIdx = sharedF64(ch.rows);
  const start = frame.chunks[ch.index].start;
  for (let r = 0; r < ch.rows; r++) {
    rowIdx[r] = start + Math.floor(r / R);
    refIdx[r] = r % R;
  }
  return [
    { kind: "f64", values: rowIdx },
    { kind: "f64", values: refIdx },
  ];
}

const REFERENCE_COLUMNS: ColumnSpec[] = [
  { name: "RowIdx", type: "numeric" },
  { name: "BackgroundRowIdx", type: "numeric" },
];

function plainFrame(frame: Frame, names: readonly string[], chunks: readonly ContributionChunk[], R: number): Frame {
  const width = names.length;
  const out: Chunk[] = chunks.map((ch) => {
    const cols = names.map(() => sharedF64(ch.rows));
    for (let r = 0; r < ch.rows; r++) for (let v = 0; v < width; v++) cols[v][r] = ch.values[r * width + v];
    const vecs: Vec[] = cols.map((values) => ({ kind: "f64", values }));
    return { index: ch.index, start: 0, rows: ch.rows, vecs: R ? [...vecs, ...referenceIndexVecs(frame, ch, R)] : vecs };
  });
  const columns: ColumnSpec[] = names.map((name) => ({ name, type: "numeric" }));
  return Frame.of(R ? [...columns, ...REFERENCE_COLUMNS] : columns, out);
}

function sortedFrame(frame: Frame, names: readonly string[], chunks: readonly ContributionChunk[], sort: SortOptions, R: number): Frame {
  const p = names.length;
  const layout = sortedLayout(p, sort);
  const domain = [...names, "BiasTerm"];
  const columns: ColumnSpec[] = [];
  for (const c of layout.columns) columns.push({ name: c.feature, type: "enum", domain }, { name: c.value, type: "numeric" });
  columns.push({ name: "BiasTerm", type: "numeric" });
  const out: Chunk[] = chunks.map((ch) => {
    const features = layout.columns.map(() => sharedI32(ch.rows));
    const values = layout.columns.map(() => sharedF64(ch.rows));
    const bias = sharedF64(ch.rows);
    for (let r = 0; r < ch.rows; r++) {
      const row = ch.values.subarray(r * (p + 1), (r + 1) * (p + 1));
      layout.order(row).forEach((j, s) => {
        features[s][r] = j;
        values[s][r] = row[j];
      });
      bias[r] = row[p];
    }
    const vecs: Vec[] = layout.columns.flatMap((_, s): Vec[] => [
      { kind: "codes", codes: features[s] },
      { kind: "f64", values: values[s] },
    ]);
    vecs.push({ kind: "f64", values: bias });
    return { index: ch.index, start: 0, rows: ch.rows, vecs: R ? [...vecs, ...referenceIndexVecs(frame, ch, R)] : vecs };
  });
  return Frame.of(R ? [...columns, ...REFERENCE_COLUMNS] : columns, out);
}
