// --data-root: a path a client asks to import must name files inside the root, after
// resolving `..` and symbolic links. A glob is expanded here, once (dot-files included),
// every match is checked, and the ingest is handed that checked list of real paths to read
// as they are: nothing is expanded again between the check and the read.

import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { FloeError } from "../core/errors.ts";
import { checkLocalPath, expandGlob, type Source } from "../core/source.ts";

const GLOB_CHARS = /[*?[]/;

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** The real path of `path`, or null when nothing is there. */
function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/**
 * The source to read for `requested`: relative paths resolve against the root; every file
 * (each match of a glob) must lie inside it, links followed. Without a root, the path as
 * given (relative to the server's working directory), expanded by the ingest.
 */
export function importSource(requested: string, dataRoot: string | null): Source {
  checkLocalPath(requested);
  if (dataRoot === null) return { kind: "file", path: requested };
  const root = realpathSync(dataRoot);
  const path = resolve(root, requested);
  const refuse = () => new FloeError("forbidden", `'${requested}' is outside the server's data root`);
  if (!inside(root, path)) throw refuse();
  // A name that exists as given is that file, even when it holds glob characters.
  const literal = realpathOrNull(path);
  const matches = literal === null && GLOB_CHARS.test(path) ? expandGlob(relative(root, path), root).map((m) => resolve(root, m)) : [path];
  if (literal === null && matches.length === 0) throw new FloeError("not_found", `${requested}: no file matches under the data root`);
  const paths: string[] = [];
  const labels: string[] = [];
  for (const match of matches) {
    const real = realpathOrNull(match);
    if (real === null) throw new FloeError("not_found", `${requested}: no such file under the data root`);
    if (!inside(root, real)) throw refuse();
    paths.push(real);
    labels.push(relative(root, match));
  }
  return { kind: "files", paths, labels, label: requested };
}
