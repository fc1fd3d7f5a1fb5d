// Issue 20: s3:// (keys and globs) and http(s):// sources, and exports to s3://. An
// S3-compatible store (s3rver) and an HTTP server run on 127.0.0.1; what floe reads from
// them must equal what it reads from the same CSV locally, and a GBM trained on either must
// predict the same.

import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FloeError } from "../../src/core/errors.ts";
import { exportFrame } from "../../src/core/export.ts";
import { ingest } from "../../src/core/ingest.ts";
import { floe } from "../support/cli.ts";
import { expectSameFrame } from "../support/frame-values.ts";
import { FIXTURES, tempDir, testNode } from "../support/node.ts";
import { testS3, useS3Env } from "../support/s3.ts";
import { apiOf, testServer } from "../support/server.ts";

const node = testNode();
const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
const irisText = readFileSync(iris, "utf8");
const s3 = await testS3();
const [header, ...lines] = irisText.trimEnd().split("\n");
await s3.client.write("in/iris.csv", irisText);
await s3.client.write("parts/a.csv", `${header}\n${lines.slice(0, 100).join("\n")}\n`);
await s3.client.write("parts/b.csv", `${header}\n${lines.slice(100).join("\n")}\n`);
await s3.client.write("parts/notes.txt", "not part of the glob");

// In-process reads take the credentials from the environment, as the CLI does.
useS3Env(s3);

const web = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (req) => (new URL(req.url).pathname === "/data/iris.csv" ? new Response(Bun.file(iris)) : new Response("no", { status: 404 })),
});
afterAll(() => web.stop(true));

async function failure(source: Parameters<typeof ingest>[1]): Promise<FloeError> {
  const err = await ingest(await node.db(), source).catch((e) => e);
  expect(err).toBeInstanceOf(FloeError);
  return err;
}

describe("S3 source", () => {
  test("a key reads as the same frame as the local CSV", async () => {
    const db = await node.db();
    const fromS3 = await ingest(db, { kind: "remote", url: "s3://data/in/iris.csv" });
    expect(fromS3.rows).toBe(150);
    expectSameFrame(fromS3, await ingest(db, { kind: "file", path: iris }));
  });

  test("a glob reads its matching keys, in key order, as one frame", async () => {
    const db = await node.db();
    const fromGlob = await ingest(db, { kind: "remote", url: "s3://data/parts/*.csv" });
    expectSameFrame(fromGlob, await ingest(db, { kind: "file", path: iris }));
  });

  test("a missing key, bucket or glob match is named", async () => {
    const key = await failure({ kind: "remote", url: "s3://data/in/nope.csv" });
    expect(key.code).toBe("not_found");
    expect(key.message).toBe("s3://data/in/nope.csv: no such key");
    const bucket = await failure({ kind: "remote", url: "s3://no-such-bucket/x.csv" });
    expect(bucket.message).toBe("s3://no-such-bucket/x.csv: no such bucket");
    const glob = await failure({ kind: "remote", url: "s3://data/parts/*.parquet" });
    expect(glob.message).toBe("s3://data/parts/*.parquet: no key matches");
  });

  test("a frame exported to s3:// as Parquet and CSV reads back the same", async () => {
    const db = await node.db();
    const frame = await ingest(db, { kind: "file", path: iris });
    await exportFrame(db, frame, "s3://data/out/iris.parquet");
    await exportFrame(db, frame, "s3://data/out/iris.csv");
    expect((await s3.client.file("out/iris.parquet").bytes()).subarray(0, 4)).toEqual(new TextEncoder().encode("PAR1"));
    expectSameFrame(await ingest(db, { kind: "remote", url: "s3://data/out/iris.parquet" }), frame);
    expectSameFrame(await ingest(db, { kind: "remote", url: "s3://data/out/iris.csv" }), frame);
  });
});

describe("HTTP source", () => {
  test("a URL reads as the same frame as the local CSV; a 404 is named", async () => {
    const db = await node.db();
    const fromUrl = await ingest(db, { kind: "remote", url: `${web.url}data/iris.csv` });
    expectSameFrame(fromUrl, await ingest(db, { kind: "file", path: iris }));
    const missing = await failure({ kind: "remote", url: `${web.url}data/gone.csv` });
    expect(missing.code).toBe("not_found");
    expect(missing.message).toBe(`cannot fetch ${web.url}data/gone.csv: the server answered HTTP 404`);
  });
});

describe("floe CLI and REST with remote sources", () => {
  test("describe s3:// equals describe of the local CSV", async () => {
    const fromS3 = await floe(["describe", "s3://data/in/iris.csv", "--json", "--threads", "1"], { env: s3.env });
    expect(fromS3.stderr).toBe("");
    expect(JSON.parse(fromS3.stdout)).toEqual(JSON.parse((await floe(["describe", iris, "--json", "--threads", "1"])).stdout));
  }, 60_000);

  test("a GBM trained from S3 writes to S3 the predictions a GBM trained locally prints", async () => {
    const [a, b] = [join(dir, "s3.floe"), join(dir, "local.floe")];
    const common = ["--y", "species", "--algo", "gbm", "--ntrees", "5", "--seed", "7", "--threads", "1"];
    const t1 = await floe(["train", "s3://data/parts/*.csv", ...common, "--out", a], { env: s3.env });
    expect(t1.stderr).toBe("");
    expect((await floe(["train", iris, ...common, "--out", b])).code).toBe(0);
    const p1 = await floe(["predict", a, `${web.url}data/iris.csv`, "--out", "s3://data/out/pred.csv", "--threads", "1"], { env: s3.env });
    expect(p1.code).toBe(0);
    const local = await floe(["predict", b, iris, "--threads", "1"]);
    expect(local.stdout.split("\n").length).toBe(152);
    expect(await s3.client.file("out/pred.csv").text()).toBe(local.stdout);
  }, 60_000);

  test("a missing key fails the CLI with one line", async () => {
    const r = await floe(["describe", "s3://data/in/nope.csv"], { env: s3.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("s3://data/in/nope.csv: no such key");
  }, 60_000);

  test("POST /frames/import {path: s3://...} imports it; a --data-root server refuses URLs", async () => {
    const api = apiOf(await testServer({ threads: 1 }));
    const id = await api.importPath("s3://data/in/iris.csv", { frame_id: "s3_iris" });
    expect((await api.get(`/frames/${id}`)).body.rows).toBe(150);
    const confined = apiOf(await testServer({ threads: 1, dataRoot: dir }));
    const refused = await confined.post("/frames/import", { path: `${web.url}data/iris.csv` });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(`importing ${web.url}data/iris.csv: URL imports are off under the server's --data-root`);
  }, 60_000);
});
