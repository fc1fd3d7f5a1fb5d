// Before/after check for refactors: every algorithm's predictions, trained with a fixed
// seed and scored through a model file round trip, hash to the digests recorded from the
// code before the change (test/ml/golden.json, written by `bun test/ml/golden.ts --write`).
// The same digests on one thread and on two: any thread count gives the same bits.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, testNode } from "../support/node.ts";
import { GOLDEN_CASES, GOLDEN_FILE, goldenDigests } from "./golden.ts";

const recorded = JSON.parse(readFileSync(GOLDEN_FILE, "utf8")) as Record<string, string>;

for (const threads of [1, 2]) {
  test(`every algorithm predicts the recorded bits (${threads} thread${threads > 1 ? "s" : ""})`, async () => {
    const node = testNode(threads);
    const load = async (file: string, naStrings?: string[]) => (await node.importFrame({ kind: "file", path: join(FIXTURES, file) }, { naStrings }).done).frame;
    const digests = await goldenDigests(node, { iris: await load("iris.csv"), penguins: await load("penguins.csv", ["NA", "."]) });
    expect(Object.keys(recorded).sort()).toEqual(GOLDEN_CASES.map((c) => c.name).sort());
    expect(digests).toEqual(recorded);
  });
}
