// `floe predict <model.floe> <file|->`: score data with a saved model and write CSV to
// stdout (or --out), or rows to a database table (--out-db, --out-table: src/core/export-db.ts):
// `predict`, then for classifiers one probability column per class label;
// with --contributions, each row's SHAP contributions instead (H2O's predict_contributions).
// `floe eval <model.floe> <file|->`: the model's metrics on data that holds the response.

import { defineCommand } from "citty";
import type { Chunk } from "../core/chunk.ts";
import { asfactor } from "../core/convert.ts";
import { FloeError } from "../core/errors.ts";
import { type Cell, chunkRow, DbTableWriter, ifExistsOf, type OutputColumn } from "../core/export-db.ts";
import { Frame } from "../core/frame.ts";
import { type StreamColumn, streamColumns } from "../core/stream.ts";
import { type ContributionOptions, contributionsFrame } from "../ml/explain/contributions.ts";
import type { Metrics } from "../ml/metrics/index.ts";
import type { ScoredChunk } from "../ml/metrics/scored.ts";
import { loadModel } from "../ml/modelfile.ts";
import { type Evaluator, type Model, modelEvaluator, modelInputs, outputNames, predictFrame, requireInputs } from "../ml/scoring.ts";
import { FloeNode } from "../runtime.ts";
import { ingestArgs, ingestOptions, intFlag, sourceFromArgs } from "./ingest-args.ts";
import { metricsText } from "../present/model.ts";
import { isS3Url, outputWriter } from "../core/sources/s3.ts";
import { checkWritable } from "./out-path.ts";
import { remoteArgs } from "./remote-args.ts";
import { action } from "./run.ts";
import { note, warn } from "./terminal.ts";

/** A CSV field: quoted when it holds a delimiter, a quote or a line break. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The output columns of a model's predictions: a classifier's label, then numbers. */
function predictionColumns(model: Model): OutputColumn[] {
  const labelled = model.response?.domain !== undefined && model.response.domain !== null;
  return outputNames(model).map((name, k) => ({ name, type: labelled && k === 0 ? "string" : "numeric" }));
}

/** A scored chunk's rows: the predicted label and class probabilities, or the outputs as they are; missing as null. */
function predictionRows(model: Model, sc: ScoredChunk): Cell[][] {
  const domain = model.response?.domain;
  const threshold = model.threshold ?? 0.5;
  const rows: Cell[][] = [];
  for (let i = 0; i < sc.rows; i++) {
    if (!domain) {
      // Regression, cluster ids, components: the outputs as they are.
      const row: Cell[] = [];
      for (let k = 0; k < sc.width; k++) {
        const v = sc.p[i * sc.width + k];
        row.push(Number.isNaN(v) ? null : v);
      }
      rows.push(row);
      continue;
    }
    let probs: number[];
    let label: number;
    if (domain.length === 2) {
      const p1 = sc.p[i];
      probs = [1 - p1, p1];
      label = p1 >= threshold ? 1 : 0;
    } else {
      probs = Array.from(sc.p.subarray(i * domain.length, (i + 1) * domain.length));
      label = probs.indexOf(Math.max(...probs));
    }
    rows.push(Number.isNaN(probs[1]) ? [null, ...probs.map(() => null)] : [domain[label], ...probs]);
  }
  return rows;
}

/** A frame's rows as cells. */
function frameRows(frame: Frame): Cell[][] {
  const rows: Cell[][] = [];
  for (const chunk of frame.chunks) for (let i = 0; i < chunk.rows; i++) rows.push(chunkRow(frame, chunk, i));
  return rows;
}

/** Where the output rows go: CSV text (stdout, --out) or a database table (--out-db). */
interface RowOutput {
  /** Called before every batch; the first call writes the header or creates the table. */
  start(columns: readonly OutputColumn[]): Promise<void>;
  write(rows: readonly (readonly Cell[])[]): Promise<void>;
  /** The run succeeded: the output is complete (a table committed). */
  finish(): Promise<void>;
  /** The run failed: what was opened is closed; a table is left as it was. */
  abort(): Promise<void>;
}

/** CSV to stdout or `out` (numbers as JavaScript prints them, missing empty). */
function csvOutput(out: string | undefined, s3Endpoint: string | undefined): RowOutput {
  const sink = out ? outputWriter(out, s3Endpoint) : null;
  const write = (text: string) => (sink ? sink.write(text) : process.stdout.write(text));
  const line = (row: readonly Cell[]) => row.map((v) => (v === null ? "" : typeof v === "number" ? String(v) : csvField(v))).join(",");
  let started = false;
  let closed = false;
  const close = async () => {
    if (!closed) await sink?.end();
    closed = true;
  };
  return {
    start: async (columns) => {
      if (!started) write(`${columns.map((c) => csvField(c.name)).join(",")}\n`);
      started = true;
    },
    write: async (rows) => {
      if (rows.length) write(`${rows.map(line).join("\n")}\n`);
    },
    finish: close,
    abort: close,
  };
}

