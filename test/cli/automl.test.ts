// floe automl as a user runs it: the leaderboard printed or as JSON, the leader saved and
// scored by floe predict, stdin input, and one clear line for a bad command.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { loadModel } from "../../src/ml/modelfile.ts";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir } from "../support/node.ts";
import { testServer } from "../support/server.ts";

const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
const server = await testServer();

test("--json prints the leaderboard with H2O's columns and the leader, saved with --out and scored by predict", async () => {
  const out = join(dir, "leader.floe");
  const r = await floe(["automl", iris, "-y", "species", "--max-models", "2", "--nfolds", "3", "--seed", "3", "--exclude-algos", "DeepLearning", "--json", "--out", out, "--quiet"]);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.stdout);
  expect(j.leaderboard.length).toBe(4); // GLM, GBM and two ensembles
  for (const row of j.leaderboard) {
    expect(Object.keys(row)).toEqual(["model_id", "algo", "mean_per_class_error", "logloss", "rmse", "mse", "training_time_ms"]);
  }
  expect(j.leader).toBe(j.leaderboard[0].model_id);
  expect(j.sort_metric).toBe("mean_per_class_error");
  const pred = await floe(["predict", out, iris]);
  expect(pred.code).toBe(0);
  const lines = pred.stdout.trim().split("\n");
  expect(lines[0]).toBe("predict,Iris-setosa,Iris-versicolor,Iris-virginica");
  expect(lines.length).toBe(151);
  // The saved leader is the model the leaderboard ranks first.
  expect(loadModel(out).model_id).toBe(j.leader);
}, 30_000);

test("from stdin, the leaderboard as a table and the event log on stderr", async () => {
  const r = await floe(["automl", "-", "-y", "species", "--max-models", "1", "--nfolds", "2", "--seed", "1", "--include-algos", "GLM"], { stdin: Bun.file(iris), env: { NODE_ENV: "production" } });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("model_id        mean_per_class_error  logloss");
  expect(r.stdout).toContain("GLM_1_AutoML_1");
  expect(r.stdout).toContain("leader: GLM_1_AutoML_1");
  expect(r.stderr).toContain("GLM_1_AutoML_1: mean_per_class_error");
});

test("a bad command fails with one clear line", async () => {
  const noY = await floe(["automl", iris]);
  expect(noY.code).not.toBe(0);
  expect(noY.stderr).toContain("y");
  const badAlgo = await floe(["automl", iris, "-y", "species", "--exclude-algos", "SVM"]);
  expect(badAlgo.code).not.toBe(0);
  expect(badAlgo.stderr.trim().split("\n").at(-1)).toContain("exclude_algos: 'SVM' is not one of");
  const badCol = await floe(["automl", iris, "-y", "colour", "--max-models", "1"]);
  expect(badCol.stderr).toContain("response column 'colour' is not in the frame");
});

test("--url runs on a server: the leaderboard of the in-process run (same seed), the event log relayed, the leader saved", async () => {
  const args = ["automl", iris, "-y", "species", "--max-models", "2", "--nfolds", "3", "--seed", "3", "--exclude-algos", "DeepLearning"];
  const [local, remote] = await Promise.all([
    floe([...args, "--json", "--quiet", "--out", join(dir, "local-leader.floe")]),
    floe([...args, "--json", "--out", join(dir, "remote-leader.floe"), "--url", server.url]),
  ]);
  expect(remote.code).toBe(0);
  const [l, r] = [JSON.parse(local.stdout), JSON.parse(remote.stdout)];
  // The same models and metrics; only the run's id (the models' suffix) and the times differ.
  const id = String(r.leader).replace(/^.*_(AutoML_\d+)$/, "$1");
  const rows = (j: any, suffix: string) => j.leaderboard.map(({ training_time_ms: _, ...row }: any) => ({ ...row, model_id: row.model_id.replace(suffix, "") }));
  expect(rows(r, `_${id}`)).toEqual(rows(l, "_AutoML_1"));
  expect(r.leaderboard.length).toBe(4);
  // The event log came to stderr as the run went on: every model joined, then the end.
  for (const row of r.leaderboard) expect(remote.stderr).toMatch(new RegExp(`^floe: ${row.model_id}[: ]`, "m"));
  expect(remote.stderr).toContain(`leader ${r.leader}`);
  // The saved leader is the server's model and predicts as the in-process leader does.
  expect(loadModel(join(dir, "remote-leader.floe")).model_id).toBe(r.leader);
  const [pl, pr] = await Promise.all([floe(["predict", join(dir, "local-leader.floe"), iris]), floe(["predict", join(dir, "remote-leader.floe"), iris])]);
  expect(pr.stdout).toBe(pl.stdout);
  // The run stays on the server; the uploaded frame does not.
  expect((await fetch(`${server.url}/api/v1/automl/${id}`)).status).toBe(200);
  const frames = (await (await fetch(`${server.url}/api/v1/frames`)).json()) as { frames: unknown[] };
  expect(frames.frames).toEqual([]);
  // --threads is the server's to decide.
  const threads = await floe([...args, "--threads", "2", "--url", server.url]);
  expect([threads.code === 0, threads.stderr.trim().split("\n").at(-1)]).toEqual([false, expect.stringContaining("--threads does not apply with --url")]);
}, 60_000);
