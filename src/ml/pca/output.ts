// What a PCA model adds to the report every front end shows: the importance of each
// component and the eigenvectors (the text shows their first rows, the JSON all).

import type { ModelOutput } from "../algorithm.ts";
import { componentNames, type PcaModel } from "./model.ts";

/** Rows of the rotation shown in text. */
const ROTATION_ROWS = 50;

export const pcaOutput: ModelOutput<PcaModel> = {
  summary: (m) => [`${m.k} components of ${m.design.P} columns, transform ${m.params.transform}`],
  tables(m) {
    const pcs = componentNames(m.k);
    const imp = m.importance;
    return [
      {
        title: "Importance of components",
        headers: ["", ...pcs],
        rows: [
          ["Standard deviation", ...imp.standard_deviation],
          ["Proportion of Variance", ...imp.proportion_of_variance],
          ["Cumulative Proportion", ...imp.cumulative_proportion],
        ],
      },
      { title: "Eigenvectors (rotation)", headers: ["", ...pcs], rows: m.eigenvector_names.slice(0, ROTATION_ROWS).map((name, i) => [name, ...pcs.map((_, c) => m.eigenvectors[i * m.k + c])]) },
    ];
  },
  json(m) {
    const eigenvectors = Object.fromEntries(componentNames(m.k).map((pc, c) => [pc, m.eigenvector_names.map((_, i) => m.eigenvectors[i * m.k + c])]));
    return { k: m.k, importance: m.importance, total_variance: m.total_variance, eigenvectors: { names: m.eigenvector_names, ...eigenvectors } };
  },
};
