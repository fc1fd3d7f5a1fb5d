// The check of a design matrix as a model file records it, shared by the models that score
// through one (GLM, PCA, deep learning): the design's terms and offsets decide where each
// row's expanded values are written, and the lengths of their coefficient, eigenvector or
// weight arrays follow from it.

import type { Design } from "../design.ts";
import type { Shape } from "./shape.ts";

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
