// Checks of a PCA model as read from a model file: its design and the k eigenvectors over it.

import { checkDesign } from "../modelcheck/design.ts";
import type { Shape } from "../modelcheck/shape.ts";

export function checkPcaModel(s: Shape, m: Record<string, unknown>): void {
  const design = checkDesign(s, m.design);
  const k = s.int(m.k, "k", 1, design.P);
  s.finites(m.eigenvectors, "eigenvectors", design.P * k);
  s.strings(m.eigenvector_names, "eigenvector_names");
  const importance = s.object(m.importance, "importance");
  for (const key of ["standard_deviation", "proportion_of_variance", "cumulative_proportion"]) {
    s.array(importance[key], `importance ${key}`, k).forEach((x, i) => s.number(x, `importance ${key} entry ${i}`, { nonFinite: true }));
  }
}
