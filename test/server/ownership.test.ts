// Who writes an id: a frame or model id being written by a running job or request is
// refused to a second writer (409), not overwritten by whichever ends last; finished jobs
// can be deleted and are kept by a retention rule; prediction frames are frames, deleted
// like any other.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { floe } from "../support/cli.ts";
import { FIXTURES } from "../support/node.ts";
import { apiOf, testServer } from "../support/server.ts";

describe("one writer per id", async () => {
  const server = await testServer();
  const api = apiOf(server);
  const penguins = await api.importPath(join(FIXTURES, "penguins.csv"));
  const longTraining = (modelId: string) => api.post("/models", { algo: "gbm", training_frame: penguins, response_column: "body_mass_g", model_id: modelId, params: { ntrees: 100000 } });

  test("a second training to a model id a running job is writing is refused with 409", async () => {
    const first = await longTraining("contested");
    expect(first.status).toBe(202);
    const second = await longTraining("contested");
    expect([second.status, second.body.error?.code]).toEqual([409, "conflict"]);
    expect(second.body.error.message).toContain("model 'contested' is being written");
    await api.post(`/jobs/${first.body.job.job_id}/cancel`);
    await api.waitJob(first.body.job.job_id);
  });

  test("an upload to a model id a running job is writing is refused, and the job's model is the one stored", async () => {
    const quick = await api.train({ algo: "glm", training_frame: penguins, response_column: "body_mass_g", model_id: "quick", params: {} });
    expect(quick.status).toBe("done");
    const file = new Uint8Array(await (await fetch(`${server.url}/api/v1/models/quick/download`)).arrayBuffer());
    const running = await longTraining("target");
    const upload = await api.post("/models/upload?model_id=target", file, { "content-type": "application/octet-stream" });
    expect([upload.status, upload.body.error?.code]).toEqual([409, "conflict"]);
    await api.post(`/jobs/${running.body.job.job_id}/cancel`);
    await api.waitJob(running.body.job.job_id);
    expect((await api.get("/models/target")).status).toBe(404);
  });

  test("an import to a frame id a running job is writing is refused", async () => {
    const first = await api.post("/frames/import", { path: join(FIXTURES, "iris.csv"), frame_id: "twice" });
    const second = await api.post("/frames/import", { path: join(FIXTURES, "penguins.csv"), frame_id: "twice" });
    expect(first.status).toBe(202);
    expect([second.status, second.body.error?.code]).toEqual([409, "conflict"]);
    await api.waitJob(first.body.job.job_id);
    expect((await api.get("/frames/twice")).body.rows).toBe(150);
  });

  test("a split asking for one id twice is refused and writes nothing", async () => {
    const r = await api.post(`/frames/${penguins}/split`, { ratios: [0.5], destination_frames: ["half", "half"] });
    expect([r.status, r.body.error?.code]).toEqual([409, "conflict"]);
    expect((await api.get("/frames/half")).status).toBe(404);
  });

  test("predictions to an existing frame are refused; prediction frames delete like frames", async () => {
    await api.train({ algo: "glm", training_frame: penguins, response_column: "body_mass_g", model_id: "for_preds", params: {} });
    const made = await api.post("/models/for_preds/predict", { frame: penguins, predictions_frame: "preds" });
    expect(made.status).toBe(200);
    const again = await api.post("/models/for_preds/predict", { frame: penguins, predictions_frame: "preds" });
    expect([again.status, again.body.error?.code]).toEqual([409, "conflict"]);
    expect((await api.del("/frames/preds")).status).toBe(200);
    expect((await api.get("/frames/preds")).status).toBe(404);
  });
});

describe("job records", async () => {
  const server = await testServer({ jobRetention: { maxFinished: 2, maxAgeMs: 3600_000 } });
  const api = apiOf(server);

  test("DELETE /jobs/{id}: a finished job goes, a running one is a 409, an unknown one a 404", async () => {
    const id = await api.importPath(join(FIXTURES, "penguins.csv"));
    const running = await api.post("/models", { algo: "gbm", training_frame: id, response_column: "body_mass_g", params: { ntrees: 100000 } });
    const jobId = running.body.job.job_id;
    const refused = await api.del(`/jobs/${jobId}`);
    expect([refused.status, refused.body.error?.code]).toEqual([409, "conflict"]);
    await api.post(`/jobs/${jobId}/cancel`);
    await api.waitJob(jobId);
    const deleted = await api.del(`/jobs/${jobId}`);
    expect([deleted.status, deleted.body]).toEqual([200, { deleted: jobId }]);
    expect((await api.get(`/jobs/${jobId}`)).status).toBe(404);
    expect((await api.del("/jobs/job_999")).status).toBe(404);
  });

  test("only the newest finished jobs are kept (--keep-jobs)", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await api.post("/frames/import", { path: join(FIXTURES, "iris.csv") });
      await api.waitJob(r.body.job.job_id);
      ids.push(r.body.job.job_id);
    }
    const listed = (await api.get("/jobs")).body.jobs.map((j: { job_id: string }) => j.job_id);
    expect(listed).toEqual([ids[3], ids[2]]);
  });

  test("the OpenAPI document has the delete route", async () => {
    const doc = (await api.get("/openapi.json")).body;
    expect(Object.keys(doc.paths["/jobs/{id}"])).toContain("delete");
  });
});

test("floe serve --job-ttl and --keep-jobs are checked before listening", async () => {
  for (const [flag, value, message] of [
    ["--job-ttl", "0", "--job-ttl must be a positive number of hours"],
    ["--keep-jobs", "x", "--keep-jobs must be a positive integer"],
  ]) {
    const r = await floe(["serve", "--port", "0", flag, value], { timeoutMs: 15_000 });
    expect([flag, r.code === 0 || r.code === -1]).toEqual([flag, false]);
    expect(r.stderr).toContain(message);
  }
});
