// How every command ends: results on stdout, one line on stderr and a non-zero exit code
// on error. A FloeError's message is already written for the user; anything else is a
// bug in floe and says so.

import { asFloeError, type FloeError } from "../core/errors.ts";

function exitCode(e: FloeError): number {
  if (e.code === "cancelled") return 130; // as a shell reports SIGINT
  return e.code === "invalid_argument" ? 2 : 1;
}

/** Runs a command body; on error prints `floe: message` and sets the exit code. */
export async function action(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const e = asFloeError(err);
    const prefix = e.code === "internal" ? "floe: internal error: " : "floe: ";
    process.stderr.write(`${prefix}${e.message.split("\n")[0]}\n`);
    process.exitCode = exitCode(e);
  }
}
