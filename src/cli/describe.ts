// `floe describe`: ingest a source and print its shape and per-column rollups, as text
// or as JSON ({rows, columns:[{name,type,missing,zeros,min,max,mean,sd,cardinality,domain?}]}).

import Table from "cli-table3";
import { defineCommand } from "citty";
import { consola } from "consola";
import type { Frame } from "../core/frame.ts";
import { FloeNode } from "../runtime.ts";
import { ingestArgs, ingestOptions, intFlag, sourceFromArgs } from "./ingest-args.ts";
import { progressBar } from "./progress.ts";
import { action } from "./run.ts";

/** Domains longer than this are cut in the text output (JSON has them whole). */
const DOMAIN_SHOWN = 10;

export function describeJson(frame: Frame) {
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

function num(x: number | null, time: boolean): string {
  if (x === null) return "";
  if (time && Number.isFinite(x)) return new Date(x).toISOString().replace(".000Z", "Z");
  if (Number.isInteger(x)) return String(x);
  return Number(x.toPrecision(6)).toString();
}

export function describeText(label: string, frame: Frame): string {
  const table = new Table({
    head: ["column", "type", "missing", "zeros", "min", "max", "mean", "sd", "cardinality", "domain"],
    chars: {
      top: "", "top-mid": "", "top-left": "", "top-right": "", bottom: "", "bottom-mid": "", "bottom-left": "",
      "bottom-right": "", left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "  ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  const json = describeJson(frame);
  for (const c of json.columns) {
    const time = c.type === "time";
    const domain = c.domain
      ? c.domain.slice(0, DOMAIN_SHOWN).join(", ") + (c.domain.length > DOMAIN_SHOWN ? `, … (${c.domain.length})` : "")
      : "";
    table.push([
      c.name, c.type, num(c.missing, false), num(c.zeros, false), num(c.min, time), num(c.max, time),
      num(c.mean, time), c.sd === null ? "" : time ? `${num(c.sd, false)} ms` : num(c.sd, false),
      num(c.cardinality, false), domain,
    ]);
  }
  const body = table.toString().replace(/ +$/gm, "");
  return `${label}: ${frame.rows} rows, ${frame.columns.length} columns\n${body}\n`;
}

export const describeCommand = defineCommand({
  meta: { name: "describe", description: "Read data and print its columns' types and summaries" },
  args: {
    ...ingestArgs,
    json: { type: "boolean", description: "print JSON instead of a table" },
  },
  run: ({ args }) =>
    action(async () => {
      const node = new FloeNode({ threads: intFlag("threads", args.threads) });
      const { source, cleanup } = await sourceFromArgs(args);
      const bar = progressBar(source.kind === "sql" ? "query" : "ingest");
      const { job, done } = node.importFrame(source, { ...ingestOptions(args), onWarning: (message) => consola.warn(message) });
      job.onChange((j) => bar.update(j.progress));
      const cancel = () => job.cancel();
      process.once("SIGINT", cancel);
      try {
        const { frame } = await done;
        bar.stop();
        const label = source.kind === "sql" ? "query" : (source.label ?? source.path);
        process.stdout.write(args.json ? `${JSON.stringify(describeJson(frame))}\n` : describeText(label, frame));
      } finally {
        process.off("SIGINT", cancel);
        bar.stop();
        cleanup();
        await node.close();
      }
    }),
});
