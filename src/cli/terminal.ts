// What the CLI knows of the terminal it writes to: whether colour is wanted (only on a
// TTY, unless NO_COLOR or FORCE_COLOR say otherwise), how wide to wrap, and the warning
// line every command prints on stderr.

type Stream = { isTTY?: boolean; columns?: number };

/** Set and not empty: an empty variable counts as unset, as no-color.org says. */
const isSet = (name: string) => (process.env[name] ?? "") !== "";

/**
 * Colour on `stream`: FORCE_COLOR (not "0" or "false") turns it on, NO_COLOR off, else
 * only a TTY that is not TERM=dumb gets it. FORCE_COLOR wins over NO_COLOR, as in Node.
 */
export function colourOn(stream: Stream): boolean {
  if (isSet("FORCE_COLOR")) return !["0", "false"].includes(process.env.FORCE_COLOR as string);
  if (isSet("NO_COLOR")) return false;
  return stream.isTTY === true && process.env.TERM !== "dumb";
}

/** Columns to wrap text at: the terminal's width (at most 120), 80 when not a TTY. */
export function widthOf(stream: Stream): number {
  return stream.isTTY && stream.columns ? Math.max(40, Math.min(stream.columns, 120)) : 80;
}

/** ANSI styles that are no-ops when colour is off. */
export function styles(on: boolean) {
  const style = (open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { bold: style(1, 22), cyan: style(36, 39), gray: style(90, 39), yellow: style(33, 39) };
}

/** A line of progress news on stderr: `floe: message`. */
export function note(message: string): void {
  process.stderr.write(`floe: ${message}\n`);
}

/** A warning on stderr: `floe: warning: message`, the label yellow on a colour terminal. */
export function warn(message: string): void {
  process.stderr.write(`floe: ${styles(colourOn(process.stderr)).yellow("warning:")} ${message}\n`);
}
