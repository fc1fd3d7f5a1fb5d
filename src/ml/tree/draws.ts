// A node's random draws (the features it may split on, its random thresholds) as a function
// of data, so the workers that grow a detached node's subtree draw exactly what the grower
// would. A node is named by a key (root, local) that does not depend on the order nodes get
// their ids in: every child of the tree's root or of a node of more than KEY_ROWS rows roots
// a key, numbered in the order such children are made (1, 2, ...; the tree's root is key
// 0), which the larger nodes, grown level by level in every case, fix; the descendants of a
// key's root are numbered within it breadth first, left child first (local 1, 2, ...). The
// same tree then grows whether its small nodes' subtrees grow level by level with the rest
// or each on its own, wherever their nodes are numbered.

import { keyState, Rng } from "../../core/rng.ts";

/** Most rows of a node that roots a key subtree (the grower's DETACH_ROWS). */
export const KEY_ROWS = 1 << 13;

export interface NodeDraws {
  readonly seed: number;
  /** The tree's iteration. */
  readonly tree: number;
  /** Features the tree may use, ascending. */
  readonly treeFeatures: readonly number[];
  /** Features a level draws from the tree's (col_sample_rate), and a node from its level's (mtries). */
  readonly perLevel: number;
  readonly perSplit: number;
  /** Frame features (a draw over all of them is used as is). */
  readonly features: number;
  /** Extremely randomized trees: a random threshold a feature. */
  readonly randomThresholds: boolean;
}

/** Whether nodes draw their own features (else every node uses the tree's). */
export function drawsFeatures(d: NodeDraws): boolean {
  return d.perLevel < d.treeFeatures.length || d.perSplit < d.treeFeatures.length;
}

/** The features a level draws (by depth) from the tree's. */
function levelFeatures(d: NodeDraws, k: number, depth: number): readonly number[] {
  if (d.perLevel >= d.treeFeatures.length) return d.treeFeatures;
  return new Rng(keyState(d.seed, d.tree, k, depth, 6)).sample(d.treeFeatures.length, d.perLevel).map((j) => d.treeFeatures[j]);
}

function nodeKey(d: NodeDraws, k: number, root: number, local: number, purpose: number): number {
  return local === 0 ? keyState(d.seed, d.tree, k, root, purpose) : keyState(d.seed, d.tree, k, root, local, purpose);
}

/** The features node (root, local) of class k's tree at `depth` may split on, ascending. */
export function nodeFeatures(d: NodeDraws, k: number, root: number, local: number, depth: number): readonly number[] {
  const level = levelFeatures(d, k, depth);
  if (d.perSplit >= level.length) return level;
  const drawn = new Rng(nodeKey(d, k, root, local, 4)).sample(level.length, d.perSplit);
  return level.length === d.features ? drawn : drawn.map((j) => level[j]);
}

/** The seed state of node (root, local)'s random thresholds, or null for the best thresholds. */
export function nodeRandomState(d: NodeDraws, k: number, root: number, local: number): number | null {
  return d.randomThresholds ? nodeKey(d, k, root, local, 5) : null;
}
