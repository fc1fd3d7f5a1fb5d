import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { isMissing, stringAt, type Utf8Vec } from "../../src/core/chunk.ts";
import { FloeError } from "../../src/core/errors.ts";
import type { Frame } from "../../src/core/frame.ts";
import { importFrame, ingest } from "../../src/core/ingest.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";

const node = testNode();
const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
const penguins = join(FIXTURES, "penguins.csv");
const mixed = join(FIXTURES, "mixed.csv");

async function load(path: string, opts = {}): Promise<Frame> {
  return importFrame(await node.db(), node.executor, { kind: "file", path }, opts);
}

function col(frame: Frame, name: string) {
  const i = frame.columnIndex(name);
  return { spec: frame.columns[i], rollup: frame.rollups?.[i], index: i };
}

describe("CSV", () => {
  test("iris: rows, types, domain and moments match Python's statistics module", async () => {
    // Reference: python3 -c "import csv,statistics as st; r=list(csv.DictReader(open('fixtures/iris.csv')));
    //   [print(c, st.mean(float(x[c]) for x in r), st.stdev(float(x[c]) for x in r)) for c in r[0] if c!='species']"
    const ref: Record<string, [number, number, number, number]> = {
      sepal_length: [5.843333333333334, 0.828066127977863, 4.3, 7.9],
      sepal_width: [3.0573333333333332, 0.4358662849366982, 2.0, 4.4],
      petal_length: [3.758, 1.7652982332594664, 1.0, 6.9],
      petal_width: [1.1993333333333334, 0.7622376689603466, 0.1, 2.5],
    };
    const f = await load(iris);
    expect(f.rows).toBe(150);
    expect(f.columns.map((c) => c.type)).toEqual(["numeric", "numeric", "numeric", "numeric", "enum"]);
    for (const [name, [mean, sd, min, max]] of Object.entries(ref)) {
      const r = col(f, name).rollup!;
      expect(r.mean!).toBeCloseTo(mean, 12);
      expect(r.sd!).toBeCloseTo(sd, 12);
      expect([r.min, r.max, r.missing, r.zeros]).toEqual([min, max, 0, 0]);
    }
    const species = col(f, "species");
    expect(species.spec.domain).toEqual(["Iris-setosa", "Iris-versicolor", "Iris-virginica"]);
    expect(species.rollup?.cardinality).toBe(3);
    expect(species.rollup?.levelCounts).toEqual([50, 50, 50]);
  });

  test("penguins: NA strings are missing in numeric and enum columns", async () => {
    // Reference: python3 -c "import csv,statistics as st; r=list(csv.DictReader(open('fixtures/penguins.csv')));
    //   v=[float(x['body_mass_g']) for x in r if x['body_mass_g']!='NA']; print(st.mean(v), st.stdev(v))"
    //   and collections.Counter(x['sex'] for x in r) → MALE 168, FEMALE 165, NA 10, '.' 1
    const f = await load(penguins);
    expect(f.rows).toBe(344);
    const mass = col(f, "body_mass_g").rollup!;
    expect(mass.missing).toBe(2);
    expect(mass.mean!).toBeCloseTo(4201.754385964912, 9);
    expect(mass.sd!).toBeCloseTo(801.9545356980955, 9);
    const sex = col(f, "sex");
    expect(sex.spec.domain).toEqual([".", "FEMALE", "MALE"]);
    expect(sex.rollup?.missing).toBe(10);
    expect(sex.rollup?.levelCounts).toEqual([1, 165, 168]);
  });

  test("mixed: quoting, empty/NA/NaN as missing, booleans as enum, dates as time", async () => {
    const f = await load(mixed);
    expect(f.rows).toBe(6);
    const amount = col(f, "amount");
    expect(amount.spec.type).toBe("numeric");
    // 1.5, missing, missing, 0, -2.5, 4 → mean 0.75, sample sd sqrt(((.75)^2+(.75)^2+(3.25)^2+(3.25)^2)/3)
    expect(amount.rollup?.missing).toBe(2);
    expect(amount.rollup?.zeros).toBe(1);
    expect(amount.rollup?.mean).toBeCloseTo(0.75, 12);
    expect(amount.rollup?.sd).toBeCloseTo(Math.sqrt((2 * 0.75 ** 2 + 2 * 3.25 ** 2) / 3), 12);
    expect(col(f, "kind").spec.domain).toEqual(["a", "b", "c"]);
    expect(col(f, "kind").rollup?.missing).toBe(1); // "NaN" is a missing string
    expect(col(f, "flag").spec).toEqual({ name: "flag", type: "enum", domain: ["false", "true"] });
    const when = col(f, "when");
    expect(when.spec.type).toBe("time");
    expect(when.rollup?.min).toBe(Date.UTC(2024, 0, 1));
    expect(when.rollup?.max).toBe(Date.UTC(2024, 0, 6));
    const v = f.chunks[0].vecs[when.index];
    expect(v.kind === "f64" && v.values[3]).toBe(Date.UTC(2024, 0, 4, 12, 30));
    const note = col(f, "note");
    expect(note.spec.domain).toContain('quote "inside"');
    expect(note.spec.domain).toContain("with, comma");
  });

  test("--col-types overrides: enum from numbers, string, numeric from text", async () => {
    const f = await load(mixed, { colTypes: { amount: "enum", note: "string", id: "string" } });
    expect(col(f, "amount").spec).toEqual({ name: "amount", type: "enum", domain: ["-2.5", "0", "1.5", "4"] });
    const note = col(f, "note");
    expect(note.spec.type).toBe("string");
    const vec = f.chunks[0].vecs[note.index] as Utf8Vec;
    expect([0, 1, 2, 3, 5].map((i) => stringAt(vec, i))).toEqual(["hello", "with, comma", null, 'quote "inside"', null]);
    const n = await load(iris, { colTypes: { species: "numeric" } });
    expect(col(n, "species").rollup?.missing).toBe(150);
  });

  test("text with many distinct values is a string column, few is enum", async () => {
    const lines = ["id,grp"];
    for (let i = 0; i < 3000; i++) lines.push(`user-${i},g${i % 4}`);
    const f = await load(writeTemp(dir, "ids.csv", `${lines.join("\n")}\n`));
    expect(f.columns.map((c) => c.type)).toEqual(["string", "enum"]);
    expect(col(f, "grp").rollup?.levelCounts).toEqual([750, 750, 750, 750]);
  });

  test("a non-number deep in a numeric column is read as missing, with a warning", async () => {
    const lines = ["a,b"];
    for (let i = 0; i < 30_000; i++) lines.push(`${i},${i}`);
    lines.push("oops,1");
    const warnings: string[] = [];
    const f = await load(writeTemp(dir, "late.csv", `${lines.join("\n")}\n`), { onWarning: (m: string) => warnings.push(m) });
    expect(col(f, "a").spec.type).toBe("numeric");
    expect(col(f, "a").rollup?.missing).toBe(1);
    expect(warnings).toEqual([`column 'a': 1 value(s) that are not numbers (such as "oops") read as missing`]);
  });

  test("tab-separated and semicolon files are sniffed; --sep forces a delimiter", async () => {
    const tsv = await load(writeTemp(dir, "t.tsv", "x\ty\n1\t2\n3\t4\n"));
    expect(tsv.names).toEqual(["x", "y"]);
    const semi = await load(writeTemp(dir, "s.csv", "x;y\n1;2\n3;4\n"), { sep: ";" });
    expect(semi.rollups?.[1].mean).toBe(3);
  });

  test("chunking does not change rows or rollups", async () => {
    const a = await load(penguins, { chunkRows: 7 });
    const b = await load(penguins);
    expect(a.chunks.length).toBe(Math.ceil(344 / 7));
    expect(b.chunks.length).toBe(1);
    expect(a.chunks.map((c) => c.start)).toEqual(a.chunks.map((_, i) => i * 7));
    for (let c = 0; c < a.columns.length; c++) {
      expect(a.rollups?.[c].missing).toBe(b.rollups?.[c].missing);
      if (b.rollups?.[c].mean != null) expect(a.rollups?.[c].mean).toBeCloseTo(b.rollups?.[c].mean!, 10);
    }
  });
});

