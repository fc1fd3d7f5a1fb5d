// The tree memory estimate, worked by hand, and the refusal of a training that cannot fit.

import { expect, test } from "bun:test";
import { totalmem } from "node:os";
import { availableMemory } from "../../../src/core/memory.ts";
import { algorithm } from "../../../src/ml/registry.ts";
import { treeMemory } from "../../../src/ml/tree/memory.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode();

test("the estimate: view bytes a row, a level's histograms capped by its rows' records, partials on every worker", () => {
  // 1,000 rows, 2 features of 256 bins, one class, depth 3, 2 threads.
  const m = treeMemory({ rows: 1000, validRows: 0, features: 2, bins: 512, classes: 1, maxDepth: 3, threads: 2 });
  // a row: 2 bins x 2 B + a bundle's bin 2 B + y 8 + w 8 + fold 4 + oob count 8 = 34 B, and per
  // class score, g, h, holdout and oob 8 B each, quantized g and h, node and order 4 B each,
  // parts 12 B = 68 B, and with one class exp(-score) 8 B
  expect(m.view).toBe(110_000);
  // deepest level built: 4 nodes x 512 bins x 24 B = 49,152 B, but at most a 12-byte record a row
  // (12,000 B), and never less than the root's histogram (12,288 B). Three partials (2 workers,
  // each with its packed sums of 16 B a bin: 12,288 x 40 / 24 = 20,480 B, and the merged one)
  // and the parents kept.
  expect(m.histograms).toBe(12_288 + 2 * 20_480 + 12_288);
  expect(m.total).toBe(175_536);
});

test("what this node may take is the machine's memory less what the process holds", () => {
  const free = availableMemory();
  expect(free).toBeGreaterThan(0);
  expect(free).toBeLessThan(totalmem());
});

test("a training estimated to need more memory than it may take is refused before any tree, naming the numbers", async () => {
  const lines = ["a,b,y"];
  for (let i = 0; i < 3000; i++) lines.push(`${(i * 7919) % 1000},${(i * 104729) % 997},${i % 3 === 0 ? "p" : "q"}`);
  const path = writeTemp(tempDir(), "data.csv", lines.join("\n"));
  const { frame } = await node.importFrame({ kind: "file", path }).done;
  const drf = algorithm("drf");
  if (!drf) throw new Error("no drf");
  const req = { frame, y: "y", x: null, params: { ntrees: 2, max_depth: 20, seed: 1 }, modelId: "m" };
  const need = treeMemory({ rows: 3000, validRows: 0, features: 2, bins: 2 * 256, classes: 1, maxDepth: 20, threads: node.executor.threads }).total;
  const refused = await drf.train(node.executor, { ...req, memory: need - 1 }).then(
    () => "trained",
    (e: Error) => e.message,
  );
  expect(refused).toMatch(/training needs about .* \(view of 3000 rows x 2 features: .*; histograms for max_depth 20 over 512 bins: .*\) but .* is available/);
  const { model } = await drf.train(node.executor, { ...req, memory: need });
  expect(model.algo).toBe("drf");
});
