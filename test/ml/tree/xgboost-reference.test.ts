// floe's XGBoost against the real XGBoost (Debian's python3-xgboost 1.7.4, run here):
// `xgboost.train(tree_method="hist")` with the same parameters, on predictors with fewer
// distinct values than max_bins, so both bin every distinct value on its own and search
// the same candidate splits. Tree by tree and node by node, both must split on the same
// feature and send the same training rows left (XGBoost: x < split_condition; floe:
// bin <= threshold), and their leaves must agree.
//
// Tolerance: |floe − xgboost| <= 1e-4 · max(1, |xgboost|) for a leaf. floe quantizes each
// row's g and h to 2^20 levels of the iteration's largest |g| and h (stochastic rounding),
// so a leaf's sums are off by at most a quantum a row, and XGBoost keeps gradients, margins
// and leaves in float32 (relative 6e-8 a value, compounding over the rounds); both stay
// orders of magnitude under 1e-4, while any error of the formulas (lambda, alpha, gamma,
// min_child_weight, scale_pos_weight, the softmax hessian 2p(1 − p), base_score, eta)
// moves leaves by far more. Both grow policies are compared: depthwise, and lossguide to
// max_leaves (best-first: the leaf that gains most splits next), and max_delta_step (leaves
// clipped, splits scored with the clipped weights, poisson's hessian safeguard). The
// importances (total gain, total cover, splits per feature) are compared with XGBoost's
// dump under the same tolerance.
//
// Needs /usr/bin/python3 with xgboost: `apt-get install -y python3-xgboost`.

import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { algorithm } from "../../../src/ml/registry.ts";
import { numericBin } from "../../../src/ml/tree/binning.ts";
import type { TreeModel } from "../../../src/ml/tree/model.ts";
import type { Tree } from "../../../src/ml/tree/tree.ts";
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
labels = data[:, -1]
d = xgb.DMatrix(data[:, :-1], label=labels)
b = xgb.train(dict(tree_method="hist", **p), d, rounds)
print(json.dumps([json.loads(t) for t in b.get_dump(dump_format="json", with_stats=True)]))
`;

interface XgbNode {
  readonly nodeid: number;
  readonly leaf?: number;
  readonly split?: string;
  readonly split_condition?: number;
  readonly yes?: number;
  readonly no?: number;
  readonly missing?: number;
  readonly gain?: number;
  readonly cover?: number;
  readonly children?: XgbNode[];
}

/** XGBoost's total_gain, total_cover and weight (splits) per feature index, summed over the dumped trees. */
function importances(trees: readonly XgbNode[], features: number): { gain: number[]; cover: number[]; frequency: number[] } {
  const out = { gain: new Array(features).fill(0), cover: new Array(features).fill(0), frequency: new Array(features).fill(0) };
  const visit = (n: XgbNode) => {
    if (n.leaf !== undefined) return;
    const f = Number((n.split as string).slice(1));
    out.gain[f] += n.gain as number;
    out.cover[f] += n.cover as number;
    out.frequency[f] += 1;
    for (const c of n.children ?? []) visit(c);
  };
  for (const t of trees) visit(t);
  return out;
}

function xgboostTrees(path: string, params: Record<string, unknown>): XgbNode[] {
  const r = spawnSync(PYTHON, ["-c", XGB, path, JSON.stringify(params)], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`xgboost is needed for this test (apt-get install -y python3-xgboost): ${PYTHON} failed: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Rows of integer-valued predictors (a, b, c) and responses of each kind, irregular so gains
 * do not tie. No missing values: XGBoost also tries "every value left, missing right" at a
 * node, a split floe's search does not make (see the README's differences).
 */
function dataset(n: number): { header: string; rows: number[][] } {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a = (i * 7) % 9;
    const b = Math.floor(i / 9) % 6;
    const c = (i * 5) % 7;
    const noise = (((i * 2654435761) >>> 0) % 1000) / 1000;
    const signal = 0.6 * a - 0.9 * (b > 2 ? 1 : 0) + 0.3 * c + 1.5 * noise;
    const gaussian = signal + 0.25 * b * b;
    const binary = signal > 3.2 ? 1 : 0;
    const cls = signal < 2.4 ? 0 : signal < 3.9 ? 1 : 2;
    const count = Math.floor(Math.exp(signal / 3)) + (i % 3);
    rows.push([a, b, c, gaussian, binary, cls, count]);
  }
  return { header: "a,b,c,gaussian,binary,cls,count", rows };
}

