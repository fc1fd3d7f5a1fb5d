// H2O's estimators, unmodified, against floe's /3/ModelBuilders and /3/Models: each number
// the client reads (metrics, confusion matrix, variable importance, cross-validation
// summary, GLM coefficients and p-values) must equal what floe's own REST API reports for
// the same model, and a parameter floe lacks comes back as H2O's error naming it.

import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { apiOf, testServer } from "../support/server.ts";
import { runH2OScript, scriptResult } from "./support.ts";

const IRIS = resolve(import.meta.dir, "..", "..", "fixtures", "iris.csv");

test("estimators train through /3/ModelBuilders and report floe's own numbers", async () => {
  const server = await testServer({ threads: 1 });
  try {
    const outDir = mkdtempSync(join(tmpdir(), "floe-h2o-models-"));
    const run = await runH2OScript("models_train.py", server.url, { IRIS, OUT_DIR: outDir });
    expect(run.stderr).not.toContain("Traceback");
    expect(run.code).toBe(0);
    const out = scriptResult(run.stdout);
    const api = apiOf(server);
    const rf = (await api.get("/models/rf_iris")).body as any;
    expect(out.rf.logloss).toBe(rf.metrics.training.logloss);
    expect(out.rf.rmse).toBe(rf.metrics.training.RMSE);
    expect(out.rf.mse).toBe(rf.metrics.training.MSE);
    expect(out.rf.xval_logloss).toBe(rf.metrics.cross_validation.logloss);
    expect(out.rf.mean_per_class_error).toBe(rf.metrics.training.mean_per_class_error);
    expect(out.rf.varimp.map((r: unknown[]) => r[0])).toEqual(rf.varimp.map((v: { variable: string }) => v.variable));
    expect(out.rf.varimp[0][1]).toBe(rf.varimp[0].relative_importance);
    expect(out.rf.history_rows).toBe(rf.scoring_history.length);
    expect(out.rf.cv_summary_mean_logloss).toBe(rf.cross_validation_metrics_summary.logloss.mean);
    expect(out.rf.xval_keys).toHaveLength(3);
    // model_performance(test_data) equals floe's metrics of the same model on the same frame.
    expect(out.frame_id).toBe("iris.hex");
    const perf = (await api.post("/models/rf_iris/metrics", { frame: out.frame_id })).body as any;
    expect(out.rf.perf_logloss).toBe(perf.metrics.logloss);
    expect(out.rf.perf_hit_ratios).toEqual(perf.metrics.hit_ratios);
    // confusion_matrix(frame): its totals count every row of the frame once, the errors as floe's matrix has them.
    const cm: number[][] = perf.metrics.confusion_matrix;
    const wrong = 150 - cm.reduce((s, row, a) => s + row[a], 0);
    expect(cm.flat().reduce((s, x) => s + x, 0)).toBe(150);
    expect(out.rf.cm_totals).toBe(`${wrong} / 150`);
    expect(run.stdout).toContain("ModelMetricsMultinomial: drf");
    expect(run.stdout).toContain("Top-3 Hit Ratios");

    const glm = (await api.get("/models/glm_iris")).body as any;
    const t = glm.coefficients_table;
    expect(Object.keys(out.glm.coef)).toEqual(t.names);
    t.names.forEach((n: string, i: number) => {
      expect(out.glm.coef[n]).toBe(t.coefficients[i]);
      expect(out.glm.coef_norm[n]).toBe(t.standardized_coefficients[i]);
      expect(out.glm.p_values[n]).toBe(t.p_value[i]);
    });
    expect(out.glm.r2).toBe(glm.metrics.training.r2);
    // Known answer: sepal length on the other three measurements explains most of its variance.
    expect(out.glm.r2).toBeGreaterThan(0.8);
    expect(out.unsupported).toContain("balance_classes");
    // split_frame(0.8) of 150 rows: about 120 and 30, every row once; model.predict(frame) reads back one row per test row,
    // its label the argmax of probabilities that sum to 1.
    const [nTrain, nTest] = out.split_rows;
    expect(nTrain + nTest).toBe(150);
    expect(Math.abs(nTrain - 120)).toBeLessThan(15);
    expect(out.pred_header).toEqual(["predict", "Iris-setosa", "Iris-versicolor", "Iris-virginica"]);
    expect(out.pred_rows).toHaveLength(nTest);
    for (const r of out.pred_rows as string[][]) {
      const p = r.slice(1).map(Number);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(r[0]).toBe(out.pred_header[1 + p.indexOf(Math.max(...p))]);
    }
    // download_model's file is byte for byte floe's own download of the model.
    const saved =
      run.stdout
        .split("\n")
        .find((l) => l.startsWith("DOWNLOADED "))
        ?.slice(11) ?? "";
    const floeFile = new Uint8Array(await (await fetch(`${server.url}/api/v1/models/rf_iris/download`)).arrayBuffer());
    expect(new Uint8Array(readFileSync(saved))).toEqual(floeFile);
    rmSync(outDir, { recursive: true, force: true });
  } finally {
    await server.stop();
  }
}, 120_000);
