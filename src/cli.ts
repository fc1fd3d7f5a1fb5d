#!/usr/bin/env bun
// The floe command line: parses flags and calls the core; results go to stdout, logs and
// progress to stderr. Subcommands load lazily so `floe --version` starts fast.

import { defineCommand, runMain } from "citty";
import { VERSION } from "./version.ts";

const main = defineCommand({
  meta: { name: "floe", version: VERSION, description: "Distributed in-memory machine learning: one binary, DuckDB ingest, Arrow frames" },
  subCommands: {
    describe: () => import("./cli/describe.ts").then((m) => m.describeCommand),
    train: () => import("./cli/train.ts").then((m) => m.trainCommand),
    automl: () => import("./cli/automl.ts").then((m) => m.automlCommand),
    predict: () => import("./cli/predict.ts").then((m) => m.predictCommand),
    eval: () => import("./cli/predict.ts").then((m) => m.evalCommand),
    status: () => import("./cli/cluster.ts").then((m) => m.statusCommand),
    shutdown: () => import("./cli/cluster.ts").then((m) => m.shutdownCommand),
    serve: () => import("./cli/serve.ts").then((m) => m.serveCommand),
  },
});

// A closed pipe (`floe describe x.csv | head`) ends the output, not the process with a trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

await runMain(main);
