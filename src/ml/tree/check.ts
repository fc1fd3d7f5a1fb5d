// Checks of a tree ensemble (GBM, DRF) as read from a model file: feature specs whose bins
// the scoring frame is cut into, and trees whose every route ends at a leaf. Routing sends a
// row from node n to left[n] or left[n] + 1, so children must sit after their parent (no
// route can loop) and inside the tree; a split reads bins of a feature the model has, and a
// categorical split's bit set lies inside the tree's catBits. Trees of files written before
// the sets were packed (one byte a bin, in `bitsets`) are packed here, as they are read.

import { sharedU8 } from "../../core/chunk.ts";
import { DISTRIBUTIONS } from "../loss.ts";
import type { FeatureSpec } from "./binning.ts";
import type { Shape } from "../modelcheck/shape.ts";
import { bitsetBytes } from "./tree.ts";

const OUTPUTS = ["identity", "logistic", "exp", "softmax", "average"] as const;

/** Bins are stored as Uint16 at most (binning.ts), the missing bin included. */
const MAX_TOTAL_BINS = 65_536;

export function checkTreeModel(s: Shape, m: Record<string, unknown>, classes: number | null): void {
  const features = s.array(m.features, "features").map((f, i) => checkFeature(s, f, `feature ${i}`));
  const K = s.int(m.treesPerIteration, "treesPerIteration", 1);
  const expectedK = classes !== null && classes > 2 ? classes : 1;
  if (K !== expectedK) s.fail("treesPerIteration", `is ${K}, but the model's response needs ${expectedK}`);
  s.finites(m.init, "init", K);
  s.oneOf(m.output, OUTPUTS, "output");
  s.oneOf(
    m.distribution,
    DISTRIBUTIONS.filter((d) => d !== "AUTO"),
    "distribution",
  );
  const loss = s.object(m.lossParams, "lossParams");
  for (const k of ["tweedie_power", "quantile_alpha", "huber_delta"]) s.number(loss[k], `lossParams.${k}`);
  s.array(m.iterations, "iterations").forEach((trees, it) => {
    s.array(trees, `iteration ${it}`, K).forEach((t, k) => checkTree(s, t, features, `iteration ${it} tree ${k}`));
  });
  if (m.feature_importance !== undefined) {
    s.array(m.feature_importance, "feature_importance").forEach((v, i) => {
      const row = s.object(v, `feature_importance ${i}`);
      s.string(row.variable, `feature_importance ${i} variable`);
      for (const key of ["gain", "cover", "frequency"]) s.number(row[key], `feature_importance ${i} ${key}`, { min: 0 });
    });
  }
}

function checkFeature(s: Shape, v: unknown, where: string): FeatureSpec {
  const f = s.object(v, where);
  s.string(f.name, `${where} name`);
  const kind = s.oneOf(f.kind, ["numeric", "enum"] as const, `${where} kind`);
  const valueBins = s.int(f.valueBins, `${where} valueBins`, 1, MAX_TOTAL_BINS - 1);
  if (kind === "numeric") {
    const cuts = s.typed(f.cuts, Float64Array, `${where} cuts`, valueBins - 1);
    for (let i = 0; i < cuts.length; i++) {
      if (Number.isNaN(cuts[i])) s.fail(`${where} cut ${i}`, "is NaN");
      if (i > 0 && !(cuts[i] > cuts[i - 1])) s.fail(`${where} cut ${i}`, `is ${cuts[i]}, not above the cut before it (${cuts[i - 1]})`);
    }
  } else {
    const domain = s.strings(f.domain, `${where} domain`);
    const levelToBin = s.typed(f.levelToBin, Int32Array, `${where} levelToBin`, domain.length);
    for (let l = 0; l < levelToBin.length; l++) {
      if (levelToBin[l] < 0 || levelToBin[l] >= valueBins) s.fail(`${where} level ${l}`, `goes to bin ${levelToBin[l]}, outside its ${valueBins} bins`);
    }
  }
  return f as unknown as FeatureSpec;
}

