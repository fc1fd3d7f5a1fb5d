// Issue 14: file sources. A name is read as that file (glob characters and all) unless it
// is a glob matching other files; globs are expanded once and DuckDB reads the list;
// parts of one source must share their header; URLs are refused; gzip and zstd CSV is
// read from files and from stdin; errors never show a temporary path.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { readerError } from "../../src/core/duckdb-errors.ts";
import { FloeError } from "../../src/core/errors.ts";
import type { Frame } from "../../src/core/frame.ts";
import { ingest } from "../../src/core/ingest.ts";
import { type Source, spoolToFile } from "../../src/core/source.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();

async function read(source: Source, opts = {}): Promise<Frame> {
  return ingest(await node.db(), source, opts);
}

async function failure(source: Source): Promise<FloeError> {
  const err = await read(source).catch((e) => e);
  expect(err).toBeInstanceOf(FloeError);
  return err;
}

function bytesStream(data: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(data);
      controller.close();
    },
  });
}

/** Reads bytes as floe reads stdin: spooled to a temporary file, named `<stdin>`. */
async function readStdin(data: Uint8Array): Promise<Frame> {
  const spooled = await spoolToFile(bytesStream(data));
  try {
    return await read({ kind: "file", path: spooled.path, label: "<stdin>" });
  } finally {
    spooled.cleanup();
  }
}

async function stdinFailure(data: Uint8Array): Promise<FloeError> {
  const err = await readStdin(data).catch((e) => e);
  expect(err).toBeInstanceOf(FloeError);
  return err;
}

const f64 = (frame: Frame, col: number) => frame.chunks.flatMap((c) => Array.from((c.vecs[col] as { values: Float64Array }).values));

describe("names and globs", () => {
  writeTemp(dir, "q?x.csv", "v\n1\n");
  writeTemp(dir, "qyx.csv", "v\n2\n");
  writeTemp(dir, "[br].csv", "v\n3\n");
  writeTemp(dir, "b.csv", "v\n4\n");

  test("a file whose name holds glob characters is read as that one file", async () => {
    expect(f64(await read({ kind: "file", path: join(dir, "q?x.csv") }), 0)).toEqual([1]);
    expect(f64(await read({ kind: "file", path: join(dir, "[br].csv") }), 0)).toEqual([3]);
  });

  test("a glob that names no file as such is expanded once, in path order", async () => {
    expect(f64(await read({ kind: "file", path: join(dir, "q*x.csv") }), 0)).toEqual([1, 2]);
    const none = await failure({ kind: "file", path: join(dir, "nothing-*.csv") });
    expect([none.code, none.message]).toEqual(["not_found", `${join(dir, "nothing-*.csv")}: no file matches`]);
  });

  test("a list of files is read as one table, each path literally", async () => {
    const f = await read({ kind: "files", paths: [join(dir, "b.csv"), join(dir, "[br].csv"), join(dir, "q?x.csv")] });
    expect(f64(f, 0)).toEqual([4, 3, 1]);
  });

  test("URLs are refused as not supported yet, before DuckDB sees them", async () => {
    for (const path of ["http://127.0.0.1:9/x.csv", "https://example.com/data.csv?token=1", "s3://bucket/part-*.csv"]) {
      const err = await failure({ kind: "file", path });
      const scheme = path.slice(0, path.indexOf("//") + 2);
      expect([err.code, err.message]).toEqual(["unsupported", `${path}: remote files (${scheme}) are not supported yet; download the file and read it locally`]);
    }
  });
});

describe("parts of one source", () => {
  const parts = tempDir();
  const p1 = writeTemp(parts, "part-1.csv", "id,a,b\n1,2,x\n");
  const p2 = writeTemp(parts, "part-2.csv", "id,a,c\n2,3,y\n");
  const p3 = writeTemp(parts, "part-3.csv", "id,b,a\n3,z,4\n");
  const p4 = writeTemp(parts, "part-4.csv", "id,a,b\n4,2.5,w\n");

  test("different headers are refused, naming both files and the columns", async () => {
    const err = await failure({ kind: "file", path: join(parts, "part-[12].csv") });
    expect(err.message).toBe(`${p1} and ${p2} have different columns: 'b' only in ${p1}; 'c' only in ${p2}`);
    const order = await failure({ kind: "files", paths: [p1, p3] });
    expect(order.message).toBe(`${p1} and ${p3} have different columns: the same columns in another order ('id', 'a', 'b' vs 'id', 'b', 'a')`);
  });

  test("the same header reads every row; integers in one part and decimals in another are numbers", async () => {
    const f = await read({ kind: "files", paths: [p1, p4] });
    expect(f.names).toEqual(["id", "a", "b"]);
    expect(f64(f, 1)).toEqual([2, 2.5]);
  });

  test("JSON and Parquet parts with different columns are refused too", async () => {
    const j1 = writeTemp(parts, "j1.json", '[{"id": 1, "b": "x"}]');
    const j2 = writeTemp(parts, "j2.json", '[{"id": 2, "c": "y"}]');
    const err = await failure({ kind: "files", paths: [j1, j2] });
    expect(err.message).toBe(`${j1} and ${j2} have different columns: 'b' only in ${j1}; 'c' only in ${j2}`);
    const session = await (await node.db()).connect();
    const [q1, q2] = [join(parts, "q1.parquet"), join(parts, "q2.parquet")];
    await session.run(`COPY (SELECT 1 AS id, 'x' AS b) TO '${q1}' (FORMAT parquet)`);
    await session.run(`COPY (SELECT 2 AS id, 'y' AS c) TO '${q2}' (FORMAT parquet)`);
    session.close();
    expect((await failure({ kind: "file", path: join(parts, "q*.parquet") })).message).toBe(`${q1} and ${q2} have different columns: 'b' only in ${q1}; 'c' only in ${q2}`);
  });

  test("a ragged row in a later part names that part and its line", async () => {
    const bad = writeTemp(parts, "bad.csv", "id,a,b\n5,6,v\n7,8,w,9\n");
    const err = await failure({ kind: "files", paths: [p1, bad] });
    expect(err.message).toBe(`${bad}: line 3: expected 3 columns, found 4 (ragged row)`);
  });
});

