// The one way the front ends (CLI and server) start a training or an AutoML run: the node
// facade's train and automl. Expected values come from the same work done directly through
// the registry and runAutoML (floe is deterministic: same data, parameters and seed, same model).

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { FloeError } from "../../src/core/errors.ts";
import { key } from "../../src/core/store.ts";
import { runAutoML } from "../../src/ml/automl/run.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { FIXTURES, testNode } from "../support/node.ts";

const node = testNode();
const { frame } = await node.importFrame({ kind: "file", path: join(FIXTURES, "iris.csv") }).done;
const gbm = algorithm("gbm");
if (!gbm) throw new Error("no gbm in the registry");
const params = { ntrees: 3, max_depth: 2, seed: 7 };

/** A model as JSON without its clock readings (training time, scoring timestamps), which differ run to run. */
const withoutClock = (model: object) => JSON.parse(JSON.stringify(model, (k, v) => (/time/.test(k) ? undefined : v)));

describe("node.train", () => {
  test("trains as a job, claiming the model id while it runs and handing the result to keep before it ends", async () => {
    const kept: string[] = [];
    const started = node.train(gbm, { frame, y: "species", x: null, params, modelId: "iris_gbm" }, async (r) => {
      kept.push(r.model.model_id);
    });
    expect(started.modelId).toBe("iris_gbm");
    expect(started.job.dest).toEqual({ kind: "model", id: "iris_gbm" });
    expect(node.store.taken(key("model", "iris_gbm"))).toBe(true);
    expect(() => node.train(gbm, { frame, y: "species", x: null, params, modelId: "iris_gbm" })).toThrow("model 'iris_gbm' is being written by a running job");
    const result = await started.done;
    expect(kept).toEqual(["iris_gbm"]);
    expect(started.job.status).toBe("done");
    expect(started.job.progress).toBe(1);
    expect(node.store.taken(key("model", "iris_gbm"))).toBe(false);
    // The same training done directly gives the same model.
    const direct = await gbm.train(node.executor, { modelId: "iris_gbm", frame, y: "species", x: null, params });
    expect(withoutClock(result.model)).toEqual(withoutClock(direct.model));
  });

  test("a fresh id is named after the algorithm; a cancelled job keeps nothing", async () => {
    let kept = false;
    const started = node.train(gbm, { frame, y: "species", x: null, params: { ...params, ntrees: 500 } }, async () => {
      kept = true;
    });
    expect(started.modelId).toMatch(/^gbm_\d+$/);
    started.job.cancel();
    const err = await started.done.catch((e) => e);
    expect(err).toBeInstanceOf(FloeError);
    expect((err as FloeError).code).toBe("cancelled");
    expect(started.job.status).toBe("cancelled");
    expect(kept).toBe(false);
  });
});

describe("node.automl", () => {
  const automlParams = { max_models: 1, include_algos: "GLM", nfolds: 0, seed: 3 };

  test("runs as a job and ends only once every model handed to onModel is kept", async () => {
    const kept: string[] = [];
    const started = node.automl({
      project: "iris_run",
      frame,
      y: "species",
      x: null,
      params: automlParams,
      onModel: async (r) => {
        await Bun.sleep(50);
        kept.push(r.model.model_id);
      },
    });
    expect(started.project).toBe("iris_run");
    const result = await started.done;
    expect(kept).toEqual(result.leaderboard.map((row) => String(row.model_id)));
    expect(kept.length).toBeGreaterThan(0);
    const direct = await runAutoML(node.executor, { project: "iris_run", frame, y: "species", x: null, params: automlParams });
    expect(result.leaderboard.map((r) => r.model_id)).toEqual(direct.leaderboard.map((r) => r.model_id));
    expect(result.leaderboard.map((r) => r.mean_per_class_error)).toEqual(direct.leaderboard.map((r) => r.mean_per_class_error));
  });

  test("a model the caller fails to keep fails the run with its error; a taken run id is a conflict", async () => {
    const started = node.automl({
      frame,
      y: "species",
      x: null,
      params: automlParams,
      onModel: async () => {
        throw new FloeError("internal", "the store is full");
      },
    });
    expect(started.project).toMatch(/^AutoML_\d+$/);
    await expect(started.done).rejects.toThrow("the store is full");
    expect(started.job.status).toBe("failed");

    node.store.put(key("automl", "taken_run"), {});
    expect(() => node.automl({ project: "taken_run", frame, y: "species", x: null, params: automlParams })).toThrow("AutoML run 'taken_run' already exists");
  });
});
