// Checks of a naive Bayes model: class priors and, per predictor, a conditional table of
// one row per class (levels wide for an enum, mean and sd for a numeric predictor).

import type { Shape } from "../modelcheck/shape.ts";

export function checkNaiveBayesModel(s: Shape, m: Record<string, unknown>, classes: number | null): void {
  if (classes === null) s.fail("response", "has no classes; naive Bayes is a classifier");
  s.finites(m.apriori, "apriori", classes);
  s.finites(m.classCounts, "classCounts", classes);
  s.array(m.predictors, "predictors").forEach((v, i) => {
    const at = `predictor ${i}`;
    const f = s.object(v, at);
    s.string(f.name, `${at} name`);
    if (f.domain === null) s.finites(f.table, `${at} table`, classes * 2, true);
    else s.finites(f.table, `${at} table`, classes * s.strings(f.domain, `${at} domain`).length);
  });
}
