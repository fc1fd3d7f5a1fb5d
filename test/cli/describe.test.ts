import { describe, expect, test } from "bun:test";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, writeTemp } from "../support/node.ts";

const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");

test("--version prints the package version", async () => {
  const r = await floe(["--version"]);
  expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
});

test("describe --help lists the ingest flags", async () => {
  const r = await floe(["describe", "--help"]);
  expect(r.code).toBe(0);
  expect(r.stdout + r.stderr).toContain("--col-types");
});

test("describe prints a table with one line per column", async () => {
  const r = await floe(["describe", iris]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe(""); // not a TTY: no progress bar
  const lines = r.stdout.trimEnd().split("\n");
  expect(lines[0]).toBe(`${iris}: 150 rows, 5 columns`);
  expect(lines[1].split(/\s+/)).toEqual(["column", "type", "missing", "zeros", "min", "max", "mean", "sd", "cardinality", "domain"]);
  expect(lines[6]).toMatch(/^species\s+enum\s+0\s+3\s+Iris-setosa, Iris-versicolor, Iris-virginica$/);
});

test("cat file | describe - --json gives the counts of the whole file", async () => {
  // Reference: python3 -c "import csv; r=list(csv.DictReader(open('fixtures/penguins.csv')));
  //   print(len(r), {c: sum(x[c]=='NA' for x in r) for c in r[0]})"
  const r = await floe(["describe", "-", "--json"], { stdin: Bun.file(join(FIXTURES, "penguins.csv")) });
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.rows).toBe(344);
  expect(out.columns.map((c: { missing: number }) => c.missing)).toEqual([0, 0, 2, 2, 2, 2, 10]);
  expect(out.columns.map((c: { type: string }) => c.type)).toEqual(["enum", "enum", "numeric", "numeric", "numeric", "numeric", "enum"]);
  expect(Object.keys(out.columns[0])).toEqual(["name", "type", "missing", "zeros", "min", "max", "mean", "sd", "cardinality", "domain"]);
  expect(Object.keys(out.columns[2])).not.toContain("domain");
  expect(out.columns[5].mean).toBeCloseTo(4201.754385964912, 9);
});

test("describe --sql runs a DuckDB query over files", async () => {
  const r = await floe(["describe", "--json", "--sql", `SELECT * FROM '${iris}' WHERE species = 'Iris-setosa'`]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).rows).toBe(50);
});

test("10,000 columns load, each with its own rollup", async () => {
  const cols = 10_000;
  const lines = [Array.from({ length: cols }, (_, i) => `c${i}`).join(",")];
  for (let r = 0; r < 5; r++) lines.push(Array.from({ length: cols }, (_, i) => r * i).join(","));
  const path = writeTemp(dir, "wide.csv", `${lines.join("\n")}\n`);
  const r = await floe(["describe", path, "--json"], { timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.columns.length).toBe(cols);
  // column i holds 0, i, 2i, 3i, 4i: mean 2i, max 4i
  expect(out.columns[9999]).toMatchObject({ name: "c9999", mean: 19998, max: 39996, zeros: 1 });
});

describe("bad input: a non-zero exit and one line naming the file", () => {
  const cases: [string, string | (() => string), RegExp][] = [
    ["empty file", "", /empty\.csv: the file is empty$/],
    ["header only", "a,b,c\n", /header\.csv: no data rows \(only a header\)$/],
    ["ragged rows", "a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n", /ragged\.csv: line 3: expected 3 columns, found 4/],
    ["unterminated quote", 'a,b,c\n1,"2,3\n4,5,6\n', /quote\.csv: line 2: unterminated quoted field$/],
    ["duplicate column names", "a,b,a\n1,2,3\n", /dup\.csv: line 1: duplicate column name 'a' \(columns 1 and 3\)$/],
    ["an empty column name", "a,,c\n1,2,3\n", /noname\.csv: line 1: column 2 has an empty name$/],
    ["invalid UTF-8", "a,b\n1,x\n2,\xff\xfe\n", /utf8\.csv: line \d: invalid UTF-8/],
  ];
  const names = ["empty", "header", "ragged", "quote", "dup", "noname", "utf8"];
  cases.forEach(([what, content, pattern], i) => {
    test(what, async () => {
      const body = typeof content === "string" ? content : content();
      const bytes = what === "invalid UTF-8" ? Uint8Array.from(body, (ch) => ch.charCodeAt(0)) : body;
      const path = writeTemp(dir, `${names[i]}.csv`, bytes);
      const r = await floe(["describe", path]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(/^floe: /);
      expect(r.stderr.trimEnd()).toMatch(pattern);
    });
  });

  test("binary junk", async () => {
    const junk = new Uint8Array(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) % 256;
    const r = await floe(["describe", writeTemp(dir, "junk.csv", junk)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^floe: .*junk\.csv: looks like binary data \(a NUL byte at offset \d+\), not CSV text\n$/);
  });

  test("a missing path and a directory", async () => {
    const missing = await floe(["describe", join(dir, "nope.csv")]);
    expect([missing.code, missing.stderr]).toEqual([1, `floe: ${join(dir, "nope.csv")}: no such file\n`]);
    const directory = await floe(["describe", dir]);
    expect([directory.code, directory.stderr]).toEqual([1, `floe: ${dir}: is a directory, not a data file\n`]);
  });

  test("a 1 GB single field fails fast", async () => {
    const path = join(dir, "huge.csv");
    const fd = openSync(path, "w");
    const block = Buffer.alloc(64 << 20, "x");
    writeSync(fd, 'a,b\n1,"');
    for (let i = 0; i < 16; i++) writeSync(fd, block);
    writeSync(fd, '"\n');
    closeSync(fd);
    const started = Date.now();
    const r = await floe(["describe", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/huge\.csv: line 2: a line longer than 2,000,000 bytes/);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 60_000);

  test("bad input on stdin is named <stdin>", async () => {
    const r = await floe(["describe", "-"], { stdin: "a,b\n1,2\n3,4,5\n" });
    expect([r.code, r.stderr]).toEqual([1, "floe: <stdin>: line 3: expected 2 columns, found 3 (ragged row)\n"]);
    const empty = await floe(["describe", "-"], { stdin: "" });
    expect([empty.code, empty.stderr]).toEqual([1, "floe: <stdin>: the file is empty\n"]);
  });

  test("bad flags: unknown --col-types column, bad type, bad --threads", async () => {
    const unknown = await floe(["describe", iris, "--col-types", "nope:enum"]);
    expect([unknown.code, unknown.stderr]).toEqual([1, `floe: --col-types names 'nope', which is not a column of ${iris}\n`]);
    const badType = await floe(["describe", iris, "--col-types", "species:factor"]);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toBe("floe: --col-types: 'factor' for 'species' is not one of numeric, enum, string, time\n");
    const threads = await floe(["describe", iris, "--threads", "0"]);
    expect([threads.code, threads.stderr]).toEqual([2, "floe: --threads must be a positive integer, got '0'\n"]);
    const none = await floe(["describe"]);
    expect([none.code, none.stderr]).toEqual([2, "floe: no input: give a file, - for stdin, or --sql\n"]);
  });
});

test("Ctrl-C cancels a long ingest: exit 130 and one line", async () => {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "..", "..", "src", "cli.ts"), "describe", "--sql", "SELECT range AS x FROM range(400000000)"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  // Before or after describe starts its job, Ctrl-C ends the run the same way.
  await Bun.sleep(2000);
  proc.kill("SIGINT");
  const timer = setTimeout(() => proc.kill(9), 10_000);
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  expect([code, stderr]).toEqual([130, "floe: cancelled by the user\n"]);
});