function checkTree(s: Shape, v: unknown, features: readonly FeatureSpec[], where: string): void {
  const t = s.object(v, where);
  const feature = s.typed(t.feature, Int32Array, `${where} feature`);
  const n = feature.length;
  if (n === 0) s.fail(where, "has no nodes");
  const threshold = s.typed(t.threshold, Int32Array, `${where} threshold`, n);
  const naLeft = s.typed(t.naLeft, Uint8Array, `${where} naLeft`, n);
  const catOffset = s.typed(t.catOffset, Int32Array, `${where} catOffset`, n);
  const left = s.typed(t.left, Int32Array, `${where} left`, n);
  const right = s.typed(t.right, Int32Array, `${where} right`, n);
  const value = s.typed(t.value, Float64Array, `${where} value`, n);
  if (t.catBits === undefined && t.bitsets !== undefined) packByteSets(s, t, feature, catOffset, features, where);
  const catBits = s.typed(t.catBits, Uint8Array, `${where} catBits`);
  // Trees saved before contributions have no covers: they predict, and contributions refuse them.
  if (t.cover !== undefined) {
    const cover = s.typed(t.cover, Float64Array, `${where} cover`, n);
    for (let j = 0; j < n; j++) if (!(cover[j] >= 0 && cover[j] < Number.POSITIVE_INFINITY)) s.fail(`${where} node ${j}`, `has cover ${cover[j]}, not a finite number >= 0`);
  }
  for (let j = 0; j < n; j++) {
    const at = `${where} node ${j}`;
    const f = feature[j];
    if (f === -1) {
      if (!Number.isFinite(value[j])) s.fail(at, `is a leaf of value ${value[j]}, not a finite number`);
      continue;
    }
    if (f < 0 || f >= features.length) s.fail(at, `splits on feature ${f}; the model has ${features.length} features`);
    const child = left[j];
    if (child <= j) s.fail(at, `points back to node ${child}`);
    if (child + 1 >= n) s.fail(at, `points to node ${child + 1}; the tree has ${n} nodes`);
    if (right[j] !== child + 1) s.fail(at, `has right child ${right[j]}, not ${child + 1} (its left child + 1)`);
    if (naLeft[j] > 1) s.fail(at, `has naLeft ${naLeft[j]}, not 0 or 1`);
    const bins = features[f].valueBins + 1;
    const c = catOffset[j];
    if (c === -1) {
      if (threshold[j] < 0 || threshold[j] >= bins) s.fail(at, `splits at bin ${threshold[j]}, outside feature ${f}'s ${bins} bins`);
    } else if (c < 0 || c + bitsetBytes(bins) > catBits.length) {
      s.fail(at, `reads bytes ${c}..${c + bitsetBytes(bins) - 1} of its bit set, outside the tree's ${catBits.length} bytes`);
    }
  }
}

/**
 * A tree written with one byte a bin (`bitsets`, before sets were packed): its sets packed
 * into `catBits`, one bit a bin, and `catOffset` pointed at them.
 */
function packByteSets(s: Shape, t: Record<string, unknown>, feature: Int32Array, catOffset: Int32Array, features: readonly FeatureSpec[], where: string): void {
  const bytes = s.typed(t.bitsets, Uint8Array, `${where} bitsets`);
  const binsAt = (j: number) => (feature[j] >= 0 && feature[j] < features.length ? features[feature[j]].valueBins + 1 : 0);
  let total = 0;
  for (let j = 0; j < feature.length; j++) {
    const c = catOffset[j];
    if (feature[j] < 0 || c === -1) continue;
    const bins = binsAt(j);
    if (c < 0 || c + bins > bytes.length) s.fail(`${where} node ${j}`, `reads bits ${c}..${c + bins - 1}, outside the tree's ${bytes.length} bits`);
    total += bitsetBytes(bins);
  }
  const packed = sharedU8(total);
  let at = 0;
  for (let j = 0; j < feature.length; j++) {
    const c = catOffset[j];
    if (feature[j] < 0 || c === -1) continue;
    const bins = binsAt(j);
    for (let b = 0; b < bins; b++) if (bytes[c + b]) packed[at + (b >> 3)] |= 1 << (b & 7);
    catOffset[j] = at;
    at += bitsetBytes(bins);
  }
  t.catBits = packed;
  delete t.bitsets;
}
