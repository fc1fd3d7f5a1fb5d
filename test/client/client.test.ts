// The TypeScript client against a real server on 127.0.0.1: every resource round-trips,
// jobs are followed to their end, and failures come back as FloeErrors with the server's
// code. Expected values come from the fixtures themselves or from the same work done
// in-process (floe is deterministic: the same data, parameters and seed give the same model).

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { FloeClient } from "../../src/client/client.ts";
import type { Job } from "../../src/api/types.ts";
import { FloeError } from "../../src/core/errors.ts";
import { split } from "../../src/core/ops.ts";
import { deserializeModel } from "../../src/ml/modelfile.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { describeJson } from "../../src/present/frame.ts";
import { startServer } from "../../src/server/serve.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";
import { testServer } from "../support/server.ts";

const server = await testServer();
const client = new FloeClient(server.url);
const node = testNode();
const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
const irisLines = readFileSync(iris, "utf8").trim().split("\n");

/** Uploads a file and waits for its frame; returns the frame's id. */
async function upload(path: string): Promise<string> {
  const job = await client.waitJob((await client.frames.upload({ path })).job_id);
  return job.dest?.id as string;
}

async function localIris() {
  return (await node.importFrame({ kind: "file", path: iris }).done).frame;
}

/** The FloeError a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<FloeError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FloeError);
    return err as FloeError;
  }
  throw new Error("expected a FloeError, got a result");
}

test("health and cluster: one healthy node of this version", async () => {
  expect(await client.health()).toEqual({ status: "ok", version: pkg.version });
  const cluster = await client.cluster();
  expect(cluster).toMatchObject({ version: pkg.version, cloud_size: 1, cloud_healthy: true });
  expect(cluster.nodes).toHaveLength(1);
  expect(cluster.nodes[0]).toMatchObject({ healthy: true, pid: process.pid, ip_port: server.url.replace("http://", "") });
});

test("the URL may carry the API prefix and trailing slashes", async () => {
  expect((await new FloeClient(`${server.url}/api/v1/`).health()).status).toBe("ok");
});

describe("frames", () => {
  test("upload a file by path: the frame's columns are those the local describe gives", async () => {
    const id = await upload(iris);
    const frame = await client.frames.get(id);
    expect(frame.rows).toBe(irisLines.length - 1);
    const local = describeJson(await localIris());
    expect(frame.columns.map(({ histogram, level_counts, ...c }) => c)).toEqual(local.columns as typeof frame.columns);
    expect((await client.frames.list()).find((f) => f.frame_id === id)).toMatchObject({ rows: 150, columns: 5 });
  });

  test("upload a stream and bytes: the rows read back are the file's", async () => {
    const fromStream = await client.waitJob((await client.frames.upload(Bun.file(iris).stream(), { name: "iris.csv" })).job_id);
    const fromBytes = await client.waitJob((await client.frames.upload(readFileSync(iris), { frameId: "iris_bytes" })).job_id);
    expect(fromBytes.dest).toEqual({ kind: "frame", id: "iris_bytes" });
    for (const job of [fromStream, fromBytes]) {
      const rows = await client.frames.rows(job.dest?.id as string, { offset: 148, limit: 10 });
      expect(rows).toMatchObject({ offset: 148, rows_total: 150, columns: irisLines[0].split(",") });
      // The fixture's last two lines, numbers as numbers.
      expect(rows.rows).toEqual(irisLines.slice(-2).map((l) => l.split(",").map((v, c) => (c < 4 ? Number(v) : v))));
    }
  });

  test("import by SQL, split, asfactor, download and delete", async () => {
    const job = await client.waitJob((await client.frames.import({ sql: `SELECT * FROM '${iris}' WHERE species <> 'Iris-setosa'` })).job_id);
    const id = job.dest?.id as string;
    expect((await client.frames.get(id)).rows).toBe(100);

    // The split is the in-process split with the same seed.
    const parts = await client.frames.split(id, { ratios: [0.75], seed: 11 });
    const localFull = (await node.importFrame({ kind: "sql", query: `SELECT * FROM '${iris}' WHERE species <> 'Iris-setosa'` }).done).frame;
    const localParts = await split(node.executor, localFull, [0.75], 11);
    expect(parts.map((p) => p.rows)).toEqual(localParts.map((p) => p.rows));

    const csv = writeTemp(dir, "codes.csv", "code,x\n3,1.5\n1,2\n3,\n");
    const codes = await upload(csv);
    const factored = await client.frames.asfactor(codes, ["code"], "codes_enum");
    expect(factored).toBe("codes_enum");
    const col = (await client.frames.get(factored)).columns[0];
    expect(col).toMatchObject({ name: "code", type: "enum", domain: ["1", "3"], level_counts: [1, 2] });

    // Download: a header, then the rows; the missing value is empty.
    const lines = (await new Response(await client.frames.download(factored)).text()).trimEnd().split("\n");
    expect(lines[0]).toBe("code,x");
    expect(lines.slice(1).map((l) => l.split(","))).toEqual([
      ["3", expect.stringMatching(/^1\.50*$/)],
      ["1", expect.stringMatching(/^2(\.0*)?$/)],
      ["3", ""],
    ]);

    await client.frames.delete(factored);
    expect((await failure(client.frames.get(factored))).code).toBe("not_found");
    expect((await client.frames.list()).map((f) => f.frame_id)).not.toContain(factored);
  });

  test("an upload the server cannot read: the job fails and waitJob throws its error", async () => {
    const bad = writeTemp(dir, "ragged.csv", "a,b\n1,2\n3,4,5,6\n");
    const job = await client.frames.upload({ path: bad });
    const err = await failure(client.waitJob(job.job_id));
    const failed = await client.jobs.get(job.job_id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toEqual({ code: err.code, message: err.message });
    expect(err.message).toContain("ragged.csv");
  });

  test("uploading a path that does not exist fails before sending", async () => {
    const err = await failure(client.frames.upload({ path: join(dir, "absent.csv") }));
    expect(err).toMatchObject({ code: "not_found", message: `no such file: ${join(dir, "absent.csv")}` });
  });
});

describe("models", () => {
  test("train GBM and wait: the model is the in-process one with the same seed", async () => {
    const frameId = await upload(iris);
    const params = { ntrees: 10, max_depth: 3, seed: 42 };
    const seen: Job[] = [];
    const job = await client.waitJob((await client.models.train({ algo: "gbm", training_frame: frameId, response_column: "species", params })).job_id, {
      onProgress: (j) => seen.push(j),
    });
    expect(job).toMatchObject({ status: "done", progress: 1, dest: { kind: "model" } });
    const progress = seen.map((j) => j.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const modelId = job.dest?.id as string;

    const gbm = algorithm("gbm");
    const local = (await gbm?.train(node.executor, { modelId: "local", frame: await localIris(), y: "species", x: null, params }))?.model;
    if (!local) throw new Error("no local model");

    const info = await client.models.get(modelId);
    expect(info).toMatchObject({ model_id: modelId, algo: "gbm", category: "Multinomial", training_frame: frameId });
    expect(info.metrics).toEqual(JSON.parse(JSON.stringify(local.metrics)));
    expect(info.varimp).toEqual(JSON.parse(JSON.stringify(local.varimp)));

    // The .floe file holds the model bit for bit; uploading it back gives the same model.
    const bytes = await client.models.download(modelId);
    const downloaded = deserializeModel(bytes, "download");
    expect(downloaded.metrics).toEqual(local.metrics);
    const copy = await client.models.upload(bytes, { modelId: "gbm_copy" });
    expect(copy).toBe("gbm_copy");
    expect((await client.models.get(copy)).metrics).toEqual(info.metrics);
    expect((await client.models.list()).map((m) => m.model_id)).toEqual(expect.arrayContaining([modelId, copy]));

    // Scoring the training frame again reproduces the training metrics; predictions are a frame.
    const scored = await client.models.metrics(modelId, frameId);
    expect(scored.metrics).toEqual(info.metrics.training as Record<string, unknown>);
    const preds = await client.models.predict(modelId, frameId, "iris_preds");
    expect(preds).toMatchObject({ frame_id: "iris_preds", rows: 150, columns: ["predict", "Iris-setosa", "Iris-versicolor", "Iris-virginica"], warnings: [] });

    await client.models.delete(copy);
    expect((await failure(client.models.get(copy))).code).toBe("not_found");
  });

  test("a wrong parameter is refused at once, naming it", async () => {
    const frameId = await upload(iris);
    const err = await failure(client.models.train({ algo: "gbm", training_frame: frameId, response_column: "species", params: { ntrees: -3 } }));
    expect(err.code).toBe("invalid_argument");
    expect(err.message).toContain("ntrees");
  });

  test("aborting waitJob's signal cancels the job on the server", async () => {
    const frameId = await upload(iris);
    const job = await client.models.train({ algo: "gbm", training_frame: frameId, response_column: "species", params: { ntrees: 5000, seed: 1 } });
    // Aborted once the job is seen running.
    const abort = new AbortController();
    const err = await failure(client.waitJob(job.job_id, { signal: abort.signal, intervalMs: 50, onProgress: (j) => j.status === "running" && abort.abort() }));
    expect(err.code).toBe("cancelled");
    expect((await client.jobs.get(job.job_id)).status).toBe("cancelled");
    expect((await client.jobs.list()).map((j) => j.job_id)).toContain(job.job_id);
  });

  test("algorithms come with their parameters", async () => {
    const all = await client.algorithms();
    expect(all.map((a) => a.name)).toContain("gbm");
    const gbm = await client.algorithm("gbm");
    expect(gbm.supervised).toBe(true);
    expect(gbm.params.find((p) => p.name === "ntrees")).toMatchObject({ type: "int", default: 50 });
  });
});

describe("errors", () => {
  test("an unknown frame id is not_found with the server's message", async () => {
    const err = await failure(client.frames.get("no_such_frame"));
    expect(err.code).toBe("not_found");
    expect(err.message).toContain("no_such_frame");
  });

  test("a server with a token: no token or a wrong one is unauthorized; health needs none", async () => {
    const token = "correct-horse-battery";
    const guarded = await testServer({ authToken: token });
    expect((await failure(new FloeClient(guarded.url).cluster())).code).toBe("unauthorized");
    expect((await failure(new FloeClient(guarded.url, { token: "wrong-token-123" }).frames.list())).code).toBe("unauthorized");
    expect((await new FloeClient(guarded.url).health()).status).toBe("ok");
    expect((await new FloeClient(guarded.url, { token }).cluster()).cloud_size).toBe(1);
  });

  test("no server at the URL: one clear line naming it", async () => {
    const gone = await startServer({ port: 0, host: "127.0.0.1", threads: 1 });
    await gone.stop();
    const err = await failure(new FloeClient(gone.url).health());
    expect(err.message).toBe(`cannot reach floe at ${gone.url}: connection refused`);
    expect(err.details).toMatchObject({ unreachable: true });
  });

  test("a URL that is not one is refused when the client is made", () => {
    expect(() => new FloeClient("localhost:54321")).toThrow(FloeError);
    expect(() => new FloeClient("not a url")).toThrow("is not a URL");
  });
});
