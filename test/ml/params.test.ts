// Parameters declared once: defineParams gives the ParamSpec list the CLI, REST API and UI read
// and, through ParamsOf, the type of the resolved values (checked here by `tsc --noEmit`).

import { expect, test } from "bun:test";
import { CV_PARAMS, defineParams, type ParamsOf, resolveParams } from "../../src/ml/params.ts";
import { GLM_PARAMS, type GlmParams } from "../../src/ml/glm/params.ts";

const DEMO_PARAMS = defineParams([
  { name: "k", type: "int", default: 3, min: 1, help: "Clusters." },
  { name: "rate", type: "float", default: null, help: "Step (default: chosen from the data)." },
  { name: "mode", type: "enum", default: "fast", values: ["fast", "exact"], help: "How." },
  { name: "label", type: "string", default: null, help: "A name." },
  { name: "verbose", type: "bool", default: false, help: "Talk." },
  ...CV_PARAMS,
]);

type DemoParams = ParamsOf<typeof DEMO_PARAMS>;

/** Compiles only if A and B are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const demoTypes: Same<
  DemoParams,
  {
    k: number;
    rate: number | null;
    mode: "fast" | "exact";
    label: string | null;
    verbose: boolean;
    nfolds: number;
    fold_assignment: "AUTO" | "Random" | "Modulo" | "Stratified";
    fold_column: string | null;
    keep_cross_validation_predictions: boolean;
    keep_cross_validation_models: boolean;
  }
> = true;
const glmTypes: Same<GlmParams["solver"], "AUTO" | "IRLSM" | "L_BFGS" | "COORDINATE_DESCENT"> = true;

test("defineParams keeps the declared list as it is: the metadata front ends read", () => {
  expect(demoTypes && glmTypes).toBe(true);
  expect(DEMO_PARAMS.map((p) => p.name)).toEqual([
    "k",
    "rate",
    "mode",
    "label",
    "verbose",
    "nfolds",
    "fold_assignment",
    "fold_column",
    "keep_cross_validation_predictions",
    "keep_cross_validation_models",
  ]);
  expect(DEMO_PARAMS[2]).toEqual({ name: "mode", type: "enum", default: "fast", values: ["fast", "exact"], help: "How." });
});

test("resolved values have the declared types and defaults", () => {
  const p = resolveParams<DemoParams>(DEMO_PARAMS, { mode: "EXACT", k: "5" }, "demo");
  expect(p).toEqual({
    k: 5,
    rate: null,
    mode: "exact",
    label: null,
    verbose: false,
    nfolds: 0,
    fold_assignment: "AUTO",
    fold_column: null,
    keep_cross_validation_predictions: false,
    keep_cross_validation_models: true,
  });
  const glm = resolveParams<GlmParams>(GLM_PARAMS, {}, "glm");
  expect([glm.family, glm.alpha, glm.standardize]).toEqual(["AUTO", null, true]);
});
