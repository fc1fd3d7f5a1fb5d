import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exportFrame } from "../../src/core/export.ts";
import { importFrame } from "../../src/core/ingest.ts";
import { FIXTURES, tempDir, testNode } from "../support/node.ts";

const node = testNode();
const dir = tempDir();

for (const ext of ["csv", "parquet"]) {
  test(`export to ${ext} and read back: same schema, same rollups`, async () => {
    const db = await node.db();
    const src = await importFrame(db, node.executor, { kind: "file", path: join(FIXTURES, "mixed.csv") });
    const out = join(dir, `mixed.${ext}`);
    await exportFrame(db, src, out);
    const back = await importFrame(db, node.executor, { kind: "file", path: out });
    expect(back.columns).toEqual(src.columns);
    expect(back.rollups).toEqual(src.rollups!);
  });
}

test("exported CSV writes missing values as empty fields and levels as text", async () => {
  const db = await node.db();
  const src = await importFrame(db, node.executor, { kind: "file", path: join(FIXTURES, "penguins.csv") });
  const out = join(dir, "p.csv");
  await exportFrame(db, src, out);
  const lines = readFileSync(out, "utf8").split("\n");
  expect(lines[0]).toBe("species,island,beak_length_mm,beak_depth_mm,flipper_length_mm,body_mass_g,sex");
  expect(lines[4]).toBe("Adelie,Torgersen,,,,,");
  // Numbers as the fixture writes them (and as `floe predict` prints them), not DuckDB's 181.0.
  expect(lines[1]).toBe("Adelie,Torgersen,39.1,18.7,181,3750,MALE");
});
