// h2o.save_model, h2o.load_model and h2o.upload_model, with H2O's own client, against a
// server confined to a data root: the file written is floe's .floe file of the model (byte
// for byte floe's own download), a loaded or uploaded model reports the original's numbers
// through floe's own API, and writes or reads outside the root, a second save without
// force and a damaged file are refused by name.

import { expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { apiOf, testServer } from "../support/server.ts";
import { runH2OScript, scriptResult } from "./support.ts";

const IRIS = resolve(import.meta.dir, "..", "..", "fixtures", "iris.csv");

test("save_model writes floe's model file inside the data root, load_model and upload_model bring it back", async () => {
  const root = mkdtempSync(join(tmpdir(), "floe-h2o-io-"));
  const outsideFile = join(dirname(root), `${basename(root)}_outside.floe`);
  const server = await testServer({ threads: 1, dataRoot: root });
  try {
    copyFileSync(IRIS, join(root, "iris.csv"));
    mkdirSync(join(root, "models"));
    const api = apiOf(server);
    const frame = await api.importPath("iris.csv", { frame_id: "iris" });
    const started = await api.post("/models", { algo: "gbm", training_frame: frame, response_column: "species", model_id: "gbm_iris", params: { ntrees: 5, seed: 1 } });
    expect(started.status).toBe(202);
    expect((await api.waitJob(started.body.job.job_id)).status).toBe("done");
    const original = (await api.get("/models/gbm_iris")).body as any;
    const floeFile = new Uint8Array(await (await fetch(`${server.url}/api/v1/models/gbm_iris/download`)).arrayBuffer());
    writeFileSync(outsideFile, floeFile);

    const run = await runH2OScript("models_io.py", server.url, { ROOT: root, MODEL: "gbm_iris" });
    expect(run.stderr).not.toContain("Traceback");
    expect(run.code).toBe(0);
    const out = scriptResult(run.stdout);

    expect(out.saved).toBe(join(root, "models", "gbm_saved"));
    expect(out.forced).toBe(out.saved);
    expect(new Uint8Array(readFileSync(out.saved))).toEqual(floeFile);
    expect(out.again).toContain("already exists");
    expect(out.outside).toContain("outside the server's data root");
    expect(existsSync(join(dirname(root), "escaped"))).toBe(false);
    expect(out.missing_dir).toContain("does not exist");

    // Loaded back under its own id (the original was deleted), then uploaded under a fresh one.
    expect(out.loaded_id).toBe("gbm_iris");
    expect(out.uploaded_id).not.toBe("gbm_iris");
    for (const id of [out.loaded_id, out.uploaded_id]) {
      const m = (await api.get(`/models/${id}`)).body as any;
      expect(m.metrics.training.logloss).toBe(original.metrics.training.logloss);
    }
    expect(out.loaded_logloss).toBe(original.metrics.training.logloss);
    expect(out.uploaded_logloss).toBe(original.metrics.training.logloss);
    expect(out.original_logloss).toBe(original.metrics.training.logloss);

    expect(out.damaged).toContain("models/damaged");
    expect(out.load_outside).toContain("outside the server's data root");
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(outsideFile, { force: true });
  }
}, 120_000);
