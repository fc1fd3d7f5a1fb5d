// How the command line reads flags and arguments: unknown flags are refused with a
// did-you-mean, H2O's snake_case spellings are aliases, boolean flags take true/false,
// and extra arguments are errors, never silently dropped.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, writeTemp } from "../support/node.ts";

const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
/** Two numeric columns under a header line: 2 rows with the header, 3 without. */
const small = writeTemp(dir, "small.csv", "a,b\n1,2\n3,4\n");

/** A failed run: the exit code of a bad argument, one line on stderr, nothing on stdout. */
function refused(r: { code: number; stdout: string; stderr: string }): string {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  return r.stderr;
}

test("unknown flags are refused with the closest known flag", async () => {
  const cases: [string[], string][] = [
    [["--ntree", "3"], "--ntrees"],
    [["--learning-rate", "0.9"], "--learn-rate"],
    [["--algo", "glm", "--lamda", "0.5"], "--lambda"],
  ];
  for (const [flags, suggestion] of cases) {
    const err = refused(await floe(["train", iris, "-y", "species", ...flags]));
    expect(err).toContain(`unknown flag ${flags.at(-2)}`);
    expect(err).toContain(`did you mean ${suggestion}?`);
  }
  expect(refused(await floe(["describe", iris, "--jsn"]))).toContain("did you mean --json?");
  expect(refused(await floe(["describe", iris, "--zzzzzz=1"]))).toBe("floe: unknown flag --zzzzzz; see floe describe --help\n");
});

test("H2O's snake_case spellings are the kebab-case flags", async () => {
  const r = await floe(["train", iris, "-y", "species", "--ntrees", "2", "--max_depth", "1", "--learn_rate=0.5", "--seed", "1", "--json"]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).params).toMatchObject({ ntrees: 2, max_depth: 1, learn_rate: 0.5 });
});

test("--flag false, --flag=false and --no-flag turn a boolean flag off; --flag true turns it on", async () => {
  const rows = async (...flags: string[]) => {
    const r = await floe(["describe", small, ...flags, "--json"]);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout).rows;
  };
  expect(await rows("--header", "false")).toBe(3);
  expect(await rows("--header=false")).toBe(3);
  expect(await rows("--no-header")).toBe(3);
  expect(await rows("--header", "true")).toBe(2);
  expect(await rows("--header")).toBe(2);
  expect(refused(await floe(["describe", small, "--header=maybe"]))).toContain("--header");
});

test("a boolean algorithm parameter is a boolean flag", async () => {
  const flags = ["train", iris, "-y", "sepal_length", "--algo", "glm", "--lambda", "0", "--json"];
  const on = await floe([...flags, "--compute-p-values"]);
  expect(on.code).toBe(0);
  expect(JSON.parse(on.stdout).params.compute_p_values).toBe(true);
  const off = await floe([...flags, "--compute_p_values", "false"]);
  expect(off.code).toBe(0);
  expect(JSON.parse(off.stdout).params.compute_p_values).toBe(false);
});

test("extra arguments are refused", async () => {
  expect(refused(await floe(["predict", "m.floe", iris, "extra.csv"]))).toContain("unexpected argument 'extra.csv'");
  expect(refused(await floe(["status", "extra", "--url", "http://127.0.0.1:1"]))).toContain("unexpected argument 'extra'");
});

test("a missing argument or required flag is one line and exit code 2", async () => {
  expect(refused(await floe(["predict"]))).toContain("MODEL");
  expect(refused(await floe(["status"]))).toContain("--url");
  expect(refused(await floe(["train", iris, "--y"]))).toContain("--y needs a value");
});

test("several input files (an unquoted glob the shell expanded) are read as one frame", async () => {
  const other = writeTemp(dir, "small2.csv", "a,b\n5,6\n");
  const r = await floe(["describe", small, other, "--json"]);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.rows).toBe(3);
  expect(out.columns[0].mean).toBe(3); // 1, 3, 5
  const text = await floe(["describe", small, other]);
  expect(text.stdout.split("\n")[0]).toBe(`${small} and 1 more: 3 rows, 2 columns`);
  expect(refused(await floe(["describe", small, "-"]))).toContain("stdin");
  expect(refused(await floe(["predict", "m.floe", small, other]))).toContain(`unexpected argument '${other}'`);
});

test("an unknown command is refused with the closest command", async () => {
  expect(refused(await floe(["trian", iris]))).toContain("unknown command 'trian' (did you mean train?)");
});

test("short flags and the one-letter long flags still work", async () => {
  const r = await floe(["train", iris, "-y", "species", "--x", "petal_length,petal_width", "--ntrees", "1", "--seed", "1", "--json"]);
  expect(r.code).toBe(0);
  expect(
    JSON.parse(r.stdout)
      .varimp.map((v: { variable: string }) => v.variable)
      .sort(),
  ).toEqual(["petal_length", "petal_width"]);
});
