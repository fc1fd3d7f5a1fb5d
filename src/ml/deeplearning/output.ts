// What a deep learning model adds to the report every front end shows: its layers,
// activation and epochs, and the scoring history (the text shows its last entries).

import type { ModelOutput } from "../algorithm.ts";
import { type DeepLearningModel, hiddenOf } from "./model.ts";

/** Entries of the scoring history shown in text (the JSON holds them all). */
const HISTORY_ROWS = 50;

export const deepLearningOutput: ModelOutput<DeepLearningModel> = {
  summary: (m) => [`hidden [${hiddenOf(m).join(",")}], ${m.params.activation}, `, m.epochs_trained, " epochs"],
  tables(m) {
    const history = m.scoring_history as readonly Record<string, number>[];
    const shown = history.slice(-HISTORY_ROWS);
    if (!shown.length) return [];
    const headers = [...new Set(shown.flatMap((e) => Object.keys(e)))].filter((h) => h !== "duration_ms");
    const more = history.length > shown.length ? ` (last ${shown.length} of ${history.length})` : "";
    return [{ title: `Scoring history${more}`, headers, rows: shown.map((e) => headers.map((h) => e[h])) }];
  },
  json: (m) => ({ hidden: hiddenOf(m), activation: m.params.activation, epochs_trained: m.epochs_trained, iterations: m.iterations, scoring_history: m.scoring_history }),
};
