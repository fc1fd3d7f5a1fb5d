// `floe predict <model.floe> <file|->`: score data with a saved model and write CSV to
// stdout: `predict`, then for classifiers one probability column per class label.
// `floe eval <model.floe> <file|->`: the model's metrics on data that holds the response.

import { defineCommand } from "citty";
import { consola } from "consola";
import type { Chunk, ColumnType } from "../core/chunk.ts";
import { asfactor } from "../core/convert.ts";
import { Frame } from "../core/frame.ts";
import { type StreamColumn, streamColumns } from "../core/stream.ts";
import { FloeError } from "../core/errors.ts";
import type { ScoredChunk } from "../ml/metrics/scored.ts";
import { loadModel } from "../ml/modelfile.ts";
import { metricsOnFrame, predictFrame, type TreeModel } from "../ml/tree/ensemble.ts";
import { FloeNode } from "../runtime.ts";
import { ingestArgs, ingestOptions, intFlag, sourceFromArgs } from "./ingest-args.ts";
import { metricsText } from "./model-report.ts";
import { action } from "./run.ts";

/** Read the model's columns as the types it was trained on, whatever the new file looks like. */
function modelColTypes(model: TreeModel, given: Record<string, ColumnType> | undefined): Record<string, ColumnType> {
  const types: Record<string, ColumnType> = {};
  for (const f of model.features) types[f.name] = f.kind === "enum" ? "enum" : "numeric";
  if (model.response.domain) types[model.response.name] = "enum";
  return { ...types, ...given };
}

/** A CSV field: quoted when it holds a delimiter, a quote or a line break. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csvLines(model: TreeModel, sc: ScoredChunk): string {
  const domain = model.response.domain;
  const lines: string[] = [];
  for (let i = 0; i < sc.rows; i++) {
    if (!domain) {
      lines.push(Number.isNaN(sc.p[i]) ? "" : String(sc.p[i]));
      continue;
    }
    let probs: number[];
    let label: number;
    if (domain.length === 2) {
      const p1 = sc.p[i];
      probs = [1 - p1, p1];
      label = p1 >= model.threshold ? 1 : 0;
    } else {
      probs = Array.from(sc.p.subarray(i * domain.length, (i + 1) * domain.length));
      label = probs.indexOf(Math.max(...probs));
    }
    lines.push([csvField(domain[label]), ...probs.map(String)].join(","));
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

async function scoreSetup(args: { model: string; threads?: string } & Parameters<typeof ingestOptions>[0] & Parameters<typeof sourceFromArgs>[0]) {
  const model = loadModel(args.model);
  const node = new FloeNode({ threads: intFlag("threads", args.threads) });
  const { source, cleanup } = await sourceFromArgs(args);
  const opts = ingestOptions(args);
  return { model, node, source, cleanup, opts: { ...opts, colTypes: modelColTypes(model, opts.colTypes as Record<string, ColumnType> | undefined) } };
}

const modelArg = { model: { type: "positional", required: true, description: "model file (.floe)", valueHint: "model.floe" } } as const;

/** A frame of streamed chunks; text columns become enums so levels map by label. */
async function batchFrame(node: FloeNode, model: TreeModel, chunks: Chunk[]): Promise<Frame> {
  let frame = Frame.of(
    model.features.map((f) => ({ name: f.name, type: f.kind === "enum" ? ("string" as const) : ("numeric" as const) })),
    chunks,
  );
  for (const f of model.features) if (f.kind === "enum") frame = await asfactor(node.executor, frame, f.name);
  return frame;
}

export const predictCommand = defineCommand({
  meta: { name: "predict", description: "Score data with a saved model; CSV predictions to stdout, streamed chunk by chunk" },
  args: { ...modelArg, ...ingestArgs },
  run: ({ args }) =>
    action(async () => {
      const model = loadModel(args.model);
      const node = new FloeNode({ threads: intFlag("threads", args.threads) });
      const { source, cleanup } = await sourceFromArgs(args);
      const warnings = new Set<string>();
      try {
        const header = model.response.domain ? ["predict", ...model.response.domain].map(csvField).join(",") : "predict";
        process.stdout.write(`${header}\n`);
        // Batches of one chunk a thread: scored in parallel, then written and dropped.
        let batch: Chunk[] = [];
        const score = async () => {
          if (batch.length === 0) return;
          const found: string[] = [];
          const scored = await predictFrame(node.executor, model, await batchFrame(node, model, batch), found);
          for (const w of found) warnings.add(w);
          for (const sc of scored) process.stdout.write(csvLines(model, sc));
          batch = [];
        };
        const columns = model.features.map((f): StreamColumn => ({ name: f.name, as: f.kind === "enum" ? "text" : "number" }));
        const { missing } = await streamColumns(await node.db(), source, columns, ingestOptions(args), async (chunk) => {
          batch.push(chunk);
          if (batch.length >= node.threads) await score();
        });
        await score();
        for (const name of missing) warnings.add(`column '${name}' is missing: scored as missing values`);
        for (const w of warnings) consola.warn(w);
      } finally {
        cleanup();
        await node.close();
      }
    }),
});

export const evalCommand = defineCommand({
  meta: { name: "eval", description: "Metrics of a saved model on data that holds the response" },
  args: { ...modelArg, ...ingestArgs, json: { type: "boolean", description: "print the metrics as JSON" } },
  run: ({ args }) =>
    action(async () => {
      const { model, node, source, cleanup, opts } = await scoreSetup(args);
      try {
        const { frame } = await node.importFrame(source, { ...opts, onWarning: (m) => consola.warn(m) }).done;
        if (!frame.columns.some((c) => c.name === model.response.name)) {
          throw new FloeError("bad_input", `the data has no response column '${model.response.name}' to evaluate against`);
        }
        const warnings: string[] = [];
        const metrics = await metricsOnFrame(node.executor, model, frame, warnings);
        for (const w of warnings) consola.warn(w);
        process.stdout.write(args.json ? `${JSON.stringify({ model_id: model.model_id, metrics })}\n` : `${metricsText(`Metrics of ${model.model_id}`, metrics, model.response.domain)}\n`);
      } finally {
        cleanup();
        await node.close();
      }
    }),
});
