// The bad-input corpus, command line: every case is a file or a command line a user could
// give floe. Each either gets one clear line on stderr naming what is wrong (non-zero exit,
// nothing on stdout, no partial output file) or the right answer, checked here. None may
// hang, crash with a trace or exit 0 with a wrong answer.
//
// The commands run as real subprocesses, a few at a time, all started in beforeAll; each
// test then checks its own case's result.

import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type CliResult, floe } from "../support/cli.ts";
import { FIXTURES, tempDir } from "../support/node.ts";

const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
const irisText = await Bun.file(iris).text();
const model = join(dir, "iris.floe");
const isoModel = join(dir, "iso.floe");

/** Writes a file of the corpus and returns its path. */
function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const lines = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join("\n");
/** A 200-row binary problem: y = 1 when x > 0.5, with a second noise column. */
const binary = (y: (i: number) => string) => `x,z,y\n${lines(200, (i) => `${(i % 100) / 100},${(i * 37) % 11},${y(i)}`)}\n`;

interface Case {
  /** What the user did, as the test's name. */
  readonly name: string;
  readonly args: () => string[];
  readonly stdin?: () => string | Uint8Array;
  /** An error: the one stderr line must match. */
  readonly error?: RegExp;
  /** A right answer: checks on the result. */
  readonly ok?: (r: CliResult) => void;
}

const trainIris = (...flags: string[]) => ["train", iris, "-y", "species", "--ntrees", "3", "--seed", "1", ...flags];

