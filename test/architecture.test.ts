// The layering of DESIGN.md, checked on the import statements of src/:
// core knows nothing of ml, cluster, server or the CLI; ml nothing of cluster, server or
// the CLI; cluster nothing of ml, server or the CLI.

import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = join(import.meta.dir, "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** src-relative paths of the modules a file imports (packages are skipped). */
function localImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(SRC, resolve(dirname(file), s)));
}

const FORBIDDEN: Record<string, RegExp> = {
  core: /^(ml|cluster|server|cli|client)\/|^(cli|runtime|tasks|worker)\.ts$/,
  ml: /^(cluster|server|cli|client)\/|^(cli|runtime|worker)\.ts$/,
  cluster: /^(ml|server|cli|client)\/|^(cli|runtime|tasks)\.ts$/,
};

test("layers import only downwards", () => {
  const violations: string[] = [];
  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    let files: string[] = [];
    try {
      files = sources(join(SRC, layer));
    } catch {
      continue; // layer not built yet
    }
    for (const file of files) {
      for (const imp of localImports(file)) {
        if (forbidden.test(imp)) violations.push(`${relative(SRC, file)} imports ${imp}`);
      }
    }
  }
  expect(violations).toEqual([]);
});

test("the check sees core's imports (it would catch a violation)", () => {
  const imports = localImports(join(SRC, "core", "ingest.ts"));
  expect(imports).toContain("core/chunk.ts");
  expect(FORBIDDEN.core.test("ml/gbm.ts")).toBe(true);
  expect(FORBIDDEN.core.test("runtime.ts")).toBe(true);
});

test("nothing in src/ uses Math.random", () => {
  const offenders = sources(SRC).filter((f) => /Math\.random\s*\(/.test(readFileSync(f, "utf8")));
  expect(offenders).toEqual([]);
});
