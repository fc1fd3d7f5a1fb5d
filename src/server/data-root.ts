// --data-root: a path a client asks to import must name files inside the root, after
// resolving `..` and symbolic links; globs are expanded here and every match checked.

import { existsSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { FloeError } from "../core/errors.ts";

const GLOB_CHARS = /[*?[]/;

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * The path to read for `requested`: relative paths resolve against the root; the result
 * (every match of a glob) must lie inside it, links followed. Without a root, the path
 * as given (relative to the server's working directory).
 */
export function resolveImportPath(requested: string, dataRoot: string | null): string {
  if (dataRoot === null) return requested;
  const root = realpathSync(dataRoot);
  const path = resolve(root, requested);
  const refuse = () => new FloeError("forbidden", `'${requested}' is outside the server's data root`);
  if (!inside(root, path)) throw refuse();
  if (GLOB_CHARS.test(path)) {
    const relativePattern = relative(root, path);
    for (const match of new Bun.Glob(relativePattern).scanSync({ cwd: root, followSymlinks: true, onlyFiles: true })) {
      if (!inside(root, realpathSync(resolve(root, match)))) throw refuse();
    }
    return path;
  }
  if (!existsSync(path)) throw new FloeError("not_found", `${requested}: no such file under the data root`);
  if (!inside(root, realpathSync(path))) throw refuse();
  return path;
}
