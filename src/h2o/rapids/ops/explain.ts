// model.permutation_importance(frame, ...): the client evaluates
// (PermutationVarImp model frame metric n_samples n_repeats features seed) and reads the
// frame it gives as H2O's table: Variable, then Relative Importance, Scaled Importance and
// Percentage (one repeat) or Run 1..n (several), most important first.

import { sharedF64 } from "../../../core/chunk.ts";
import { FloeError } from "../../../core/errors.ts";
import { type ColumnSpec, Frame } from "../../../core/frame.ts";
import { utf8Vec } from "../../../core/vec-builder.ts";
import { type PermutationImportance, permutationImportance } from "../../../ml/explain/permutation-importance.ts";
import { floeId } from "../../keys.ts";
import { servedKey } from "../../models/store.ts";
import { arity, frameArg, numArg, type Operator, strArg, wrongArg } from "../value.ts";

/** The table as a frame: the variable names, then one numeric column per statistic. */
function importanceFrame(result: PermutationImportance, repeats: number): Frame {
  const vars = result.variables;
  const stats: [string, (v: PermutationImportance["variables"][number]) => number][] =
    repeats === 1
      ? [
          ["Relative Importance", (v) => v.importance],
          ["Scaled Importance", (v) => v.scaled],
          ["Percentage", (v) => v.percentage],
        ]
      : Array.from({ length: repeats }, (_, r): [string, (v: PermutationImportance["variables"][number]) => number] => [`Run ${r + 1}`, (v) => v.runs[r]]);
  const columns: ColumnSpec[] = [{ name: "Variable", type: "string" }, ...stats.map(([name]): ColumnSpec => ({ name, type: "numeric" }))];
  const vecs = [
    utf8Vec(vars.map((v) => v.variable)),
    ...stats.map(([, pick]) => {
      const values = sharedF64(vars.length);
      vars.forEach((v, i) => {
        values[i] = pick(v);
      });
      return { kind: "f64" as const, values };
    }),
  ];
  return Frame.of(columns, vars.length ? [{ index: 0, start: 0, rows: vars.length, vecs }] : []);
}

const permutationVarImp: Operator = async (env, args, op) => {
  arity(op, args, 7);
  const modelArg = args[0];
  if (modelArg.kind !== "id" && modelArg.kind !== "str") throw new FloeError("invalid_argument", `Rapids '${op}': expected a model key first, got a ${modelArg.kind}`);
  const modelKey = modelArg.kind === "id" ? modelArg.name : modelArg.value;
  const served = env.node.store.get(servedKey(floeId(modelKey, "model")));
  if (!served) throw new FloeError("not_found", `Object '${modelKey}' not found: no model of that key`);
  const frame = await env.node.localFrame(await frameArg(env, op, args[1]));
  const metric = await strArg(env, op, args[2]);
  const nSamples = await numArg(env, op, args[3]);
  const nRepeats = await numArg(env, op, args[4]);
  const features = await env.eval(args[5]);
  if (features.kind !== "strs" && !(features.kind === "nums" && features.values.length === 0)) throw wrongArg(op, "a list of feature names", features);
  const seed = await numArg(env, op, args[6]);
  if (!Number.isInteger(nRepeats) || nRepeats < 1) throw new FloeError("invalid_argument", `Rapids '${op}': n_repeats must be a whole number of at least 1, got ${nRepeats}`);
  const result = await permutationImportance(env.node.executor, served.model, frame, {
    metric,
    nRepeats,
    nSamples,
    features: features.kind === "strs" ? [...features.values] : null,
    // -1 is H2O's "pick a random seed"; floe's option leaves it out for that.
    seed: seed === -1 ? undefined : seed,
  });
  return { kind: "frame", frame: importanceFrame(result, nRepeats) };
};

export const EXPLAIN_OPERATORS: Readonly<Record<string, Operator>> = { PermutationVarImp: permutationVarImp };
