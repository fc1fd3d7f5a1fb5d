// CSV objects in an S3-compatible store (s3rver on 127.0.0.1) imported on a cluster: one
// large object is cut into byte ranges, a glob's objects go to the nodes in runs (each cut
// too when large); each node streams and parses its own, and the frame is the one a single
// node's import of the same files gives. A glob whose objects' header lines differ goes to
// one node, which refuses it as it would alone.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Source } from "../../src/core/source.ts";
import { FloeNode } from "../../src/runtime.ts";
import { expectSameFrame } from "../support/frame-values.ts";
import { memoryCluster } from "../support/memory-cluster.ts";
import { testS3, useS3Env } from "../support/s3.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-parse-s3-"));
const single = new FloeNode({ threads: 1 });
afterAll(async () => {
  await single.close();
  rmSync(dir, { recursive: true, force: true });
});

const s3 = await testS3();
useS3Env(s3);

// About 10 MiB, past the 8 MiB the plan reads; `city` has levels only the second half holds.
const lines = ["id,x,city,label"];
for (let i = 0; i < 420_000; i++) {
  const city = i < 210_000 ? ["Basel", "Bern"][i % 2] : ["Zug", "Aarau", "Basel"][i % 3];
  lines.push(`${i},${(i * 7919) % 1000}.25,${city},${(i * 104_729) % 7 > 3 ? "yes" : "no"}`);
}
const local = join(dir, "plain.csv");
writeFileSync(local, `${lines.join("\n")}\n`);
await s3.client.write("big/plain.csv", Bun.file(local));
// The same rows as three objects of about 3.4 MB.
const parts: string[] = [];
for (let k = 0; k < 3; k++) {
  const part = join(dir, `part-${k}.csv`);
  writeFileSync(part, `${[lines[0], ...lines.slice(1 + k * 140_000, 1 + (k + 1) * 140_000)].join("\n")}\n`);
  await s3.client.write(`parts/part-${k}.csv`, Bun.file(part));
  parts.push(part);
}
await s3.client.write("odd/a.csv", "id,x\n1,2\n");
await s3.client.write("odd/b.csv", "id,y\n3,4\n");

const cluster = memoryCluster(2);
const [coordinator] = cluster.nodes;

async function importBoth(url: string, reference: Source = { kind: "file", path: local }) {
  const counted = cluster.calls.get("parse-count") ?? 0;
  const source: Source = { kind: "remote", url, endpoint: s3.endpoint };
  const { frame } = await coordinator.importFrame(source).done;
  const shared = await coordinator.localFrame(frame);
  const one = (await single.importFrame(reference).done).frame;
  return { shared, one, counted: (cluster.calls.get("parse-count") ?? 0) - counted };
}

test("one large s3:// object is parsed by both nodes, each on its byte range, into the frame one node parses", async () => {
  const { shared, one, counted } = await importBoth(`s3://${s3.bucket}/big/plain.csv`);
  expect(counted).toBe(2);
  expectSameFrame(shared, one);
  expect(shared.columns.find((c) => c.name === "city")?.domain).toEqual(["Aarau", "Basel", "Bern", "Zug"]);
}, 60_000);

test("an s3:// glob's objects are shared between the nodes, each large one cut too", async () => {
  const { shared, one, counted } = await importBoth(`s3://${s3.bucket}/parts/*.csv`, { kind: "files", paths: parts });
  expect(counted).toBe(2);
  expectSameFrame(shared, one);
  expect(shared.rows).toBe(420_000);
}, 60_000);

test("a glob whose objects' header lines differ is imported by one node, which refuses it as it does alone", async () => {
  const counted = cluster.calls.get("parse-count") ?? 0;
  const source: Source = { kind: "remote", url: `s3://${s3.bucket}/odd/*.csv`, endpoint: s3.endpoint };
  const alone = await single.importFrame(source).done.catch((e) => e);
  const shared = await coordinator.importFrame(source).done.catch((e) => e);
  expect(alone.message).toContain("s3://data/odd/b.csv");
  expect(shared.message).toBe(alone.message);
  expect((cluster.calls.get("parse-count") ?? 0) - counted).toBe(0);
}, 60_000);
