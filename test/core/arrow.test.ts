import { expect, test } from "bun:test";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { chunkFromIPC, chunkToIPC, chunkToRecordBatch } from "../../src/core/arrow.ts";
import { importFrame } from "../../src/core/ingest.ts";
import { FIXTURES, testNode } from "../support/node.ts";

const node = testNode();

test("a chunk is an Arrow record batch over its own buffers", async () => {
  const f = await importFrame(await node.db(), node.executor, { kind: "file", path: join(FIXTURES, "penguins.csv") });
  const batch = chunkToRecordBatch(f.columns, f.chunks[0]);
  expect(batch.numRows).toBe(344);
  const mass = batch.getChild("body_mass_g")!;
  expect(mass.get(0)).toBe(3750);
  expect(mass.get(3)).toBeNull();
  expect(batch.getChild("sex")!.get(0)).toBe("MALE");
  expect(batch.getChild("sex")!.get(3)).toBeNull();
  // zero copy: the Float64 values are the chunk's own buffer
  const vec = f.chunks[0].vecs[5];
  expect(vec.kind === "f64" && mass.data[0].values.buffer === vec.values.buffer).toBe(true);
});

test("IPC round trip restores schema, domains, missing values and strings", async () => {
  const f = await importFrame(await node.db(), node.executor, { kind: "file", path: join(FIXTURES, "mixed.csv") }, { colTypes: { note: "string" } });
  const bytes = chunkToIPC(f.columns, f.chunks[0]);
  // Readable by Arrow itself
  const table = tableFromIPC(bytes);
  expect(table.getChild("note")!.toArray()).toEqual(["hello", "with, comma", null, 'quote "inside"', "plain", null]);
  const { columns, chunk } = chunkFromIPC(bytes, 0, 0);
  expect(columns).toEqual(f.columns as typeof columns);
  expect(chunk.rows).toBe(6);
  // bun's toEqual compares typed arrays with ===, so NaN (missing) needs plain arrays.
  const plain = (vecs: readonly object[]) => vecs.map((v) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x])));
  expect(plain(chunk.vecs)).toEqual(plain(f.chunks[0].vecs));
});
