// H2OGridSearch's request (POST /99/Grid/{algo}): the estimator's parameters as a model
// builder takes them, plus `hyper_parameters` and `search_criteria`, which the client sends
// as its map syntax ({"max_depth": [2,3],"ntrees": [5,10]}: keys quoted, values as Python's
// str() prints them), translated onto floe's grid request.

import { FloeError } from "../../core/errors.ts";
import { DEFAULT_CRITERIA, type SearchCriteria } from "../../ml/grid.ts";
import { type ParamSpec, resolveParams } from "../../ml/params.ts";
import { type H2OParams, parseList, splitTopLevel, unquote } from "../params.ts";
import { floeValue } from "./params.ts";

/** The grid's own parameters, which are not the estimator's. */
export const GRID_PARAMS = new Set(["hyper_parameters", "search_criteria", "grid_id", "export_checkpoints_dir", "recovery_dir", "parallelism"]);

/** The client's map syntax as entries: a list value as its items, a scalar as text. */
export function parseMap(text: string, what: string): Map<string, string | string[]> {
  const s = text.trim();
  if (!s.startsWith("{") || !s.endsWith("}")) throw new FloeError("invalid_argument", `${what} '${text}' is not a map such as {"max_depth": [2,3]}`);
  const out = new Map<string, string | string[]>();
  const inner = s.slice(1, -1).trim();
  if (inner === "") return out;
  for (const entry of splitTopLevel(inner, ",")) {
    const [k, ...rest] = splitTopLevel(entry, ":");
    if (rest.length === 0) throw new FloeError("invalid_argument", `${what}: '${entry}' is not "name": value`);
    const value = rest.join(":").trim();
    out.set(unquote(k), value.startsWith("[") ? parseList(value) : unquote(value));
  }
  return out;
}

/** Each hyper-parameter's values as floe takes them; a name the algorithm lacks is refused, named. */
export function hyperParams(algo: string, specs: readonly ParamSpec[], p: H2OParams): Record<string, unknown[]> {
  const text = p.str("hyper_parameters");
  if (!text) throw new FloeError("invalid_argument", "a grid search needs hyper_parameters");
  const out: Record<string, unknown[]> = {};
  for (const [name, values] of parseMap(text, "hyper_parameters")) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new FloeError("unsupported", `${algo} hyper-parameter '${name}' is not supported by floe; ${algo} has ${specs.map((s) => s.name).join(", ")}`, { field: name });
    out[name] = (Array.isArray(values) ? values : [values]).map((v) => floeValue(spec, v));
    // Each value checked now, so a wrong one is the request's error rather than a failed job.
    for (const v of out[name]) resolveParams(specs, { [name]: v }, algo);
  }
  return out;
}

const CRITERIA_NUMBERS = ["max_models", "max_runtime_secs", "stopping_rounds", "stopping_tolerance", "seed"] as const;

/** search_criteria as floe's: H2O's names; a key floe does not keep is refused, named. */
export function searchCriteria(p: H2OParams): SearchCriteria {
  const text = p.str("search_criteria");
  const given = text ? parseMap(text, "search_criteria") : new Map<string, string | string[]>();
  const out: Record<string, unknown> = { ...DEFAULT_CRITERIA };
  for (const [name, raw] of given) {
    if (Array.isArray(raw)) throw new FloeError("invalid_argument", `search_criteria '${name}' takes one value, not a list`);
    if (name === "strategy") {
      const strategy = ["Cartesian", "RandomDiscrete"].find((s) => s.toLowerCase() === raw.toLowerCase());
      if (!strategy) throw new FloeError("invalid_argument", `search_criteria strategy '${raw}' is not Cartesian or RandomDiscrete`);
      out.strategy = strategy;
    } else if (name === "stopping_metric") out.stopping_metric = raw.toUpperCase() === "AUTO" ? "AUTO" : raw.toLowerCase();
    else if ((CRITERIA_NUMBERS as readonly string[]).includes(name)) {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) throw new FloeError("invalid_argument", `search_criteria ${name} must be a number, got '${raw}'`);
      out[name] = n;
    } else throw new FloeError("unsupported", `search_criteria '${name}' is not supported by floe; it keeps strategy, ${CRITERIA_NUMBERS.join(", ")} and stopping_metric`);
  }
  return out as unknown as SearchCriteria;
}
