// Checks of the models that score through a design matrix (GLM, PCA, deep learning): the
// design's terms and offsets, which decide where each row's expanded values are written,
// and the coefficient, eigenvector or weight arrays whose lengths follow from it.

import type { Design } from "../design.ts";
import { type Activation, layout, type Loss, type NetSpec } from "../deeplearning/network.ts";
import { FAMILIES, LINKS } from "../glm/family.ts";
import { DISTRIBUTIONS } from "../loss.ts";
import type { Shape } from "./shape.ts";

const ACTIVATIONS: readonly Activation[] = ["Rectifier", "Tanh", "Maxout"];
const LOSSES: readonly Loss[] = ["CrossEntropy", "Quadratic", "Absolute", "Huber"];
/** Units a layer may have: far above any trained net, low enough that layout sizes stay exact. */
const MAX_UNITS = 1_000_000;

export function checkDesign(s: Shape, v: unknown): Design {
  const d = s.object(v, "design");
  let offset = 0;
  s.array(d.enums, "design enums").forEach((e, i) => {
    const at = `design enum ${i}`;
    const t = s.object(e, at);
    s.string(t.name, `${at} name`);
    const domain = s.strings(t.domain, `${at} domain`);
    const first = s.int(t.first, `${at} first`, 0, 1);
    s.int(t.mode, `${at} mode`, 0, Math.max(domain.length - 1, 0));
    if (t.offset !== offset) s.fail(`${at} offset`, `is ${t.offset}, not ${offset} (the expanded columns before it)`);
    offset += Math.max(0, domain.length - first);
  });
  const nums = s.array(d.nums, "design nums");
  nums.forEach((n, i) => {
    const at = `design numeric ${i}`;
    const t = s.object(n, at);
    s.string(t.name, `${at} name`);
    s.number(t.mean, `${at} mean`);
    s.number(t.sd, `${at} sd`, { nonFinite: true });
    s.number(t.shift, `${at} shift`);
    if (s.number(t.scale, `${at} scale`) === 0) s.fail(`${at} scale`, "is 0");
  });
  if (d.numOffset !== offset) s.fail("design numOffset", `is ${d.numOffset}, not ${offset}`);
  if (d.P !== offset + nums.length) s.fail("design P", `is ${d.P}, not ${offset + nums.length}`);
  s.bool(d.intercept, "design intercept");
  s.oneOf(d.missing, ["MeanImputation", "Skip"], "design missing");
  return d as unknown as Design;
}

/** Coefficients a class: P, plus one for the intercept. */
function width(d: Design): number {
  return d.P + (d.intercept ? 1 : 0);
}

export function checkGlmModel(s: Shape, m: Record<string, unknown>, classes: number | null): void {
  const design = checkDesign(s, m.design);
  const family = s.oneOf(m.family, FAMILIES.filter((f) => f !== "AUTO"), "family");
  s.oneOf(m.link, LINKS.filter((l) => l !== "family_default"), "link");
  const args = s.object(m.familyArgs, "familyArgs");
  s.int(args.variance, "familyArgs.variance", 0, 4);
  s.int(args.link, "familyArgs.link", 0, 4);
  s.number(args.variancePower, "familyArgs.variancePower");
  s.number(args.linkPower, "familyArgs.linkPower");
  const K = s.int(m.classes, "classes");
  const expected = family === "multinomial" ? (classes ?? 0) : 0;
  if (K !== expected) s.fail("classes", `is ${K}, not ${expected} for family ${family}`);
  s.finites(m.beta, "beta", Math.max(K, 1) * width(design));
  s.finites(m.nullMu, "nullMu", Math.max(K, 1));
  s.number(m.alpha, "alpha", { min: 0, max: 1 });
  s.number(m.lambda, "lambda", { min: 0 });
}

export function checkPcaModel(s: Shape, m: Record<string, unknown>): void {
  const design = checkDesign(s, m.design);
  const k = s.int(m.k, "k", 1, design.P);
  s.finites(m.eigenvectors, "eigenvectors", design.P * k);
  s.strings(m.eigenvector_names, "eigenvector_names");
  const importance = s.object(m.importance, "importance");
  for (const key of ["standard_deviation", "proportion_of_variance", "cumulative_proportion"]) {
    s.array(importance[key], `importance ${key}`, k).forEach((x, i) => s.number(x, `importance ${key} entry ${i}`, { nonFinite: true }));
  }
}

export function checkDeepLearningModel(s: Shape, m: Record<string, unknown>, classes: number | null): void {
  const design = checkDesign(s, m.design);
  const net = s.object(m.net, "net");
  const units = s.array(net.units, "net units").map((u, i) => s.int(u, `net layer ${i} units`, 1, MAX_UNITS));
  if (units.length < 2) s.fail("net units", "has fewer than 2 layers");
  if (units[0] !== design.P) s.fail("net layer 0 units", `is ${units[0]}, not the design's ${design.P} inputs`);
  const outputs = classes ?? 1;
  if (units[units.length - 1] !== outputs) s.fail(`net layer ${units.length - 1} units`, `is ${units[units.length - 1]}, not the ${outputs} outputs of the response`);
  if (s.bool(net.softmax, "net softmax") !== (classes !== null)) s.fail("net softmax", `is ${net.softmax} for a ${classes === null ? "regression" : "classifier"}`);
  s.oneOf(net.activation, ACTIVATIONS, "net activation");
  s.number(net.inputDropout, "net inputDropout", { min: 0, max: 1 });
  s.array(net.hiddenDropout, "net hiddenDropout", units.length - 2).forEach((r, i) => s.number(r, `net hiddenDropout ${i}`, { min: 0, max: 1 }));
  s.finites(m.weights, "weights", layout(net as unknown as NetSpec).size);
  s.number(m.yMean, "yMean");
  s.number(m.yScale, "yScale");
  s.oneOf(m.distribution, DISTRIBUTIONS.filter((d) => d !== "AUTO"), "distribution");
  s.oneOf(m.loss, LOSSES, "loss");
  const loss = s.object(m.lossParams, "lossParams");
  for (const k of ["tweedie_power", "quantile_alpha", "huber_delta"]) s.number(loss[k], `lossParams.${k}`);
}
