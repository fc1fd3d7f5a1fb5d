// `floe predict MODEL DATA --contributions`: each row's SHAP contributions as CSV (H2O's
// columns: one per feature then BiasTerm, or the top/bottom layout), to stdout or --out,
// for a gaussian GLM of iris whose contributions add up to the prediction `floe predict`
// writes; and one clear line for each mistake.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, writeTemp } from "../support/node.ts";

const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
const X = ["sepal_width", "petal_length", "petal_width", "species"];
const model = join(dir, "glm.floe");
const trained = await floe(["train", iris, "-y", "sepal_length", "--algo", "glm", "--x", X.join(","), "--lambda", "0", "--out", model]);
if (trained.code !== 0) throw new Error(`train failed: ${trained.stderr}`);

/** A CSV's header and rows (numbers where a cell reads as one). */
function csv(text: string): { header: string[]; rows: (number | string)[][] } {
  const [head, ...lines] = text.trimEnd().split("\n");
  return { header: head.split(","), rows: lines.map((l) => l.split(",").map((v) => (v !== "" && Number.isFinite(Number(v)) ? Number(v) : v))) };
}

test("--contributions: one column per feature then BiasTerm, each row adding up to the prediction", async () => {
  const [contribs, preds] = await Promise.all([floe(["predict", model, iris, "--contributions", "--threads", "2"]), floe(["predict", model, iris])]);
  expect(contribs.stderr).toBe("");
  expect(contribs.code).toBe(0);
  const c = csv(contribs.stdout);
  // The model's input columns (in its order), then BiasTerm.
  expect(c.header.at(-1)).toBe("BiasTerm");
  expect(c.header.slice(0, -1).sort()).toEqual([...X].sort());
  const p = csv(preds.stdout);
  expect(c.rows.length).toBe(150);
  c.rows.forEach((row, i) => expect((row as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(p.rows[i][0] as number, 9));
  // The same numbers on one thread (the exactness rule), and written to --out.
  const out = join(dir, "contribs.csv");
  const toFile = await floe(["predict", model, iris, "--contributions", "--threads", "1", "--out", out]);
  expect(toFile.code).toBe(0);
  expect(toFile.stdout).toBe("");
  expect(readFileSync(out, "utf8")).toBe(contribs.stdout);
});

test("--top-n and --bottom-n: H2O's layout, each row's largest and smallest contributions", async () => {
  const [full, ranked] = await Promise.all([floe(["predict", model, iris, "--contributions"]), floe(["predict", model, iris, "--contributions", "--top-n", "1", "--bottom-n", "1"])]);
  expect(ranked.code).toBe(0);
  const r = csv(ranked.stdout);
  expect(r.header).toEqual(["top_feature_1", "top_value_1", "bottom_feature_1", "bottom_value_1", "BiasTerm"]);
  const f = csv(full.stdout);
  const names = f.header.slice(0, -1);
  r.rows.forEach((row, i) => {
    const values = f.rows[i].slice(0, names.length) as number[];
    expect(row[0]).toBe(names[values.indexOf(Math.max(...values))]);
    expect(row[1]).toBe(Math.max(...values));
    expect(row[2]).toBe(names[values.indexOf(Math.min(...values))]);
    expect(row[3]).toBe(Math.min(...values));
  });
});

test("an input with no rows is refused, and nothing is written", async () => {
  const empty = writeTemp(dir, "empty.csv", "sepal_length,sepal_width,petal_length,petal_width,species\n");
  const r = await floe(["predict", model, empty, "--contributions"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/no rows/);
});

test("mistakes are one clear line, and nothing is written", async () => {
  const cases: [string[], RegExp][] = [
    [["--contributions", "--top-n", "x"], /--top-n must be an integer.*'x'/],
    [["--contributions", "--top-n", "1.5"], /--top-n must be an integer/],
    [["--contributions", "--bottom-n", "-2"], /--bottom-n must be an integer/],
    [["--top-n", "2"], /--top-n needs --contributions/],
    [["--compare-abs"], /--compare-abs needs --contributions/],
    [["--contributions", "--output-per-reference"], /--output-per-reference needs --background/],
  ];
  const kmeans = join(dir, "kmeans.floe");
  expect((await floe(["train", iris, "--algo", "kmeans", "--k", "3", "--x", "sepal_width,petal_width", "--seed", "1", "--out", kmeans])).code).toBe(0);
  const unsupervised = await floe(["predict", kmeans, iris, "--contributions"]);
  expect(unsupervised.code).toBe(1);
  expect(unsupervised.stdout).toBe("");
  expect(unsupervised.stderr).toMatch(/kmeans models \(Clustering\) have no contributions/);
  for (const [flags, message] of cases) {
    const r = await floe(["predict", model, iris, ...flags]);
    expect({ flags, code: r.code }).toEqual({ flags, code: 2 });
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n").length).toBe(1);
    expect(r.stderr).toMatch(message);
  }
});