/** A database table, created with the first batch and committed at the end (refused up front when it exists). */
function tableOutput(writer: DbTableWriter): RowOutput {
  let started = false;
  return {
    start: async (columns) => {
      if (!started) await writer.start(columns);
      started = true;
    },
    write: (rows) => writer.append(rows),
    finish: async () => {
      const rows = await writer.commit();
      note(`wrote ${rows} rows to ${writer.label}`);
    },
    abort: () => writer.abort(),
  };
}

/** The output flags checked together: --out or --out-db with --out-table, --if-exists only with a table. */
function checkOutputFlags(args: { out?: string; "out-db"?: string; "out-table"?: string; "if-exists"?: string }): void {
  if (args["out-db"] !== undefined) {
    if (args.out !== undefined) throw new FloeError("invalid_argument", "give either --out (a file) or --out-db (a database table), not both");
    if (args["out-table"] === undefined) throw new FloeError("invalid_argument", "--out-db needs --out-table NAME (the table to write)");
  } else {
    if (args["out-table"] !== undefined) throw new FloeError("invalid_argument", "--out-table needs --out-db (the database to write it to)");
    if (args["if-exists"] !== undefined) throw new FloeError("invalid_argument", "--if-exists needs --out-db and --out-table (it says what to do when the table exists)");
  }
}

/** H2O's top_n / bottom_n: an integer, -1 for all (sorted), 0 for none. */
function rankFlag(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value === "" || !Number.isInteger(n) || n < -1) throw new FloeError("invalid_argument", `--${name} must be an integer, -1 for all or 0 for none, got '${value}'`);
  return n;
}

/** The contributions flags as contributionsFrame's options (the background frame added later); refuses them without --contributions. */
function contributionOptions(args: Record<string, unknown>): Omit<ContributionOptions, "background"> | null {
  const given = CONTRIBUTION_FLAGS.filter((f) => args[f] !== undefined && args[f] !== false);
  if (!args.contributions) {
    if (given.length) throw new FloeError("invalid_argument", `--${given[0]} needs --contributions`);
    return null;
  }
  if (args["output-per-reference"] && args.background === undefined) {
    throw new FloeError("invalid_argument", "--output-per-reference needs --background FILE (the reference rows it gives one output row each)");
  }
  return {
    topN: rankFlag("top-n", args["top-n"]),
    bottomN: rankFlag("bottom-n", args["bottom-n"]),
    compareAbs: Boolean(args["compare-abs"]),
    outputSpace: Boolean(args["output-space"]),
    outputPerReference: Boolean(args["output-per-reference"]),
  };
}

const contributionArgs = {
  contributions: { type: "boolean", description: "write each row's SHAP contributions (one column per feature, then BiasTerm) instead of predictions" },
  "top-n": { type: "string", description: "with --contributions: keep each row's n largest contributions (-1: all, sorted)", valueHint: "n" },
  "bottom-n": { type: "string", description: "with --contributions: keep each row's n smallest contributions (-1: all, sorted)", valueHint: "n" },
  "compare-abs": { type: "boolean", description: "with --top-n/--bottom-n: rank by absolute value" },
  "output-space": { type: "boolean", description: "with --contributions: in the response's space, not the link's" },
  background: { type: "string", description: "with --contributions: reference rows for baseline SHAP (models without exact contributions need them)", valueHint: "file" },
  "output-per-reference": { type: "boolean", description: "with --background: one output row per (row, reference row) instead of their mean" },
} as const;
const CONTRIBUTION_FLAGS = Object.keys(contributionArgs).filter((f) => f !== "contributions");

/** A frame of streamed chunks; text columns become enums so levels map by label. */
async function batchFrame(node: FloeNode, columns: readonly StreamColumn[], chunks: Chunk[]): Promise<Frame> {
  let frame = Frame.of(
    columns.map((c) => ({ name: c.name, type: c.as === "text" ? ("string" as const) : ("numeric" as const) })),
    chunks,
  );
  for (const c of columns) if (c.as === "text") frame = await asfactor(node.executor, frame, c.name);
  return frame;
}

/**
 * Streams a source through the model a batch at a time (one chunk a thread), so memory
 * does not grow with the input; `onBatch` gets each batch's scored chunks in order.
 */
async function streamScores(
  node: FloeNode,
  model: Model,
  args: Parameters<typeof sourceFromArgs>[0] & Parameters<typeof ingestOptions>[0],
  withResponse: boolean,
  onBatch: (frame: Frame, warnings: string[]) => void | Promise<void>,
): Promise<void> {
  const { source, cleanup } = await sourceFromArgs(args);
  const warnings = new Set<string>();
  try {
    const columns = modelInputs(model).map((c): StreamColumn => ({ name: c.name, as: c.enum ? "text" : "number" }));
    const response = withResponse ? model.response : null;
    if (response) columns.push({ name: response.name, as: response.domain ? "text" : "number" });
    let batch: Chunk[] = [];
    const score = async () => {
      if (batch.length === 0) return;
      const found: string[] = [];
      await onBatch(await batchFrame(node, columns, batch), found);
      for (const w of found) warnings.add(w);
      batch = [];
    };
    const opts = { ...ingestOptions(args), required: response ? [response.name] : [], onColumns: (names: readonly string[]) => requireInputs(model, names) };
    const { missing } = await streamColumns(await node.db(), source, columns, opts, async (chunk) => {
      batch.push(chunk);
      if (batch.length >= node.threads) await score();
    });
    await score();
    for (const name of missing) warnings.add(`column '${name}' is missing: scored as missing values`);
  } finally {
    cleanup();
    for (const w of warnings) warn(w);
  }
}

