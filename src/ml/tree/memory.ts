// What training a tree model holds, estimated before any work from rows, features, bins
// and depth, so that a configuration that cannot fit is refused with its numbers:
//   view        per row: a Uint16 bin a feature and one of a feature bundle (bundle.ts),
//               response, weight and fold, and per class
//               the working state (score, g, h, quantized g and h, node, order, parts,
//               holdout and out-of-bag sums; with one class, exp(−score)), for the training
//               and the validation frame
//   histograms  a level pass's partial on every worker (with its packed sums of dense bins,
//               16 bytes a bin beside the partial's 24) and the merged one, plus, where the
//               training runs, the level of parent histograms kept for subtraction. A node is dense only when its
//               histogram is smaller than its rows' records (grower.ts), so a level holds at
//               most a record's bytes a row, and no more than 2^depth nodes' histograms
//               (the root's at least).
// On a cluster each node holds the views of its chunks and runs its own workers' passes:
// every node's share is checked against that node's free memory (Executor.viewShares).

import { FloeError } from "../../core/errors.ts";
import { formatBytes } from "../../core/memory.ts";
import type { NodeShare } from "../../core/mr.ts";
import { MAX_PASS_BYTES, PACKED_BIN_BYTES, recordBytes } from "./histogram.ts";

export interface TreeShape {
  /** Training and validation rows. */
  readonly rows: number;
  readonly validRows: number;
  readonly features: number;
  /** Bins of all features together (a node's histogram). */
  readonly bins: number;
  /** Trees an iteration (classes of a multinomial model, else 1). */
  readonly classes: number;
  readonly maxDepth: number;
  /** Workers a level pass runs on. */
  readonly threads: number;
  /** Whether the training runs here (false: a cluster's other node, which keeps no parent level) [default true]. */
  readonly grows?: boolean;
}

export interface TreeMemory {
  readonly view: number;
  readonly histograms: number;
  readonly total: number;
}

/** View bytes a row: bins and a bundle's, y, w, fold, out-of-bag count, 68 bytes a class of working state, and bernoulli's exp(−score) with one class. */
function viewRowBytes(features: number, classes: number): number {
  return 2 * features + 2 + 8 + 8 + 4 + 8 + classes * (8 + 8 + 8 + 4 + 4 + 4 + 4 + 12 + 8 + 8) + (classes === 1 ? 8 : 0);
}

export function treeMemory(s: TreeShape): TreeMemory {
  const view = (s.rows + s.validRows) * viewRowBytes(s.features, s.classes);
  const levelNodes = 2 ** Math.min(s.maxDepth - 1, 52) * s.classes;
  const level = Math.max(24 * s.bins * s.classes, Math.min(24 * levelNodes * s.bins, s.rows * s.classes * recordBytes(s.features)));
  const pass = Math.min(level, MAX_PASS_BYTES);
  const histograms = pass + (pass * s.threads * (24 + PACKED_BIN_BYTES)) / 24 + (s.grows === false ? 0 : level);
  return { view, histograms, total: view + histograms };
}

/**
 * Refuses a training whose estimate exceeds `available` bytes, naming the numbers and what
 * to change; with `shares` (a cluster: the training and validation rows each node would hold
 * of the views), each node's share is checked against what that node has free instead.
 */
export function checkTreeMemory(s: TreeShape, available: number, shares?: readonly NodeShare[] | null): void {
  if (!shares) return checkShare(s, available, "");
  // A node holding none of the rows runs no pass.
  for (const n of shares) if (n.rows.some((r) => r > 0)) checkShare({ ...s, rows: n.rows[0] ?? 0, validRows: n.rows[1] ?? 0, threads: n.threads, grows: n.self }, n.free, ` on node ${n.node}`);
}

function checkShare(s: TreeShape, available: number, where: string): void {
  const m = treeMemory(s);
  if (m.total <= available) return;
  throw new FloeError(
    "bad_input",
    `training needs about ${formatBytes(m.total)}${where} (view of ${s.rows + s.validRows} rows x ${s.features} features: ${formatBytes(m.view)}; histograms for max_depth ${s.maxDepth} over ${s.bins} bins: ${formatBytes(m.histograms)}) but ${formatBytes(available)} is available${where}: lower max_depth or nbins, train on fewer rows or columns, or free memory`,
  );
}
