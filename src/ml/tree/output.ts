// What a GBM or DRF model adds to the report every front end shows: its number of trees.

import type { ModelOutput } from "../algorithm.ts";
import type { TreeModel } from "./model.ts";

export const treeOutput: ModelOutput<TreeModel> = {
  summary: (m) => [`${m.iterations.length} trees`],
  tables: () => [],
  json: (m) => ({ ntrees: m.iterations.length }),
};
