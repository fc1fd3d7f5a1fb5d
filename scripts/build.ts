// Builds the single `dist/floe` executable: the CLI, the worker entry point and DuckDB's
// native library, all in one file (bun build --compile). Run with `npm run build`;
// `bun scripts/build.ts --outfile PATH` writes elsewhere.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BunPlugin } from "bun";

const root = join(import.meta.dir, "..");
const outAt = process.argv.indexOf("--outfile");
const outfile = outAt > 0 ? process.argv[outAt + 1] : join(root, "dist/floe");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const platformPkg = `@duckdb/node-bindings-${process.platform}-${process.arch}`;
const bindingsDir = dirname(Bun.resolveSync(`${platformPkg}/package.json`, root));
const bindingsVersion = JSON.parse(readFileSync(join(bindingsDir, "package.json"), "utf8")).version;
const library = process.platform === "darwin" ? "libduckdb.dylib" : "libduckdb.so";

// Replace the bindings package (which require()s the addon from node_modules) by a
// module that embeds the addon and its library and loads them from a cache directory.
const embedDuckDB: BunPlugin = {
  name: "embed-duckdb",
  setup(build) {
    build.onResolve({ filter: /^@duckdb\/node-bindings$/ }, () => ({ path: "floe-duckdb-bindings", namespace: "floe" }));
    build.onLoad({ filter: /^floe-duckdb-bindings$/, namespace: "floe" }, () => ({
      loader: "ts",
      contents: `
        import addon from ${JSON.stringify(join(bindingsDir, "duckdb.node"))} with { type: "file" };
        import lib from ${JSON.stringify(join(bindingsDir, library))} with { type: "file" };
        import { loadEmbeddedBinding } from ${JSON.stringify(join(root, "src/core/duckdb-embed.ts"))};
        // CommonJS callers (node-api) unwrap a module marked __esModule through .default.
        export const __esModule = true;
        export default loadEmbeddedBinding(addon, lib, ${JSON.stringify(library)}, ${JSON.stringify(`floe-${pkg.version}-duckdb-${bindingsVersion}`)});
      `,
    }));
  },
};

const result = await Bun.build({
  entrypoints: [join(root, "src/cli.ts"), join(root, "src/worker.ts")],
  compile: { outfile },
  minify: true,
  sourcemap: "none",
  plugins: [embedDuckDB],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.error(`built ${outfile}`);
