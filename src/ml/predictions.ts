// A model's predictions as a frame (what the REST API's predict stores): `predict`, then
// for classifiers one probability column per class label, as `floe predict` writes them.
// Binomial models predict class 1 from their max-F1 threshold, multinomial ones the most
// probable class; regression, cluster ids and components are the outputs as they are.

import { type Chunk, sharedF64, sharedI32, type Vec } from "../core/chunk.ts";
import { Frame, type ColumnSpec } from "../core/frame.ts";
import type { ScoredChunk } from "./metrics/scored.ts";
import { type Model, outputNames } from "./scoring.ts";

function classifierVecs(sc: ScoredChunk, classes: number, threshold: number): Vec[] {
  const label = sharedI32(sc.rows);
  const probs = Array.from({ length: classes }, () => sharedF64(sc.rows));
  for (let i = 0; i < sc.rows; i++) {
    if (classes === 2) {
      const p1 = sc.p[i];
      probs[0][i] = 1 - p1;
      probs[1][i] = p1;
      label[i] = Number.isNaN(p1) ? -1 : p1 >= threshold ? 1 : 0;
      continue;
    }
    let best = -1;
    let bestP = -Infinity;
    for (let k = 0; k < classes; k++) {
      const p = sc.p[i * classes + k];
      probs[k][i] = p;
      if (p > bestP) {
        bestP = p;
        best = k;
      }
    }
    label[i] = Number.isNaN(sc.p[i * classes]) ? -1 : best;
  }
  return [{ kind: "codes", codes: label }, ...probs.map((values): Vec => ({ kind: "f64", values }))];
}

function outputVecs(sc: ScoredChunk): Vec[] {
  const cols = Array.from({ length: sc.width }, () => sharedF64(sc.rows));
  for (let i = 0; i < sc.rows; i++) for (let k = 0; k < sc.width; k++) cols[k][i] = sc.p[i * sc.width + k];
  return cols.map((values): Vec => ({ kind: "f64", values }));
}

/** The frame of `model`'s predictions from its scored chunks (in frame order). */
export function predictionsFrame(model: Model, scored: readonly ScoredChunk[]): Frame {
  const names = outputNames(model);
  const domain = model.response?.domain ?? null;
  const columns: ColumnSpec[] = domain
    ? [{ name: "predict", type: "enum", domain }, ...domain.map((d): ColumnSpec => ({ name: d, type: "numeric" }))]
    : names.map((name): ColumnSpec => ({ name, type: "numeric" }));
  const chunks: Chunk[] = scored.map((sc, index) => ({
    index,
    start: 0,
    rows: sc.rows,
    vecs: domain ? classifierVecs(sc, domain.length, model.threshold ?? 0.5) : outputVecs(sc),
  }));
  return Frame.of(columns, chunks);
}
