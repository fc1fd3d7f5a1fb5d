// Full check of a model read from a model file (the CLI's predict and eval, REST upload, a
// model a peer shares): what every model has (identity, category, response), then each
// algorithm's own arrays, so a crafted or damaged file is refused with one message naming
// the value at fault instead of scoring garbage or looping forever.

import type { Model } from "../scoring.ts";
import { checkDeepLearningModel, checkGlmModel, checkPcaModel } from "./design.ts";
import { checkKMeansModel } from "./kmeans.ts";
import { checkNaiveBayesModel } from "./naivebayes.ts";
import { checkParams } from "./params.ts";
import { Shape } from "./shape.ts";
import { checkTreeModel } from "./tree.ts";

const SUPERVISED = ["Regression", "Binomial", "Multinomial"] as const;

const CATEGORIES: Readonly<Record<Model["algo"], readonly string[]>> = {
  gbm: SUPERVISED,
  drf: SUPERVISED,
  glm: SUPERVISED,
  deeplearning: SUPERVISED,
  stackedensemble: SUPERVISED,
  naivebayes: ["Binomial", "Multinomial"],
  kmeans: ["Clustering"],
  pca: ["DimReduction"],
};

/** `value` as a Model, or a bad_input FloeError prefixed by `label` naming what is wrong. */
export function checkModel(value: unknown, label: string): Model {
  checkAny(new Shape(label), value, true);
  return value as Model;
}

/** The response's classes (null for regression and unsupervised models) after the common checks. */
function checkCommon(s: Shape, m: Record<string, unknown>): number | null {
  const algo = s.oneOf(m.algo, Object.keys(CATEGORIES) as Model["algo"][], "algo");
  s.string(m.model_id, "model_id");
  checkParams(s, algo, m.params);
  const category = s.oneOf(m.category, CATEGORIES[algo], "category");
  let classes: number | null = null;
  if (category === "Clustering" || category === "DimReduction") {
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

function checkAny(s: Shape, value: unknown, mayStack: boolean): void {
  const m = s.object(value, "model");
  const classes = checkCommon(s, m);
  const algo = m.algo as Model["algo"];
  switch (algo) {
    case "gbm":
    case "drf":
      return checkTreeModel(s, m, classes);
    case "glm":
      return checkGlmModel(s, m, classes);
    case "deeplearning":
      return checkDeepLearningModel(s, m, classes);
    case "pca":
      return checkPcaModel(s, m);
    case "kmeans":
      return checkKMeansModel(s, m);
    case "naivebayes":
      return checkNaiveBayesModel(s, m, classes);
    case "stackedensemble":
      if (!mayStack) s.fail("model", "is a stacked ensemble inside a stacked ensemble");
      return checkEnsemble(s, m);
  }
}

/** Base models and the metalearner are models in their own right, answering for the same response. */
function checkEnsemble(s: Shape, m: Record<string, unknown>): void {
  const domain = JSON.stringify((m.response as { domain: unknown }).domain);
  const inner = (v: unknown, where: string) => {
    const sub = new Shape(`${s.label}: ${where}`);
    checkAny(sub, v, false);
    if ((v as { response: unknown }).response === null) sub.fail("model", "has no response; an ensemble combines supervised models");
    const own = JSON.stringify((v as { response: { domain: unknown } | null }).response?.domain);
    if (own !== domain) sub.fail("response domain", `is ${own}, not the ensemble's ${domain}`);
  };
  const bases = s.array(m.base_models, "base_models");
  if (bases.length === 0) s.fail("base_models", "is empty");
  bases.forEach((b, i) => inner(b, `base model ${i}`));
  inner(m.metalearner, "metalearner");
}
