// Checks of the parameter values a model file records: each declared parameter holds a
// value of its declared type (or null) within its declared bounds; values the training adds
// (a resolved distribution, say) are plain values.

import type { ParamSpec } from "../params.ts";
import type { Shape } from "./shape.ts";

/** `v` as the parameter values of a model whose algorithm declares `specs`. */
export function checkParams(s: Shape, specs: readonly ParamSpec[], v: unknown): void {
  const params = s.object(v, "params");
  for (const [name, value] of Object.entries(params)) {
    const at = `parameter ${name}`;
    if (value === null) continue;
    const spec = specs.find((p) => p.name === name);
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
