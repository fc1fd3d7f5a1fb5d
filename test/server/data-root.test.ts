// Issue 14: --data-root checks exactly the files the ingest reads. A glob is expanded once
// (dot-files included, as DuckDB would match them), every match is checked, and DuckDB
// is handed that list of literal paths: `[.]hidden.csv` cannot reach past the root.

import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { type ErrorCode, FloeError } from "../../src/core/errors.ts";
import { ingest } from "../../src/core/ingest.ts";
import { importSource } from "../../src/server/data-root.ts";
import { tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const root = tempDir();
const outside = tempDir();
mkdirSync(join(root, "data"));
writeTemp(outside, "secret.csv", "secret\n42\n");
writeTemp(root, "data/a.csv", "x,y\n1,2\n");
writeTemp(root, "data/b.csv", "x,y\n3,4\n");
writeTemp(root, "data/q?x.csv", "x,y\n5,6\n");
symlinkSync(join(outside, "secret.csv"), join(root, ".hidden.csv"));

async function read(requested: string) {
  return ingest(await node.db(), importSource(requested, root));
}

function refusedWith(fn: () => unknown, code: ErrorCode): FloeError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FloeError);
  expect((err as FloeError).code).toBe(code);
  return err as FloeError;
}

describe("data root", () => {
  test("a glob naming a dot-file link out of the root is refused", () => {
    for (const requested of ["[.]hidden.csv", ".hidden.csv", "*.csv", "?hidden.csv"]) {
      const err = refusedWith(() => importSource(requested, root), "forbidden");
      expect(err.message).toBe(`'${requested}' is outside the server's data root`);
    }
  });

  test("a glob inside the root reads the checked files, in order, and names them relative to the root", async () => {
    const source = importSource("data/[ab].csv", root);
    expect(source.kind === "files" && source.labels).toEqual(["data/a.csv", "data/b.csv"]);
    const f = await read("data/[ab].csv");
    expect(f.rows).toBe(2);
    expect(f.chunks[0].vecs[0]).toEqual({ kind: "f64", values: new Float64Array([1, 3]) });
  });

  test("a name holding a glob character is that one file, not a pattern", async () => {
    const f = await read("data/q?x.csv");
    expect(f.rows).toBe(1);
    expect(f.chunks[0].vecs[0]).toEqual({ kind: "f64", values: new Float64Array([5]) });
  });

  test("a glob matching nothing is not found; a URL is refused as unsupported", () => {
    expect(refusedWith(() => importSource("data/*.parquet", root), "not_found").message).toBe("data/*.parquet: no file matches under the data root");
    expect(refusedWith(() => importSource("http://127.0.0.1:9/x.csv", root), "unsupported").message).toBe(
      "http://127.0.0.1:9/x.csv: remote files (http://) are not supported yet; download the file and read it locally",
    );
  });
});
