// H2OAutoML, with H2O's own client, against floe's AutoML: a small seeded run (max_models,
// no time budget, so reproducible) gives the same leaderboard as floe's own REST API run
// with the same settings on the same frame; the leaderboard comes back as a frame, the
// leader predicts a held-out split read back as a frame, get_leaderboard(extra_columns="ALL")
// adds floe's training times and algorithms, and a setting floe lacks is refused by name.

import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { apiOf, testServer } from "../support/server.ts";
import { runH2OScript, scriptResult } from "./support.ts";

const IRIS = resolve(import.meta.dir, "..", "..", "fixtures", "iris.csv");

test("H2OAutoML runs floe's AutoML: the leaderboard equals floe's own run of the same settings", async () => {
  const server = await testServer({ threads: 1 });
  try {
    const run = await runH2OScript("automl_run.py", server.url, { IRIS });
    expect(run.stderr).not.toContain("Traceback");
    expect(run.code).toBe(0);
    const out = scriptResult(run.stdout);
    const api = apiOf(server);

    // floe's own AutoML, same frame and settings, under another project name.
    const started = await api.post("/automl", {
      training_frame: "iris.hex",
      response_column: "species",
      project_name: "floe_aml",
      params: { max_models: 2, seed: 1, nfolds: 3, include_algos: "GLM,DRF,StackedEnsemble" },
    });
    expect(started.status).toBe(202);
    expect((await api.waitJob(started.body.job.job_id, 60_000)).status).toBe("done");
    const floe = (await api.get("/automl/floe_aml")).body as any;

    const [header, ...rows] = out.leaderboard as string[][];
    expect(header).toEqual(["model_id", ...floe.columns]);
    expect(rows.map((r) => r[0].replace(/h2o_aml$/, ""))).toEqual(floe.leaderboard.map((r: any) => r.model_id.replace(/floe_aml$/, "")));
    rows.forEach((r, i) => floe.columns.forEach((c: string, j: number) => expect(Number(r[j + 1])).toBe(floe.leaderboard[i][c])));
    expect(out.leader).toBe(rows[0][0]);

    // ALL adds floe's training time and algorithm of each model, as its own API reports them.
    expect(out.full_header).toEqual(["model_id", ...floe.columns, "training_time_ms", "algo"]);
    for (const r of out.full_rows as string[][]) {
      const model = (await api.get(`/models/${r[0]}`)).body as any;
      expect(Number(r.at(-2))).toBe(model.training_time_ms);
      expect(r.at(-1)).toBe(model.algo);
    }

    // The leader's predictions on the held-out rows: one per row, probabilities summing to 1, the label their argmax.
    expect(out.test_rows).toBeGreaterThan(15);
    expect(out.test_rows).toBeLessThan(45);
    expect(out.pred_header).toEqual(["predict", "Iris-setosa", "Iris-versicolor", "Iris-virginica"]);
    expect(out.pred_rows).toHaveLength(out.test_rows);
    for (const r of out.pred_rows as string[][]) {
      const p = r.slice(1).map(Number);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(r[0]).toBe(out.pred_header[1 + p.indexOf(Math.max(...p))]);
    }
    expect(out.unsupported).toContain("balance_classes");
  } finally {
    await server.stop();
  }
}, 180_000);
