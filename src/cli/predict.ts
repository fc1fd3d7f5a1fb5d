// `floe predict <model.floe> <file|->`: score data with a saved model and write CSV to
// stdout: `predict`, then for classifiers one probability column per class label.
// `floe eval <model.floe> <file|->`: the model's metrics on data that holds the response.

import { defineCommand } from "citty";
import type { Chunk } from "../core/chunk.ts";
import { asfactor } from "../core/convert.ts";
import { Frame } from "../core/frame.ts";
import { type StreamColumn, streamColumns } from "../core/stream.ts";
import type { Metrics } from "../ml/metrics/index.ts";
import type { ScoredChunk } from "../ml/metrics/scored.ts";
import { loadModel } from "../ml/modelfile.ts";
import { type Evaluator, type Model, modelEvaluator, modelInputs, outputNames, predictFrame, requireInputs } from "../ml/scoring.ts";
import { FloeNode } from "../runtime.ts";
import { ingestArgs, ingestOptions, intFlag, sourceFromArgs } from "./ingest-args.ts";
import { metricsText } from "../present/model.ts";
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
  meta: { name: "predict", description: "Score data with a saved model; CSV predictions to stdout, streamed chunk by chunk" },
  args: { ...modelArg, ...ingestArgs, ...remoteArgs },
  run: ({ args }) =>
    action(async () => {
      if (args.url !== undefined) return (await import("./remote.ts")).remotePredict(args);
      const model = loadModel(args.model);
      const node = new FloeNode({ threads: intFlag("threads", args.threads) });
      // The header goes out with the first scored batch, once the input has passed its
      // checks: a run that fails on its input writes nothing (no one-line output file).
      let started = false;
      const start = () => {
        if (!started) process.stdout.write(`${outputNames(model).map(csvField).join(",")}\n`);
        started = true;
      };
      try {
        await streamScores(node, model, args, false, async (frame, warnings) => {
          const scored = await predictFrame(node.executor, model, frame, warnings);
          start();
          for (const sc of scored) process.stdout.write(csvLines(model, sc));
        });
        start(); // input with no rows: the header alone
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
