// H2OGridSearch, with H2O's own client, against floe's grid search: every combination of a
// Cartesian grid is built once, get_grid(sort_by=...) orders the models by the metric floe's
// own REST API reports for each, a RandomDiscrete search stops at max_models, and a
// hyper-parameter floe lacks is refused by name.

import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { apiOf, testServer } from "../support/server.ts";
import { runH2OScript, scriptResult } from "./support.ts";

const IRIS = resolve(import.meta.dir, "..", "..", "fixtures", "iris.csv");

test("H2OGridSearch builds every combination and get_grid sorts by floe's metrics", async () => {
  const server = await testServer({ threads: 1 });
  try {
    const run = await runH2OScript("grid_search.py", server.url, { IRIS });
    expect(run.stderr).not.toContain("Traceback");
    expect(run.code).toBe(0);
    const out = scriptResult(run.stdout);
    const api = apiOf(server);

    // Four combinations, each model once, named after the grid.
    expect(out.model_ids).toHaveLength(4);
    expect(new Set(out.model_ids).size).toBe(4);
    for (const id of out.model_ids) expect(id).toStartWith("gbm_grid_model_");
    const combos = out.hyper.map((h: Record<string, number>) => `${h.max_depth}/${h.ntrees}`).sort();
    expect(combos).toEqual(["2/3", "2/5", "3/3", "3/5"]);
    expect(out.hyper_names.sort()).toEqual(["max_depth", "ntrees"]);

    // Each model's logloss is floe's own training logloss, and the order is increasing.
    const floeLogloss: number[] = [];
    for (const id of out.model_ids) floeLogloss.push(((await api.get(`/models/${id}`)).body as any).metrics.training.logloss);
    expect(out.logloss).toEqual(floeLogloss);
    expect([...floeLogloss].sort((a, b) => a - b)).toEqual(floeLogloss);
    expect(out.model_ids_desc).toEqual([...out.model_ids].reverse());
    // Known answer: more and deeper trees fit the training rows better.
    expect(out.hyper[0]).toEqual({ max_depth: 3, ntrees: 5 });

    // The summary table: hyper-parameters, model id and the metric, in the same order.
    expect(out.summary_header.slice(-2)).toEqual(["model_ids", "logloss"]);
    expect(out.summary_rows.map((r: unknown[]) => r.at(-2))).toEqual(out.model_ids);
    expect(out.summary_rows.map((r: unknown[]) => r.at(-1))).toEqual(floeLogloss);

    expect(out.random_ids).toHaveLength(2);
    expect(out.unsupported).toContain("no_such_param");
  } finally {
    await server.stop();
  }
}, 120_000);
