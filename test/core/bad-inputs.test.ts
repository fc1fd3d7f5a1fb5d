// Bad input to the ingest, one case a line: each is one clear error naming the source (and
// the line or column where known) or a correct read. Part of issue 14's bad-input corpus.

import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { FloeError } from "../../src/core/errors.ts";
import { ingest, type IngestOptions } from "../../src/core/ingest.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const text = (s: string) => new TextEncoder().encode(s);
const manyRows = `a,b\n${Array.from({ length: 20_000 }, (_, i) => `${i},${i * 7}`).join("\n")}\n`;

/** [name, file content, options, expected error message or, for a good read, [rows, column names]] */
type Case = [string, string | Uint8Array, IngestOptions, string | [number, string[]]];

const CASES: Case[] = [
  ["ragged row", "a,b\n1,2\n3,4,5\n", {}, "ragged-row.csv: line 3: expected 2 columns, found 3 (ragged row)"],
  ["empty file", "", {}, "empty-file.csv: the file is empty"],
  ["header only", "a,b\n", {}, "header-only.csv: no data rows (only a header)"],
  ["binary junk", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]), {}, "binary-junk.csv: looks like binary data (a NUL byte at offset 4), not CSV text"],
  ["UTF-16 text", new Uint8Array([0xff, 0xfe, 0x61, 0, 0x2c, 0, 0x62, 0, 0x0a, 0]), {}, "UTF-16-text.csv: looks like binary data (a NUL byte at offset 3), not CSV text"],
  ["Latin-1 text", new Uint8Array([...text("a,b\n1,caf"), 0xe9, 0x0a]), {}, "Latin-1-text.csv: line 2: invalid UTF-8 (the file is not UTF-8 encoded)"],
  ["unknown column type", "a,b\n1,2\n", { colTypes: { a: "float" as never } }, "column type 'float' for 'a' is not one of numeric, enum, string, time"],
  ["col-types naming no column", "a,b\n1,2\n", { colTypes: { zz: "enum" } }, "--col-types names 'zz', which is not a column of col-types-naming-no-column.csv"],
  ["duplicate header", "a,a\n1,2\n", {}, "duplicate-header.csv: line 1: duplicate column name 'a' (columns 1 and 2)"],
  ["empty column name", "a,,c\n1,2,3\n", {}, "empty-column-name.csv: line 1: column 2 has an empty name"],
  ["unterminated quote", 'a,b\n1,"x\n', {}, "unterminated-quote.csv: line 2: unterminated quoted field"],
  ["gzip of a ragged file", gzipSync(text("a,b\n1,2\n3,4,5\n")), {}, "gzip-of-a-ragged-file.csv: line 3: expected 2 columns, found 3 (ragged row)"],
  ["gzip cut short", gzipSync(text("a,b\n1,2\n")).subarray(0, 6), {}, "gzip-cut-short.csv: the gzip data is corrupt or cut short (unexpected end of file)"],
  [
    "gzip with a corrupt body",
    new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]),
    {},
    "gzip-with-a-corrupt-body.csv: the gzip data is corrupt or cut short (invalid block type)",
  ],
  ["gzip cut in the middle", gzipSync(text(manyRows)).subarray(0, 3000), {}, "gzip-cut-in-the-middle.csv: the gzip data is corrupt or cut short (unexpected end of file)"],
  ["BOM", "\ufeffa,b\n1,2\n", {}, [1, ["a", "b"]]],
  ["CRLF line ends", "a,b\r\n1,2\r\n3,4\r\n", {}, [2, ["a", "b"]]],
  ["quoted line breaks", 'a,b\n1,"x\ny"\n2,z\n', {}, [2, ["a", "b"]]],
  ["NaN and Inf among numbers", "a,b\n1,2.5\n2,NaN\n3,Inf\n4,-inf\n", {}, [4, ["a", "b"]]],
];

describe("bad input to the ingest", () => {
  for (const [name, content, opts, expected] of CASES) {
    test(name, async () => {
      const label = `${name.replaceAll(" ", "-")}.csv`;
      const path = writeTemp(dir, `case-${CASES.findIndex((c) => c[0] === name)}.csv`, content);
      const result = await ingest(await node.db(), { kind: "file", path, label }, opts).catch((e) => e);
      if (typeof expected === "string") {
        expect(result).toBeInstanceOf(FloeError);
        expect(result.message).toBe(expected);
      } else {
        expect([result.rows, result.names]).toEqual(expected);
      }
    });
  }

  test("NaN and Inf text in a numeric column: NaN is missing, Inf is infinite", async () => {
    const path = writeTemp(dir, "inf.csv", "a,b\n1,2.5\n2,NaN\n3,Inf\n4,-inf\n");
    const f = await ingest(await node.db(), { kind: "file", path });
    expect(f.columns[1].type).toBe("numeric");
    const b = f.chunks[0].vecs[1];
    expect(b.kind === "f64" && Array.from(b.values)).toEqual([2.5, Number.NaN, Infinity, -Infinity]);
  });
});
