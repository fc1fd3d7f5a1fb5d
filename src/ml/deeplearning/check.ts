// Checks of a deep learning model as read from a model file: its design, the network's
// layers (inputs from the design, outputs from the response) and weights of the layout's size.

import { DISTRIBUTIONS } from "../loss.ts";
import { checkDesign } from "../modelcheck/design.ts";
import type { Shape } from "../modelcheck/shape.ts";
import { type Activation, layout, type Loss, type NetSpec } from "./network.ts";

const ACTIVATIONS: readonly Activation[] = ["Rectifier", "Tanh", "Maxout"];
const LOSSES: readonly Loss[] = ["CrossEntropy", "Quadratic", "Absolute", "Huber"];
/** Units a layer may have: far above any trained net, low enough that layout sizes stay exact. */
const MAX_UNITS = 1_000_000;

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
  s.oneOf(
    m.distribution,
    DISTRIBUTIONS.filter((d) => d !== "AUTO"),
    "distribution",
  );
  s.oneOf(m.loss, LOSSES, "loss");
  const loss = s.object(m.lossParams, "lossParams");
  for (const k of ["tweedie_power", "quantile_alpha", "huber_delta"]) s.number(loss[k], `lossParams.${k}`);
}
