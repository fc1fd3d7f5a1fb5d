// H2O's partial dependence routes: POST /3/PartialDependence/ starts a job (model.partial_plot,
// and ice_plot's curves with row_index), GET /3/PartialDependence/{key} gives its tables.
// Contributions ride on /4/Predictions (routes/models.ts) and permutation importance on
// Rapids (rapids/ops/explain.ts), as in H2O.

import type { Hono } from "hono";
import type { Job } from "../../core/jobs.ts";
import { requireSupervised } from "../../ml/explain/frame-edit.ts";
import { partialDependence } from "../../ml/explain/partial-dependence.ts";
import type { H2OContext } from "../context.ts";
import { h2oJobJson, localJobView } from "../jobs.ts";
import { floeId, keyJson } from "../keys.ts";
import { partialDependenceJson, PartialDependenceResults, partialDependenceRequest } from "../models/partial-dependence.ts";
import { needServed } from "../models/store.ts";
import { H2OParams } from "../params.ts";

export function register(app: Hono, ctx: H2OContext): void {
  const { node } = ctx;
  const results = new PartialDependenceResults();

  for (const path of ["/3/PartialDependence", "/3/PartialDependence/"]) {
    app.post(path, async (c) => {
      const p = await H2OParams.of(c);
      const modelKey = p.need("model_id");
      const frameKey = p.need("frame_id");
      const { model } = needServed(ctx, modelKey);
      // Refused before the job starts, as H2O refuses it: the client shows H2O's error rather than a failed job.
      requireSupervised(model, "partial dependence");
      // The grid's frames are rewritten row by row here: a cluster's frame is gathered first.
      const frame = await node.localFrame(ctx.frame(frameKey));
      const req = partialDependenceRequest(p, floeId(modelKey, "model_id"), floeId(frameKey, "frame_id"), frame);
      const given = p.str("destination_key");
      const id = given ? floeId(given, "destination_key") : node.store.newId("job", `pdp_${req.modelId}`);
      const { job, done } = node.jobs.start(`partial dependence of ${req.modelId} on ${req.frameId}`, async (j) => {
        const tables = await partialDependence(node.executor, model, frame, { ...req.options, signal: j.signal, onProgress: (f) => j.setProgress(f) });
        results.put(id, partialDependenceJson(id, req, frame, tables));
      });
      done.catch(() => {});
      return c.json(h2oJobJson(localJobView(job as unknown as Job), keyJson("PartialDependence", id)));
    });
  }
  app.get("/3/PartialDependence/:id", (c) => c.json(results.need(c.req.param("id"))));
}