describe("gzip and zstd", () => {
  const lines = ["id,score,grp"];
  for (let i = 0; i < 2000; i++) lines.push(`${i},${(i % 97) / 4},g${i % 3}`);
  const csv = new TextEncoder().encode(`${lines.join("\n")}\n`);
  const expected = { rows: 2000, sum: lines.slice(1).reduce((s, l) => s + Number(l.split(",")[1]), 0) };
  const sum = (f: Frame) => f64(f, 1).reduce((a, b) => a + b, 0);

  for (const [name, compress] of [
    ["gzip", (b: Uint8Array) => gzipSync(b)],
    ["zstd", (b: Uint8Array) => zstdCompressSync(b)],
  ] as const) {
    test(`${name} CSV from a file (with or without its extension) and from stdin`, async () => {
      const data = compress(csv);
      const ext = name === "gzip" ? "gz" : "zst";
      for (const f of [
        await read({ kind: "file", path: writeTemp(dir, `scores.csv.${ext}`, data) }),
        await read({ kind: "file", path: writeTemp(dir, `scores-${ext}.bin`, data) }),
        await readStdin(data),
      ]) {
        expect([f.rows, f.names, f.columns[2].domain]).toEqual([expected.rows, ["id", "score", "grp"], ["g0", "g1", "g2"]]);
        expect(sum(f)).toBeCloseTo(expected.sum, 9);
      }
    });

    test(`${name}: a ragged row and invalid UTF-8 are named as in plain CSV`, async () => {
      const ragged = await stdinFailure(compress(new TextEncoder().encode("a,b\n1,2\n3,4,5\n")));
      expect(ragged.message).toBe("<stdin>: line 3: expected 2 columns, found 3 (ragged row)");
      const latin1 = await stdinFailure(compress(new Uint8Array([...new TextEncoder().encode("a,b\n1,caf"), 0xe9, 0x0a])));
      expect(latin1.message).toMatch(/^<stdin>: line 2: invalid UTF-8/);
    });
  }

  test("gzip-compressed JSON reads by its name", async () => {
    const f = await read({ kind: "file", path: writeTemp(dir, "rows.json.gz", gzipSync(new TextEncoder().encode('[{"x": 1}, {"x": 2}]'))) });
    expect(f64(f, 0)).toEqual([1, 2]);
  });

  test("corrupt gzip is one clear error", async () => {
    const err = await stdinFailure(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(err.message).toMatch(/^<stdin>: the gzip data is corrupt or cut short/);
  });
});

describe("errors name the source as given", () => {
  test("never the temporary file stdin was spooled to", async () => {
    const cases: [string, string][] = [
      ["PAR1 junk junk junk junk PAR1", "<stdin>: not a Parquet file (too short, or cut off)"],
      ["PAR1", "<stdin>: not a Parquet file (too short, or cut off)"],
      ['{"x": 1}\n{"x": }\n', "<stdin>: malformed JSON on line 3: unexpected character"],
    ];
    for (const [data, message] of cases) {
      const err = await stdinFailure(new TextEncoder().encode(data));
      expect([data, err.message]).toEqual([data, message]);
    }
  });

  test("a DuckDB message that quotes the path quotes the label instead", () => {
    // No rule knows "Footer length error": the fallback keeps DuckDB's words, with the label.
    const err = readerError(new Error("IO Error: Something odd in file '/tmp/floe-spool-x/data'\nmore"), "<stdin>", [{ path: "/tmp/floe-spool-x/data", label: "<stdin>" }]);
    expect(err.message).toBe("<stdin>: Something odd in file '<stdin>'");
  });
});
