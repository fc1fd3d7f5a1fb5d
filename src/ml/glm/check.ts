// Checks of a GLM as read from a model file: its design, family and link, and coefficient
// arrays whose lengths follow from the design and the classes.

import { checkDesign } from "../modelcheck/design.ts";
import type { Shape } from "../modelcheck/shape.ts";
import { width } from "../design.ts";
import { FAMILIES, LINKS } from "./family.ts";

export function checkGlmModel(s: Shape, m: Record<string, unknown>, classes: number | null): void {
  const design = checkDesign(s, m.design);
  const family = s.oneOf(
    m.family,
    FAMILIES.filter((f) => f !== "AUTO"),
    "family",
  );
  s.oneOf(
    m.link,
    LINKS.filter((l) => l !== "family_default"),
    "link",
  );
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
