// `floe describe`: ingest a source and print its shape and per-column rollups, as text
// or as JSON ({rows, columns:[{name,type,missing,zeros,min,max,mean,sd,cardinality,domain?}]},
// both laid out by src/present/frame.ts).

import { defineCommand } from "citty";
import { sourceLabel } from "../core/source.ts";
import { describeJson, describeText } from "../present/frame.ts";
import { FloeNode } from "../runtime.ts";
import { ingestArgs, ingestOptions, intFlag, sourceFromArgs } from "./ingest-args.ts";
import { progressBar } from "./progress.ts";
import { remoteArgs } from "./remote-args.ts";
import { action } from "./run.ts";
import { warn } from "./terminal.ts";

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