interface Case {
  readonly name: string;
  /** Column of the dataset used as response. */
  readonly y: number;
  readonly enumResponse: boolean;
  readonly floe: Record<string, unknown>;
  readonly xgb: Record<string, unknown>;
  readonly classes: number;
  /** Fewest nodes a tree must average for the comparison to count (default 7: three splits). */
  readonly nodesPerTree?: number;
}

const ROUNDS = 8;
const CASES: Case[] = [
  {
    name: "gaussian, lambda 1, gamma 0",
    y: 3,
    enumResponse: false,
    floe: { ntrees: ROUNDS, max_depth: 4, learn_rate: 0.3 },
    xgb: { objective: "reg:squarederror", max_depth: 4, eta: 0.3 },
    classes: 1,
  },
  {
    name: "gaussian with reg_alpha, reg_lambda, gamma and min_child_weight",
    y: 3,
    enumResponse: false,
    floe: { ntrees: ROUNDS, max_depth: 5, learn_rate: 0.5, reg_lambda: 3, reg_alpha: 2, min_split_improvement: 0.5, min_rows: 6 },
    xgb: { objective: "reg:squarederror", max_depth: 5, eta: 0.5, reg_lambda: 3, reg_alpha: 2, gamma: 0.5, min_child_weight: 6 },
    classes: 1,
  },
  {
    name: "bernoulli with scale_pos_weight",
    y: 4,
    enumResponse: true,
    floe: { ntrees: ROUNDS, max_depth: 4, learn_rate: 0.3, scale_pos_weight: 2.5 },
    xgb: { objective: "binary:logistic", max_depth: 4, eta: 0.3, scale_pos_weight: 2.5 },
    classes: 1,
  },
  {
    name: "multinomial (softmax hessian 2p(1 − p))",
    y: 5,
    enumResponse: true,
    floe: { ntrees: ROUNDS, max_depth: 3, learn_rate: 0.3 },
    xgb: { objective: "multi:softprob", num_class: 3, max_depth: 3, eta: 0.3 },
    classes: 3,
  },
  {
    name: "lossguide: best-first to max_leaves 7",
    y: 3,
    enumResponse: false,
    floe: { ntrees: ROUNDS, max_depth: 6, learn_rate: 0.3, grow_policy: "lossguide", max_leaves: 7 },
    xgb: { objective: "reg:squarederror", max_depth: 6, eta: 0.3, grow_policy: "lossguide", max_leaves: 7 },
    classes: 1,
  },
  {
    name: "multinomial lossguide to max_leaves 5 a class tree",
    y: 5,
    enumResponse: true,
    floe: { ntrees: ROUNDS, max_depth: 4, learn_rate: 0.3, grow_policy: "lossguide", max_leaves: 5 },
    xgb: { objective: "multi:softprob", num_class: 3, max_depth: 4, eta: 0.3, grow_policy: "lossguide", max_leaves: 5 },
    classes: 3,
  },
  {
    name: "poisson at its defaults (XGBoost's hessian safeguard max_delta_step 0.7, leaves unclipped)",
    y: 6,
    enumResponse: false,
    floe: { ntrees: ROUNDS, max_depth: 3, learn_rate: 0.3, distribution: "poisson" },
    xgb: { objective: "count:poisson", max_depth: 3, eta: 0.3 },
    // Clipped at 0.7, a shallow tree's leaves leave little to split on: 5 nodes a tree or more.
    nodesPerTree: 5,
    classes: 1,
  },
  {
    name: "poisson with max_delta_step 0.4 (the safeguard, clipped leaves and splits scored with clipped weights)",
    y: 6,
    enumResponse: false,
    floe: { ntrees: ROUNDS, max_depth: 4, learn_rate: 0.3, distribution: "poisson", max_abs_leafnode_pred: 0.4 },
    xgb: { objective: "count:poisson", max_delta_step: 0.4, max_depth: 4, eta: 0.3 },
    classes: 1,
  },
  {
    name: "gaussian with max_delta_step 2",
    y: 3,
    enumResponse: false,
    floe: { ntrees: ROUNDS, max_depth: 4, learn_rate: 0.3, max_abs_leafnode_pred: 2 },
    xgb: { objective: "reg:squarederror", max_depth: 4, eta: 0.3, max_delta_step: 2 },
    classes: 1,
  },
];

