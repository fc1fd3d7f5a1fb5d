// H2O's XGBoost through floe with H2O's unmodified client (test/h2o/scripts/xgboost.py):
// H2OXGBoostEstimator trains and predicts, every number the client reads is floe's own for
// the model, and XGBoost's alias eta trains the same model as learn_rate.

import { expect, test } from "bun:test";
import { tempDir, writeTemp } from "../support/node.ts";
import { apiOf, testServer } from "../support/server.ts";
import { runH2OScript, scriptResult } from "./support.ts";

const dir = tempDir();
const rows = Array.from({ length: 300 }, (_, i) => {
  const a = (i * 7) % 11;
  const b = Math.sin(i) * 3;
  const c = (i * 13) % 5;
  return [a, b, c, a + b - c + ((i * 37) % 7) / 2 > 5 ? "yes" : "no"];
});
const DATA = writeTemp(dir, "xgb.csv", `a,b,c,label\n${rows.map((r) => r.join(",")).join("\n")}\n`);

test("H2OXGBoostEstimator trains and predicts through floe, with floe's numbers", async () => {
  const server = await testServer();
  const run = await runH2OScript("xgboost.py", server.url, { DATA_PATH: DATA });
  expect(`${run.stdout}\n${run.stderr}`).not.toContain("Traceback");
  expect(run.code).toBe(0);
  const out = scriptResult(run.stdout);
  const model = (await apiOf(server).get("/models/h2o_xgb")).body;
  expect(model).toMatchObject({ algo: "xgboost", category: "Binomial", params: { ntrees: 20, max_depth: 4, learn_rate: 0.2, eta: 0.2, reg_lambda: 2, seed: 7 } });
  expect(out.auc).toBe(model.metrics.training.AUC);
  expect(out.logloss).toBe(model.metrics.training.logloss);
  expect(out.pred_cols).toEqual(["predict", "no", "yes"]);
  expect(out.p_yes.length).toBe(300);
  expect(out.aliased_logloss).toBe(out.logloss);
}, 120_000);
