// H2O's isolation forests through floe with H2O's unmodified client
// (test/h2o/scripts/isolation_forests.py): H2OIsolationForestEstimator, with and without a
// labelled validation frame, and H2OExtendedIsolationForestEstimator train and predict with
// H2O's output columns; every number the client reads equals floe's own for the model.

import { expect, test } from "bun:test";
import { tempDir, writeTemp } from "../support/node.ts";
import { apiOf, testServer } from "../support/server.ts";
import { runH2OScript, scriptResult } from "./support.ts";

const dir = tempDir();
// 300 rows on a smooth curve and 10 far from it, marked by `label`.
const rows = Array.from({ length: 310 }, (_, i) => {
  const t = i / 10;
  return i < 300 ? [Math.sin(t), Math.cos(t), t / 30, 0] : [3 + (i % 3), -3 - (i % 5), 2 + (i % 2), 1];
});
const DATA = writeTemp(dir, "planted.csv", `a,b,c,label\n${rows.map((r) => r.join(",")).join("\n")}\n`);

test("H2OIsolationForestEstimator and H2OExtendedIsolationForestEstimator train and predict through floe, with floe's numbers", async () => {
  const server = await testServer();
  const run = await runH2OScript("isolation_forests.py", server.url, { DATA_PATH: DATA });
  expect(`${run.stdout}\n${run.stderr}`).not.toContain("Traceback");
  expect(run.code).toBe(0);
  const out = scriptResult(run.stdout);
  const api = apiOf(server);
  const model = async (id: string) => (await api.get(`/models/${id}`)).body;
  const mean = (cells: string[][]) => cells.reduce((s, [v]) => s + Number(v), 0) / cells.length;

  const iso = await model("h2o_iso");
  expect(iso).toMatchObject({ algo: "isolationforest", category: "AnomalyDetection", params: { ntrees: 20, seed: 7 } });
  expect(out.iso.pred_cols).toEqual(["predict", "mean_length"]);
  expect(out.iso.predict.length).toBe(310);
  // The client's predictions on the training frame average to floe's training metrics.
  expect(mean(out.iso.predict)).toBeCloseTo(iso.metrics.training.mean_normalized_score, 12);
  expect(mean(out.iso.mean_length)).toBeCloseTo(iso.metrics.training.mean_score, 12);
  // H2O's anomaly metrics: the training metrics' accessors, and a frame's metrics from ModelMetrics.
  expect(out.iso.mean_score).toBe(iso.metrics.training.mean_score);
  expect(out.iso.mean_normalized_score).toBe(iso.metrics.training.mean_normalized_score);
  const scored = async (id: string) => (await api.post(`/models/${id}/metrics`, { frame: iso.training_frame })).body.metrics;
  expect(out.iso.test_mean_score).toBe((await scored("h2o_iso")).mean_score);
  expect(out.printed).toContain(`Anomaly Score: ${iso.metrics.training.mean_score}`);

  const labelled = await model("h2o_iso_valid");
  expect(out.labelled.auc).toBe(labelled.metrics.validation.AUC);
  expect(out.labelled.aucpr).toBe(labelled.metrics.validation.pr_auc);
  expect(out.labelled.auc).toBeGreaterThan(0.9);
  expect(out.labelled.pred_cols).toEqual(["predict", "score", "mean_length"]);
  // The labelled validation metrics are binomial: the client's confusion matrix is floe's.
  expect(out.labelled.cm.map((r: number[]) => r.slice(0, 2))).toEqual(labelled.metrics.validation.confusion_matrix);

  const eif = await model("h2o_eif");
  expect(eif).toMatchObject({ algo: "extendedisolationforest", params: { ntrees: 30, sample_size: 64, extension_level: 2 } });
  expect(out.eif.pred_cols).toEqual(["anomaly_score", "mean_length"]);
  expect(out.eif.anomaly_score.every(([s]: string[]) => Number(s) > 0 && Number(s) < 1)).toBe(true);
  expect(out.eif.test_mean_normalized_score).toBe((await scored("h2o_eif")).mean_normalized_score);
}, 120_000);
