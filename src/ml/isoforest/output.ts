// What an isolation forest adds to the report every front end shows: its trees, the
// normalization (isolation forest), the anomaly flag's threshold, how often each column
// is split on, and the histogram of the training rows' anomaly scores (the UI plots it).

import type { ModelOutput, ModelTable } from "../algorithm.ts";
import type { ForestModel } from "./model.ts";
import { SCORE_BINS } from "./model.ts";

/** Splits per trained column (isolation forest; an extended forest's hyperplanes use several). */
function splitCounts(m: ForestModel): number[] {
  const counts = new Array<number>(m.columns.length).fill(0);
  for (let n = 0; n < m.forest.left.length; n++) if (m.forest.left[n] >= 0 && m.forest.feature[n] >= 0) counts[m.forest.feature[n]]++;
  return counts;
}

function histogramRows(h: readonly number[]): (string | number)[][] {
  return h.map((rows, b) => [`${(b / SCORE_BINS).toFixed(2)} – ${((b + 1) / SCORE_BINS).toFixed(2)}`, rows]);
}

export const forestOutput: ModelOutput<ForestModel> = {
  summary: (m) => [m.forest.treeStart.length - 1, " trees of ", m.mean_sample_rows, " sampled rows"],
  tables(m) {
    const tables: ModelTable[] = [];
    if (m.algo === "isolationforest") {
      const counts = splitCounts(m);
      tables.push({ title: "Variable splits", headers: ["variable", "count"], rows: m.columns.map((c, j) => [c.name, counts[j]]) });
    }
    if (m.score_histogram) tables.push({ title: "Training anomaly scores", headers: ["score", "rows"], rows: histogramRows(m.score_histogram) });
    return tables;
  },
  json: (m) => ({
    ntrees: m.forest.treeStart.length - 1,
    nodes: m.forest.left.length,
    mean_sample_rows: m.mean_sample_rows,
    min_path_length: m.min_path_length,
    max_path_length: m.max_path_length,
    anomaly_threshold: m.anomaly_threshold,
    score_histogram: m.score_histogram && { breaks: Array.from({ length: SCORE_BINS + 1 }, (_, b) => b / SCORE_BINS), counts: m.score_histogram },
    ...(m.algo === "isolationforest" ? { variable_splits: splitCounts(m).map((count, j) => ({ variable: m.columns[j].name, count })) } : {}),
  }),
};
