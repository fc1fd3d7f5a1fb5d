// AutoML's rule for random forests (DRF, XRT). A forest's probabilities are the mean of its
// trees' leaves, and a deep tree's leaves are pure: a forest stopped by its time limit after
// a few depth-20 trees predicts 0 or 1 and ranks on nonsense (an out-of-fold logloss of 5.34
// on the flights bench). So a forest enters the leaderboard only with MIN_FOREST_TREES trees,
// and is started only when one tree, grown first as a probe, says that many fit in its share:
// at its own depth, else at SHALLOWEST_FOREST, else not at all. Deep trees cost far more per
// level than shallow ones (their nodes multiply), so only a tree of the forest's own depth,
// on the run's own data, tells.

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

/** The time a probe tree may take: MIN_FOREST_TREES such trees in each of `fits` fits must fit in `shareMs`. */
export function probeMs(shareMs: number, fits: number): number {
  return shareMs / (MIN_FOREST_TREES * fits);
}

/**
 * The depth to grow a forest at: `asked`, else SHALLOWEST_FOREST, the first at which a probe
 * tree grew in time (`grows`); null when none did.
 */
export async function forestDepth(asked: number, grows: (depth: number) => Promise<boolean>): Promise<number | null> {
  for (const depth of asked > SHALLOWEST_FOREST ? [asked, SHALLOWEST_FOREST] : [asked]) if (await grows(depth)) return depth;
  return null;
}
