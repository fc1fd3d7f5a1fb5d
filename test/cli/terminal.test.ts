// What the command line prints for people: help and errors without colour codes when
// piped (NO_COLOR / FORCE_COLOR honoured), wrapped to 80 columns, enum options with their
// values, `floe help` and `floe version`, and a wide describe table printed whole.

import { expect, test } from "bun:test";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, writeTemp } from "../support/node.ts";

const dir = tempDir();
const ESC = "\x1b[";
/** Neither variable set (an empty value counts as unset). */
const plain = { NO_COLOR: "", FORCE_COLOR: "" };

test("help and errors carry no colour codes when piped", async () => {
  for (const args of [["--help"], ["describe", "--help"], ["train", "--help"], ["describe", "no-such-file.csv"], ["predict"], ["nosuch"]]) {
    const r = await floe(args, { env: plain });
    expect(r.stdout + r.stderr).not.toContain(ESC);
  }
});

test("FORCE_COLOR colours the help; NO_COLOR alone keeps it plain", async () => {
  expect((await floe(["describe", "--help"], { env: { ...plain, FORCE_COLOR: "1" } })).stdout).toContain(ESC);
  expect((await floe(["describe", "--help"], { env: { ...plain, NO_COLOR: "1" } })).stdout).not.toContain(ESC);
});

test("help is wrapped to 80 columns when piped", async () => {
  for (const cmd of ["describe", "train", "automl", "predict", "serve", "status"]) {
    const r = await floe([cmd, "--help"], { env: plain });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  }
});

test("enum options list their allowed values", async () => {
  const help = (await floe(["train", "--help"], { env: plain })).stdout.replace(/\s+/g, " ");
  // The values as src/ml declares them (glm family, tree distribution, cross-validation folds).
  for (const value of ["gaussian", "binomial", "poisson", "tweedie", "bernoulli", "quantile", "Stratified", "Modulo", "deeplearning"]) {
    expect(help).toContain(value);
  }
  expect(help).toMatch(/--family[^-]*binomial/);
  const automl = (await floe(["automl", "--help"], { env: plain })).stdout.replace(/\s+/g, " ");
  expect(automl).toMatch(/--sort-metric[^-]*mean_per_class_error/);
});

test("floe help, floe help COMMAND and floe version", async () => {
  const top = await floe(["help"], { env: plain });
  expect(top.code).toBe(0);
  for (const cmd of ["describe", "train", "automl", "predict", "eval", "status", "shutdown", "serve", "help", "version"]) expect(top.stdout).toContain(cmd);
  const trainHelp = await floe(["help", "train"], { env: plain });
  expect(trainHelp.code).toBe(0);
  expect(trainHelp.stdout).toBe((await floe(["train", "--help"], { env: plain })).stdout);
  expect(trainHelp.stdout).toContain("--max-depth");
  expect(trainHelp.stdout).toContain("Usage: floe train [options] [FILE...]");
  expect((await floe(["help", "predict"], { env: plain })).stdout).toContain("Usage: floe predict [options] MODEL [FILE]\n");
  expect(await floe(["version"])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  const bad = await floe(["help", "trian"], { env: plain });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("did you mean train?");
});

test("describe prints the table of 10,000 columns", async () => {
  const cols = 10_000;
  const lines = [Array.from({ length: cols }, (_, i) => `c${i}`).join(",")];
  for (let r = 0; r < 3; r++) lines.push(Array.from({ length: cols }, (_, i) => r * i).join(","));
  const path = writeTemp(dir, "wide.csv", `${lines.join("\n")}\n`);
  const r = await floe(["describe", path], { timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  const out = r.stdout.trimEnd().split("\n");
  expect(out[0]).toBe(`${path}: 3 rows, ${cols} columns`);
  expect(out).toHaveLength(cols + 2);
  // Column c9999 holds 0, 9999, 19998: one zero, mean 9999, sd 9999.
  expect(out.at(-1)?.split(/\s+/)).toEqual(["c9999", "numeric", "0", "1", "0", "19998", "9999", "9999"]);
}, 70_000);

test("the text table aligns columns as before on a known file", async () => {
  const r = await floe(["describe", join(FIXTURES, "penguins.csv")]);
  expect(r.code).toBe(0);
  const lines = r.stdout.trimEnd().split("\n").slice(1);
  // Every column of the table starts at the same offset on every line.
  const starts = (line: string) => [...line.matchAll(/(?:^|  )(\S)/g)].map((m) => (m.index ?? 0) + m[0].length - 1);
  const header = starts(lines[0]);
  expect(header).toHaveLength(10);
  for (const line of lines.slice(1)) for (const s of starts(line)) expect(header).toContain(s);
  for (const line of lines) expect(line).not.toMatch(/ $/);
});
