// The single binary: built by scripts/build.ts, copied alone into an empty directory, it
// runs describe (DuckDB and the worker pool included) with nothing else present.

import { beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir } from "../support/node.ts";

const dir = tempDir();
const lone = join(dir, "empty");
const exe = join(lone, "floe");

beforeAll(async () => {
  const built = join(dir, "floe-built");
  const build = Bun.spawnSync([process.execPath, join(import.meta.dir, "..", "..", "scripts", "build.ts"), "--outfile", built]);
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
  mkdirSync(lone);
  copyFileSync(built, exe);
}, 120_000);

test("the binary alone in an empty directory describes a file and stdin like the source CLI", async () => {
  // A fresh cache directory: the binary must unpack DuckDB's library itself.
  const env = { XDG_CACHE_HOME: join(dir, "cache") };
  const fromBinary = await floe(["describe", join(FIXTURES, "penguins.csv"), "--json"], { exe: [exe], cwd: lone, env });
  const fromStdin = await floe(["describe", "-", "--json"], { exe: [exe], cwd: lone, env, stdin: Bun.file(join(FIXTURES, "penguins.csv")) });
  const fromSource = await floe(["describe", join(FIXTURES, "penguins.csv"), "--json"]);
  expect(fromBinary.stderr).toBe("");
  expect(fromBinary.code).toBe(0);
  expect(JSON.parse(fromBinary.stdout)).toEqual(JSON.parse(fromSource.stdout));
  expect(JSON.parse(fromStdin.stdout)).toEqual(JSON.parse(fromSource.stdout));
});

test("the binary reports bad input in one line too", async () => {
  const r = await floe(["describe", join(lone, "missing.csv")], { exe: [exe], cwd: lone });
  expect([r.code, r.stderr]).toEqual([1, `floe: ${join(lone, "missing.csv")}: no such file\n`]);
});