describe("other sources", () => {
  test("Parquet, JSON and NDJSON read to the same frame as CSV", async () => {
    const db = await node.db();
    const s = await db.connect();
    const pq = join(dir, "iris.parquet");
    const js = join(dir, "iris.json");
    const nd = join(dir, "iris.ndjson");
    await s.run(`COPY (SELECT * FROM read_csv('${iris}')) TO '${pq}' (FORMAT parquet)`);
    await s.run(`COPY (SELECT * FROM read_csv('${iris}')) TO '${nd}' (FORMAT json)`);
    await s.run(`COPY (SELECT * FROM read_csv('${iris}')) TO '${js}' (FORMAT json, ARRAY true)`);
    s.close();
    const csv = await load(iris);
    for (const path of [pq, js, nd]) {
      const f = await load(path);
      expect(f.columns).toEqual(csv.columns);
      expect(f.rollups?.map((r) => r.mean)).toEqual(csv.rollups!.map((r) => r.mean));
    }
  });

  test("a SQL query over a file, and a glob over several files", async () => {
    const db = await node.db();
    const q = await importFrame(db, node.executor, {
      kind: "sql",
      query: `SELECT species, avg(petal_length) AS pl FROM read_csv('${iris}') GROUP BY species ORDER BY species`,
    });
    expect(q.rows).toBe(3);
    expect(q.rollups?.[1].min).toBeCloseTo(1.462, 10);
    writeTemp(dir, "part-1.csv", "a,b\n1,x\n2,y\n");
    writeTemp(dir, "part-2.csv", "a,b\n3,x\n");
    const g = await load(join(dir, "part-*.csv"));
    expect(g.rows).toBe(3);
    expect(g.rollups?.[0].mean).toBe(2);
  });

  test("a bad SQL query is one clear error", async () => {
    const db = await node.db();
    const err = await ingest(db, { kind: "sql", query: "SELEC 1" }).catch((e) => e);
    expect(err).toBeInstanceOf(FloeError);
    expect(err.message).toMatch(/^SQL: Parser Error: syntax error at or near "SELEC"/);
  });
});

test("numeric missing values are NaN in the vectors, enum ones -1", async () => {
  const f = await load(penguins);
  const c = f.chunks[0];
  expect(isMissing(c.vecs[2], 3)).toBe(true);
  expect(isMissing(c.vecs[6], 3)).toBe(true);
  expect(isMissing(c.vecs[2], 0)).toBe(false);
  expect(c.vecs[2].kind === "f64" && c.vecs[2].values[0]).toBe(39.1);
});
