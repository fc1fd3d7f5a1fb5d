// A fitted k-means model and how it scores a frame: columns are matched by name and
// enum levels by label (bind.ts), rows are encoded as in training (imputed, standardized,
// on the training grid) and go to the nearest center in that space. A row with every
// input missing is all imputed, so it still gets a cluster. The same code scores a model
// loaded from a file, so its predictions are bit-identical.

import type { Frame } from "../../core/frame.ts";
import type { Executor, Task } from "../../core/mr.ts";
import { type BoundColumn, bindColumns } from "../bind.ts";
import { addClusteringPartials, type ClusteringMetrics, clusteringFromPartial, clusteringPartialLength } from "../metrics/clustering.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import type { ModelCommon } from "../model.ts";
import { type Encoding, encodeChunk, grandCenter, nearest } from "./encoding.ts";

export interface KMeansIteration {
  readonly iterations: number;
  readonly k: number;
  readonly reassigned: number;
  readonly tot_withinss: number;
}

export interface KMeansModel extends ModelCommon {
  readonly algo: "kmeans";
  readonly response: null;
  readonly category: "Clustering";
  /** Trained columns in order; `domain` holds an enum column's levels. */
  readonly columns: readonly { readonly name: string; readonly domain: readonly string[] | null }[];
  readonly encoding: Encoding;
  /** Number of clusters (the chosen one with estimate_k). */
  readonly k: number;
  /** Centers on the original scale, k × p row-major (enum columns: the mode's level code). */
  readonly centers: Float64Array;
  /** Centers in the encoded (standardized) space, where distances are measured; k × p. */
  readonly centers_std: Float64Array;
  readonly size: readonly number[];
  readonly withinss: readonly number[];
  readonly tot_withinss: number;
  readonly betweenss: number;
  readonly totss: number;
  /** Lloyd iterations of the final k. */
  readonly iterations: number;
  /** The k estimate_k chose; null without estimate_k. */
  readonly estimated_k: number | null;
  readonly scoring_history: readonly KMeansIteration[];
}

export interface ScoreArgs {
  readonly bound: readonly BoundColumn[];
  readonly encoding: Encoding;
  readonly centers: Float64Array;
  readonly k: number;
  /** The grand center (metrics: totss is summed about it). */
  readonly grand: Float64Array;
}

function hasCat(isCat: Uint8Array): boolean {
  for (let j = 0; j < isCat.length; j++) if (isCat[j]) return true;
  return false;
}

/** Partial: one scored chunk per frame chunk, `p` the cluster id (0-based), `y` NaN. */
export const KMeansPredictTask: Task<ScoreArgs, ScoredChunk[]> = {
  name: "ml.kmeans.predict",
  map(chunk, { bound, encoding, centers, k }) {
    const p = bound.length;
    const n = chunk.rows;
    const x = new Float64Array(n * p);
    encodeChunk(chunk, bound, encoding, x);
    const cat = hasCat(encoding.isCat);
    const dist = new Float64Array(2);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = nearest(x, i * p, centers, k, p, encoding.isCat, cat, dist);
    return [{ index: chunk.index, rows: n, y: new Float64Array(n).fill(Number.NaN), p: out, width: 1 }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/** Partial: clustering sums of the frame's rows (layout in metrics/clustering.ts). */
export const KMeansMetricsTask: Task<ScoreArgs, Float64Array> = {
  name: "ml.kmeans.metrics",
  map(chunk, { bound, encoding, centers, k, grand }) {
    const p = bound.length;
    const n = chunk.rows;
    const x = new Float64Array(n * p);
    encodeChunk(chunk, bound, encoding, x);
    const isCat = encoding.isCat;
    const cat = hasCat(isCat);
    const s = new Float64Array(clusteringPartialLength(k, p));
    const s1 = 1 + 2 * k;
    const s2 = s1 + p;
    const dist = new Float64Array(2);
    s[0] = n;
    for (let i = 0; i < n; i++) {
      const xo = i * p;
      const cl = nearest(x, xo, centers, k, p, isCat, cat, dist);
      s[1 + cl]++;
      s[1 + k + cl] += dist[0];
      for (let j = 0; j < p; j++) {
        const t = x[xo + j] - grand[j];
        if (isCat[j]) {
          if (t !== 0) s[s1 + j]++;
        } else {
          s[s1 + j] += t;
          s[s2 + j] += t * t;
        }
      }
    }
    return s;
  },
  reduce: addClusteringPartials,
  empty: ({ k, bound }) => new Float64Array(clusteringPartialLength(k, bound.length)),
};

function scoreArgs(model: KMeansModel, frame: Frame, warnings: string[]): ScoreArgs {
  return {
    bound: bindColumns(frame, model.columns, warnings),
    encoding: model.encoding,
    centers: model.centers_std,
    k: model.k,
    grand: grandCenter(model.encoding),
  };
}

/** Cluster ids of a frame's rows, one scored chunk per frame chunk. */
export function predictKMeans(executor: Executor, model: KMeansModel, frame: Frame, warnings: string[]): Promise<ScoredChunk[]> {
  return executor.run(KMeansPredictTask, frame, scoreArgs(model, frame, warnings));
}

/** Clustering metrics accumulated over frames given one at a time (no response needed). */
export function kmeansEvaluator(executor: Executor, model: KMeansModel) {
  let acc: Float64Array = new Float64Array(clusteringPartialLength(model.k, model.columns.length));
  return {
    async add(frame: Frame, warnings: string[]): Promise<void> {
      acc = addClusteringPartials(acc, await executor.run(KMeansMetricsTask, frame, scoreArgs(model, frame, warnings)));
    },
    result: (): ClusteringMetrics => clusteringFromPartial(acc, model.k, model.encoding.isCat),
  };
}

/** Centers as records {centroid (from 1), column: value, or the level for enums}; `std`: in the encoded space. */
export function centerRecords(model: KMeansModel, std: boolean): Record<string, number | string>[] {
  const p = model.columns.length;
  const values = std ? model.centers_std : model.centers;
  return Array.from({ length: model.k }, (_, c) => {
    const row: Record<string, number | string> = { centroid: c + 1 };
    model.columns.forEach((col, j) => {
      const v = values[c * p + j];
      row[col.name] = col.domain ? (col.domain[v] ?? "") : v;
    });
    return row;
  });
}
