// `floe describe`: ingest a source and print its shape and per-column rollups, as text
// or as JSON ({rows, columns:[{name,type,missing,zeros,min,max,mean,sd,cardinality,domain?}]}).

import { defineCommand } from "citty";
import type { ColumnType } from "../core/chunk.ts";
import type { Frame } from "../core/frame.ts";
import { sourceLabel } from "../core/source.ts";
import { FloeNode } from "../runtime.ts";
import { ingestArgs, ingestOptions, intFlag, sourceFromArgs } from "./ingest-args.ts";
import { progressBar } from "./progress.ts";
import { remoteArgs } from "./remote-args.ts";
import { num, plainTable } from "../present/table.ts";
import { action } from "./run.ts";
import { warn } from "./terminal.ts";

/** Domains longer than this are cut in the text output (JSON has them whole). */
const DOMAIN_SHOWN = 10;

/** One column of `floe describe --json` (and of the REST API's GET /frames/{id}). */
export interface ColumnDescription {
  name: string;
  type: ColumnType;
  missing: number | null;
  zeros: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  sd: number | null;
  cardinality: number | null;
  domain?: readonly string[];
}

export interface FrameDescription {
  rows: number;
  columns: ColumnDescription[];
}

export function describeJson(frame: Frame): FrameDescription {
  return {
    rows: frame.rows,
    columns: frame.columns.map((c, i) => {
      const r = frame.rollups?.[i];
      return {
        name: c.name,
        type: c.type,
        missing: r?.missing ?? null,
        zeros: r?.zeros ?? null,
        min: r?.min ?? null,
        max: r?.max ?? null,
        mean: r?.mean ?? null,
        sd: r?.sd ?? null,
        cardinality: r?.cardinality ?? null,
        ...(c.domain ? { domain: c.domain } : {}),
      };
    }),
  };
}

function cell(x: number | null, time: boolean): string {
  if (time && x !== null && Number.isFinite(x)) return new Date(x).toISOString().replace(".000Z", "Z");
  return num(x);
}

/** The text report of a frame's description (from describeJson, or a server's frame summary). */
export function describeText(label: string, frame: FrameDescription): string {
  const rows = frame.columns.map((c) => {
    const time = c.type === "time";
    const domain = c.domain
      ? c.domain.slice(0, DOMAIN_SHOWN).join(", ") + (c.domain.length > DOMAIN_SHOWN ? `, … (${c.domain.length})` : "")
      : "";
    const sd = c.sd === null ? "" : time ? `${num(c.sd)} ms` : num(c.sd);
    return [c.name, c.type, num(c.missing), num(c.zeros), cell(c.min, time), cell(c.max, time), cell(c.mean, time), sd, num(c.cardinality), domain];
  });
  const head = ["column", "type", "missing", "zeros", "min", "max", "mean", "sd", "cardinality", "domain"];
  return `${label}: ${frame.rows} rows, ${frame.columns.length} columns\n${plainTable(head, rows)}\n`;
}

export const describeCommand = defineCommand({
  meta: { name: "describe", description: "Read data and print its columns' types and summaries" },
  args: {
    ...ingestArgs,
    json: { type: "boolean", description: "print JSON instead of a table" },
    ...remoteArgs,
  },
  run: ({ args }) =>
    action(async () => {
      if (args.url !== undefined) return (await import("./remote.ts")).remoteDescribe(args);
      const node = new FloeNode({ threads: intFlag("threads", args.threads) });
      const { source, cleanup } = await sourceFromArgs(args);
      const bar = progressBar(source.kind === "sql" ? "query" : "ingest");
      const { job, done } = node.importFrame(source, { ...ingestOptions(args), onWarning: (message) => warn(message) });
      job.onChange((j) => bar.update(j.progress));
      const cancel = () => job.cancel();
      process.once("SIGINT", cancel);
      try {
        const { frame } = await done;
        bar.stop();
        const label = sourceLabel(source);
        process.stdout.write(args.json ? `${JSON.stringify(describeJson(frame))}\n` : describeText(label, describeJson(frame)));
      } finally {
        process.off("SIGINT", cancel);
        bar.stop();
        cleanup();
        await node.close();
      }
    }),
});
