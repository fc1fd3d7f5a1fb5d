// What a stacked ensemble adds to the report every front end shows: its base models, and
// its metalearner reported as a model in its own right.

import type { ModelOutput } from "../algorithm.ts";
import type { StackedEnsembleModel } from "./model.ts";

export const ensembleOutput: ModelOutput<StackedEnsembleModel> = {
  summary: (m) => [`${m.base_models.length} base models, metalearner ${m.metalearner.algo}`],
  tables: (m) => [{ title: "Base models", headers: ["model_id", "algo"], rows: m.base_models.map((b) => [b.model_id, b.algo]) }],
  json: (m) => ({ base_models: m.base_models.map((b) => ({ model_id: b.model_id, algo: b.algo })) }),
  inner: (m) => [{ key: "metalearner", title: "Metalearner", model: m.metalearner }],
};
