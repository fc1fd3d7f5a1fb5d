// floe's TreeSHAP against the real XGBoost's `predict(..., pred_contribs=True)` (Debian's
// python3-xgboost 1.7.4, tree_method hist): on integer predictors with fewer distinct values
// than the bins both grow the same trees (test/ml/tree/xgboost-reference.test.ts checks them
// node by node), so with the same covers (the hessian sums of a node's rows) both must give
// the same contributions and bias term. Tolerance as there: |floe − xgboost| <= 1e-4 ·
// max(1, |xgboost|); XGBoost keeps covers, leaves and contributions in float32, floe
// quantizes gradients and hessians. base_score is XGBoost's default 0.5 on both sides (the
// bias holds its margin: 0.5 for squared error, logit(0.5) = 0 for logistic).
//
// Needs /usr/bin/python3 with xgboost: `apt-get install -y python3-xgboost`.

import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { ALGORITHMS_CONTEXT, algorithm, descriptorOf } from "../../../src/ml/registry.ts";
import type { TreeModel } from "../../../src/ml/tree/model.ts";
import { tempDir, testNode, writeTemp } from "../../support/node.ts";

const node = testNode(2);
const dir = tempDir();
const PYTHON = "/usr/bin/python3";

const XGB = `
import json, sys
import numpy as np, xgboost as xgb
data = np.genfromtxt(sys.argv[1], delimiter=",", skip_header=1)
p = json.loads(sys.argv[2])
rounds = p.pop("rounds")
d = xgb.DMatrix(data[:, :-1], label=data[:, -1])
b = xgb.train(dict(tree_method="hist", max_bin=256, **p), d, rounds)
print(json.dumps(b.predict(d, pred_contribs=True).astype(float).tolist()))
`;

/** Integer-valued predictors a, b, c and a gaussian, a binary and a 3-class response, irregular so gains do not tie. */
function dataset(n: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a = (i * 7) % 9;
    const b = Math.floor(i / 9) % 6;
    const c = (i * 5) % 7;
    const noise = (((i * 2654435761) >>> 0) % 1000) / 1000;
    const signal = 0.6 * a - 0.9 * (b > 2 ? 1 : 0) + 0.3 * c + 1.5 * noise;
    rows.push([a, b, c, signal + 0.25 * b * b, signal > 3.2 ? 1 : 0, signal < 2.4 ? 0 : signal < 3.9 ? 1 : 2]);
  }
  return rows;
}

const CASES = [
  { name: "gaussian", y: 3, yName: "gaussian", enumResponse: false, floe: {}, xgb: { objective: "reg:squarederror" } },
  { name: "bernoulli", y: 4, yName: "binary", enumResponse: true, floe: {}, xgb: { objective: "binary:logistic" } },
  { name: "multinomial", y: 5, yName: "cls", enumResponse: true, floe: {}, xgb: { objective: "multi:softprob", num_class: 3 } },
] as const;

test("floe's contributions of XGBoost's trees equal XGBoost's pred_contribs (1e-4), gaussian, bernoulli and multinomial", async () => {
  const rows = dataset(600);
  for (const c of CASES) {
    const lines = (label: (v: number) => unknown) => rows.map((r) => [r[0], r[1], r[2], label(r[c.y])].join(",")).join("\n");
    const header = `a,b,c,${c.yName}\n`;
    const xgbPath = writeTemp(dir, `xgb-${c.name}.csv`, `${header}${lines((v) => v)}\n`);
    const r = spawnSync(PYTHON, ["-c", XGB, xgbPath, JSON.stringify({ ...c.xgb, max_depth: 4, eta: 0.3, rounds: 8 })], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`xgboost is needed for this test (apt-get install -y python3-xgboost): ${PYTHON} failed: ${r.error?.message ?? r.stderr}`);
    const reference = JSON.parse(r.stdout) as number[][] | number[][][];

    const path = writeTemp(dir, `floe-${c.name}.csv`, `${header}${lines((v) => (c.enumResponse ? `k${v}` : v))}\n`);
    const frame = (await node.importFrame({ kind: "file", path }).done).frame;
    const { model } = await algorithm("xgboost")!.train(node.executor, { modelId: "ref", frame, y: c.yName, x: null, params: { seed: 7, ntrees: 8, max_depth: 4, learn_rate: 0.3 } });
    const m = model as TreeModel;
    const contributions = await descriptorOf("xgboost").scorer.contributions?.(node.executor, m, frame, [], {}, ALGORITHMS_CONTEXT);
    const values = contributions?.chunks.flatMap((ch) => Array.from(ch.values)) ?? [];
    const K = m.treesPerIteration;
    expect({ case: c.name, values: values.length }).toEqual({ case: c.name, values: rows.length * K * 4 });
    let worst = 0;
    let biggest = 0;
    for (let i = 0; i < rows.length; i++) {
      for (let k = 0; k < K; k++) {
        const expected = (K > 1 ? (reference as number[][][])[i][k] : (reference as number[][])[i]) as number[];
        for (let j = 0; j < 4; j++) {
          const got = values[(i * K + k) * 4 + j];
          worst = Math.max(worst, Math.abs(got - expected[j]) / Math.max(1, Math.abs(expected[j])));
          if (j < 3) biggest = Math.max(biggest, Math.abs(expected[j]));
        }
      }
    }
    expect({ case: c.name, within: worst <= 1e-4 || worst }).toEqual({ case: c.name, within: true });
    // Real contributions were compared, not zeros.
    expect({ case: c.name, real: biggest > 0.1 }).toEqual({ case: c.name, real: true });
  }
}, 120_000);
