// Checks of a stacked ensemble as read from a model file: base models and the metalearner
// are models in their own right (checked as any model is, through `inner`), answering for
// the same response.

import { Shape } from "../modelcheck/shape.ts";

export function checkEnsemble(s: Shape, m: Record<string, unknown>, inner: (value: unknown, where: string) => void): void {
  const domain = JSON.stringify((m.response as { domain: unknown }).domain);
  const member = (v: unknown, where: string) => {
    inner(v, where);
    const sub = new Shape(`${s.label}: ${where}`);
    if ((v as { response: unknown }).response === null) sub.fail("model", "has no response; an ensemble combines supervised models");
    const own = JSON.stringify((v as { response: { domain: unknown } | null }).response?.domain);
    if (own !== domain) sub.fail("response domain", `is ${own}, not the ensemble's ${domain}`);
  };
  const bases = s.array(m.base_models, "base_models");
  if (bases.length === 0) s.fail("base_models", "is empty");
  bases.forEach((b, i) => member(b, `base model ${i}`));
  member(m.metalearner, "metalearner");
}
