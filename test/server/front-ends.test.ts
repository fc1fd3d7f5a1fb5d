// The front ends (the CLI, the server and the client) know no algorithm by name: what one
// algorithm does differently comes from its descriptor in the registry, so adding an
// algorithm touches none of them. The web UI (src/server/ui) renders the model JSON
// generically and is not checked here.

import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ALGORITHMS } from "../../src/ml/registry.ts";

const SRC = join(import.meta.dir, "..", "..", "src");
const FRONT_ENDS = ["cli", "server", "client"];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !relative(SRC, f).startsWith(join("server", "ui")));
}

/** Lines that compare with, or switch on, an algorithm's name. */
function algorithmSwitches(text: string, names: readonly string[]): string[] {
  const name = `["'\`](?:${names.join("|")})["'\`]`;
  const pattern = new RegExp(`(?:[!=]==?\\s*${name})|(?:${name}\\s*[!=]==?)|(?:\\bcase\\s+${name})`);
  return text.split("\n").filter((line) => pattern.test(line));
}

test("cli, server and client hold no per-algorithm switch", () => {
  const names = ALGORITHMS.map((a) => a.name);
  expect(names).toContain("stackedensemble");
  const found: string[] = [];
  for (const dir of FRONT_ENDS) {
    for (const file of sources(join(SRC, dir))) {
      for (const line of algorithmSwitches(readFileSync(file, "utf8"), names)) found.push(`${relative(SRC, file)}: ${line.trim()}`);
    }
  }
  expect(found).toEqual([]);
});

test("the check would catch a switch", () => {
  const names = ["gbm", "drf"];
  expect(algorithmSwitches(`if (algo === "drf") x();\n  case 'gbm':\n"gbm" !== a\nconst y = "drfx";`, names)).toHaveLength(3);
  expect(algorithmSwitches(`const title = "gbm";`, names)).toEqual([]);
});
