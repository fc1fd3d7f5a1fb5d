// h2o.import_file and export_file with s3:// paths, with H2O's own client, against an
// S3-compatible store on 127.0.0.1 (test/support/s3.ts). The server reads the store's
// address and credentials from its environment, as a deployed one would.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { testS3, useS3Env } from "../support/s3.ts";
import { testServer } from "../support/server.ts";
import { runH2OScript, scriptResult } from "./support.ts";

const IRIS = resolve(import.meta.dir, "..", "..", "fixtures", "iris.csv");
const s3 = await testS3();

// The server (in this process) reads the store's address and credentials from the environment.
useS3Env(s3);

test("import_file reads an s3:// key and glob; export_file writes the frame to s3://", async () => {
  const text = readFileSync(IRIS, "utf8");
  const [header, ...lines] = text.trimEnd().split("\n");
  await s3.client.write("in/iris.csv", text);
  await s3.client.write("parts/a.csv", `${header}\n${lines.slice(0, 70).join("\n")}\n`);
  await s3.client.write("parts/b.csv", `${header}\n${lines.slice(70).join("\n")}\n`);
  const server = await testServer({ threads: 1 });
  const run = await runH2OScript("s3.py", server.url, { IRIS_PATH: IRIS });
  expect(run.stderr).not.toContain("Traceback");
  expect(run.code).toBe(0);
  const out = scriptResult(run.stdout);
  expect(out.rows).toBe(150);
  expect(out.missing).toContain("s3://data/in/nope.csv: no such key");
  // The fixture's rows, numbers as JavaScript prints them (3.0 is 3), as floe writes CSV.
  const expected = `${[
    header,
    ...lines.map((l) =>
      l
        .split(",")
        .map((f, i) => (i < 4 ? String(Number(f)) : f))
        .join(","),
    ),
  ].join("\n")}\n`;
  expect(await s3.client.file("out/h2o.csv").text()).toBe(expected);
}, 120_000);
