// h2o.save_model, h2o.load_model and h2o.upload_model: the file is floe's .floe model file
// (src/ml/modelfile.ts), written to and read from a path on the server the client names.
// With --data-root both stay inside the root: a read goes through the server's import
// confinement, a write resolves the target's directory (links followed) and checks it.

import { existsSync, lstatSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { FloeError } from "../../core/errors.ts";
import { deserializeModel, serializeModel } from "../../ml/modelfile.ts";
import { VERSION } from "../../version.ts";
import type { H2OContext } from "../context.ts";
import { putServed, servedKey } from "./store.ts";

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** Where to write `requested`: inside the data root when there is one, its directory existing. */
function writeTarget(ctx: H2OContext, requested: string): string {
  if (requested.trim() === "") throw new FloeError("invalid_argument", "save_model needs a path to write to");
  const root = ctx.server.dataRoot === null ? null : realpathSync(ctx.server.dataRoot);
  const path = root === null ? resolve(requested) : resolve(root, requested);
  const dir = dirname(path);
  if (!existsSync(dir)) throw new FloeError("not_found", `cannot save the model to ${requested}: directory ${dir} does not exist on the server`);
  if (root === null) return path;
  const target = resolve(realpathSync(dir), basename(path));
  // A link at the target itself would write through it: its destination must be inside too.
  const real = existsSync(target) || isLink(target) ? realpathOrNull(target) : target;
  if (real === null || !inside(root, real) || !inside(root, target)) throw new FloeError("forbidden", `'${requested}' is outside the server's data root`);
  return target;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** Writes the model's .floe file at `requested` (refusing to replace a file unless `force`); the path written. */
export function saveModelFile(ctx: H2OContext, modelId: string, requested: string, force: boolean): string {
  const served = ctx.node.store.get(servedKey(modelId));
  if (!served) throw new FloeError("not_found", `Object '${modelId}' not found: no model of that key`);
  const path = writeTarget(ctx, requested);
  if (existsSync(path) && !force) throw new FloeError("conflict", `File ${requested} already exists: save with force=True to replace it`);
  writeFileSync(path, serializeModel(served.model, VERSION));
  return path;
}

/** Reads a model file at a path on the server (confined as imports are). */
export function readModelFile(ctx: H2OContext, requested: string): { bytes: Uint8Array; label: string } {
  const source = ctx.importSource(requested);
  const paths = source.kind === "file" ? [source.path] : source.kind === "files" ? source.paths : [];
  if (paths.length !== 1) throw new FloeError("invalid_argument", `'${requested}' must name one model file`);
  if (!existsSync(paths[0])) throw new FloeError("not_found", `File ${requested} does not exist`);
  return { bytes: new Uint8Array(readFileSync(paths[0])), label: requested };
}

/**
 * Checks a model file in full and stores its model: under the id it was saved with, or a
 * fresh one made from it when that is taken. The id stored.
 */
export async function loadModelBytes(ctx: H2OContext, bytes: Uint8Array, label: string): Promise<string> {
  const model = deserializeModel(bytes, label);
  const { store } = ctx.node;
  const id = store.taken(servedKey(model.model_id)) ? store.newId("model", model.model_id) : model.model_id;
  const release = store.claim(servedKey(id));
  try {
    await putServed(ctx, id, { model: { ...model, model_id: id }, trainingFrame: null, createdAt: Date.now(), cvModels: [] });
  } finally {
    release();
  }
  return id;
}
