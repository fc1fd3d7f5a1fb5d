// Permutation variable importance (H2O's permutation_importance): how much a metric moves
// when one feature's values are shuffled across the rows, breaking its link to the
// response. As H2O: AUTO is AUC (binomial), RMSE (regression) or logloss (multinomial); the
// importance of a run is |metric shuffled − metric as is|; repeat r uses seed + r. A
// feature the model does not use cannot change a prediction, so its importance is exactly 0.

import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { Executor } from "../../core/mr.ts";
import { keyState, Rng, randomSeed, seedState } from "../../core/rng.ts";
import { type Model, modelEvaluator, modelInputs } from "../scoring.ts";
import { checkSignal, modelColumn, permuteColumn, pickRows, requireSupervised } from "./frame-edit.ts";

export interface PermutationOptions {
  /** "AUTO" or the name of a metric the model's category reports (H2O's names, any case). */
  metric?: string;
  /** Runs, each with its own shuffles (default 1). */
  nRepeats?: number;
  /** Default: a random seed. */
  seed?: number;
  /** Columns to shuffle (default: every column the model reads that the frame holds). */
  features?: string[] | null;
  /** Rows drawn for each run, without replacement (H2O's n_samples); -1 (default): every row. */
  nSamples?: number;
  signal?: AbortSignal;
  onProgress?: (f: number) => void;
}

export interface PermutationImportance {
  readonly metric: string;
  /** Sorted by importance, descending. */
  readonly variables: readonly { variable: string; importance: number; std: number; scaled: number; percentage: number; runs: readonly number[] }[];
}

const AUTO_METRIC: Readonly<Record<string, string>> = { Binomial: "AUC", Regression: "RMSE", Multinomial: "logloss" };

async function metricOf(executor: Executor, model: Model, frame: Frame, metric: string): Promise<number> {
  const evaluator = modelEvaluator(executor, model);
  await evaluator.add(frame, []);
  return (evaluator.result() as unknown as Record<string, number>)[metric];
}

/** The metric's field in the model's metrics (matched without case), refusing one its category does not report. */
function resolveMetric(model: Model, asked: string, sample: Record<string, unknown>): string {
  const wanted = asked.toLowerCase() === "auto" ? AUTO_METRIC[model.category] : asked;
  const names = Object.keys(sample).filter((k) => typeof sample[k] === "number" && k !== "nobs");
  const found = names.find((k) => k.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new FloeError("invalid_argument", `metric '${asked}' is not reported for ${model.category} models; use AUTO or one of ${names.join(", ")}`);
  return found;
}

function requireOptions(frame: Frame, nRepeats: number, nSamples: number, seed: number): void {
  if (!Number.isInteger(nRepeats) || nRepeats < 1) throw new FloeError("invalid_argument", `n_repeats must be an integer of at least 1, got ${nRepeats}`);
  if (!Number.isInteger(nSamples) || nSamples === 0 || nSamples < -1) throw new FloeError("invalid_argument", `n_samples must be -1 (every row) or a number of rows of at least 2, got ${nSamples}`);
  if (nSamples === 1) throw new FloeError("invalid_argument", "n_samples is 1: one row cannot be permuted; use at least 2, or -1 for every row");
  if (frame.rows < 2) throw new FloeError("invalid_argument", `the frame has ${frame.rows} row(s): permutation importance needs at least 2`);
  if (!Number.isSafeInteger(seed)) throw new FloeError("invalid_argument", `seed must be an integer, got ${seed}`);
}

export async function permutationImportance(executor: Executor, model: Model, frame: Frame, options: PermutationOptions): Promise<PermutationImportance> {
  requireSupervised(model, "permutation importance");
  const response = model.response?.name as string;
  if (!frame.names.includes(response)) throw new FloeError("invalid_argument", `the frame must hold the response column '${response}' to measure permutation importance`);
  const nRepeats = options.nRepeats ?? 1;
  const nSamples = options.nSamples ?? -1;
  const seed = options.seed ?? randomSeed();
  requireOptions(frame, nRepeats, nSamples, seed);
  const features =
    options.features ??
    modelInputs(model)
      .map((c) => c.name)
      .filter((n) => frame.names.includes(n));
  if (features.length === 0) throw new FloeError("invalid_argument", "no features to permute: the frame holds none of the model's columns");
  const cols = features.map((name) => modelColumn(model, frame, name));
  const total = nRepeats * (features.length + 1);
  let done = 0;
  const step = () => {
    checkSignal(options.signal);
    options.onProgress?.(++done / total);
  };

  let metric = "";
  const runs = features.map(() => [] as number[]);
  for (let r = 0; r < nRepeats; r++) {
    const data = nSamples > 0 && nSamples < frame.rows ? pickRows(frame, new Rng(seedState(seed + r)).sample(frame.rows, nSamples)) : frame;
    const evaluator = modelEvaluator(executor, model);
    await evaluator.add(data, []);
    const base = evaluator.result() as unknown as Record<string, number>;
    metric ||= resolveMetric(model, options.metric ?? "AUTO", base);
    if (!Number.isFinite(base[metric])) throw new FloeError("bad_input", `${metric} is not defined on these rows (${base[metric]}): the rows may hold a single class or no response`);
    step();
    for (let f = 0; f < features.length; f++) {
      const shuffled = await metricOf(executor, model, permuteColumn(data, cols[f], keyState(seed + r, f)), metric);
      runs[f].push(Math.abs(shuffled - base[metric]));
      step();
    }
  }
  return { metric, variables: rank(features, runs) };
}

function rank(features: readonly string[], runs: readonly number[][]): PermutationImportance["variables"] {
  const mean = runs.map((rs) => rs.reduce((s, x) => s + x, 0) / rs.length);
  const std = runs.map((rs, f) => (rs.length > 1 ? Math.sqrt(rs.reduce((s, x) => s + (x - mean[f]) ** 2, 0) / (rs.length - 1)) : 0));
  const max = Math.max(...mean);
  const sum = mean.reduce((s, x) => s + x, 0);
  return features
    .map((variable, f) => ({ variable, importance: mean[f], std: std[f], scaled: max > 0 ? mean[f] / max : 0, percentage: sum > 0 ? mean[f] / sum : 0, runs: runs[f] }))
    .sort((a, b) => b.importance - a.importance);
}
