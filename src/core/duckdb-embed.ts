// Loads DuckDB's native binding inside the single `floe` binary. The build
// (scripts/build.ts) embeds the platform's `duckdb.node` and `libduckdb.so` and points
// `@duckdb/node-bindings` here. The addon finds its library through RUNPATH $ORIGIN,
// so both files are written side by side into a cache directory named by `tag` (once per
// version of floe and DuckDB)
// and the addon is loaded from there.

import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

function cacheRoot(): string {
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, "floe");
  const home = homedir();
  return home ? join(home, ".cache", "floe") : join(tmpdir(), "floe-cache");
}

/** Copies an embedded file into `dir` unless an identical-size copy is there. */
function extract(embedded: string, dir: string, name: string): string {
  const target = join(dir, name);
  if (existsSync(target) && statSync(target).size === statSync(embedded).size) return target;
  const partial = `${target}.${process.pid}.part`;
  writeFileSync(partial, readFileSync(embedded));
  renameSync(partial, target);
  return target;
}

/**
 * The loaded binding module (synchronous: the bindings are require()d by CommonJS code).
 * `libraryName` is the file name the addon links against (libduckdb.so).
 */
export function loadEmbeddedBinding(addonPath: string, libraryPath: string, libraryName: string, tag: string): unknown {
  let dir = join(cacheRoot(), tag);
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    dir = join(tmpdir(), `floe-${process.getuid?.() ?? 0}`, tag);
    mkdirSync(dir, { recursive: true });
  }
  extract(libraryPath, dir, libraryName);
  const addon = extract(addonPath, dir, "duckdb.node");
  return createRequire(import.meta.url)(addon);
}
