// `floe predict <model.floe> <file|->`: score data with a saved model and write CSV to
// stdout (or --out): `predict`, then for classifiers one probability column per class label;
// with --contributions, each row's SHAP contributions instead (H2O's predict_contributions).
// `floe eval <model.floe> <file|->`: the model's metrics on data that holds the response.

import { defineCommand } from "citty";
import { type Chunk, isMissing, stringAt } from "../core/chunk.ts";
import { asfactor } from "../core/convert.ts";
import { FloeError } from "../core/errors.ts";
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
import { warn } from "./terminal.ts";

/** A CSV field: quoted when it holds a delimiter, a quote or a line break. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csvLines(model: Model, sc: ScoredChunk): string {
  const domain = model.response?.domain;
  const threshold = model.threshold ?? 0.5;
  const lines: string[] = [];
  for (let i = 0; i < sc.rows; i++) {
    if (!domain) {
      // Regression, cluster ids, components: the outputs as they are, empty when missing.
      const row: string[] = [];
      for (let k = 0; k < sc.width; k++) {
        const v = sc.p[i * sc.width + k];
        row.push(Number.isNaN(v) ? "" : String(v));
      }
      lines.push(row.join(","));
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
    lines.push(Number.isNaN(probs[1]) ? `,${probs.map(() => "").join(",")}` : [csvField(domain[label]), ...probs.map(String)].join(","));
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

/** A frame's rows as CSV lines (numbers as JavaScript prints them, enum levels as their label, missing empty). */
function frameCsvLines(frame: Frame): string {
  const lines: string[] = [];
  for (const chunk of frame.chunks) {
    for (let i = 0; i < chunk.rows; i++) {
      const row = chunk.vecs.map((vec, c) => {
        if (isMissing(vec, i)) return "";
        if (vec.kind === "f64") return String(vec.values[i]);
        if (vec.kind === "codes") return csvField(frame.columns[c].domain?.[vec.codes[i]] ?? "");
        return csvField(stringAt(vec, i) ?? "");
      });
      lines.push(row.join(","));
    }
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
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
  meta: { name: "predict", description: "Score data with a saved model; CSV predictions (or --contributions) to stdout or --out, streamed chunk by chunk" },
  args: {
    ...modelArg,
    ...ingestArgs,
    out: { type: "string", description: "write the CSV to this file (or s3://bucket/key) instead of stdout", valueHint: "file" },
    ...contributionArgs,
    ...remoteArgs,
  },
  run: ({ args }) =>
    action(async () => {
      const contributions = contributionOptions(args);
      if (args.url !== undefined) {
        if (contributions) throw new FloeError("invalid_argument", "--contributions runs in-process only: drop --url (or POST /api/v1/models/{id}/contributions to the server)");
        return (await import("./remote.ts")).remotePredict(args);
      }
      if (args.out && !isS3Url(String(args.out))) checkWritable("--out", String(args.out));
      const model = loadModel(args.model);
      const node = new FloeNode({ threads: intFlag("threads", args.threads) });
      // The header goes out with the first scored batch, once the input has passed its
      // checks: a run that fails on its input writes nothing (no one-line output file).
      const sink = args.out ? outputWriter(String(args.out), args["s3-endpoint"]) : null;
      const write = (text: string) => (sink ? sink.write(text) : process.stdout.write(text));
      let started = false;
      const start = (names: readonly string[]) => {
        if (!started) write(`${names.map(csvField).join(",")}\n`);
        started = true;
      };
      try {
        if (contributions) {
          const background = args.background === undefined ? null : (await node.importFrame({ kind: "file", path: String(args.background) }).done).frame;
          await streamScores(node, model, args, false, async (frame, warnings) => {
            const out = await contributionsFrame(node.executor, model, frame, { ...contributions, background }, warnings);
            start(out.names);
            write(frameCsvLines(out));
          });
          if (!started) throw new FloeError("bad_input", "the input has no rows: there are no contributions to write");
        } else {
          await streamScores(node, model, args, false, async (frame, warnings) => {
            const scored = await predictFrame(node.executor, model, frame, warnings);
            start(outputNames(model));
            for (const sc of scored) write(csvLines(model, sc));
          });
          start(outputNames(model)); // input with no rows: the header alone
        }
      } finally {
        await sink?.end();
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
