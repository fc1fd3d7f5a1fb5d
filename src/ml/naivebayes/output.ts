// What a naive Bayes model adds to the report every front end shows: the class priors and,
// per predictor, the conditional table (the text shows an enum's first levels, the JSON all).

import type { ModelOutput, ModelTable } from "../algorithm.ts";
import { type NaiveBayesModel, pcondTables } from "./model.ts";

/** Levels of a wide enum predictor shown in text. */
const SHOWN_LEVELS = 20;

export const naiveBayesOutput: ModelOutput<NaiveBayesModel> = {
  summary: (m) => [`${pcondTables(m).length} predictors`],
  tables(m): ModelTable[] {
    const domain = m.response.domain;
    return [
      { title: "A priori response probabilities", headers: domain, rows: [Array.from(m.apriori)] },
      ...pcondTables(m).map((t) => {
        const more = t.headers.length > SHOWN_LEVELS ? ` (first ${SHOWN_LEVELS} of ${t.headers.length} levels)` : "";
        return { title: `Y_by_${t.column}${more}`, headers: [m.response.name, ...t.headers.slice(0, SHOWN_LEVELS)], rows: t.rows.map((r, k) => [domain[k], ...r.slice(0, SHOWN_LEVELS)]) };
      }),
    ];
  },
  json: (m) => ({ apriori: Array.from(m.apriori), pcond: pcondTables(m) }),
};