/** Walks floe's tree and XGBoost's side by side over the training rows that reach each node; returns the nodes compared. */
function compareTree(t: Tree, x: XgbNode, model: TreeModel, data: number[][], where: string): number {
  const specs = model.features;
  const bin = (f: number, v: number) => numericBin(specs[f].cuts as Float64Array, v, specs[f].valueBins);
  const walk = (n: number, xn: XgbNode, rows: number[]): number => {
    if (xn.leaf !== undefined) {
      expect({ where, node: xn.nodeid, floeLeaf: t.feature[n] === -1 }).toEqual({ where, node: xn.nodeid, floeLeaf: true });
      const diff = Math.abs(t.value[n] - xn.leaf);
      expect({ where, node: xn.nodeid, within: diff <= 1e-4 * Math.max(1, Math.abs(xn.leaf)) || `${t.value[n]} vs ${xn.leaf}` }).toEqual({ where, node: xn.nodeid, within: true });
      return 1;
    }
    const f = Number((xn.split as string).slice(1));
    expect({ where, node: xn.nodeid, feature: t.feature[n] }).toEqual({ where, node: xn.nodeid, feature: f });
    const left: number[] = [];
    const right: number[] = [];
    for (const r of rows) {
      const v = data[r][f];
      const xgbLeft = v < (xn.split_condition as number);
      const floeLeft = bin(f, v) <= t.threshold[n];
      if (xgbLeft !== floeLeft) expect({ where, node: xn.nodeid, row: r, value: v, floeLeft }).toEqual({ where, node: xn.nodeid, row: r, value: v, floeLeft: xgbLeft });
      (xgbLeft ? left : right).push(r);
    }
    const child = (id: number | undefined) => (xn.children as XgbNode[]).find((c) => c.nodeid === id) as XgbNode;
    return 1 + walk(t.left[n], child(xn.yes), left) + walk(t.right[n], child(xn.no), right);
  };
  return walk(
    0,
    x,
    data.map((_, i) => i),
  );
}

test("floe's xgboost grows XGBoost's hist trees: same splits, same training rows each way, leaves within 1e-4", async () => {
  const { header, rows } = dataset(600);
  const names = header.split(",");
  for (const c of CASES) {
    // Class labels k0, k1, ... import as an enum whose level i is XGBoost's label i.
    const label = (v: number) => (c.enumResponse ? `k${v}` : v);
    const lines = (y: (v: number) => unknown) => rows.map((r) => [r[0], r[1], r[2], y(r[c.y])].join(",")).join("\n");
    const header3 = `${[...names.slice(0, 3), names[c.y]].join(",")}\n`;
    const reference = xgboostTrees(writeTemp(dir, `xgb${c.y}.csv`, `${header3}${lines((v) => v)}\n`), { ...c.xgb, max_bin: 256, rounds: ROUNDS });
    const path = writeTemp(dir, `floe${c.y}.csv`, `${header3}${lines(label)}\n`);
    const frame = (await node.importFrame({ kind: "file", path }).done).frame;
    const { model } = await algorithm("xgboost")!.train(node.executor, { modelId: "ref", frame, y: names[c.y], x: null, params: { seed: 7, ...c.floe } });
    const m = model as TreeModel;
    expect({ case: c.name, trees: m.iterations.length * m.treesPerIteration }).toEqual({ case: c.name, trees: reference.length });
    let nodes = 0;
    for (let it = 0; it < m.iterations.length; it++) {
      for (let k = 0; k < c.classes; k++) nodes += compareTree(m.iterations[it][k], reference[it * c.classes + k], m, rows, `${c.name}: round ${it} class ${k}`);
    }
    // Real trees, not stumps: the comparison covered many splits.
    expect({ case: c.name, many: nodes >= ROUNDS * c.classes * (c.nodesPerTree ?? 7) || nodes }).toEqual({ case: c.name, many: true });
    if (c.floe.max_leaves !== undefined) {
      const most = Math.max(...m.iterations.flat().map((t) => t.feature.filter((f) => f < 0).length));
      expect({ case: c.name, mostLeaves: most }).toEqual({ case: c.name, mostLeaves: c.floe.max_leaves as number });
    }
    // XGBoost's importances (total_gain, total_cover, weight) from its own dump.
    const ref = importances(reference, 3);
    for (const row of m.feature_importance ?? []) {
      const f = names.indexOf(row.variable);
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
      expect({
        case: c.name,
        f,
        frequency: row.frequency,
        gain: close(row.gain, ref.gain[f]) || `${row.gain} vs ${ref.gain[f]}`,
        cover: close(row.cover, ref.cover[f]) || `${row.cover} vs ${ref.cover[f]}`,
      }).toEqual({
        case: c.name,
        f,
        frequency: ref.frequency[f],
        gain: true,
        cover: true,
      });
    }
    expect(m.feature_importance?.length).toBe(3);
  }
}, 120_000);
