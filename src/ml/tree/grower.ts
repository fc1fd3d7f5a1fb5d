// The grower: grows the trees of one iteration (one a class) level by level. Each level
// is one LevelTask over the view (rows move to their children, histograms of the nodes
// to split are summed), then the splits are chosen here from histograms alone. Of two
// siblings only the smaller is built; the larger is its parent minus it.

import type { Chunked, Executor } from "../../core/mr.ts";
import type { Rng } from "../../core/rng.ts";
import { type FeatureSpec, totalBins } from "./binning.ts";
import { LevelTask, type RootArgs, slotHistogram } from "./histogram.ts";
import type { SplitTable } from "./rows.ts";
import { bestSplit, type NodeStats, type Split } from "./split.ts";
import { flatten, type GrowNode, leafNode, type Tree } from "./tree.ts";
import type { TreeChunk } from "./view.ts";

/** Most doubles one level pass may hold in histograms; larger levels take more passes. */
const MAX_HIST_DOUBLES = 1 << 24;

export interface GrowSpec {
  readonly specs: readonly FeatureSpec[];
  readonly classes: number;
  readonly maxDepth: number;
  readonly minRows: number;
  readonly minSplitImprovement: number;
  readonly root: RootArgs;
  /** Features a node may split on (column sampling, mtries). */
  readonly featuresFor: (k: number, node: number, depth: number) => readonly number[];
  /** Random thresholds for extremely randomized trees; null for the best threshold. */
  readonly randomFor: (k: number, node: number) => Rng | null;
  /** The value of a leaf with these totals in class k's tree. */
  readonly leafValue: (stats: NodeStats, k: number) => number;
  readonly signal?: AbortSignal;
}

export interface Grown {
  readonly trees: Tree[];
  /** Σ split gain per feature: the raw variable importance of these trees. */
  readonly gains: Float64Array;
  /**
   * Splits of the last level, not yet applied to the view's node ids: apply them and
   * every in-bag row's node is its leaf (ScoreTask does, to add the trees cheaply).
   */
  readonly pending: SplitTable | null;
}

interface Active {
  readonly k: number;
  readonly node: number;
  readonly depth: number;
  readonly stats: NodeStats;
  /** Where its histogram is: a slot of `hists[level]`, or its parent minus its sibling. */
  hist: Float64Array | null;
}

