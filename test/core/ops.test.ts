import { expect, test } from "bun:test";
import { join } from "node:path";
import { type Chunk, stringAt, type Utf8Vec } from "../../src/core/chunk.ts";
import { asfactor, asnumeric } from "../../src/core/convert.ts";
import { FloeError } from "../../src/core/errors.ts";
import type { Frame } from "../../src/core/frame.ts";
import { ingest } from "../../src/core/ingest.ts";
import { InlineExecutor } from "../../src/core/mr.ts";
import { head, select, slice, split } from "../../src/core/ops.ts";
import { WorkerPool } from "../../src/core/pool.ts";
import { FIXTURES, testNode } from "../support/node.ts";

const node = testNode();
const penguins = join(FIXTURES, "penguins.csv");
const load = async (chunkRows?: number, colTypes?: Record<string, "string">) => ingest(await node.db(), { kind: "file", path: penguins }, { chunkRows, colTypes });

/** Every value of column `c` in row order, for comparisons. */
function values(f: Frame, c: number): (number | string | null)[] {
  const out: (number | string | null)[] = [];
  for (const ch of f.chunks as Chunk[]) {
    const v = ch.vecs[c];
    for (let i = 0; i < ch.rows; i++) {
      if (v.kind === "f64") out.push(v.values[i]);
      else if (v.kind === "codes") out.push(v.codes[i]);
      else out.push(stringAt(v as Utf8Vec, i));
    }
  }
  return out;
}

test("select keeps the named columns in the given order and shares buffers", async () => {
  const f = await load();
  const s = select(f, ["sex", "body_mass_g"]);
  expect(s.names).toEqual(["sex", "body_mass_g"]);
  expect(s.chunks[0].vecs[1]).toBe(f.chunks[0].vecs[5]);
  expect(() => select(f, ["nope"])).toThrow("unknown column 'nope'");
});

test("slice and head cross chunk boundaries", async () => {
  const f = await load(50);
  const s = slice(f, 45, 120);
  expect(s.rows).toBe(75);
  expect(values(s, 5)).toEqual(values(f, 5).slice(45, 120));
  expect(s.chunks[0].start).toBe(0);
  expect(head(f, 10).rows).toBe(10);
  expect(head(f, 1000).rows).toBe(344);
});

test("split: parts are disjoint, cover every row, and keep order", async () => {
  const f = await load();
  const [a, b] = await split(node.executor, f, [0.75], 42);
  expect(a.rows + b.rows).toBe(344);
  // ~75% with a binomial sd of sqrt(344 * .75 * .25) = 8 rows
  expect(Math.abs(a.rows - 258)).toBeLessThan(40);
  const ids = (part: Frame) => values(part, 5).join(",");
  const all = values(f, 5);
  expect(ids(a) + ids(b)).not.toBe("");
  // The row sequence of each part is a subsequence of the frame's.
  let k = 0;
  for (const v of values(a, 5)) {
    while (k < all.length && !Object.is(all[k], v)) k++;
    expect(k).toBeLessThan(all.length);
    k++;
  }
});

test("split: same seed, same rows, whatever the chunk size or thread count", async () => {
  const one = new InlineExecutor();
  const three = new WorkerPool(new URL("../support/worker.ts", import.meta.url), 3);
  try {
    const runs = [await split(one, await load(7), [0.6, 0.2], 1234), await split(three, await load(), [0.6, 0.2], 1234), await split(node.executor, await load(100), [0.6, 0.2], 1234)];
    for (let p = 0; p < 3; p++) {
      for (let c = 0; c < 7; c++) {
        expect(values(runs[1][p], c)).toEqual(values(runs[0][p], c));
        expect(values(runs[2][p], c)).toEqual(values(runs[0][p], c));
      }
    }
    const other = await split(one, await load(), [0.6, 0.2], 1235);
    expect(values(other[0], 5)).not.toEqual(values(runs[0][0], 5));
  } finally {
    await three.close();
  }
});

test("split rejects ratios that do not leave a last part", async () => {
  const f = await load();
  for (const bad of [[0.5, 0.5], [1.2], [0], []]) {
    const err = await split(node.executor, f, bad, 1).catch((e) => e);
    expect(err).toBeInstanceOf(FloeError);
    expect(err.code).toBe("invalid_argument");
  }
});

test("asfactor: numbers become levels sorted numerically; strings sorted", async () => {
  const f = await load(100, { island: "string" });
  const g = await asfactor(node.executor, f, "flipper_length_mm");
  const spec = g.columns[4];
  expect(spec.type).toBe("enum");
  const numbers = [...new Set(values(f, 4).filter((x) => !Number.isNaN(x)) as number[])].sort((a, b) => a - b);
  expect(spec.domain).toEqual(numbers.map(String));
  const codes = values(g, 4) as number[];
  values(f, 4).forEach((x, i) => expect(codes[i]).toBe(Number.isNaN(x) ? -1 : numbers.indexOf(x as number)));
  const h = await asfactor(node.executor, f, "island");
  expect(h.columns[1].domain).toEqual(["Biscoe", "Dream", "Torgersen"]);
  expect(values(h, 1).slice(0, 3)).toEqual([2, 2, 2]);
});

test("asnumeric: enum levels read as numbers, others missing", async () => {
  const f = await load();
  const g = await asfactor(node.executor, f, "body_mass_g");
  const back = await asnumeric(node.executor, g, "body_mass_g");
  expect(values(back, 5)).toEqual(values(f, 5));
  const sex = await asnumeric(node.executor, f, "sex");
  expect(values(sex, 6).every((x) => Number.isNaN(x))).toBe(true);
});
