// `floe automl`: read data, run AutoML within its limits, print the leaderboard (H2O's
// columns plus training time) and save the leader. Progress and the event log go to
// stderr; the leaderboard (or --json) to stdout. With --url the run is made on a floe server.

import { defineCommand } from "citty";
import { FloeError } from "../core/errors.ts";
import type { LeaderboardRow } from "../ml/leaderboard.ts";
import { AUTOML_PARAMS } from "../ml/automl/params.ts";
import { saveModel } from "../ml/modelfile.ts";
import { FloeNode } from "../runtime.ts";
import { VERSION } from "../version.ts";
import { ingestArgs, ingestOptions, intFlag, listFlag, sourceFromArgs } from "./ingest-args.ts";
import { progressBar } from "./progress.ts";
import { checkWritable } from "./out-path.ts";
import { remoteArgs } from "./remote-args.ts";
import { action } from "./run.ts";
import { note, warn } from "./terminal.ts";
import { num, plainTable } from "../present/table.ts";

const kebab = (s: string) => s.replaceAll("_", "-");

export const automlCommand = defineCommand({
  meta: { name: "automl", description: "Train GLM, random forests, GBMs, deep learning, random grids and stacked ensembles; print the leaderboard" },
  args: {
    ...ingestArgs,
    y: { type: "string", description: "response column", valueHint: "col", required: true },
    x: { type: "string", description: "predictor columns, comma-separated (default: all others)", valueHint: "a,b,c" },
    ...Object.fromEntries(
      AUTOML_PARAMS.map((p) => {
        const values = p.values ? ` One of: ${p.values.join(", ")}.` : "";
        const description = `${p.help}${values}${p.default === null ? "" : ` [default ${p.default}]`}`;
        return [kebab(p.name), p.type === "bool" ? { type: "boolean" as const, description } : { type: "string" as const, description, valueHint: p.type }];
      }),
    ),
    out: { type: "string", description: "write the leader to this .floe file", valueHint: "file" },
    json: { type: "boolean", description: "print {leaderboard, leader} as JSON" },
    quiet: { type: "boolean", description: "no event log on stderr" },
    ...remoteArgs,
  },
  run: ({ args }) =>
    action(async () => {
      if (args.out) checkWritable("--out", String(args.out));
      const params: Record<string, unknown> = {};
      for (const p of AUTOML_PARAMS) {
        const v = (args as Record<string, unknown>)[kebab(p.name)];
        if (v !== undefined) params[p.name] = v;
      }
      const x = listFlag(args.x);
      if (args.url !== undefined) {
        const { remoteAutoML } = await import("./remote-automl.ts");
        const { info, job, leader } = await remoteAutoML(args, { y: String(args.y), x, params, quiet: Boolean(args.quiet), leader: Boolean(args.out) });
        const report: AutoMLReport = {
          project: info.automl_id,
          leaderboard: info.leaderboard.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v ?? Number.NaN]))) as unknown as LeaderboardRow[],
          columns: info.columns,
          sort_metric: info.sort_metric,
          leader: String(info.leader),
          elapsed_ms: job.duration_ms,
          nfolds: Number(info.params.nfolds),
          seed: Number(info.params.seed),
        };
        if (leader) saveModel(String(args.out), leader, VERSION);
        process.stdout.write(args.json ? `${JSON.stringify(automlJson(report))}\n` : leaderboardText(report));
        return;
      }
      const node = new FloeNode({ threads: intFlag("threads", args.threads) });
      const { source, cleanup } = await sourceFromArgs(args);
      const bar = progressBar("automl");
      let cancel = () => {};
      process.once("SIGINT", () => cancel());
      try {
        const imported = node.importFrame(source, { ...ingestOptions(args), onWarning: (m: string) => warn(m) });
        cancel = () => imported.job.cancel();
        const { frame } = await imported.done;
        const { job, done } = node.automl({
          frame,
          y: String(args.y),
          x,
          params,
          onEvent: (e) => {
            if (args.quiet) return;
            bar.stop();
            (e.level === "warn" ? warn : note)(e.message);
          },
        });
        job.onChange((j) => bar.update(j.progress));
        cancel = () => job.cancel();
        const result = await done;
        bar.stop();
        if (args.out) saveModel(String(args.out), result.leader, VERSION);
        const report = { ...result, leader: result.leader.model_id, nfolds: result.params.nfolds, seed: result.params.seed };
        process.stdout.write(args.json ? `${JSON.stringify(automlJson(report))}\n` : leaderboardText(report));
      } finally {
        bar.stop();
        cleanup();
        await node.close();
      }
    }),
});

/** What is printed of a finished run, in-process or from a server. */
interface AutoMLReport {
  readonly project: string;
  readonly leaderboard: readonly LeaderboardRow[];
  readonly columns: readonly string[];
  readonly sort_metric: string;
  readonly leader: string;
  readonly elapsed_ms: number;
  readonly nfolds: number;
  readonly seed: number;
}

/** What --json prints: the leaderboard rows and the leader's id. */
export function automlJson(r: AutoMLReport): { leaderboard: AutoMLReport["leaderboard"]; leader: string; sort_metric: string; elapsed_ms: number } {
  return { leaderboard: r.leaderboard, leader: r.leader, sort_metric: r.sort_metric, elapsed_ms: r.elapsed_ms };
}

function leaderboardText(r: AutoMLReport): string {
  if (r.leaderboard.length === 0) throw new FloeError("internal", "an empty leaderboard");
  const head = ["model_id", ...r.columns, "training_time_ms"];
  const rows = r.leaderboard.map((row) => [String(row.model_id), ...r.columns.map((c) => num(row[c] as number)), String(row.training_time_ms)]);
  return [
    `AutoML ${r.project}: ${r.leaderboard.length} models in ${(r.elapsed_ms / 1000).toFixed(1)} s, sorted by ${r.sort_metric} (${r.leaderboard.length && r.nfolds > 0 ? `${r.nfolds}-fold cross-validation` : "holdout"} metrics); seed ${r.seed}`,
    plainTable(head, rows),
    `leader: ${r.leader}`,
    "",
  ].join("\n");
}
