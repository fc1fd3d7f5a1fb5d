// model.predict_contributions(frame, ...): H2O's client asks /4/Predictions with
// predict_contributions=True and its options; the job's dest is the contributions frame (one
// column per input feature then BiasTerm, or H2O's top/bottom layout), computed by floe's
// contributionsFrame.

import { FloeError } from "../../core/errors.ts";
import type { Job } from "../../core/jobs.ts";
import { computeRollups } from "../../core/rollups.ts";
import { type ContributionOptions, checkContributions, contributionsFrame } from "../../ml/explain/contributions.ts";
import type { H2OContext } from "../context.ts";
import { floeId } from "../keys.ts";
import type { H2OParams } from "../params.ts";
import { needServed } from "./store.ts";

/** Whether a /4/Predictions request asks for contributions rather than predictions. */
export function asksContributions(p: H2OParams): boolean {
  return p.bool("predict_contributions") ?? false;
}

/** top_n, bottom_n, compare_abs, output_space, background_frame and output_per_reference as floe's options. */
function contributionOptions(ctx: H2OContext, p: H2OParams): ContributionOptions {
  const format = p.str("predict_contributions_output_format");
  // floe's models take categorical columns whole (no one-hot columns), so both formats give a column per feature.
  if (format !== undefined && format !== "Original" && format !== "Compact") {
    throw new FloeError("invalid_argument", `predict_contributions_output_format must be Original or Compact, got '${format}'`);
  }
  const whole = (name: string) => {
    const n = p.num(name);
    if (n !== undefined && !Number.isInteger(n)) throw new FloeError("invalid_argument", `${name} must be a whole number, got ${n}`);
    return n;
  };
  const background = p.str("background_frame");
  const outputPerReference = p.bool("output_per_reference") ?? false;
  if (outputPerReference && !background) throw new FloeError("invalid_argument", "output_per_reference needs a background_frame");
  return {
    topN: whole("top_n"),
    bottomN: whole("bottom_n"),
    compareAbs: p.bool("compare_abs") ?? false,
    outputSpace: p.bool("output_space") ?? false,
    background: background ? ctx.frame(background) : null,
    outputPerReference,
  };
}

/** Starts the contributions job; its dest is the frame `dest` (H2O's contributions_<model>_on_<frame> when not given). */
export function startContributions(ctx: H2OContext, modelKey: string, frameKey: string, p: H2OParams): Job {
  const { node } = ctx;
  const { model } = needServed(ctx, modelKey);
  if (!model.response) throw new FloeError("unsupported", `model '${modelKey}' (${model.algo}) has no response to explain: contributions are for supervised models`);
  const frame = ctx.frame(frameKey);
  const options = contributionOptions(ctx, p);
  checkContributions(model, frame, options);
  const given = p.str("predictions_frame");
  const dest = given ? floeId(given, "predictions_frame") : node.store.newId("frame", `contributions_${floeId(modelKey, "model")}_on_${floeId(frameKey, "frame")}`);
  const { job, done } = node.jobs.start(
    `contributions of ${model.model_id} on ${frameKey}`,
    async (j) => {
      // Baseline SHAP reads the rows and the reference rows here: a cluster's frames are gathered first.
      const baseline = options.background ? { frame: await node.localFrame(frame), background: await node.localFrame(options.background) } : { frame, background: null };
      const request = { ...options, background: baseline.background, signal: j.signal, onProgress: (f: number) => j.setProgress(f) };
      const contributions = await contributionsFrame(node.executor, model, baseline.frame, request, j.warnings);
      await node.putFrame(dest, contributions.withRollups(await computeRollups(node.executor, contributions)));
    },
    { kind: "frame", id: dest },
  );
  done.catch(() => {});
  return job as unknown as Job;
}
