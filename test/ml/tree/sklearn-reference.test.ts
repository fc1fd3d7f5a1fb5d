// A whole tree against an independent implementation: scikit-learn's exact-greedy
// DecisionTreeRegressor. The predictors take few distinct values (each its own bin), so
// floe's histogram split search sees exactly what the exact-greedy search sees, and a DRF
// of one tree with no row or column sampling (mtries = all) fits the squared error as
// sklearn does. Same depth; sklearn's min_samples_leaf is H2O's min_rows (both 1 here,
// and a split needs 2 rows). The response is irregular, so no two splits tie on gain.
//
// Tolerance: floe quantizes each row's gradient to 2^20 levels of the largest |g| (with
// stochastic rounding), so a leaf mean may be off by at most one quantum, max|y| / 2^20.
//
// Needs python3 with scikit-learn: `apt-get install -y python3-sklearn`.

import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { algorithm } from "../../../src/ml/registry.ts";
import { predictFrame } from "../../../src/ml/scoring.ts";
import type { TreeModel } from "../../../src/ml/tree/model.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode(1);
const dir = tempDir();
const PYTHON = "/usr/bin/python3";

const SKLEARN = `
import json, sys
import numpy as np
from sklearn.tree import DecisionTreeRegressor
train = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
grid = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
m = DecisionTreeRegressor(max_depth=int(sys.argv[3]), min_samples_leaf=1, random_state=0).fit(train[:, :-1], train[:, -1])
t = m.tree_
print(json.dumps({"predictions": m.predict(grid).tolist(), "leaves": int(m.get_n_leaves()), "root": int(t.feature[0]), "splitFeatures": sorted(int(f) for f in t.feature if f >= 0)}))
`;

interface Reference {
  readonly predictions: number[];
  readonly leaves: number;
  readonly root: number;
  readonly splitFeatures: number[];
}

function sklearnTree(trainPath: string, gridPath: string, depth: number): Reference {
  const r = spawnSync(PYTHON, ["-c", SKLEARN, trainPath, gridPath, String(depth)], { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`scikit-learn is needed for this test (apt-get install -y python3-sklearn): ${PYTHON} failed: ${r.error?.message ?? r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

function leafCount(model: TreeModel): { leaves: number; root: number; splitFeatures: number[] } {
  const t = model.iterations[0][0];
  const splitFeatures = Array.from(t.feature).filter((f) => f >= 0);
  return { leaves: t.feature.length - splitFeatures.length, root: t.feature[0], splitFeatures: splitFeatures.sort((a, b) => a - b) };
}

test("a one-tree DRF (no sampling, mtries all) is scikit-learn's exact-greedy regression tree", async () => {
  // 240 rows over a 6 × 5 × 4 grid of integer predictors; y irregular so gains do not tie.
  const rows: number[][] = [];
  for (let i = 0; i < 240; i++) {
    const a = i % 6;
    const b = Math.floor(i / 6) % 5;
    const c = Math.floor(i / 30) % 4;
    const y = 7 * (a > 2 ? 1 : 0) + 3 * b * b - 2 * c + ((i * 37) % 11) / 4 + (a === 5 ? 4.5 : 0);
    rows.push([a, b, c, y]);
  }
  const grid: number[][] = [];
  for (let a = 0; a < 6; a++) for (let b = 0; b < 5; b++) for (let c = 0; c < 4; c++) grid.push([a, b, c]);
  const trainPath = writeTemp(dir, "train.csv", `a,b,c,y\n${rows.map((r) => r.join(",")).join("\n")}\n`);
  const gridPath = writeTemp(dir, "grid.csv", `a,b,c\n${grid.map((r) => r.join(",")).join("\n")}\n`);
  const maxY = Math.max(...rows.map((r) => Math.abs(r[3])));

  for (const depth of [1, 3, 5]) {
    const reference = sklearnTree(trainPath, gridPath, depth);
    const frame = (await node.importFrame({ kind: "file", path: trainPath }).done).frame;
    const gridFrame = (await node.importFrame({ kind: "file", path: gridPath }).done).frame;
    const { model } = await algorithm("drf")!.train(node.executor, {
      modelId: `ref${depth}`,
      frame,
      y: "y",
      x: null,
      params: { ntrees: 1, max_depth: depth, min_rows: 1, sample_rate: 1, mtries: -2, min_split_improvement: 0, seed: 1 },
    });
    const tree = model as TreeModel;
    expect(leafCount(tree)).toEqual({ leaves: reference.leaves, root: reference.root, splitFeatures: reference.splitFeatures });
    const predicted = (await predictFrame(node.executor, tree, gridFrame, [])).flatMap((s) => Array.from(s.p));
    expect(predicted.length).toBe(reference.predictions.length);
    predicted.forEach((p, i) => expect(Math.abs(p - reference.predictions[i])).toBeLessThanOrEqual(maxY / 2 ** 20));
  }
});
