// DuckDB's reader errors are several paragraphs long (the line, hints, the dialect, the
// SQL). Users get one line: the source, the line number where DuckDB knows it, and the
// reason in a few words. Anything not recognised keeps DuckDB's first line.

import { FloeError } from "./errors.ts";

interface Rule {
  readonly test: RegExp;
  readonly reason: (m: RegExpMatchArray) => string;
  readonly code?: "bad_input" | "not_found";
}

const RULES: readonly Rule[] = [
  { test: /Expected Number of Columns: (\d+) Found: (\d+)/, reason: (m) => `expected ${m[1]} columns, found ${m[2]} (ragged row)` },
  { test: /unterminated quote/i, reason: () => "unterminated quoted field" },
  { test: /Invalid unicode|not utf-8 encoded/i, reason: () => "invalid UTF-8 (the file is not UTF-8 encoded)" },
  {
    test: /Maximum line size of (\d+) bytes exceeded/,
    reason: (m) => `a line longer than ${Number(m[1]).toLocaleString("en-US")} bytes (a runaway quote or a huge field?)`,
  },
  {
    test: /Error when converting column "([^"]*)". Could not convert string "([^"]*)" to '([^']*)'/,
    reason: (m) => `column '${m[1]}': cannot read "${m[2]}" as ${m[3]}`,
  },
  { test: /No files found that match the pattern/, reason: () => "no such file", code: "not_found" },
  { test: /It was not possible to automatically detect the CSV parsing dialect/, reason: () => "cannot detect a CSV dialect (delimiter, quoting); is it CSV text?" },
  { test: /Input is not a GZIP stream|GZIP stream is truncated/i, reason: () => "the gzip data is corrupt or cut short" },
  { test: /No magic bytes found|not a parquet file/i, reason: () => "not a Parquet file" },
  { test: /too small to be a Parquet file|Footer length error/i, reason: () => "not a Parquet file (too short, or cut off)" },
  { test: /Malformed JSON.*?record\/value (\d+): ([^.\n]*)/, reason: (m) => `malformed JSON in record ${m[1]}: ${m[2].trim()}` },
  { test: /Malformed JSON.*? in line (\d+): ([^.\n]*)/, reason: (m) => `malformed JSON on line ${m[1]}: ${m[2].trim()}` },
  { test: /Out of Memory Error: ([^\n]*)/, reason: (m) => `out of memory: ${m[1]}` },
];

/**
 * A DuckDB error from reading `label`, as a one-line FloeError. `files` are the files read
 * with their labels: the message names the one DuckDB names (on its `file = ` line), and
 * never a path floe chose (the spool file of stdin or an upload) but its label.
 */
export function readerError(err: unknown, label: string, files: readonly { path: string; label: string }[] = []): FloeError {
  if (err instanceof FloeError) return err;
  let message = err instanceof Error ? err.message : String(err);
  const named = /^\s*file = (.*)$/m.exec(message)?.[1];
  const culprit = files.find((f) => f.path === named);
  for (const f of [...files].sort((a, b) => b.path.length - a.path.length)) message = message.replaceAll(f.path, f.label);
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const source = culprit?.label ?? label;
  const where = line ? `${source}: line ${line}` : source;
  for (const rule of RULES) {
    const m = message.match(rule.test);
    if (m) return new FloeError(rule.code ?? "bad_input", `${where}: ${rule.reason(m)}`);
  }
  // "CSV Error on Line: N" says only where; the reason is on a later line.
  const lines = message.split("\n").filter((l) => l.trim() && !/CSV Error on Line|^Original Line/.test(l));
  const first = (lines[0] ?? message).trim().replace(/^[A-Za-z ]+Error: /, "");
  return new FloeError("bad_input", `${where}: ${first}`);
}

/** A DuckDB error from running the user's SQL, as a one-line FloeError. */
export function sqlError(err: unknown): FloeError {
  if (err instanceof FloeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const remote = REMOTE_FILE.exec(message);
  if (remote) return remoteFile(`SQL: remote files (${remote[1]})`);
  return new FloeError("bad_input", `SQL: ${message.split("\n")[0].replace(/^Failed to extract statements: /, "")}`);
}

/** A path DuckDB would read through an extension (httpfs and the like), never loaded here. */
const REMOTE_FILE = /File (\S+:\/\/\S+) requires the extension/;

/** `what` (a remote path, or files named by one) refused: http(s), s3 and the like. */
export function remoteFile(what: string): FloeError {
  return new FloeError("unsupported", `${what} are not supported yet; download the file and read it locally`);
}
