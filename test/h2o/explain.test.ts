// H2O's explainability calls through floe with H2O's unmodified client (test/h2o/scripts/
// explain_*.py, on a binomial GBM): each script checks floe's answers against what the client
// computes from the model's own predictions, and prints them for the checks here.

import { afterAll, expect, test } from "bun:test";
import { killAllNodes, startCluster } from "../support/cluster.ts";
import { tempDir, writeTemp } from "../support/node.ts";
import { testServer } from "../support/server.ts";
import { runH2OScript, scriptResult } from "./support.ts";

const dir = tempDir();
const rows = Array.from({ length: 300 }, (_, i) => {
  const a = ((i * 37) % 101) / 10;
  const b = Math.round(Math.sin(i) * 300) / 100;
  const c = ["x", "y", "z"][(i * 13) % 3];
  const noise = (i * 53) % 17;
  const score = a - 5 + 2 * b + (c === "z" ? 2 : 0) + (((i * 29) % 7) - 3);
  return [a, b, c, noise, score > 0 ? "yes" : "no"];
});
const DATA = writeTemp(dir, "explain.csv", `a,b,c,noise,label\n${rows.map((r) => r.join(",")).join("\n")}\n`);
const A_VALUES = rows.map((r) => r[0] as number);

afterAll(killAllNodes);

async function runScript(name: string, url?: string) {
  const run = await runH2OScript(name, url ?? (await testServer()).url, { DATA_PATH: DATA });
  expect(`${run.stdout}\n${run.stderr}`).not.toContain("Traceback");
  expect(run.code).toBe(0);
  return scriptResult(run.stdout);
}

test("partial_plot(plot=False): H2O's table, each mean_response the mean prediction with the column set (whole frame, one row, levels, user splits, NA, pairs; k-means refused)", async () => {
  const out = await runScript("explain_pdp.py");
  // nbins=5 on a numeric column: five even points from its minimum to its maximum.
  const min = Math.min(...A_VALUES);
  const max = Math.max(...A_VALUES);
  const grid = [0, 1, 2, 3, 4].map((k) => min + ((max - min) * k) / 4);
  for (const table of [out.pdp, out.ice]) {
    expect(table.map((r: number[]) => r[0])).toEqual(grid.map((g) => expect.closeTo(g, 12)));
  }
  // Over the frame the response varies across rows (a standard error of sd/sqrt(300)); one row alone has none.
  for (const [, , sd, se] of out.pdp) expect(se).toBeCloseTo(sd / Math.sqrt(300), 12);
  for (const [, , sd] of out.ice) expect(sd).toBe(0);
  expect(out.levels).toEqual(["x", "y", "z"]);
  expect(out.kmeans_error).toContain("partial dependence explains supervised models");
  // A pair's grid: the cross product of a's three points and c's levels, a first.
  expect(out.pair).toEqual([min, (min + max) / 2, max].flatMap((a) => ["x", "y", "z"].map((c) => [expect.closeTo(a, 12), c])));
}, 120_000);

test("permutation_importance: H2O's table over the model's features, repeatable by seed, a column per run", async () => {
  const out = await runScript("explain_permutation.py");
  // The label is built from a, b and c; the noise column matters least.
  expect(out.auc.at(-1)[0]).toBe("noise");
  expect(["a", "b"]).toContain(out.auc[0][0]);
  for (const [, ...runs] of out.runs) {
    expect(runs.length).toBe(3);
    for (const r of runs) expect(Number.isFinite(r)).toBe(true);
  }
}, 120_000);

test("predict_contributions: a column per feature and BiasTerm adding up to the logit of p(yes); top_n/bottom_n in H2O's layout; output_space; baseline SHAP per reference; k-means refused with H2O's error", async () => {
  const out = await runScript("explain_contributions.py");
  expect(out.columns).toEqual(["a", "b", "c", "noise", "BiasTerm"]);
  expect(out.worst).toBeLessThan(1e-6);
  expect(out.kmeans_error).toContain("kmeans");
  expect(out.kmeans_error).toContain("supervised");
  expect(out.dl_error).toContain("background_frame is required");
}, 120_000);

test("on a two-node cluster (frames spread over both members) every explain call works as on one node", async () => {
  const nodes = await startCluster(2);
  try {
    for (const script of ["explain_contributions.py", "explain_pdp.py", "explain_permutation.py"]) await runScript(script, nodes[1].url);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}, 240_000);
