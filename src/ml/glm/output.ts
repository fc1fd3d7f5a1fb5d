// What a GLM adds to the report every front end shows: family, link and regularisation, the
// coefficients table (the text shows its first rows, the JSON all) and the lambda path.

import type { ModelOutput } from "../algorithm.ts";
import type { GlmModel } from "./model.ts";

/** Rows of the coefficients table shown in text (the JSON holds them all). */
const COEFFICIENT_ROWS = 50;

export const glmOutput: ModelOutput<GlmModel> = {
  summary: (m) => [`family ${m.family}, link ${m.link}, regularisation `, ...(m.lambda === 0 ? ["none"] : ["alpha ", m.alpha, ", lambda ", m.lambda]), `, ${m.iterations} iterations`],
  tables(m) {
    const t = m.coefficients_table;
    const columns = Object.keys(t).filter((c) => c !== "names");
    const more = t.names.length > COEFFICIENT_ROWS ? ` (first ${COEFFICIENT_ROWS} of ${t.names.length})` : "";
    return [{ title: `Coefficients${more}`, headers: ["names", ...columns], rows: t.names.slice(0, COEFFICIENT_ROWS).map((name, i) => [name, ...columns.map((c) => Number(t[c][i]))]) }];
  },
  json: (m) => ({
    family: m.family,
    link: m.link,
    alpha: m.alpha,
    lambda: m.lambda,
    iterations: m.iterations,
    coefficients_table: m.coefficients_table,
    regularization_path: m.regularization_path,
  }),
};
