// The level-one data of a stacked ensemble: one column per output of each base model
// (the probability of class 1 of a binomial model, each class's probability of a
// multinomial one, the prediction of a regression), beside the response. Built from the
// base models' out-of-fold predictions to train the metalearner, and from their
// predictions on new data to score the ensemble. Chunks keep the frame's chunking, so row
// ids (and the metalearner's folds) are those of the training frame.

import { type Chunk, sharedF64, sharedI32, type Vec } from "../../core/chunk.ts";
import { FloeError } from "../../core/errors.ts";
import { type ColumnSpec, Frame } from "../../core/frame.ts";
import type { ScoredChunk } from "../metrics/scored.ts";

/** A base model as the level-one data sees it: its id, its classes and its output width. */
export interface LevelOneSource {
  readonly model_id: string;
  /** Classes of a classifier (binomial: 2), null for a regression. */
  readonly domain: readonly string[] | null;
}

/** The output width of a base model's scored chunks. */
export function outputWidth(s: LevelOneSource): number {
  return s.domain && s.domain.length > 2 ? s.domain.length : 1;
}

/** Level-one column names: the model id, or `id.class` for each class of a multinomial model. */
export function levelOneNames(sources: readonly LevelOneSource[]): string[] {
  return sources.flatMap((s) => (outputWidth(s) === 1 ? [s.model_id] : (s.domain ?? []).map((d) => `${s.model_id}.${d}`)));
}

/**
 * The level-one frame: `scored[b]` holds base b's output chunks (one per frame chunk). With
 * `response`, the last column is the response read from the first base's chunks (rows a
 * base left out of its folds, weight 0, have a missing response).
 */
export function levelOneFrame(
  sources: readonly LevelOneSource[],
  scored: readonly (readonly ScoredChunk[])[],
  response: { readonly name: string; readonly domain: readonly string[] | null } | null,
): Frame {
  if (sources.length === 0) throw new FloeError("invalid_argument", "a stacked ensemble needs at least one base model");
  const chunkCount = scored[0].length;
  for (let b = 0; b < sources.length; b++) {
    if (scored[b].length !== chunkCount) throw new FloeError("internal", `base model '${sources[b].model_id}' scored ${scored[b].length} chunks, not ${chunkCount}`);
  }
  const columns: ColumnSpec[] = levelOneNames(sources).map((name) => ({ name, type: "numeric" }));
  if (response) columns.push(response.domain ? { name: response.name, type: "enum", domain: response.domain } : { name: response.name, type: "numeric" });
  const chunks: Chunk[] = [];
  for (let c = 0; c < chunkCount; c++) {
    const rows = scored[0][c].rows;
    const vecs: Vec[] = [];
    for (let b = 0; b < sources.length; b++) {
      const sc = scored[b][c];
      if (sc.rows !== rows) throw new FloeError("internal", `base model '${sources[b].model_id}' scored ${sc.rows} rows in chunk ${c}, not ${rows}`);
      for (let k = 0; k < sc.width; k++) {
        const values = sharedF64(rows);
        for (let i = 0; i < rows; i++) values[i] = sc.p[i * sc.width + k];
        vecs.push({ kind: "f64", values });
      }
    }
    if (response) vecs.push(responseVec(scored[0][c], response.domain !== null));
    chunks.push({ index: c, start: 0, rows, vecs });
  }
  return Frame.of(columns, chunks);
}

function responseVec(sc: ScoredChunk, classes: boolean): Vec {
  const n = sc.rows;
  const kept = (i: number) => sc.y[i] === sc.y[i] && (!sc.w || sc.w[i] > 0);
  if (classes) {
    const codes = sharedI32(n);
    for (let i = 0; i < n; i++) codes[i] = kept(i) ? sc.y[i] : -1;
    return { kind: "codes", codes };
  }
  const values = sharedF64(n);
  for (let i = 0; i < n; i++) values[i] = kept(i) ? sc.y[i] : Number.NaN;
  return { kind: "f64", values };
}
