// Workflow 3's estimators beyond the random forest and GLM of models.test.ts, with H2O's
// unmodified client (test/h2o/scripts/estimators.py): GBM with a validation frame and
// cross-validation, a cross-validated GLM, a stacked ensemble of the two (its
// metalearner fetched by key, as H2O keeps it), deep learning, naive
// Bayes, k-means and PCA. Every number the client reads equals floe's own for the model.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { apiOf, testServer } from "../support/server.ts";
import { runH2OScript, scriptResult } from "./support.ts";

const IRIS = join(import.meta.dir, "..", "..", "fixtures", "iris.csv");

test("GBM, GLM, a stacked ensemble, deep learning, naive Bayes, k-means and PCA through H2O's estimators give floe's numbers", async () => {
  const server = await testServer();
  const run = await runH2OScript("estimators.py", server.url, { IRIS_PATH: IRIS });
  expect(`${run.stdout}\n${run.stderr}`).not.toContain("Traceback");
  expect(run.code).toBe(0);
  const out = scriptResult(run.stdout);
  const api = apiOf(server);
  const model = async (id: string) => (await api.get(`/models/${id}`)).body;

  const gbm = await model("h2o_gbm");
  expect(gbm.params).toMatchObject({ ntrees: 20, max_depth: 3, nfolds: 3, seed: 7 });
  expect(out.gbm.logloss).toBe(gbm.metrics.training.logloss);
  expect(out.gbm.valid_logloss).toBe(gbm.metrics.validation.logloss);
  expect(out.gbm.xval_logloss).toBe(gbm.metrics.cross_validation.logloss);
  expect(out.gbm.valid_mpce).toBe(gbm.metrics.validation.mean_per_class_error);
  expect(out.gbm.varimp).toEqual(gbm.varimp.map((v: { variable: string }) => v.variable));
  expect(out.gbm.pred_rows).toBe(out.gbm.valid_rows);
  expect(out.gbm.pred_cols).toEqual(["predict", "Iris-setosa", "Iris-versicolor", "Iris-virginica"]);
  expect(out.gbm.history_rows).toBe(gbm.scoring_history.length);

  const glm = await model("h2o_glm");
  expect(out.glm.logloss).toBe(glm.metrics.training.logloss);
  expect(out.glm.xval_logloss).toBe(glm.metrics.cross_validation.logloss);

  const se = await model("h2o_se");
  expect(se.base_models.map((b: { model_id: string }) => b.model_id)).toEqual(["h2o_gbm", "h2o_glm"]);
  expect(out.se.logloss).toBe(se.metrics.training.logloss);
  expect([out.se.metalearner, out.se.metalearner_algo]).toEqual(["h2o_se_metalearner", se.metalearner.algo]);

  const dl = await model("h2o_dl");
  expect(dl.hidden).toEqual([10, 10]);
  expect(out.dl.logloss).toBe(dl.metrics.training.logloss);
  expect(out.dl.rmse).toBe(dl.metrics.training.RMSE);

  expect(out.nb.logloss).toBe((await model("h2o_nb")).metrics.training.logloss);

  const km = await model("h2o_km");
  expect(km.k).toBe(3);
  expect(out.km.tot_withinss).toBe(km.tot_withinss);
  expect(out.km.betweenss).toBe(km.betweenss);
  expect(out.km.totss).toBe(km.totss);
  // tot_withinss + betweenss = totss, a closed form of the sums of squares.
  expect(out.km.tot_withinss + out.km.betweenss).toBeCloseTo(out.km.totss, 8);

  expect((await model("h2o_pca")).k).toBe(2);

  // A wrong column or value is H2O's error, raised by the client with floe's message naming it.
  expect(out.errors.bad_column).toContain("H2OResponseError");
  expect(out.errors.bad_column).toContain("'fold'");
  expect(out.errors.bad_value).toContain("H2OResponseError");
  expect(out.errors.bad_value).toContain("ntrees");
  // The progress bars followed floe's jobs to the end.
  expect(run.stdout).toContain("gbm Model Build progress: |");
  expect(run.stdout).toMatch(/gbm Model Build progress: \|█+\| \(done\) 100%/);
}, 120_000);