const modelArg = { model: { type: "positional", required: true, description: "model file (.floe)", valueHint: "model.floe" } } as const;

export const predictCommand = defineCommand({
  meta: { name: "predict", description: "Score data with a saved model; CSV predictions (or --contributions) to stdout or --out, or a database table (--out-db), streamed chunk by chunk" },
  args: {
    ...modelArg,
    ...ingestArgs,
    out: { type: "string", description: "write the CSV to this file (or s3://bucket/key) instead of stdout", valueHint: "file" },
    "out-db": { type: "string", description: "write the rows to a PostgreSQL or MySQL table instead (with --out-table)", valueHint: "postgres://user:password@host:port/db | mysql://..." },
    "out-table": { type: "string", description: "the --out-db table to create", valueHint: "name" },
    "if-exists": { type: "string", description: "when the --out-table exists: replace it or append to it (default: refuse)", valueHint: "replace|append" },
    ...contributionArgs,
    ...remoteArgs,
  },
  run: ({ args }) =>
    action(async () => {
      const contributions = contributionOptions(args);
      checkOutputFlags(args);
      if (args.url !== undefined) {
        if (contributions) throw new FloeError("invalid_argument", "--contributions runs in-process only: drop --url (or POST /api/v1/models/{id}/contributions to the server)");
        if (args["out-db"] !== undefined) throw new FloeError("invalid_argument", "--out-db runs in-process only: drop --url (or POST /api/v1/frames/{id}/export {db, table} to the server)");
        return (await import("./remote.ts")).remotePredict(args);
      }
      if (args.out && !isS3Url(String(args.out))) checkWritable("--out", String(args.out));
      const ifExists = ifExistsOf(args["if-exists"], "--if-exists");
      const model = loadModel(args.model);
      // A table that exists (without --if-exists) or a server that cannot be reached is refused before any scoring.
      const output =
        args["out-db"] !== undefined ? tableOutput(await DbTableWriter.open({ url: args["out-db"], table: String(args["out-table"]), ifExists })) : csvOutput(args.out, args["s3-endpoint"]);
      const node = new FloeNode({ threads: intFlag("threads", args.threads) });
      // The header (or the table) comes with the first scored batch, once the input has
      // passed its checks: a run that fails on its input writes nothing (no one-line output file).
      let started = false;
      const start = async (columns: readonly OutputColumn[]) => {
        await output.start(columns);
        started = true;
      };
      try {
        if (contributions) {
          const background = args.background === undefined ? null : (await node.importFrame({ kind: "file", path: String(args.background) }).done).frame;
          await streamScores(node, model, args, false, async (frame, warnings) => {
            const out = await contributionsFrame(node.executor, model, frame, { ...contributions, background }, warnings);
            await start(out.columns);
            await output.write(frameRows(out));
          });
          if (!started) throw new FloeError("bad_input", "the input has no rows: there are no contributions to write");
        } else {
          await streamScores(node, model, args, false, async (frame, warnings) => {
            const scored = await predictFrame(node.executor, model, frame, warnings);
            await start(predictionColumns(model));
            for (const sc of scored) await output.write(predictionRows(model, sc));
          });
          await start(predictionColumns(model)); // input with no rows: the header (an empty table) alone
        }
        await output.finish();
      } catch (err) {
        await output.abort();
        throw err;
      } finally {
        await node.close();
      }
    }),
});

export const evalCommand = defineCommand({
  meta: { name: "eval", description: "Metrics of a saved model on data that holds the response (streamed)" },
  args: { ...modelArg, ...ingestArgs, json: { type: "boolean", description: "print the metrics as JSON" }, ...remoteArgs },
  run: ({ args }) =>
    action(async () => {
      if (args.url !== undefined) {
        const { model, metrics } = await (await import("./remote.ts")).remoteEval(args);
        return printMetrics(model, metrics, args.json);
      }
      const model = loadModel(args.model);
      const node = new FloeNode({ threads: intFlag("threads", args.threads) });
      try {
        const evaluator: Evaluator = modelEvaluator(node.executor, model);
        await streamScores(node, model, args, true, (frame, warnings) => evaluator.add(frame, warnings));
        printMetrics(model, evaluator.result(), args.json);
      } finally {
        await node.close();
      }
    }),
});

/** Prints a model's metrics on some data as `floe eval` does: a text block, or JSON with --json. */
function printMetrics(model: Model, metrics: Metrics, json: boolean | undefined): void {
  process.stdout.write(json ? `${JSON.stringify({ model_id: model.model_id, metrics })}\n` : `${metricsText(`Metrics of ${model.model_id}`, metrics, model.response?.domain ?? null)}\n`);
}