const cases: Case[] = [
  // Files that are not data, or not well-formed.
  { name: "a missing file", args: () => ["describe", join(dir, "nope.csv")], error: /nope\.csv.*(no such file|not found)/i },
  { name: "a directory given as a file", args: () => ["describe", dir], error: /directory/i },
  { name: "an empty file", args: () => ["describe", file("empty.csv", "")], error: /empty/i },
  { name: "a header and no rows", args: () => ["train", file("header-only.csv", "a,b,y\n"), "-y", "y"], error: /no (data )?rows|empty|0 rows/i },
  { name: "a row with an extra field", args: () => ["describe", file("ragged-long.csv", "a,b\n1,2\n3,4,5\n6,7\n")], error: /line 3/i },
  { name: "a row with a missing field", args: () => ["describe", file("ragged-short.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n")], error: /line 3/i },
  { name: "a ragged CSV on stdin names <stdin>", args: () => ["describe", "-"], stdin: () => "a,b\n1,2\n3,4,5\n", error: /<stdin>.*line 3/i },
  {
    name: "binary junk",
    args: () => [
      "describe",
      file(
        "junk.csv",
        new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 256),
      ),
    ],
    error: /binary|not (a )?(csv|text)|utf-8/i,
  },
  { name: "malformed JSON", args: () => ["describe", file("bad.json", '{"a": 1, "b": [2,\n')], error: /bad\.json|json/i },
  { name: "a truncated Parquet file", args: () => ["describe", file("cut.parquet", new Uint8Array([0x50, 0x41, 0x52, 0x31, 1, 2, 3, 4, 5, 6]))], error: /cut\.parquet|parquet/i },
  { name: "a glob that matches nothing", args: () => ["describe", join(dir, "none-*.csv")], error: /none-\*\.csv.*(no file|match|not found)/i },
  {
    name: "a glob whose files have different headers",
    args: () => {
      file("parts-a.csv", "a,b\n1,2\n");
      file("parts-b.csv", "a,c\n3,4\n");
      return ["describe", join(dir, "parts-*.csv")];
    },
    error: /parts-[ab]\.csv.*(header|column)/i,
  },
  {
    name: "several files from a shell-expanded glob are all read",
    args: () => ["describe", file("same-1.csv", "a,b\n1,2\n3,4\n"), file("same-2.csv", "a,b\n5,6\n"), "--json"],
    ok: (r) => expect(JSON.parse(r.stdout).rows).toBe(3),
  },

  // Text that parses, read right.
  {
    name: "quoted fields with line breaks",
    args: () => ["describe", file("multiline.csv", 'id,note,v\n1,"first line\nsecond line",2.5\n2,"plain",3.5\n3,"a ""quoted"" word\r\nand more",4.5\n'), "--json"],
    ok: (r) => {
      const d = JSON.parse(r.stdout);
      expect(d.rows).toBe(3);
      expect(d.columns.map((c: { name: string }) => c.name)).toEqual(["id", "note", "v"]);
      expect(d.columns[2].mean).toBeCloseTo(3.5, 12);
    },
  },
  {
    name: "a gzip CSV file",
    args: () => ["describe", file("iris.csv.gz", gzipSync(irisText)), "--json"],
    ok: (r) => expect(JSON.parse(r.stdout).rows).toBe(150),
  },
  {
    name: "a gzip CSV on stdin",
    args: () => ["describe", "-", "--json"],
    stdin: () => gzipSync(irisText),
    ok: (r) => expect(JSON.parse(r.stdout).rows).toBe(150),
  },
  {
    name: "a byte-order mark and CRLF line ends",
    args: () => ["describe", file("bom.csv", `\uFEFFa,b\r\n1,2\r\n3,4\r\n`), "--json"],
    ok: (r) => {
      const d = JSON.parse(r.stdout);
      expect(d.columns.map((c: { name: string }) => c.name)).toEqual(["a", "b"]);
      expect(d.columns[1].mean).toBe(3);
    },
  },
  {
    name: "--header false reads the first line as data",
    args: () => ["describe", file("noheader.csv", "1,2\n3,4\n"), "--header", "false", "--json"],
    ok: (r) => expect(JSON.parse(r.stdout).rows).toBe(2),
  },
  {
    name: "--header=false reads the first line as data",
    args: () => ["describe", file("noheader2.csv", "1,2\n3,4\n5,6\n"), "--header=false", "--json"],
    ok: (r) => expect(JSON.parse(r.stdout).rows).toBe(3),
  },

  // Flags.
  { name: "an unknown flag with a near miss", args: () => trainIris("--ntree", "3"), error: /--ntree.*--ntrees/ },
  { name: "--learning-rate (H2O says learn_rate)", args: () => trainIris("--learning-rate", "0.9"), error: /--learning-rate.*--learn-rate/ },
  { name: "--lamda", args: () => ["train", iris, "-y", "sepal_length", "--algo", "glm", "--lamda", "0.5"], error: /--lamda.*--lambda/ },
  { name: "an unknown flag far from any", args: () => ["describe", iris, "--frobnicate"], error: /--frobnicate/ },
  {
    name: "H2O's snake_case spelling --max_depth is --max-depth",
    args: () => trainIris("--max_depth", "1", "--json"),
    ok: (r) => expect(JSON.parse(r.stdout).params.max_depth).toBe(1),
  },
  { name: "an unknown command", args: () => ["trian", iris], error: /trian/ },
  { name: "an extra argument to predict", args: () => ["predict", model, iris, iris], error: /argument|extra|one data/i },
  { name: "an unknown algorithm", args: () => trainIris("--algo", "gbn"), error: /--algo 'gbn'/ },
  { name: "a parameter of another algorithm", args: () => trainIris("--lambda", "0.1"), error: /gbm has no parameter --lambda/ },
  { name: "a negative ntrees", args: () => trainIris("--ntrees", "-1"), error: /ntrees/ },
  { name: "a word for a number", args: () => trainIris("--max-depth", "deep"), error: /max_depth|max-depth/ },
  { name: "a learn rate of 0", args: () => trainIris("--learn-rate", "0"), error: /learn_rate|learn-rate/ },
  { name: "a sample rate above 1", args: () => trainIris("--sample-rate", "2"), error: /sample_rate|sample-rate/ },
  { name: "a split outside (0, 1)", args: () => trainIris("--split", "1.5"), error: /--split/ },
  { name: "a seed that is not an integer", args: () => trainIris("--seed", "abc"), error: /--seed/ },
  { name: "zero threads", args: () => ["describe", iris, "--threads", "0"], error: /--threads/ },
  { name: "zero chunk rows", args: () => ["describe", iris, "--chunk-rows", "0"], error: /--chunk-rows/ },
  { name: "a bad --col-types spec", args: () => ["describe", iris, "--col-types", "species=enum"], error: /col-types|species=enum/i },
  { name: "--col-types naming an unknown column", args: () => ["describe", iris, "--col-types", "colour:enum"], error: /colour/ },
  { name: "--col-types with an unknown type", args: () => ["describe", iris, "--col-types", "species:colour"], error: /colour|type/i },

  // Training data that cannot make a sound model.
  { name: "an unknown response column", args: () => ["train", iris, "-y", "Species"], error: /'Species'/ },
  { name: "an unknown predictor", args: () => ["train", iris, "-y", "species", "--x", "petal_length,petal_colour"], error: /petal_colour/ },
  {
    name: "a single-class target",
    args: () => [
      "train",
      file(
        "one-class.csv",
        binary(() => "yes"),
      ),
      "-y",
      "y",
    ],
    error: /one (class|value|level)|single|constant/i,
  },
  {
    name: "a target that is all missing",
    args: () => [
      "train",
      file(
        "no-target.csv",
        binary(() => ""),
      ),
      "-y",
      "y",
    ],
    error: /'y'.*missing|no rows|all missing/i,
  },
  {
    name: "a numeric target holding inf",
    args: () => [
      "train",
      file(
        "inf-target.csv",
        binary((i) => (i === 7 ? "inf" : String(i % 13))),
      ),
      "-y",
      "y",
    ],
    error: /'y'.*(inf|finite)/i,
  },
  {
    name: "a numeric target with a few junk strings is read as numbers, the junk named and its rows left out",
    args: () => [
      "train",
      file(
        "junk-target.csv",
        binary((i) => (i === 3 ? "n/a?" : i === 9 ? "oops" : String((i * 7) % 91))),
      ),
      "-y",
      "y",
      "--ntrees",
      "2",
      "--json",
    ],
    ok: (r) => {
      expect(JSON.parse(r.stdout).metrics.training.nobs).toBe(198);
      expect(r.stderr).toMatch(/column 'y': 2 value\(s\) that are not numbers \(such as "n\/a\?"\) read as missing/);
    },
  },
  {
    name: "a numeric target with so much junk that it reads as classes",
    args: () => [
      "train",
      file(
        "junk-classes.csv",
        binary((i) => (i % 4 === 1 ? ["oops", "bad", "??"][i % 3] : String((i * 7) % 91))),
      ),
      "-y",
      "y",
    ],
    error: /'y' looks numeric.*(\?\?|bad|oops)/,
  },
  {
    name: "rows with a missing target are dropped with a note saying how many",
    args: () => [
      "train",
      file(
        "some-missing.csv",
        binary((i) => (i % 20 === 0 ? "" : i % 100 > 50 ? "1" : "0")),
      ),
      "-y",
      "y",
      "--algo",
      "glm",
      "--json",
    ],
    ok: (r) => {
      expect(JSON.parse(r.stdout).metrics.training.nobs).toBe(190);
      expect(r.stderr + r.stdout).toMatch(/10 rows/);
    },
  },
  {
    name: "NaN and Inf text in a predictor are missing values, and the model still trains",
    args: () => [
      "train",
      file(
        "nan-x.csv",
        binary((i) => (i % 100 > 50 ? "1" : "0"))
          .replace("\n0.05,", "\nNaN,")
          .replace("\n0.06,", "\ninf,"),
      ),
      "-y",
      "y",
      "--ntrees",
      "5",
      "--json",
    ],
    ok: (r) => expect(JSON.parse(r.stdout).metrics.training.nobs).toBe(200),
  },
  {
    name: "a predictor with 50,000 distinct strings (an id column) does not stop training",
    args: () => ["train", file("ids.csv", `id,x,y\n${lines(50_000, (i) => `u${i},${i % 10},${i % 10 > 4 ? "a" : "b"}`)}\n`), "-y", "y", "--ntrees", "2", "--max-depth", "2", "--json"],
    ok: (r) => expect(JSON.parse(r.stdout).metrics.training.nobs).toBe(50_000),
  },
  { name: "more folds than rows", args: () => trainIris("--nfolds", "1000"), error: /nfolds/ },
  { name: "one fold", args: () => trainIris("--nfolds", "1"), error: /nfolds/ },
  { name: "mtries above the predictor count", args: () => trainIris("--algo", "drf", "--mtries", "10"), error: /mtries/ },
  { name: "min_rows above the row count", args: () => trainIris("--min-rows", "1000"), error: /min_rows|min-rows/ },
  {
    name: "an unwritable --out fails before training",
    args: () => trainIris("--out", join(dir, "no-such-dir", "m.floe")),
    error: /no-such-dir/,
  },

  // XGBoost, the isolation forests and k-means.
  { name: "xgboost with a near-miss flag", args: () => trainIris("--algo", "xgboost", "--reg-lamda", "1"), error: /--reg-lamda.*--reg-lambda/ },
  { name: "xgboost: distribution=gaussian for an enum response", args: () => trainIris("--algo", "xgboost", "--distribution", "gaussian"), error: /gaussian.*'species'.*multinomial/ },
  { name: "xgboost: a distribution it does not have", args: () => trainIris("--algo", "xgboost", "--distribution", "laplace"), error: /distribution.*laplace/ },
  { name: "xgboost: a negative reg_lambda", args: () => trainIris("--algo", "xgboost", "--reg-lambda", "-1"), error: /reg_lambda/ },
  { name: "xgboost: a word for max_bins", args: () => trainIris("--algo", "xgboost", "--max-bins", "many"), error: /max_bins/ },
  {
    name: "xgboost: poisson for a response below 0",
    args: () => [
      "train",
      file(
        "negative.csv",
        binary((i) => String((i % 7) - 3)),
      ),
      "-y",
      "y",
      "--algo",
      "xgboost",
      "--distribution",
      "poisson",
    ],
    error: /poisson.*'y'/,
  },
  { name: "xgboost without a response", args: () => ["train", iris, "--algo", "xgboost"], error: /xgboost needs a response/ },
  { name: "isolationforest with a response", args: () => trainIris("--algo", "isolationforest"), error: /isolationforest takes no response/ },
  { name: "isolationforest: contamination above 0.5", args: () => ["train", iris, "--algo", "isolationforest", "--contamination", "0.7"], error: /contamination=0\.7.*\(0, 0\.5\]/ },
  { name: "isolationforest: contamination 0", args: () => ["train", iris, "--algo", "isolationforest", "--contamination", "0"], error: /contamination/ },
  {
    name: "isolationforest: extension_level is the extended forest's",
    args: () => ["train", iris, "--algo", "isolationforest", "--extension-level", "1"],
    error: /isolationforest has no parameter --extension-level/,
  },
  { name: "isolationforest: mtries above the column count", args: () => ["train", iris, "--algo", "isolationforest", "--mtries", "9"], error: /mtries=9/ },
  {
    name: "isolationforest: validation_response_column without a validation frame",
    args: () => ["train", iris, "--algo", "isolationforest", "--validation-response-column", "species"],
    error: /validation_response_column.*validation frame/,
  },
  {
    name: "isolationforest: a validation label of three classes",
    args: () => ["train", iris, "--algo", "isolationforest", "--valid", iris, "--validation-response-column", "species"],
    error: /'species'.*0\/1 or two levels/,
  },
  {
    name: "extendedisolationforest: extension_level above the columns",
    args: () => ["train", iris, "--algo", "extendedisolationforest", "--extension-level", "10"],
    error: /extension_level=10.*\[0, 4\]/,
  },
  { name: "extendedisolationforest: a fractional extension_level", args: () => ["train", iris, "--algo", "extendedisolationforest", "--extension-level", "1.5"], error: /extension_level.*integer/ },
  { name: "kmeans: an init H2O does not have", args: () => ["train", iris, "--algo", "kmeans", "--k", "3", "--init", "kmeans||"], error: /init.*Coreset, Random, PlusPlus, Furthest/ },
  { name: "kmeans: more clusters than rows", args: () => ["train", iris, "--algo", "kmeans", "--k", "151"], error: /k=151.*150/ },
  {
    name: "an isolation forest model scored on data without its columns",
    args: () => ["predict", isoModel, file("other-iso.csv", "u,v\n1,2\n")],
    error: /none of the model's columns/,
  },

  // Scoring.
  { name: "a missing model file", args: () => ["predict", join(dir, "none.floe"), iris], error: /none\.floe/ },
  {
    name: "a model file of random bytes",
    args: () => [
      "predict",
      file(
        "junk.floe",
        new Uint8Array(512).map((_, i) => (i * 31) % 251),
      ),
      iris,
    ],
    error: /junk\.floe|model file/i,
  },
  { name: "a CSV given as the model", args: () => ["predict", iris, iris], error: /iris\.csv|model file/i },
  { name: "data with none of the model's columns", args: () => ["predict", model, file("other.csv", "u,v\n1,2\n3,4\n")], error: /none of the model's|sepal_length/i },
  { name: "predict on a ragged file writes nothing to stdout", args: () => ["predict", model, file("ragged-predict.csv", `${irisText.split("\n").slice(0, 4).join("\n")}\n1,2\n`)], error: /line 5/i },
  { name: "predict on an empty file", args: () => ["predict", model, file("empty-predict.csv", "")], error: /empty/i },
  { name: "eval on data without the response", args: () => ["eval", model, file("no-species.csv", "sepal_length,sepal_width,petal_length,petal_width\n5,3,1,0.2\n")], error: /species/ },
];

