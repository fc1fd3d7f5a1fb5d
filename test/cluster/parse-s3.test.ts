// One large CSV object in an S3-compatible store (s3rver on 127.0.0.1) imported on a
// cluster: each node streams and parses its own byte range of it, and the frame is the one a
// single node's import of the same file gives. An s3:// glob is downloaded by one node.

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

const cluster = memoryCluster(2);
const [coordinator] = cluster.nodes;

async function importBoth(url: string) {
  const counted = cluster.calls.get("parse-count") ?? 0;
  const source: Source = { kind: "remote", url, endpoint: s3.endpoint };
  const { frame } = await coordinator.importFrame(source).done;
  const shared = await coordinator.localFrame(frame);
  const one = (await single.importFrame({ kind: "file", path: local }).done).frame;
  return { shared, one, counted: (cluster.calls.get("parse-count") ?? 0) - counted };
}

test("one large s3:// object is parsed by both nodes, each on its byte range, into the frame one node parses", async () => {
  const { shared, one, counted } = await importBoth(`s3://${s3.bucket}/big/plain.csv`);
  expect(counted).toBe(2);
  expectSameFrame(shared, one);
  expect(shared.columns.find((c) => c.name === "city")?.domain).toEqual(["Aarau", "Basel", "Bern", "Zug"]);
}, 60_000);

test("an s3:// glob is downloaded and parsed by one node", async () => {
  const { shared, one, counted } = await importBoth(`s3://${s3.bucket}/big/*.csv`);
  expect(counted).toBe(0);
  expectSameFrame(shared, one);
}, 60_000);
