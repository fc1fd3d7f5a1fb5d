// Deep trees in bounded memory: a level pass builds a dense histogram only for nodes whose
// histogram (24 bytes a bin) is smaller than their rows' records (12 bytes a row with two
// features); smaller nodes come back as their records. So whatever the number of nodes
// in a level, a pass holds at most a record's bytes a row, not nodes x bins.

import { expect, test } from "bun:test";
import { algorithm } from "../../../src/ml/registry.ts";
import type { TreeModel } from "../../../src/ml/tree/model.ts";
import { watchLevelPasses } from "../../support/level-passes.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();

test("a depth-20 forest's level passes hold at most a record's bytes a row, however many nodes a level has", async () => {
  // 6,000 rows, two numeric features of 255 bins each and a label that is noise: the trees
  // grow to thousands of nodes a level, which dense histograms would make 510 bins each.
  const rows = 6000;
  let state = 12345;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const lines = ["a,b,y"];
  for (let i = 0; i < rows; i++) lines.push(`${next().toFixed(6)},${next().toFixed(6)},${next() < 0.5 ? "p" : "q"}`);
  const path = writeTemp(tempDir(), "noise.csv", lines.join("\n"));
  const { frame } = await node.importFrame({ kind: "file", path }, { chunkRows: 1000 }).done;
  const seen = { maxBins: 0, maxRecords: 0, passes: 0 };
  const executor = watchLevelPasses(node.executor, (a) => {
    seen.maxBins = Math.max(seen.maxBins, a.bins);
    seen.maxRecords = Math.max(seen.maxRecords, a.records);
    seen.passes++;
  });
  const drf = algorithm("drf");
  if (!drf) throw new Error("no drf");
  const { model } = await drf.train(executor, { frame, y: "y", x: null, params: { ntrees: 2, max_depth: 20, mtries: -2, seed: 3 }, modelId: "deep" });
  const nodes = Math.max(...(model as TreeModel).iterations.flat().map((t) => t.feature.length));
  expect(nodes).toBeGreaterThan(2000);
  // The root pass is dense over both features: 2 × 256 bins. Deeper passes: dense bins
  // take less than the rows' records, 24 B a bin against 12 B a row.
  expect(seen.maxBins * 24).toBeLessThanOrEqual(rows * 12);
  expect(seen.maxRecords).toBeLessThanOrEqual(rows);
  expect(seen.passes).toBeGreaterThan(20);
});
