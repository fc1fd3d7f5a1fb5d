// Checks before side effects: predict opens its output only once the input is checked,
// an unwritable --out fails before any work, and the spooled copy of stdin is removed on
// every way out (SIGTERM, SIGHUP, the output pipe closed early, errors).

import { beforeAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, floe } from "../support/cli.ts";
import { FIXTURES, tempDir, writeTemp } from "../support/node.ts";

const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
const model = join(dir, "iris.floe");
/** iris's rows 200 times over (30,000 rows): more predictions than a pipe buffer holds. */
const big = join(dir, "big.csv");

beforeAll(async () => {
  const r = await floe(["train", iris, "-y", "species", "--ntrees", "2", "--seed", "1", "--out", model]);
  if (r.code !== 0) throw new Error(r.stderr);
  const [header, ...rows] = (await Bun.file(iris).text()).trimEnd().split("\n");
  writeFileSync(big, `${header}\n${Array.from({ length: 200 }, () => rows.join("\n")).join("\n")}\n`);
});

/** A fresh, empty directory for TMPDIR. */
let tmpCount = 0;
function freshTmp(): string {
  const path = join(dir, `tmp${tmpCount++}`);
  mkdirSync(path);
  return path;
}

test("predict writes nothing to stdout when its input is bad", async () => {
  const empty = writeTemp(dir, "empty.csv", "");
  for (const input of [join(dir, "missing.csv"), empty, dir]) {
    const r = await floe(["predict", model, input]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
  }
});

test("an unwritable --out is refused before the data is read", async () => {
  const notADir = writeTemp(dir, "plain-file", "x");
  const out = join(notADir, "m.floe");
  const missing = join(dir, "missing.csv");
  for (const cmd of [
    ["train", missing, "-y", "species"],
    ["automl", missing, "-y", "species", "--max-models", "1"],
  ]) {
    const r = await floe([...cmd, "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`floe: --out ${out}: cannot write there (${notADir} is not a directory)\n`);
  }
  const noDir = join(dir, "no-such-dir", "m.floe");
  expect((await floe(["train", missing, "-y", "species", "--out", noDir])).stderr).toBe(`floe: --out ${noDir}: cannot write there (${join(dir, "no-such-dir")} does not exist)\n`);
});

/** Starts `floe predict MODEL -` reading a pipe; resolves once the stdin spool file exists. */
async function spooling(tmp: string) {
  const proc = Bun.spawn([process.execPath, CLI, "predict", model, "-"], { stdin: "pipe", stdout: "pipe", stderr: "pipe", env: { ...process.env, TMPDIR: tmp } });
  proc.stdin.write("sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,Iris-setosa\n");
  await proc.stdin.flush();
  // Wait for the spool (no time limit of our own: the test's timeout is the bound).
  while (!readdirSync(tmp).some((d) => d.startsWith("floe-spool-") && readdirSync(join(tmp, d)).length > 0)) await Bun.sleep(20);
  return proc;
}

for (const signal of ["SIGTERM", "SIGHUP"] as const) {
  test(`${signal} while stdin is spooled removes the spool`, async () => {
    const tmp = freshTmp();
    const proc = await spooling(tmp);
    proc.kill(signal);
    await proc.exited;
    expect(proc.exitCode).not.toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  });
}

test("predict - | head: the output pipe closed early removes the spool", async () => {
  const tmp = freshTmp();
  const sh = Bun.spawn(["sh", "-c", `"$0" "$1" predict "$2" - < "$3" | head -n 2`, process.execPath, CLI, model, big], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, TMPDIR: tmp },
  });
  const [out, err] = await Promise.all([new Response(sh.stdout).text(), new Response(sh.stderr).text(), sh.exited]);
  expect(out.split("\n")[0]).toBe("predict,Iris-setosa,Iris-versicolor,Iris-virginica");
  expect(err).toBe("");
  expect(readdirSync(tmp)).toEqual([]);
});

test("errors after the spool remove it too", async () => {
  const tmp = freshTmp();
  const r = await floe(["predict", model, "-"], { stdin: "not,a\nmodel,input\n\x00\x01", env: { TMPDIR: tmp } });
  expect(r.code).not.toBe(0);
  expect(readdirSync(tmp)).toEqual([]);
});

test("a missing or unusable temporary directory is named", async () => {
  const nowhere = join(dir, "no-such-tmp");
  const r = await floe(["predict", model, "-"], { stdin: Bun.file(iris), env: { TMPDIR: nowhere } });
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toBe(`floe: cannot keep a temporary copy of the input: the temporary directory ${nowhere} (TMPDIR) does not exist\n`);
});
