// Checks of the parameter values a model file records: each declared parameter holds a
// value of its declared type (or null) within its declared bounds; values the training adds
// (a resolved distribution, say) are plain values.

import { DEEPLEARNING_PARAMS } from "../deeplearning/params.ts";
import { STACKEDENSEMBLE_PARAMS } from "../ensemble/params.ts";
import { GLM_PARAMS } from "../glm/params.ts";
import { KMEANS_PARAMS } from "../kmeans/params.ts";
import { NAIVEBAYES_PARAMS } from "../naivebayes/params.ts";
import type { ParamSpec } from "../params.ts";
import { PCA_PARAMS } from "../pca/params.ts";
import type { Model } from "../scoring.ts";
import { DRF_PARAMS, GBM_PARAMS } from "../tree/params.ts";
import type { Shape } from "./shape.ts";

const SPECS: Readonly<Record<Model["algo"], readonly ParamSpec[]>> = {
  gbm: GBM_PARAMS,
  drf: DRF_PARAMS,
  glm: GLM_PARAMS,
  deeplearning: DEEPLEARNING_PARAMS,
  stackedensemble: STACKEDENSEMBLE_PARAMS,
  naivebayes: NAIVEBAYES_PARAMS,
  kmeans: KMEANS_PARAMS,
  pca: PCA_PARAMS,
};

export function checkParams(s: Shape, algo: Model["algo"], v: unknown): void {
  const params = s.object(v, "params");
  for (const [name, value] of Object.entries(params)) {
    const at = `parameter ${name}`;
    if (value === null) continue;
    const spec = SPECS[algo].find((p) => p.name === name);
    if (!spec) {
      if (!["number", "string", "boolean"].includes(typeof value)) s.fail(at, "is not a number, string, boolean or null");
      continue;
    }
    switch (spec.type) {
      case "int":
      case "float":
        s.number(value, at, { integer: spec.type === "int", min: spec.min, max: spec.max, nonFinite: spec.type === "float" && spec.min === undefined && spec.max === undefined });
        if (spec.above !== undefined && !((value as number) > spec.above)) s.fail(at, `is ${value}, not above ${spec.above}`);
        break;
      case "bool":
        s.bool(value, at);
        break;
      case "string":
        s.string(value, at);
        break;
      case "enum":
        s.oneOf(value, spec.values ?? [], at);
        break;
    }
  }
}