const results = new Map<string, CliResult>();

beforeAll(async () => {
  const trained = await floe(["train", iris, "-y", "species", "--ntrees", "5", "--seed", "3", "--out", model]);
  if (trained.code !== 0) throw new Error(`training the corpus model failed: ${trained.stderr}`);
  const iso = await floe(["train", iris, "--algo", "isolationforest", "--ntrees", "5", "--seed", "3", "--out", isoModel]);
  if (iso.code !== 0) throw new Error(`training the corpus isolation forest failed: ${iso.stderr}`);
  // Three at a time: enough to keep two cores busy while each process starts.
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      results.set(c.name, await floe(c.args(), { stdin: c.stdin?.(), timeoutMs: 45_000, env: { NO_COLOR: "1" } }));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}, 300_000);

describe("the command line", () => {
  test("the corpus has at least 50 cases with distinct names", () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  for (const c of cases) {
    test(c.name, () => {
      const r = results.get(c.name);
      if (!r) throw new Error("the case did not run");
      expect(r.code).not.toBe(-1); // killed after the time limit: a hang
      expect(r.stderr).not.toContain("internal error");
      expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
      if (c.error) {
        const errLines = r.stderr.trimEnd().split("\n");
        expect({ code: r.code === 0 ? 0 : "non-zero", stdout: r.stdout, lines: errLines.length }).toEqual({ code: "non-zero", stdout: "", lines: 1 });
        expect(errLines[0]).toStartWith("floe: ");
        expect(errLines[0]).toMatch(c.error);
      } else {
        if (r.code !== 0) throw new Error(`expected success, got exit ${r.code}: ${r.stderr}`);
        c.ok?.(r);
      }
    });
  }
});
