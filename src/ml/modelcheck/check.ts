// Full check of a model read from a model file (the CLI's predict and eval, REST upload, a
// model a peer shares): what every model has (identity, category, response), then each
// algorithm's own arrays (its descriptor's check), so a crafted or damaged file is refused
// with one message naming the value at fault instead of scoring garbage or looping forever.

import { isSupervisedCategory } from "../model.ts";
import { ALGORITHMS, descriptorOf, type Model } from "../registry.ts";
import { checkParams } from "./params.ts";
import { Shape } from "./shape.ts";

/** `value` as a Model, or a bad_input FloeError prefixed by `label` naming what is wrong. */
export function checkModel(value: unknown, label: string): Model {
  checkAny(new Shape(label), value, false);
  return value as Model;
}

/** The response's classes (null for regression and unsupervised models) after the common checks. */
function checkCommon(s: Shape, m: Record<string, unknown>): number | null {
  const algo = s.oneOf(
    m.algo,
    ALGORITHMS.map((a) => a.name),
    "algo",
  );
  const descriptor = descriptorOf(algo);
  s.string(m.model_id, "model_id");
  checkParams(s, descriptor.params, m.params);
  const category = s.oneOf(m.category, descriptor.check.categories, "category");
  let classes: number | null = null;
  if (!isSupervisedCategory(category)) {
    if (m.response !== null) s.fail("response", `is set for a ${category} model`);
  } else {
    const response = s.object(m.response, "response");
    s.string(response.name, "response name");
    const domain = response.domain === null ? null : s.strings(response.domain, "response domain");
    const wanted = category === "Regression" ? "no classes" : category === "Binomial" ? "2 classes" : "3 classes or more";
    const fits = category === "Regression" ? domain === null : category === "Binomial" ? domain?.length === 2 : domain !== null && domain.length >= 3;
    if (!fits) s.fail("response domain", `has ${domain === null ? "no" : domain.length} classes; a ${category} model has ${wanted}`);
    classes = domain?.length ?? null;
  }
  if (m.threshold !== undefined) s.number(m.threshold, "threshold", category === "Binomial" ? { min: 0, max: 1 } : { nonFinite: true });
  const metrics = s.object(m.metrics, "metrics");
  for (const k of ["training", "validation", "cross_validation"]) if (metrics[k] !== null) s.object(metrics[k], `metrics ${k}`);
  s.array(m.varimp, "varimp");
  s.array(m.scoring_history, "scoring_history");
  s.array(m.notes, "notes").forEach((n, i) => s.string(n, `note ${i}`));
  s.number(m.training_time_ms, "training_time_ms", { min: 0 });
  return classes;
}

/** Checks any model; `nested`: it sits inside another model, where a model holding models may not. */
function checkAny(s: Shape, value: unknown, nested: boolean): void {
  const m = s.object(value, "model");
  const classes = checkCommon(s, m);
  const check = descriptorOf(m.algo as string).check;
  if (nested && check.holder) s.fail("model", `is a ${check.holder} inside a ${check.holder}`);
  check.fields(s, m, classes, (inner, where) => checkAny(new Shape(`${s.label}: ${where}`), inner, true));
}
