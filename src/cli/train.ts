// `floe train`: read data, train a model of any registered algorithm, print its summary and metrics,
// optionally save it. Every algorithm parameter is a flag, H2O's name in kebab-case.

import { type ArgsDef, defineCommand } from "citty";
import type { ParamValue } from "../api/types.ts";
import { FloeError } from "../core/errors.ts";
import type { Frame } from "../core/frame.ts";
import { split } from "../core/ops.ts";
import { randomSeed } from "../core/rng.ts";
import { computeRollups } from "../core/rollups.ts";
import type { ParamSpec } from "../ml/params.ts";
import { ALGORITHMS, algorithm } from "../ml/registry.ts";
import { saveModel } from "../ml/modelfile.ts";
import type { Model } from "../ml/scoring.ts";
import { FloeNode } from "../runtime.ts";
import { VERSION } from "../version.ts";
import { ingestArgs, ingestOptions, intFlag, listFlag, sourceFromArgs } from "./ingest-args.ts";
import { modelJson, modelText } from "../present/model.ts";
import { progressBar } from "./progress.ts";
import { remoteArgs } from "./remote-args.ts";
import { checkWritable } from "./out-path.ts";
import { action } from "./run.ts";
import { warn } from "./terminal.ts";

const kebab = (s: string) => s.replaceAll("_", "-");

/**
 * One flag per parameter of any algorithm (the chosen one checks its own): a boolean flag
 * for a bool parameter, otherwise a string; the help names the algorithms that have it,
 * the allowed values of an enum, and the default.
 */
const paramArgs: ArgsDef = {};
for (const name of new Set(ALGORITHMS.flatMap((a) => a.params.map((p) => p.name)))) {
  if (name === "seed") continue;
  const owners = ALGORITHMS.filter((a) => a.params.some((p) => p.name === name));
  const specs = owners.map((a) => a.params.find((p) => p.name === name) as ParamSpec);
  const values = [...new Set(specs.flatMap((p) => p.values ?? []))];
  const defaults = new Set(specs.map((p) => p.default));
  const owned =
    defaults.size === 1
      ? `${owners.map((a) => a.name).join(", ")}${specs[0].default === null ? "" : `; default ${specs[0].default}`}`
      : owners.map((a, i) => `${a.name}${specs[i].default === null ? "" : ` ${specs[i].default}`}`).join(", ");
  const description = [specs[0].help, values.length ? `One of: ${values.join(", ")}.` : "", `[${owned}]`];
  const type = specs[0].type === "bool" ? "boolean" : "string";
  paramArgs[kebab(name)] = { type, description: description.filter(Boolean).join(" "), ...(type === "string" ? { valueHint: specs[0].type } : {}) };
}

export const trainCommand = defineCommand({
  meta: { name: "train", description: `Train a model (${ALGORITHMS.map((a) => a.name).join(", ")}) and print its metrics` },
  args: {
    ...ingestArgs,
    y: { type: "string", description: "response column (supervised algorithms)", valueHint: "col" },
    algo: { type: "string", default: "gbm", description: `algorithm: ${ALGORITHMS.map((a) => a.name).join(" | ")}` },
    x: { type: "string", description: "predictor columns, comma-separated (default: all others)", valueHint: "a,b,c" },
    valid: { type: "string", description: "validation data file", valueHint: "file" },
    split: { type: "string", description: "train on this fraction of the rows, validate on the rest", valueHint: "ratio" },
    seed: { type: "string", description: "random seed for the split and the algorithm (default: drawn and reported)", valueHint: "n" },
    out: { type: "string", description: "write the model to this .floe file", valueHint: "file" },
    json: { type: "boolean", description: "print the model as JSON" },
    ...remoteArgs,
    ...paramArgs,
  },
  run: ({ args }) =>
    action(async () => {
      const algo = algorithm(String(args.algo));
      if (!algo) throw new FloeError("invalid_argument", `--algo '${args.algo}' is not one of ${ALGORITHMS.map((a) => a.name).join(", ")}`);
      if (args.valid && args.split) throw new FloeError("invalid_argument", "give either --valid or --split, not both");
      if (args.out) checkWritable("--out", String(args.out));
      const seed = args.seed === undefined ? randomSeed() : Number(args.seed);
      if (!Number.isSafeInteger(seed)) throw new FloeError("invalid_argument", `--seed must be an integer, got '${args.seed}'`);
      if (args.split !== undefined && !(Number(args.split) > 0 && Number(args.split) < 1)) {
        throw new FloeError("invalid_argument", `--split must be a fraction of the rows in (0, 1), got '${args.split}'`);
      }
      const params: Record<string, ParamValue> = { seed };
      for (const p of ALGORITHMS.flatMap((a) => a.params)) {
        const v = (args as Record<string, unknown>)[kebab(p.name)];
        if (v === undefined || p.name === "seed") continue;
        if (!algo.params.some((q) => q.name === p.name)) throw new FloeError("invalid_argument", `${algo.name} has no parameter --${kebab(p.name)}`);
        params[p.name] = v as string | boolean; // citty gives a string, or a boolean for a bool flag
      }
      const y = args.y === undefined ? null : String(args.y);
      const x = listFlag(args.x);
      if (args.url !== undefined) {
        const { remoteTrain } = await import("./remote.ts");
        return report(await remoteTrain(args, { algo: algo.name, y, x, seed, params, valid: args.valid, split: args.split }), args);
      }
      const node = new FloeNode({ threads: intFlag("threads", args.threads) });
      const { source, cleanup } = await sourceFromArgs(args);
      const bar = progressBar(`train ${algo.name}`);
      const ingest = { ...ingestOptions(args), onWarning: (m: string) => warn(m) };
      let cancel = () => {};
      process.once("SIGINT", () => cancel());
      try {
        let { frame } = await follow(node.importFrame(source, ingest), (c) => (cancel = c));
        let valid: Frame | null = null;
        if (args.valid) valid = (await follow(node.importFrame({ kind: "file", path: args.valid }, ingest), (c) => (cancel = c))).frame;
        if (args.split !== undefined) {
          const ratio = Number(args.split);
          const [a, b] = await split(node.executor, frame, [ratio], seed);
          if (a.rows === 0 || b.rows === 0) throw new FloeError("bad_input", `--split ${ratio} leaves ${a.rows === 0 ? "no training" : "no validation"} rows`);
          frame = a.withRollups(await computeRollups(node.executor, a));
          valid = b.withRollups(await computeRollups(node.executor, b));
        }
        const { job, done } = node.train(algo, { frame, y, x, params, valid });
        job.onChange((j) => bar.update(j.progress));
        cancel = () => job.cancel();
        const { model } = await done;
        bar.stop();
        report(model, args);
      } finally {
        bar.stop();
        cleanup();
        await node.close();
      }
    }),
});

/** Saves the model when --out asks, and prints its report. */
function report(model: Model, args: { out?: string; json?: boolean }): void {
  if (args.out) saveModel(String(args.out), model, VERSION);
  process.stdout.write(args.json ? `${JSON.stringify(modelJson(model))}\n` : modelText(model));
}

/** Awaits an import job, letting Ctrl-C cancel it. */
async function follow<T>(started: { job: { cancel(): void }; done: Promise<T> }, setCancel: (c: () => void) => void): Promise<T> {
  setCancel(() => started.job.cancel());
  return started.done;
}
