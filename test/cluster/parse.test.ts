// An import on a cluster is parsed by every node on its share: a large CSV file cut at line
// ends, the files of a glob. The frame is the one a single node's import gives: the same
// column types, the same enum levels in the same order (each share sees its levels in its
// own order), the same values.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Source } from "../../src/core/source.ts";
import { FloeNode } from "../../src/runtime.ts";
import { expectSameFrame } from "../support/frame-values.ts";
import { memoryCluster } from "../support/memory-cluster.ts";
import { writeParseFixtures } from "./parse-fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-parse-"));
const single = new FloeNode({ threads: 1 });
afterAll(async () => {
  await single.close();
  rmSync(dir, { recursive: true, force: true });
});

const { big, parts } = writeParseFixtures(dir);

const cluster = memoryCluster(2);
const [coordinator] = cluster.nodes;

async function both(source: Source) {
  const stages = cluster.calls.get("parse-stage") ?? 0;
  const warnings: string[] = [];
  const shared = (await coordinator.importFrame(source, { onWarning: (m) => warnings.push(m) }).done).frame;
  const one = (await single.importFrame(source).done).frame;
  return { shared: await coordinator.localFrame(shared), one, stages: (cluster.calls.get("parse-stage") ?? 0) - stages, warnings };
}

test("a large CSV file is cut at line ends and parsed by both nodes into the frame one node parses", async () => {
  const { shared, one, stages, warnings } = await both({ kind: "file", path: big });
  expect(stages).toBe(2);
  expect(shared.columns.find((c) => c.name === "city")?.domain).toEqual(["Aarau", "Basel", "Bern", "Chur", "Zug"]);
  expect(warnings).toEqual(["column 'code': 1 value(s) that are not numbers (such as \"n/a?\") read as missing"]);
  expectSameFrame(shared, one);
});

test("the files of a glob are shared between the nodes", async () => {
  const { shared, one, stages } = await both({ kind: "file", path: parts });
  expect(stages).toBe(2);
  expectSameFrame(shared, one);
});
