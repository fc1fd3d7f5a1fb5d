// H2O's keys and floe's ids. H2O names frames and models by keys ("iris.hex",
// "py_2_sid_8f3a", "GBM_model_python_1_1"); floe's ids allow letters, digits, '_', '.' and
// '-', which covers every key the client makes, so a key maps to the id of the same name
// and back. A key outside that alphabet is refused by name rather than silently renamed.

import { FloeError } from "../core/errors.ts";

const ID = /^[A-Za-z0-9_.\-]+$/;

export type KeyKind = "Frame" | "Model" | "Job" | "Grid" | "AutoML" | "PartialDependence";

/** Where the client reads the object a key names. */
const URL_PREFIX: Readonly<Record<KeyKind, string>> = {
  Frame: "/3/Frames/",
  Model: "/3/Models/",
  Job: "/3/Jobs/",
  Grid: "/99/Grids/",
  AutoML: "/99/AutoML/",
  PartialDependence: "/3/PartialDependence/",
};

/** The floe id an H2O key names; `what` says which parameter it came from, for the error. */
export function floeId(h2oKey: string, what = "key"): string {
  const k = h2oKey.trim();
  if (!ID.test(k)) throw new FloeError("invalid_argument", `${what} '${h2oKey}': floe keys use letters, digits, '_', '.' and '-' only`);
  return k;
}

/** H2O's KeyV3 for a floe id (FrameKeyV3, ModelKeyV3, JobKeyV3...): the shape every `*_id` field has. */
export function keyJson(kind: KeyKind, id: string) {
  const url = `${URL_PREFIX[kind]}${id}`;
  return { __meta: { schema_version: 3, schema_name: `${kind}KeyV3`, schema_type: `Key<${kind}>` }, name: id, type: `Key<${kind}>`, URL: url };
}
