// Algorithm parameters, declared once with their metadata (H2O's names, type, default,
// help, allowed values) and read by the CLI, the REST API and the UI alike. Options are
// resolved against the declared defaults and validated here, at the boundary, with
// messages naming the parameter and its value; algorithms trust what they receive.

import { FloeError } from "../core/errors.ts";

export type ParamType = "int" | "float" | "bool" | "string" | "enum";

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly default: number | boolean | string | null;
  readonly help: string;
  /** Allowed values of an enum parameter. */
  readonly values?: readonly string[];
  /** Inclusive bounds of a numeric parameter. */
  readonly min?: number;
  readonly max?: number;
  /** Bounds that exclude the limit itself. */
  readonly above?: number;
  /** The value names a column of the training frame (front ends check it before training starts). */
  readonly column?: boolean;
}

export type ParamValues = Record<string, number | boolean | string | null>;

/**
 * A parameter list, declared once: the list itself is the ParamSpec[] the CLI, the REST API
 * and the UI read, and `ParamsOf<typeof LIST>` is the type of its resolved values.
 */
export function defineParams<const L extends readonly ParamSpec[]>(specs: L): L {
  return specs;
}

/** The resolved value of one declared parameter: its enum's values, or its type's; null where the default is. */
type ValueOf<S extends ParamSpec> =
  | (S extends { readonly type: "enum"; readonly values: readonly (infer V)[] } ? V : S extends { readonly type: "int" | "float" } ? number : S extends { readonly type: "bool" } ? boolean : string)
  | (S extends { readonly default: null } ? null : never);

/** The resolved values of a parameter list made by defineParams, by parameter name. */
export type ParamsOf<L extends readonly ParamSpec[]> = { -readonly [S in L[number] as S["name"]]: ValueOf<S> };

/** Cross-validation's parameters, the same for every algorithm that cross-validates. */
export const CV_PARAMS = defineParams([
  { name: "nfolds", type: "int", default: 0, min: 0, help: "Folds of cross-validation (0: none; otherwise 2 to 100, and no more than the rows with a response)." },
  { name: "fold_assignment", type: "enum", default: "AUTO", values: ["AUTO", "Random", "Modulo", "Stratified"], help: "How rows are put in folds (AUTO: Random)." },
  { name: "fold_column", type: "string", default: null, column: true, help: "Column whose values give each row's fold." },
  { name: "keep_cross_validation_predictions", type: "bool", default: false, help: "Keep the out-of-fold predictions (stacked ensembles need them)." },
  { name: "keep_cross_validation_models", type: "bool", default: true, help: "Keep the cross-validation models." },
]);

/** Cross-validation's parameter values. */
export type CvParams = ParamsOf<typeof CV_PARAMS>;

function coerce(spec: ParamSpec, raw: unknown, algo: string): number | boolean | string | null {
  const bad = (why: string) => new FloeError("invalid_argument", `${algo} parameter ${spec.name}=${JSON.stringify(raw)}: ${why}`);
  if (raw === null) return null;
  switch (spec.type) {
    case "int":
    case "float": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
      if (!Number.isFinite(n)) throw bad("not a number");
      if (spec.type === "int" && !Number.isInteger(n)) throw bad("not an integer");
      if (spec.min !== undefined && n < spec.min) throw bad(`must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw bad(`must be at most ${spec.max}`);
      if (spec.above !== undefined && n <= spec.above) throw bad(`must be greater than ${spec.above}`);
      return n;
    }
    case "bool":
      if (typeof raw === "boolean") return raw;
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      throw bad("not true or false");
    case "enum": {
      const s = String(raw);
      const match = spec.values?.find((v) => v.toLowerCase() === s.toLowerCase());
      if (!match) throw bad(`not one of ${spec.values?.join(", ")}`);
      return match;
    }
    case "string":
      return String(raw);
  }
}

/**
 * Every declared parameter: the given value (coerced and checked) or the default.
 * Unknown names are refused with the list of known ones.
 */
export function resolveParams<T>(specs: readonly ParamSpec[], given: Readonly<Record<string, unknown>>, algo: string): T {
  const out: ParamValues = {};
  for (const name of Object.keys(given)) {
    if (!specs.some((s) => s.name === name)) {
      throw new FloeError("invalid_argument", `${algo} has no parameter '${name}'; it has ${specs.map((s) => s.name).join(", ")}`);
    }
  }
  for (const spec of specs) {
    out[spec.name] = given[spec.name] === undefined ? spec.default : coerce(spec, given[spec.name], algo);
  }
  return out as T;
}

/** The columns that resolved parameters name (see ParamSpec.column), for a check against the training frame before a job starts. */
export function columnParams(specs: readonly ParamSpec[], resolved: Readonly<Record<string, unknown>>): string[] {
  return specs.filter((s) => s.column && typeof resolved[s.name] === "string").map((s) => resolved[s.name] as string);
}
