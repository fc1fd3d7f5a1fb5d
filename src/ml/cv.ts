// Cross-validation, the one driver every algorithm shares (H2O's
// ModelBuilder.computeCrossValidation): the rows are put in folds, one model a fold is
// fitted on the other folds' rows, each fold model's predictions for its own rows are
// gathered beside the view's chunks, then come the cross-validation metrics, their
// per-fold summary, and what the main model takes from its folds. An algorithm supplies
// only its view's fold operations, how it fits a fold model and how that model scores
// its holdout rows.

import type { Frame } from "../core/frame.ts";
import type { Executor } from "../core/mr.ts";
import { type CvSummary, cvSummary } from "./cv-summary.ts";
import type { DesignChunk } from "./design.ts";
import { FoldWeightsTask, HoldoutTask } from "./design-tasks.ts";
import { assignFolds, type FoldChunk, FoldIdsTask, type FoldParams } from "./folds.ts";
import type { Metrics } from "./metrics/index.ts";
import type { ScoredChunk } from "./metrics/scored.ts";
import type { CvParams } from "./params.ts";
import type { TrainingColumns } from "./training-frame.ts";

/** An algorithm's training view as cross-validation uses it: per row a fold, a fit weight and holdout slots. */
export interface CvView {
  readonly chunks: readonly FoldChunk[];
  /** Sets the fit's row weights to every fold but `fold`; −1: every row again. */
  trainWithout(fold: number): Promise<unknown>;
  /** The holdout predictions written so far, as scored chunks (rows without a fold weigh 0). */
  holdoutPredictions(): Promise<ScoredChunk[]>;
}

/** An algorithm as cross-validation drives it; `Fit` is what fitting one fold leaves, `M` its model. */
export interface CvAlgorithm<Fit, M> {
  /** Fits fold `fold` (of `folds`) on the rows the view's weights select (every other fold). */
  fit(fold: number, progress: (fraction: number) => void, folds: number): Promise<Fit>;
  /**
   * Optional: once every fold has fitted, settles the folds on what they share (GLM: the
   * lambda of the lowest holdout deviance) before their holdouts are written. Without it a
   * fold's holdout is written right after its fit, while the fit's state is in the view.
   */
  settle?(fits: readonly Fit[]): Fit[];
  /** Writes fold `fold`'s predictions for its own rows into the view's holdout slots. */
  writeHoldout(fold: number, fit: Fit): Promise<unknown>;
  /** The fold model kept with keep_cross_validation_models. */
  model(modelId: string, fit: Fit): M;
  /** Metrics of holdout predictions: every fold's, or one fold's with the other rows weighing 0. */
  metrics(chunks: ScoredChunk[], fits: readonly Fit[]): Promise<Metrics>;
}

export interface CvSetup {
  readonly frame: Frame;
  readonly columns: TrainingColumns;
  readonly view: CvView;
  readonly params: CvParams & FoldParams;
  /** The main model's id: fold models are `<id>_cv_1`, `<id>_cv_2`, ... */
  readonly modelId: string;
  /** The whole build's progress; cross-validation takes `folds / (folds + 1)` of it. */
  readonly progress: (fraction: number) => void;
}

export interface CvResult<Fit, M> {
  readonly folds: number;
  /** Each fold's fit (settled, when the algorithm settles them). */
  readonly fits: readonly Fit[];
  /** The fold models, when keep_cross_validation_models. */
  readonly models: M[];
  readonly predictions: ScoredChunk[];
  readonly metrics: Metrics;
  readonly summary: CvSummary;
}

/** Cross-validates `algo` when nfolds ≥ 2 or a fold column is given; null otherwise. Leaves every row weighing 1 again. */
export async function crossValidate<Fit, M>(executor: Executor, s: CvSetup, algo: CvAlgorithm<Fit, M>): Promise<CvResult<Fit, M> | null> {
  const p = s.params;
  if (!(p.nfolds >= 2 || p.fold_column)) return null;
  const folds = await assignFolds(executor, s.frame, s.view, p, p.fold_column ? 0 : p.nfolds, s.columns);
  const models: M[] = [];
  const keep = async (f: number, fit: Fit) => {
    await algo.writeHoldout(f, fit);
    if (p.keep_cross_validation_models) models.push(algo.model(`${s.modelId}_cv_${f + 1}`, fit));
  };
  let fits: Fit[] = [];
  for (let f = 0; f < folds; f++) {
    await s.view.trainWithout(f);
    const fit = await algo.fit(f, (x) => s.progress(((f + x) / (folds + 1)) * 0.999), folds);
    fits.push(fit);
    if (!algo.settle) await keep(f, fit);
  }
  if (algo.settle) {
    fits = algo.settle(fits);
    for (let f = 0; f < folds; f++) await keep(f, fits[f]);
  }
  await s.view.trainWithout(-1);
  const predictions = await s.view.holdoutPredictions();
  const metrics = await algo.metrics(predictions, fits);
  const summary = await cvSummary(predictions, await executor.run(FoldIdsTask, s.view, {}), folds, (chunks) => algo.metrics(chunks, fits));
  return { folds, fits, models, predictions, metrics, summary };
}

/**
 * Fold `fold`'s deadline when `deadline` (from `started`; null: none) bounds a build's
 * cross-validation and main model together, as max_runtime_secs does: the folds fit one after
 * another, fold f stops at (f + 1) / (folds + 1) of the time (what a fold leaves goes to the
 * next), so the last folds and the main model keep their share instead of a fold taking it all.
 */
export function foldDeadline(started: number, deadline: number | null, fold: number, folds: number): number | null {
  return deadline === null ? null : started + ((deadline - started) * (fold + 1)) / (folds + 1);
}

/** The main model's progress after cross-validation: the last `1 / (folds + 1)` of the build. */
export function mainProgress(progress: (fraction: number) => void, cv: CvResult<unknown, unknown> | null): (fraction: number) => void {
  return cv ? (x) => progress((cv.folds + x) / (cv.folds + 1)) : progress;
}

/**
 * After cross-validation with early stopping, the main model trains the folds' mean
 * length (trees, epochs) and does not stop early itself (H2O's
 * cv_computeAndSetOptimalParameters); null when it trains as asked.
 */
export function foldsMeanLength<Fit>(cv: CvResult<Fit, unknown> | null, stoppingRounds: number, length: (fit: Fit) => number): number | null {
  if (!cv || stoppingRounds <= 0) return null;
  return cv.fits.map(length).reduce((a, b) => a + b, 0) / cv.fits.length;
}

/** The cross-validation view of a design-matrix training view (GLM, deep learning). */
export function designCvView(executor: Executor, view: { chunks: DesignChunk[] }, holdoutWidth: number): CvView {
  return {
    chunks: view.chunks,
    trainWithout: (fold) => executor.run(FoldWeightsTask, view, { fold, keep: false }),
    holdoutPredictions: () => executor.run(HoldoutTask, view, { width: holdoutWidth }),
  };
}
