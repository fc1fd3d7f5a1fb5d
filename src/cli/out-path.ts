// Output files named by flags (--out) are checked before any work starts, so an hour of
// training is not lost to a typo in a directory name.

import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import { FloeError } from "../core/errors.ts";

/** Why `path` is not a directory we may create files in, or null when it is. */
function dirProblem(dir: string): string | null {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st) return `${dir} does not exist`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  try {
    accessSync(dir, constants.W_OK);
    return null;
  } catch {
    return `${dir} is not writable`;
  }
}

/**
 * Throws unless `path` can be written: an existing writable file, or a new file in a
 * writable directory. `flag` names the flag in the message (`--out`).
 */
export function checkWritable(flag: string, path: string): void {
  let problem: string | null;
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch {
    st = undefined; // ENOTDIR: the parent is a file, which dirProblem names
  }
  if (st?.isDirectory()) problem = `${path} is a directory`;
  else if (st) {
    try {
      accessSync(path, constants.W_OK);
      problem = null;
    } catch {
      problem = `${path} is not writable`;
    }
  } else problem = dirProblem(dirname(path));
  if (problem) throw new FloeError("invalid_argument", `${flag} ${path}: cannot write there (${problem})`);
}
