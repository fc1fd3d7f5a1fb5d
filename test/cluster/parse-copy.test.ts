// The copies a shared parse makes after the import: a node that parsed its share copies
// each chunk to another node and answers the receiving node with the new holders. When it
// dies after copying but before answering, the nodes holding its copies must still count
// as holders, so its chunks are copied again from them and the frame stays whole.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Frame } from "../../src/core/frame.ts";
import { FloeNode } from "../../src/runtime.ts";
import { expectSameFrame } from "../support/frame-values.ts";
import { memoryCluster } from "../support/memory-cluster.ts";
import { writeParseFixtures } from "./parse-fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-parse-copy-"));
const single = new FloeNode({ threads: 1 });
afterAll(async () => {
  await single.close();
  rmSync(dir, { recursive: true, force: true });
});
const { big } = writeParseFixtures(dir);

test("a node that dies after copying its chunks, before answering: the copies count, its chunks are copied again", async () => {
  const cluster = memoryCluster(3);
  const [coordinator] = cluster.nodes;
  // node1 answers no parse-copy: it copies its chunks, then dies.
  cluster.failAfter("node1", 1, "parse-copy");
  const { id, frame } = await coordinator.importFrame({ kind: "file", path: big }).done;
  const survivors = [cluster.holdings[0], cluster.holdings[2]];
  const copies = () => frame.chunks.map((_, i) => survivors.filter((h) => h.heldIndices(id).includes(i)).length);
  for (let k = 0; k < 500 && copies().some((n) => n < 2); k++) await Bun.sleep(10);
  expect(copies()).toEqual(frame.chunks.map(() => 2));
  // Every survivor's directory names both holders of every chunk.
  for (const h of survivors) expect(h.frames.get(id)?.holders.map((nodes) => nodes.length)).toEqual(frame.chunks.map(() => 2));
  const one = (await single.importFrame({ kind: "file", path: big }).done).frame;
  expectSameFrame(await coordinator.localFrame(frame as Frame), one);
}, 60_000);
