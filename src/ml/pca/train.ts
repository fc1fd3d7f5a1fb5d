// Trains PCA (GramSVD): the design over the chosen columns, one Gram pass, the
// eigen-decomposition of X'X on the coordinator and the components' variances.

import { systemClock } from "../../core/clock.ts";
import { FloeError } from "../../core/errors.ts";
import type { Executor } from "../../core/mr.ts";
import { makeDesign, termNames } from "../design.ts";
import { BuildDesignTask } from "../design-tasks.ts";
import { symmetricEigen } from "../linalg.ts";
import type { PcaMetrics } from "../metrics/dimreduction.ts";
import type { TrainRequest, TrainResult } from "../algorithm.ts";
import { unsupervisedColumns } from "../training-frame.ts";
import { gram, importanceOf, type PcaModel } from "./model.ts";
import type { PcaParams } from "./params.ts";

export async function trainPca(executor: Executor, req: TrainRequest, p: PcaParams): Promise<TrainResult> {
  const clock = req.clock ?? systemClock;
  const started = clock.now();
  const frame = req.frame;
  const { cols, notes } = unsupervisedColumns(frame, req.x, p.ignore_const_cols, "decompose");
  const enums = cols.filter((c) => frame.columns[c].type === "enum");
  const ordered = [...enums, ...cols.filter((c) => frame.columns[c].type !== "enum")];
  const design = makeDesign(frame, ordered, { transform: p.transform, intercept: false, useAllFactorLevels: p.use_all_factor_levels, missing: p.impute_missing ? "MeanImputation" : "Skip" });
  const P = design.P;
  if (p.k > P) throw new FloeError("invalid_argument", `pca parameter k=${p.k}: the data has ${P} column${P === 1 ? "" : "s"} once expanded, so at most k=${P}`);
  const view = { chunks: await executor.run(BuildDesignTask, frame, { design, bound: ordered.map((col) => ({ col })), y: null, needY: false, holdoutWidth: 0 }) };
  const { G, n } = await gram(executor, view, design);
  if (n < 2) throw new FloeError("bad_input", `pca needs at least 2 rows without missing values; the frame has ${n}${p.impute_missing ? "" : " (set impute_missing to use rows with missing values)"}`);
  if (p.k > n) throw new FloeError("invalid_argument", `pca parameter k=${p.k}: more components than the ${n} rows`);
  if (n < frame.rows) notes.push(`left out ${frame.rows - n} rows with missing values (impute_missing is off)`);
  const { vectors: all } = symmetricEigen(G, P);
  const eigenvectors = new Float64Array(P * p.k);
  for (let i = 0; i < P; i++) for (let c = 0; c < p.k; c++) eigenvectors[i * p.k + c] = all[i * P + c];
  const { importance, total } = importanceOf(G, n, P, eigenvectors, p.k);
  const metrics: PcaMetrics = { nobs: n, total_variance: total, importance };
  const model: PcaModel = {
    algo: "pca",
    model_id: req.modelId,
    params: { ...(p as unknown as Record<string, number | boolean | string | null>) },
    response: null,
    category: "DimReduction",
    design,
    k: p.k,
    eigenvectors,
    eigenvector_names: termNames(design),
    importance,
    total_variance: total,
    metrics: { training: metrics, validation: null, cross_validation: null },
    varimp: [],
    scoring_history: [],
    notes,
    training_time_ms: clock.now() - started,
  };
  return { model, cvModels: [], cvPredictions: null };
}
