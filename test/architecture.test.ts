// The layering of DESIGN.md and ARCHITECTURE.md, checked on the import statements of src/
// (.ts and .tsx, value and type imports alike): each layer imports only downwards, the
// front ends share the presentation below them, no algorithm folder imports another, and
// no module imports itself through others (no import cycles at all).

import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = join(import.meta.dir, "..", "src");

/** Every source file under `dir`, as a path relative to src/. */
function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => relative(SRC, join(e.parentPath, e.name)));
}

/** src-relative paths of the modules a file imports (packages are skipped). */
function localImports(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(SRC, resolve(dirname(join(SRC, file)), s)));
}

const FILES = sources();
const GRAPH = new Map(FILES.map((f) => [f, localImports(f)]));

const FORBIDDEN: Record<string, RegExp> = {
  core: /^(ml|cluster|server|cli|client|present|api|h2o)\/|^(cli|runtime|tasks|worker)\.ts$/,
  ml: /^(cluster|server|cli|client|present|api|h2o)\/|^(cli|runtime|worker)\.ts$/,
  cluster: /^(ml|server|cli|client|present|api|h2o)\/|^(cli|runtime|tasks)\.ts$/,
  present: /^(cluster|server|cli|client|api|h2o)\/|^(cli|runtime|worker)\.ts$/,
  api: /^(ml|cluster|server|cli|client|present|h2o)\/|^(cli|runtime|tasks|worker)\.ts$/,
  client: /^(server|cli|cluster|h2o)\/|^(cli|runtime|tasks|worker)\.ts$/,
  server: /^(cli|h2o)\/|^cli\.ts$/,
  // H2O's front end stands beside the server: it reaches the server's context only as handed over by the mounting point.
  h2o: /^(cli|client|cluster)\/|^server\/(?!context\.ts$)|^(cli|tasks|worker)\.ts$/,
};

/** The server's files that mount H2O's API (the one place the server may import src/h2o). */
const H2O_MOUNTS = new Set(["server/serve.ts", "server/app.ts"]);

test("layers import only downwards; server and client never import the CLI", () => {
  const violations: string[] = [];
  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    for (const file of FILES.filter((f) => f.startsWith(`${layer}/`))) {
      for (const imp of GRAPH.get(file) ?? []) if (forbidden.test(imp) && !(H2O_MOUNTS.has(file) && imp.startsWith("h2o/"))) violations.push(`${file} imports ${imp}`);
    }
  }
  expect(violations).toEqual([]);
});

/** Folders of src/ml that hold shared code rather than one algorithm. */
const SHARED_ML_FOLDERS = new Set(["metrics", "modelcheck", "automl", "explain"]);

test("no algorithm folder imports another; shared ml code imports no algorithm folder but through the registry", () => {
  const folderOf = (path: string) => /^ml\/([^/]+)\//.exec(path)?.[1] ?? null;
  const algorithmFolder = (path: string) => {
    const f = folderOf(path);
    return f !== null && !SHARED_ML_FOLDERS.has(f) ? f : null;
  };
  const violations: string[] = [];
  for (const file of FILES.filter((f) => f.startsWith("ml/"))) {
    const own = algorithmFolder(file);
    for (const imp of GRAPH.get(file) ?? []) {
      const other = algorithmFolder(imp);
      if (other === null || other === own) continue;
      // The registry lists the descriptors: the one shared module that names every algorithm.
      if (file === "ml/registry.ts") continue;
      violations.push(`${file} imports ${imp}`);
    }
  }
  expect(violations).toEqual([]);
});

/** Strongly connected groups of more than one module (or a module importing itself): Tarjan's algorithm. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      group.push(w);
      if (w === v) break;
    }
    if (group.length > 1 || graph.get(v)?.includes(v)) cycles.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

test("no import cycles, value or type", () => {
  expect(importCycles(GRAPH)).toEqual([]);
});

test("the checks would catch a violation", () => {
  expect(localImports("core/ingest.ts")).toContain("core/chunk.ts");
  expect(FORBIDDEN.core.test("ml/gbm.ts")).toBe(true);
  expect(FORBIDDEN.server.test("cli/describe.ts")).toBe(true);
  const cyclic = new Map([
    ["a.ts", ["b.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", ["a.ts"]],
    ["d.ts", ["a.ts"]],
  ]);
  expect(importCycles(cyclic)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  expect(FILES.some((f) => f.endsWith(".tsx"))).toBe(true);
});

test("nothing in src/ uses Math.random", () => {
  const offenders = FILES.filter((f) => /Math\.random\s*\(/.test(readFileSync(join(SRC, f), "utf8")));
  expect(offenders).toEqual([]);
});
