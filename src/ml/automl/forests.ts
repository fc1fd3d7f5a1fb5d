// AutoML's rule for random forests (DRF, XRT). A forest's probabilities are the mean of its
// trees' leaves, and a deep tree's leaves are pure: a forest stopped by its time limit after
// a few depth-20 trees predicts 0 or 1 and ranks on nonsense (an out-of-fold logloss of 5.34
// on the flights bench). So a forest enters the leaderboard only with MIN_FOREST_TREES trees,
// and one is started only when the time a tree level took on this run's earlier tree models
// says that many trees fit in its share: at its own depth, else shallower, else not at all.

import type { Model } from "../scoring.ts";

/** The fewest trees whose averaged leaves make a forest's probabilities worth ranking. */
export const MIN_FOREST_TREES = 10;
/** A forest is made no shallower than this to fit its share; below it, it is not started. */
export const SHALLOWEST_FOREST = 8;

/** A tree model's trees (per class): its last scoring's number_of_trees; null for other models. */
export function treesOf(model: Model): number | null {
  const last = model.scoring_history.at(-1) as { number_of_trees?: unknown } | undefined;
  return typeof last?.number_of_trees === "number" ? last.number_of_trees : null;
}

/**
 * The share of the predictors a tree model's splits look at: a forest's mtries (by default
 * the square root of their number for classifiers, a third for regression), a boosted
 * model's column sample rates. A tree level's work grows with it.
 */
export function columnShare(algo: string, regression: boolean, p: Readonly<Record<string, unknown>>, predictors: number): number {
  if (algo === "drf") {
    const mtries = Number(p.mtries ?? -1);
    const m = mtries === -2 ? predictors : mtries === -1 ? (regression ? Math.floor(predictors / 3) : Math.floor(Math.sqrt(predictors))) : mtries;
    return Math.min(1, Math.max(1, m) / Math.max(1, predictors));
  }
  return Number(p.col_sample_rate ?? 1) * Number(p.col_sample_rate_per_tree ?? 1);
}

/**
 * The milliseconds a tree level took on this run's tree models per share of the predictors
 * looked at, forests apart from boosted trees.
 */
export class TreeLevelTime {
  private readonly sums = { forest: { ms: 0, levels: 0 }, boosted: { ms: 0, levels: 0 } };

  constructor(private readonly predictors: number) {}

  /** Records a built tree model that made `fits` models (its folds' and its own) of about its trees each. */
  record(model: Model, fits: number): void {
    const trees = treesOf(model);
    const depth = Number(model.params.max_depth);
    if (trees === null || !(depth > 0) || trees === 0) return;
    const sum = this.sums[model.algo === "drf" ? "forest" : "boosted"];
    sum.ms += model.training_time_ms;
    sum.levels += trees * depth * fits * columnShare(model.algo, model.category === "Regression", model.params, this.predictors);
  }

  /**
   * Estimated milliseconds of one level of a forest's tree whose splits look at `share` of
   * the predictors (measured on forests first); null before any tree model.
   */
  forestLevelMs(share: number): number | null {
    const { forest, boosted } = this.sums;
    const sum = forest.levels > 0 ? forest : boosted;
    return sum.levels > 0 ? (sum.ms / sum.levels) * share : null;
  }
}

/** What to do with a forest step: run it at `depth`, or skip it for `reason`. */
export type ForestPlan = { readonly depth: number; readonly reason: null } | { readonly depth: null; readonly reason: string };

/**
 * The depth a forest of `depth` can have to grow MIN_FOREST_TREES trees in each of its `fits`
 * fits within `shareMs`, by the level time measured so far (none measured: as asked).
 */
export function planForest(levelMs: number | null, depth: number, fits: number, shareMs: number): ForestPlan {
  if (levelMs === null || !Number.isFinite(shareMs)) return { depth, reason: null };
  const fitting = Math.floor(shareMs / (levelMs * MIN_FOREST_TREES * fits));
  if (fitting >= depth) return { depth, reason: null };
  if (fitting >= SHALLOWEST_FOREST) return { depth: fitting, reason: null };
  const needS = (levelMs * MIN_FOREST_TREES * fits * SHALLOWEST_FOREST) / 1000;
  return {
    depth: null,
    reason: `${MIN_FOREST_TREES} trees of depth ${SHALLOWEST_FOREST} in ${fits} fits need about ${needS.toFixed(1)} s (${levelMs.toFixed(1)} ms a tree level so far), more than its ${(shareMs / 1000).toFixed(1)} s`,
  };
}
