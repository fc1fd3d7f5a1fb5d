// DuckDB's streaming API ends a query that failed midway as it ends one that finished, and
// drops rows before the failing one too (core/result-chunks.ts). A streamed read that meets a
// value its column cannot hold, past the sniffer's sample, must fail naming it, never hand
// back a short result as if it were whole.

import { expect, test } from "bun:test";
import { FloeError } from "../../src/core/errors.ts";
import { streamColumns } from "../../src/core/stream.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode(1);
const dir = tempDir();

test("a value a streamed column cannot hold, deep in the file, fails the read by name", async () => {
  const rows = Array.from({ length: 400_000 }, (_, i) => `${i},${i === 350_000 ? "oops" : i % 97}`);
  const path = writeTemp(dir, "late.csv", `id,x\n${rows.join("\n")}\n`);
  let read = 0;
  const err = await streamColumns(await node.db(), { kind: "file", path }, [{ name: "x", as: "number" }], { chunkRows: 50_000 }, async (chunk) => {
    read += chunk.rows;
  }).catch((e) => e);
  expect(err).toBeInstanceOf(FloeError);
  expect(err.message).toBe(`${path}: line 350002: column 'x': cannot read "oops" as BIGINT`);
  expect(read).toBeLessThan(350_000);
});
