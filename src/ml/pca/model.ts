// Principal component analysis as H2O's GramSVD: the columns expanded and transformed by
// the design (enums one-hot, numerics as `transform` says), one map/reduce pass for the
// Gram matrix X'X, and its eigen-decomposition on the coordinator. Component standard
// deviations use n − 1, as H2O's; the components' signs make each eigenvector's largest
// entry positive. Scoring projects a row's transformed values on the k eigenvectors.
//
// Missing values: impute_missing puts a numeric's mean and an enum's mode in their place;
// without it (H2O's default) rows with a missing value are left out of training and
// score as missing.

import type { Frame } from "../../core/frame.ts";
import type { Executor, Task } from "../../core/mr.ts";
import { bindColumns } from "../bind.ts";
import { type Design, designColumns, type DesignArgs, type DesignChunk, expandChunk, rowTerms } from "../design.ts";
import { BuildDesignTask, GramTask } from "../design-tasks.ts";
import type { Importance, PcaMetrics } from "../metrics/dimreduction.ts";
import type { ScoredChunk } from "../metrics/scored.ts";
import type { ModelCommon } from "../model.ts";

export interface PcaModel extends ModelCommon {
  readonly algo: "pca";
  readonly response: null;
  readonly category: "DimReduction";
  readonly design: Design;
  readonly k: number;
  /** P × k, row-major: eigenvector j is column j (an expanded column a row). */
  readonly eigenvectors: Float64Array;
  readonly eigenvector_names: readonly string[];
  readonly importance: Importance;
  readonly total_variance: number;
}

/** X'X (lower triangle, P × P) and the rows it sums over. */
export async function gram(executor: Executor, view: { chunks: DesignChunk[] }, design: Design): Promise<{ G: Float64Array; n: number }> {
  const P = design.P;
  const g = await executor.run(GramTask, view, { design });
  return { G: g.subarray(0, P * P), n: g[P * P] };
}

/** Standard deviations (n − 1) of projections on `vectors` (P × k) and their shares of the total variance. */
export function importanceOf(G: Float64Array, n: number, P: number, vectors: Float64Array, k: number): { importance: Importance; total: number } {
  const at = (i: number, j: number) => (i >= j ? G[i * P + j] : G[j * P + i]);
  let trace = 0;
  for (let j = 0; j < P; j++) trace += at(j, j);
  const total = trace / (n - 1);
  const sd: number[] = [];
  for (let c = 0; c < k; c++) {
    let q = 0;
    for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) q += vectors[i * k + c] * at(i, j) * vectors[j * k + c];
    sd.push(Math.sqrt(Math.max(q, 0) / (n - 1)));
  }
  const proportion = sd.map((s) => (total > 0 ? (s * s) / total : 0));
  const cumulative: number[] = [];
  proportion.reduce((acc, p) => {
    cumulative.push(acc + p);
    return acc + p;
  }, 0);
  return { importance: { standard_deviation: sd, proportion_of_variance: proportion, cumulative_proportion: cumulative }, total };
}

/** Partial: per frame chunk, the k component scores of each row (NaN where a value is missing without imputation). */
export const PcaScoreTask: Task<{ expand: DesignArgs; vectors: Float64Array; k: number }, ScoredChunk[]> = {
  name: "ml.pca.score",
  map(chunk, a) {
    const d = a.expand.design;
    const dc = expandChunk(chunk, a.expand);
    const k = a.k;
    const out = new Float64Array(dc.rows * k);
    const idx = new Int32Array(d.enums.length + d.nums.length + 1);
    const val = new Float64Array(idx.length);
    for (let i = 0; i < dc.rows; i++) {
      if (!dc.ok[i]) {
        out.fill(Number.NaN, i * k, (i + 1) * k);
        continue;
      }
      const m = rowTerms(dc, d, i, idx, val);
      for (let t = 0; t < m; t++) for (let c = 0; c < k; c++) out[i * k + c] += val[t] * a.vectors[idx[t] * k + c];
    }
    return [{ index: chunk.index, rows: chunk.rows, y: new Float64Array(chunk.rows).fill(Number.NaN), p: out, width: k }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

function expandArgs(model: PcaModel, frame: Frame, warnings: string[]): DesignArgs {
  const bound = bindColumns(frame, designColumns(model.design), warnings);
  return { design: model.design, bound, y: null, needY: false, holdoutWidth: 0 };
}

export function predictPca(executor: Executor, model: PcaModel, frame: Frame, warnings: string[]): Promise<ScoredChunk[]> {
  return executor.run(PcaScoreTask, frame, { expand: expandArgs(model, frame, warnings), vectors: model.eigenvectors, k: model.k });
}

/** Evaluation on a frame: the variance each component captures there (Gram batches summed). */
export function pcaEvaluator(executor: Executor, model: PcaModel) {
  const P = model.design.P;
  let G = new Float64Array(P * P);
  let n = 0;
  return {
    async add(frame: Frame, warnings: string[]) {
      const view = { chunks: await executor.run(BuildDesignTask, frame, expandArgs(model, frame, warnings)) };
      const part = await gram(executor, view, model.design);
      G = Float64Array.from(G, (v, i) => v + part.G[i]);
      n += part.n;
    },
    result(): PcaMetrics {
      const { importance, total } = importanceOf(G, n, P, model.eigenvectors, model.k);
      return { nobs: n, total_variance: total, importance };
    },
  };
}

/** Output column names: PC1..PCk. */
export function componentNames(k: number): string[] {
  return Array.from({ length: k }, (_, c) => `PC${c + 1}`);
}
