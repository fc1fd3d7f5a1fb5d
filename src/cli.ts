#!/usr/bin/env bun
// The floe command line: parses flags and calls the core; results go to stdout, logs and
// progress to stderr. Subcommands load lazily so `floe --version` starts fast. Every
// command's arguments go through the one check in cli/argv.ts before citty parses them.

import { type ArgsDef, type CommandDef, parseArgs } from "citty";
import { FloeError } from "./core/errors.ts";
import { checkArgv, closest } from "./cli/argv.ts";
import { commandHelp, type HelpStyle, mainHelp } from "./cli/help.ts";
import { action } from "./cli/run.ts";
import { colourOn, widthOf } from "./cli/terminal.ts";
import { VERSION } from "./version.ts";

const DESCRIPTION = "Distributed in-memory machine learning: one binary, DuckDB ingest, Arrow frames";

// biome-ignore lint/suspicious/noExplicitAny: each command declares its own ArgsDef
type AnyCommand = CommandDef<any>;

interface Command {
  readonly load: () => Promise<AnyCommand>;
  /** The data file argument may repeat (`floe describe part-*.csv`, expanded by the shell). */
  readonly files?: boolean;
  /** What the help says of the repeated argument (default: several files are read as one frame). */
  readonly filesNote?: string;
}

const COMMANDS: Record<string, Command> = {
  describe: { load: () => import("./cli/describe.ts").then((m) => m.describeCommand), files: true },
  train: { load: () => import("./cli/train.ts").then((m) => m.trainCommand), files: true },
  automl: { load: () => import("./cli/automl.ts").then((m) => m.automlCommand), files: true },
  predict: { load: () => import("./cli/predict.ts").then((m) => m.predictCommand) },
  eval: { load: () => import("./cli/predict.ts").then((m) => m.evalCommand) },
  status: { load: () => import("./cli/cluster.ts").then((m) => m.statusCommand) },
  shutdown: { load: () => import("./cli/cluster.ts").then((m) => m.shutdownCommand) },
  serve: { load: () => import("./cli/serve.ts").then((m) => m.serveCommand) },
  explain: {
    load: () => import("./cli/explain.ts").then((m) => m.explainCommand),
    files: true,
    filesNote: "model files (.floe), one or more, then the data: the last argument is the data (a file, or - for stdin)",
  },
};

const BUILTINS: [string, string][] = [
  ["help", "Show the commands, or a command's options: floe help [COMMAND]"],
  ["version", "Print floe's version"],
];

const helpStyle = (): HelpStyle => ({ width: widthOf(process.stdout), colour: colourOn(process.stdout) });

function command(name: string): Command {
  const found = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (found) return found;
  const suggestion = closest(name, [...Object.keys(COMMANDS), ...BUILTINS.map(([n]) => n)]);
  throw new FloeError("invalid_argument", `unknown command '${name}'${suggestion ? ` (did you mean ${suggestion}?)` : ""}; run floe help for the list`);
}

async function printCommandHelp(name: string): Promise<void> {
  const cmd = command(name);
  const def = await cmd.load();
  const meta = (await def.meta) as { description?: string } | undefined;
  process.stdout.write(commandHelp(name, meta?.description ?? "", ((await def.args) ?? {}) as ArgsDef, helpStyle(), cmd.files, cmd.filesNote));
}

async function printMainHelp(): Promise<void> {
  const rows: [string, string][] = [];
  for (const [name, c] of Object.entries(COMMANDS)) rows.push([name, ((await (await c.load()).meta) as { description?: string })?.description ?? ""]);
  process.stdout.write(mainHelp(DESCRIPTION, VERSION, [...rows, ...BUILTINS], helpStyle()));
}

function noMoreArguments(name: string, rest: readonly string[]): void {
  if (rest.length) throw new FloeError("invalid_argument", `unexpected argument '${rest[0]}' after ${name}`);
}

/** Runs one command line: a builtin (help, version) or a command with its checked arguments. */
async function main(argv: readonly string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") return printMainHelp();
  if (name === "--version" || name === "-v" || name === "version") {
    noMoreArguments(name, rest);
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  if (name === "help") {
    if (rest.length > 1) noMoreArguments(`help ${rest[0]}`, rest.slice(1));
    return rest.length ? printCommandHelp(rest[0]) : printMainHelp();
  }
  const cmd = command(name);
  const def = await cmd.load();
  const argsDef = ((await def.args) ?? {}) as ArgsDef;
  const checked = checkArgv(rest, argsDef, { command: name, repeatLast: cmd.files });
  if (checked.help) return printCommandHelp(name);
  const args = parseArgs(checked.argv, argsDef) as Record<string, unknown>;
  // Every data file given (citty keeps only the first in `file`).
  if (cmd.files) args.files = checked.positionals;
  await def.run?.({ rawArgs: [...rest], args: args as never, cmd: def });
}

// A closed pipe (`floe describe x.csv | head`) ends the output, not the process with a trace;
// process.exit runs the 'exit' handlers that remove temporary files.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});
// Stopped by a signal: exit as a shell reports it (128 + the signal's number), through the
// same 'exit' handlers. A command that listens itself (SIGINT cancels a running job, serve
// stops gracefully on SIGTERM) handles the signal instead. Ctrl-C says what a cancelled job
// says, whenever it comes.
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
] as const) {
  process.on(signal, () => {
    if (process.listenerCount(signal) !== 1) return;
    if (signal === "SIGINT") process.stderr.write("floe: cancelled by the user\n");
    process.exit(code);
  });
}

await action(() => main(process.argv.slice(2)));
