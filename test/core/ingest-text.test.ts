// Issue 14: CSV text that is valid but was refused — quoted fields holding line breaks
// (from a file and from stdin's spool).

import { describe, expect, test } from "bun:test";
import type { CodeVec } from "../../src/core/chunk.ts";
import { ingest } from "../../src/core/ingest.ts";
import { spoolToFile } from "../../src/core/source.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();

/** The bytes as a stream, as stdin or an upload arrives. */
function streamOf(bytes: Uint8Array | string): ReadableStream<Uint8Array> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(data);
      controller.close();
    },
  });
}

/** Reads bytes as floe reads stdin: spooled to a temp file, errors naming `<stdin>`. */
async function fromStdin(bytes: Uint8Array | string, opts = {}) {
  const spooled = await spoolToFile(streamOf(bytes));
  try {
    return await ingest(await node.db(), { kind: "file", path: spooled.path, label: "<stdin>" }, opts);
  } finally {
    spooled.cleanup();
  }
}

const MULTILINE = 'id,text,n\n1,"line one\nline two",3\n2,plain,4\n3,"a ""quoted""\nword",5\n';

describe("quoted fields with line breaks", () => {
  const check = (f: Awaited<ReturnType<typeof ingest>>) => {
    expect(f.rows).toBe(3);
    expect(f.names).toEqual(["id", "text", "n"]);
    // Few distinct values: an enum, its text in the domain.
    const codes = f.chunks[0].vecs[1] as CodeVec;
    const domain = f.columns[1].domain ?? [];
    expect([0, 1, 2].map((i) => domain[codes.codes[i]])).toEqual(["line one\nline two", "plain", 'a "quoted"\nword']);
    expect(f.chunks[0].vecs[2]).toEqual({ kind: "f64", values: new Float64Array([3, 4, 5]) });
  };

  test("from a file", async () => {
    check(await ingest(await node.db(), { kind: "file", path: writeTemp(dir, "multiline.csv", MULTILINE) }));
  });

  test("from stdin", async () => {
    check(await fromStdin(MULTILINE));
  });
});
