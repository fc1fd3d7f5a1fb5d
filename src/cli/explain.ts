// `floe explain MODEL.floe [MODEL2.floe ...] DATA --out report.html`: H2O's h2o.explain as one
// self-contained HTML page (or its numbers as JSON with --json), for one model or several
// (a leaderboard's models: files, or a directory of .floe files) on the data given.

import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { FloeError } from "../core/errors.ts";
import { EXPLANATIONS, type Explanation, explainData } from "../ml/explain/report-data.ts";
import { loadModel } from "../ml/modelfile.ts";
import type { Model } from "../ml/scoring.ts";
import { explainReportHtml } from "../present/explain-report.ts";
import { FloeNode } from "../runtime.ts";
import { VERSION } from "../version.ts";
import { ingestArgs, ingestOptions, intFlag, listFlag, sourceFromArgs } from "./ingest-args.ts";
import { checkWritable } from "./out-path.ts";
import { progressBar } from "./progress.ts";
import { action } from "./run.ts";
import { note, warn } from "./terminal.ts";

// The data is the last positional argument (a file or -), not a query.
const { file: _file, sql: _sql, ...dataArgs } = ingestArgs;

/** The model files a path names: the file itself, or every .floe file of a directory (sorted by name). */
function modelPaths(path: string): string[] {
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return [path];
  const found = readdirSync(path)
    .filter((f) => f.endsWith(".floe"))
    .sort()
    .map((f) => join(path, f));
  if (found.length === 0) throw new FloeError("not_found", `${path}: a directory without .floe model files`);
  return found;
}

function explanationsFlag(flag: string, value: unknown): Explanation[] | undefined {
  const list = listFlag(value);
  if (!list) return undefined;
  for (const e of list) {
    if (!(EXPLANATIONS as readonly string[]).includes(e)) throw new FloeError("invalid_argument", `--${flag}: unknown explanation '${e}'; use ${EXPLANATIONS.join(", ")}`);
  }
  return list as Explanation[];
}

function rowsFlag(value: unknown): number[] | undefined {
  const list = listFlag(value);
  if (!list) return undefined;
  return list.map((r) => {
    const n = Number(r);
    if (!Number.isInteger(n) || n < 0) throw new FloeError("invalid_argument", `--rows must list row numbers (0-based), got '${r}'`);
    return n;
  });
}

export const explainCommand = defineCommand({
  meta: { name: "explain", description: "Explain models on data (H2O's explain): an HTML report that opens offline, or the numbers as JSON" },
  args: {
    inputs: { type: "positional", required: true, description: "MODEL.floe ... DATA", valueHint: "model.floe data" },
    out: { type: "string", description: "write the report here (.html), or the JSON when the name ends in .json", valueHint: "file" },
    json: { type: "boolean", description: "the report's numbers as JSON (on stdout unless --out names a .json file)" },
    columns: { type: "string", description: "columns of the PDP, ICE and SHAP sections, comma-separated (default: the top features by importance)", valueHint: "a,b" },
    "top-n-features": { type: "string", description: "how many of the most important columns to explain when --columns is not given [default 5]", valueHint: "n" },
    rows: { type: "string", description: "rows (0-based) explained one by one, comma-separated [default 0]", valueHint: "1,2" },
    "include-explanations": { type: "string", description: `only these sections: ${EXPLANATIONS.join(", ")}`, valueHint: "list" },
    "exclude-explanations": { type: "string", description: "leave these sections out", valueHint: "list" },
    seed: { type: "string", description: "seed of sampled explanations (local surrogates) [default 42]", valueHint: "n" },
    ...dataArgs,
  },
  run: ({ args }) =>
    action(async () => {
      const inputs = (args as { files?: string[] }).files ?? [String(args.inputs)];
      if (inputs.length < 2) throw new FloeError("invalid_argument", "give one or more model files and then the data: floe explain MODEL.floe DATA --out report.html");
      const data = inputs[inputs.length - 1];
      const out = args.out === undefined ? undefined : String(args.out);
      const jsonFile = out?.toLowerCase().endsWith(".json") ?? false;
      if (!out && !args.json) throw new FloeError("invalid_argument", "say where the report goes: --out report.html (or --json for the numbers)");
      if (out) checkWritable("--out", out);
      const seed = args.seed === undefined ? 42 : Number(args.seed);
      if (!Number.isSafeInteger(seed)) throw new FloeError("invalid_argument", `--seed must be an integer, got '${args.seed}'`);
      const options = {
        columns: listFlag(args.columns),
        topNFeatures: intFlag("top-n-features", args["top-n-features"]),
        rows: rowsFlag(args.rows),
        include: explanationsFlag("include-explanations", args["include-explanations"]),
        exclude: explanationsFlag("exclude-explanations", args["exclude-explanations"]),
        seed,
      };
      const models: Model[] = inputs.slice(0, -1).flatMap(modelPaths).map(loadModel);
      const node = new FloeNode({ threads: intFlag("threads", args.threads) });
      const { source, cleanup } = await sourceFromArgs({ ...args, file: data, files: [data] });
      const bar = progressBar("explain");
      const aborter = new AbortController();
      process.once("SIGINT", () => aborter.abort());
      try {
        const imported = node.importFrame(source, { ...ingestOptions(args), onWarning: (m: string) => warn(m) });
        aborter.signal.addEventListener("abort", () => imported.job.cancel());
        const { frame } = await imported.done;
        const report = await explainData(node.executor, models, frame, { ...options, signal: aborter.signal, onProgress: (f) => bar.update(f) });
        bar.stop();
        for (const n of report.notes) note(n);
        const json = `${JSON.stringify(report)}\n`;
        if (args.json && !jsonFile) process.stdout.write(json);
        if (out) {
          writeFileSync(out, jsonFile ? json : explainReportHtml(report, `floe ${VERSION}`));
          note(`wrote ${out}`);
        }
      } finally {
        bar.stop();
        cleanup();
        await node.close();
      }
    }),
});
