// Checks of an isolation forest read from a model file: its trained columns, and trees whose
// every route ends at a leaf (a split's children sit after it and inside its tree, an
// isolation split reads a column the model has, an extended split has p weights), finite
// thresholds and path lengths, and the normalization and flag the scores are made with.

import type { Shape } from "../modelcheck/shape.ts";
import { SCORE_BINS } from "./model.ts";

export function checkForestModel(s: Shape, m: Record<string, unknown>, extended: boolean): void {
  const columns = s.array(m.columns, "columns");
  const p = columns.length;
  columns.forEach((c, j) => {
    const col = s.object(c, `column ${j}`);
    s.string(col.name, `column ${j} name`);
    if (col.domain !== null) s.strings(col.domain, `column ${j} domain`);
  });
  if (p === 0) s.fail("columns", "is empty");
  const f = s.object(m.forest, "forest");
  const left = s.typed(f.left, Int32Array, "forest left");
  const nodes = left.length;
  const feature = s.typed(f.feature, Int32Array, "forest feature", nodes);
  s.finites(f.value, "forest value", nodes);
  s.finites(f.normals, "forest normals", extended ? nodes * p : 0);
  const starts = s.typed(f.treeStart, Int32Array, "forest treeStart");
  if (starts.length < 2 || starts[0] !== 0 || starts[starts.length - 1] !== nodes) s.fail("forest treeStart", `must run from 0 to the ${nodes} nodes over at least one tree`);
  for (let t = 0; t + 1 < starts.length; t++) {
    const [from, to] = [starts[t], starts[t + 1]];
    if (!(to > from)) s.fail(`forest tree ${t}`, "has no nodes");
    for (let n = from; n < to; n++) {
      const l = left[n];
      if (l === -1) continue;
      if (!(l > n && l + 1 < to)) s.fail(`forest tree ${t} node ${n}`, `has children ${l} and ${l + 1}, not after it inside its tree (nodes ${from} to ${to - 1})`);
      if (extended ? feature[n] !== -1 : !(feature[n] >= 0 && feature[n] < p)) s.fail(`forest tree ${t} node ${n}`, `splits on column ${feature[n]} of ${p}`);
    }
  }
  s.number(m.mean_sample_rows, "mean_sample_rows", { min: 0 });
  for (const k of ["min_path_length", "max_path_length"]) {
    if (!extended) s.int(m[k], k);
    else if (m[k] !== null) s.fail(k, "is set for an extended forest");
  }
  if (m.anomaly_threshold !== null) s.number(m.anomaly_threshold, "anomaly_threshold");
  if (m.score_histogram !== null) s.array(m.score_histogram, "score_histogram", SCORE_BINS).forEach((v, b) => s.number(v, `score_histogram bin ${b}`, { min: 0 }));
}