export async function growTrees(executor: Executor, view: Chunked<TreeChunk>, spec: GrowSpec): Promise<Grown> {
  const K = spec.classes;
  const F = spec.specs.length;
  const featureOffset = new Int32Array(F);
  const featureBins = Int32Array.from(spec.specs, totalBins);
  let slotBins = 0;
  spec.specs.forEach((_, f) => {
    featureOffset[f] = slotBins;
    slotBins += featureBins[f];
  });
  const missingBin = Int32Array.from(spec.specs, (s) => s.valueBins);
  const nodes: GrowNode[][] = Array.from({ length: K }, () => [leafNode(0)]);
  const gains = new Float64Array(F);
  const totalsOf = (h: Float64Array, k: number): NodeStats => {
    // Every row falls in exactly one bin of feature 0: its bins sum to the node.
    let g = 0;
    let hh = 0;
    let n = 0;
    for (let b = 0; b < totalBins(spec.specs[0]); b++) {
      g += h[b * 3];
      hh += h[b * 3 + 1];
      n += h[b * 3 + 2];
    }
    return { g: g * spec.root.gScale[k], h: hh * spec.root.hScale[k], n };
  };

  // Level passes: `build` lists the (class, node) histograms to sum; `splits` moves rows first.
  const levelPass = async (build: { k: number; node: number }[], splits: SplitTable | null, root: RootArgs | null): Promise<Float64Array[]> => {
    const perPass = Math.max(1, Math.floor(MAX_HIST_DOUBLES / (slotBins * 3)));
    const out: Float64Array[] = [];
    for (let start = 0; start < Math.max(build.length, 1); start += perPass) {
      const batch = build.slice(start, start + perPass);
      const slotOf = nodes.map((ns) => new Int32Array(ns.length).fill(-1));
      batch.forEach(({ k, node }, slot) => {
        slotOf[k][node] = slot;
      });
      const first = start === 0;
      const hist = await executor.run(
        LevelTask,
        view,
        {
          classes: K,
          root: first ? root : null,
          splits: first ? splits : null,
          slotOf,
          slots: batch.length,
          featureOffset,
          slotBins,
          missingBin,
        },
        { signal: spec.signal },
      );
      batch.forEach((_, slot) => out.push(slotHistogram(hist, slotBins, slot)));
    }
    return out;
  };

  const rootHists = await levelPass(
    Array.from({ length: K }, (_, k) => ({ k, node: 0 })),
    null,
    spec.root,
  );
  let active: Active[] = rootHists.map((hist, k) => ({ k, node: 0, depth: 0, stats: totalsOf(hist, k), hist }));
  for (const a of active) nodes[a.k][0].value = spec.leafValue(a.stats, a.k);

  let pending: SplitTable | null = null;
  while (active.length > 0) {
    // Choose splits for the active nodes.
    const splitNodes: { a: Active; s: Split; left: number; right: number }[] = [];
    for (const a of active) {
      if (a.depth >= spec.maxDepth || a.stats.n < 2 * spec.minRows || !a.hist) continue;
      const s = bestSplit(a.hist, spec.specs, featureOffset, spec.featuresFor(a.k, a.node, a.depth), a.stats, {
        minRows: spec.minRows,
        minSplitImprovement: spec.minSplitImprovement,
        gScale: spec.root.gScale[a.k],
        hScale: spec.root.hScale[a.k],
        random: spec.randomFor(a.k, a.node),
      });
      if (!s) continue;
      const ns = nodes[a.k];
      const left = ns.length;
      const right = left + 1;
      ns.push(leafNode(spec.leafValue(s.left, a.k)), leafNode(spec.leafValue(s.right, a.k)));
      Object.assign(ns[a.node], { feature: s.feature, threshold: s.threshold, naLeft: s.naLeft, bits: s.bits, left, right });
      gains[s.feature] += s.gain;
      splitNodes.push({ a, s, left, right });
    }
    if (splitNodes.length === 0) break;
    const table = splitTable(nodes, splitNodes);
    pending = table;

    // Children that may split again need histograms: build the smaller of each pair.
    const canSplit = (st: NodeStats, depth: number) => depth < spec.maxDepth && st.n >= 2 * spec.minRows;
    const next: Active[] = [];
    const build: { k: number; node: number }[] = [];
    const derive: { child: Active; parent: Float64Array; sibling: Active }[] = [];
    for (const { a, s, left, right } of splitNodes) {
      const depth = a.depth + 1;
      const l: Active = { k: a.k, node: left, depth, stats: s.left, hist: null };
      const r: Active = { k: a.k, node: right, depth, stats: s.right, hist: null };
      if (!canSplit(l.stats, depth) && !canSplit(r.stats, depth)) continue;
      const [small, large] = l.stats.n <= r.stats.n ? [l, r] : [r, l];
      build.push({ k: a.k, node: small.node });
      derive.push({ child: large, parent: a.hist as Float64Array, sibling: small });
      next.push(small, large);
    }
    if (next.length === 0) break;
    if (spec.signal?.aborted) break;
    const hists = await levelPass(build, table, null);
    pending = null;
    build.forEach((_, i) => {
      derive[i].sibling.hist = hists[i];
    });
    // Each parent's histogram serves one subtraction: do it in place.
    for (const { child, parent, sibling } of derive) {
      const sib = sibling.hist as Float64Array;
      for (let i = 0; i < parent.length; i++) parent[i] -= sib[i];
      child.hist = parent;
    }
    active = next;
  }
  return { trees: nodes.map(flatten), gains, pending };
}

/** The splits just made, as the flat table the level task reads. */
function splitTable(nodes: readonly GrowNode[][], made: readonly { a: Active; s: Split; left: number; right: number }[]): SplitTable {
  const n = made.length;
  const bitsLength = made.reduce((t, m) => t + (m.s.bits?.length ?? 0), 0);
  const table = {
    splitOf: nodes.map((ns) => new Int32Array(ns.length).fill(-1)),
    feature: new Int32Array(n),
    threshold: new Int32Array(n),
    naLeft: new Uint8Array(n),
    catOffset: new Int32Array(n),
    bitsets: new Uint8Array(bitsLength),
    left: new Int32Array(n),
    right: new Int32Array(n),
  };
  let offset = 0;
  made.forEach(({ a, s, left, right }, i) => {
    table.splitOf[a.k][a.node] = i;
    table.feature[i] = s.feature;
    table.threshold[i] = s.threshold;
    table.naLeft[i] = s.naLeft ? 1 : 0;
    table.left[i] = left;
    table.right[i] = right;
    if (s.bits) {
      table.catOffset[i] = offset;
      table.bitsets.set(s.bits, offset);
      offset += s.bits.length;
    } else table.catOffset[i] = -1;
  });
  return table;
}
