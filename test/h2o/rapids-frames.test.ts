// POST /99/Rapids against a floe server: the expressions H2O's client sends for workflow 2
// (asfactor, split_frame's runif and row filters, column statistics, row filters, column
// selection and assignment, cbind/rbind, group_by, table, unique, levels), evaluated as
// floe frame operations. Expected values are computed here from the CSV itself.

import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { apiOf, testServer } from "../support/server.ts";
import { runH2OScript } from "./support.ts";

const IRIS = join(import.meta.dir, "..", "..", "fixtures", "iris.csv");
const rows = readFileSync(IRIS, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split(","));
const col = (i: number) => rows.map((r) => Number(r[i]));
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const SPECIES = [...new Set(rows.map((r) => r[4]))].sort();

const server = await testServer();
const api = apiOf(server);

beforeAll(() => api.importPath(IRIS, { frame_id: "iris" }));

async function rapids(ast: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/99/Rapids`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ ast, session_id: "_sid_t" }) });
  return { status: res.status, body: await res.json() };
}

const frameRows = async (id: string) => (await api.get(`/frames/${id}/rows?offset=0&limit=1000`)).body;

const ok = async (ast: string) => {
  const r = await rapids(ast);
  if (r.status !== 200) throw new Error(`${ast}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

describe("frames", () => {
  test("asfactor assigned back, then a frame result by key with its shape", async () => {
    const r = await ok("(tmp= py_1_sid_t (:= iris (as.factor (cols_py iris 'species')) 4 []))");
    expect(r.key.name).toBe("py_1_sid_t");
    expect([r.num_rows, r.num_cols]).toEqual([150, 5]);
    const lv = await ok("(tmp= py_2_sid_t (levels (cols_py py_1_sid_t 'species')))");
    expect(lv.num_rows).toBe(3);
  });

  test("split_frame's sequence: runif, <= 0.8 and > 0.8 partition the rows, about 80/20", async () => {
    const a = await ok("(tmp= py_4_sid_t (rows iris (<= (tmp= py_3_sid_t (h2o.runif iris 1234)) 0.8)))");
    const b = await ok("(tmp= py_5_sid_t (rows iris (> py_3_sid_t 0.8)))");
    expect(a.num_rows + b.num_rows).toBe(150);
    expect(a.num_rows).toBeGreaterThan(105);
    expect(a.num_rows).toBeLessThan(135);
    const again = await ok("(tmp= py_6_sid_t (rows iris (<= (h2o.runif iris 1234) 0.8)))");
    expect(again.num_rows).toBe(a.num_rows);
  });

  test("column statistics equal those computed from the CSV", async () => {
    const x = col(0);
    const m = await ok("(tmp= py_7_sid_t (mean (cols_py iris 'sepal_length') True 0))");
    const row = await ok("(getrow py_7_sid_t)");
    expect(m.num_rows).toBe(1);
    expect(row.scalar[0]).toBeCloseTo(mean(x), 12);
    expect((await ok("(sd (cols_py iris 'sepal_length') False)")).scalar[0]).toBeCloseTo(sd(x), 12);
    expect((await ok("(min (cols_py iris 'sepal_length'))")).scalar).toBe(Math.min(...x));
    expect((await ok("(max (cols_py iris 'sepal_length'))")).scalar).toBe(Math.max(...x));
    expect((await ok("(sumNA (cols_py iris 'sepal_length'))")).scalar).toBeCloseTo(
      x.reduce((s, v) => s + v, 0),
      9,
    );
    expect((await ok("(sumNA (is.na (cols_py iris 'sepal_length')))")).scalar).toBe(0);
    expect((await ok("(nrow iris)")).scalar).toBe(150);
    expect((await ok("(dim iris)")).scalar).toEqual([150, 5]);
  });

  test("row filters with & and an enum compared with a string", async () => {
    const want = rows.filter((r) => Number(r[0]) > 5 && r[4] === "Iris-setosa").length;
    const r = await ok("(tmp= py_8_sid_t (rows py_1_sid_t (& (> (cols_py py_1_sid_t 'sepal_length') 5) (== (cols_py py_1_sid_t 'species') 'Iris-setosa'))))");
    expect(r.num_rows).toBe(want);
    const either = rows.filter((r) => Number(r[0]) < 5 || Number(r[2]) >= 2).length;
    const e = await ok("(tmp= py_9_sid_t (rows (cols_py iris ['sepal_length' 'species']) (| (< (cols_py iris 'sepal_length') 5) (>= (cols_py iris 'petal_length') 2))))");
    expect([e.num_rows, e.num_cols]).toEqual([either, 2]);
  });

  test("row slices, column selection, append and conditional assignment", async () => {
    const s = await ok("(tmp= py_10_sid_t (rows iris [2:8]))");
    expect(s.num_rows).toBe(8);
    const body = await frameRows("py_10_sid_t");
    expect(JSON.stringify(body)).toContain(String(rows[2][0]));
    const c = await ok("(tmp= py_11_sid_t (append iris (+ (* (cols_py iris 'sepal_length') 2) (cols_py iris 'sepal_width')) 'c'))");
    expect(c.num_cols).toBe(6);
    const cSum = rows.reduce((t, r) => t + 2 * Number(r[0]) + Number(r[1]), 0);
    expect((await ok("(sumNA (cols_py py_11_sid_t 'c'))")).scalar).toBeCloseTo(cSum, 9);
    await ok("(tmp= py_12_sid_t (:= iris 0 'petal_width' (> (cols_py iris 'sepal_length') 6)))");
    const kept = rows.reduce((t, r) => t + (Number(r[0]) > 6 ? 0 : Number(r[3])), 0);
    expect((await ok("(sumNA (cols_py py_12_sid_t 'petal_width'))")).scalar).toBeCloseTo(kept, 9);
    const drop = await ok("(tmp= py_13_sid_t (cols iris -1))");
    expect(drop.num_cols).toBe(4);
  });

  test("cbind and rbind", async () => {
    const cb = await ok("(tmp= py_14_sid_t (cbind (cols_py iris 'sepal_length') (cols_py py_4_sid_t 'petal_length')))").catch((e) => e);
    expect(String(cb)).toContain("row counts must be equal");
    const c2 = await ok("(tmp= py_15_sid_t (cbind (cols_py iris 'sepal_length') (cols_py iris 'petal_length')))");
    expect([c2.num_rows, c2.num_cols]).toEqual([150, 2]);
    const rb = await ok("(tmp= py_16_sid_t (rbind py_4_sid_t py_5_sid_t))");
    expect(rb.num_rows).toBe(150);
    expect((await ok("(sumNA (cols_py py_16_sid_t 'sepal_length'))")).scalar).toBeCloseTo(
      col(0).reduce((s, v) => s + v, 0),
      9,
    );
  });

  test("group_by mean, count and sum per species; table; unique", async () => {
    const g = await ok("(tmp= py_17_sid_t (GB py_1_sid_t [4] 'nrow' 0 'all' 'mean' 0 'all' 'sum' 2 'all'))");
    expect([g.num_rows, g.num_cols]).toEqual([3, 4]);
    const body = await frameRows("py_17_sid_t");
    expect(body.columns).toEqual(["species", "nrow", "mean_sepal_length", "sum_petal_length"]);
    expect(body.rows.map((r: unknown[]) => r[0])).toEqual(SPECIES);
    body.rows.forEach(([s, n, m, total]: [string, number, number, number]) => {
      const these = rows.filter((r) => r[4] === s);
      expect(n).toBe(these.length);
      expect(m).toBeCloseTo(mean(these.map((r) => Number(r[0]))), 12);
      expect(total).toBeCloseTo(
        these.reduce((t, r) => t + Number(r[2]), 0),
        9,
      );
    });
    const t = await ok("(tmp= py_18_sid_t (table (cols_py py_1_sid_t 'species') True))");
    expect([t.num_rows, t.num_cols]).toEqual([3, 2]);
    const u = await ok("(tmp= py_19_sid_t (unique (cols_py iris 'sepal_length') False))");
    expect(u.num_rows).toBe(new Set(col(0)).size);
  });

  test("ls, rm and keys", async () => {
    await ok("(rm py_19_sid_t)");
    expect((await rapids("(nrow py_19_sid_t)")).status).toBe(404);
  });
});

describe("errors are H2O's error schema naming the problem", () => {
  test("an operator floe lacks", async () => {
    const r = await rapids("(strsplit (cols_py iris 'species') 'a')");
    expect(r.status).toBe(400);
    expect(r.body.msg).toContain("Rapids operator 'strsplit' is not supported by floe");
  });
  test("an unknown column and a syntax error", async () => {
    const r = await rapids("(cols_py iris 'nope')");
    expect(r.body.msg).toContain("unknown column 'nope'");
    const s = await rapids("(nrow iris");
    expect(s.status).toBe(400);
    expect(s.body.msg).toContain("unclosed call of 'nrow'");
  });
});

test("H2O's client runs workflow 2's Rapids parts against floe (test/h2o/scripts/rapids_frames.py)", async () => {
  const run = await runH2OScript("rapids_frames.py", server.url, { IRIS });
  expect(run.stderr).not.toContain("Traceback");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("OK");
}, 120_000);
