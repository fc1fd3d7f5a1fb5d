// `floe help` and `floe COMMAND --help`: usage, arguments, options and commands in two
// columns, wrapped to the terminal's width (80 when piped) and coloured only where
// terminal.ts allows.

import type { ArgDef, ArgsDef } from "citty";
import { styles } from "./terminal.ts";

export interface HelpStyle {
  readonly width: number;
  readonly colour: boolean;
}

/** The widest left column; longer labels put their description on the next line. */
const MAX_LABEL = 28;

/** `text` broken into lines of at most `width` characters at spaces (longer words stand alone). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
}

/** Two columns: labels (coloured by `paint`) padded to a common width, descriptions wrapped beside them. */
function columns(rows: readonly [string, string][], style: HelpStyle, paint: (s: string) => string): string[] {
  const indent = 2;
  const labelWidth = Math.min(MAX_LABEL, Math.max(...rows.map(([l]) => l.length)));
  const textAt = indent + labelWidth + 2;
  const textWidth = Math.max(20, style.width - textAt);
  const out: string[] = [];
  for (const [label, text] of rows) {
    const wrapped = text ? wrap(text, textWidth) : [];
    const head = " ".repeat(indent) + paint(label);
    if (label.length > labelWidth || wrapped.length === 0) {
      out.push(head);
      for (const l of wrapped) out.push(" ".repeat(textAt) + l);
    } else {
      out.push(head + " ".repeat(textAt - indent - label.length) + wrapped[0]);
      for (const l of wrapped.slice(1)) out.push(" ".repeat(textAt) + l);
    }
  }
  return out;
}

function optionLabel(name: string, d: ArgDef): string {
  const flag = name.length === 1 ? `-${name}, --${name}` : `--${name}`;
  if (d.type === "boolean") return flag;
  const hint = d.valueHint ?? name;
  return `${flag} <${hint}>`;
}

function optionText(d: ArgDef): string {
  const parts = [d.description ?? ""];
  if (d.type === "enum" && d.options?.length) parts.push(`One of: ${d.options.join(", ")}.`);
  if (d.required === true && d.type !== "positional") parts.push("(required)");
  if (d.default !== undefined && d.type !== "positional") parts.push(`(default: ${d.default})`);
  return parts.filter(Boolean).join(" ");
}

/**
 * Help of one command: `floe NAME [options] ARGS`, its arguments and options. With
 * `repeatLast`, the last argument may be given several times (FILE...).
 */
export function commandHelp(command: string, description: string, def: ArgsDef, style: HelpStyle, repeatLast = false, repeatNote = "several files are read as one frame"): string {
  const s = styles(style.colour);
  const entries = Object.entries(def);
  const positionals = entries.filter(([, d]) => d.type === "positional");
  const options = entries.filter(([, d]) => d.type !== "positional");
  const usageArgs = positionals.map(([n, d], i) => {
    const name = `${n.toUpperCase()}${repeatLast && i === positionals.length - 1 ? "..." : ""}`;
    return d.required === false || d.default !== undefined ? `[${name}]` : name;
  });
  const lines = [...wrap(description, style.width), "", `${s.bold("Usage:")} floe ${command}${options.length ? " [options]" : ""}${usageArgs.map((a) => ` ${a}`).join("")}`];
  if (positionals.length) {
    const rows = positionals.map(([n, d]): [string, string] => [n.toUpperCase(), optionText(d)]);
    if (repeatLast) rows[rows.length - 1][1] += `; ${repeatNote}`;
    lines.push("", s.bold("Arguments:"), ...columns(rows, style, s.cyan));
  }
  const rows: [string, string][] = options.map(([n, d]) => [optionLabel(n, d), optionText(d)]);
  rows.push(["-h, --help", "show this help"]);
  lines.push("", s.bold("Options:"), ...columns(rows, style, s.cyan));
  const hasBoolean = options.some(([, d]) => d.type === "boolean");
  const note = `Flags may be spelled with underscores (H2O's --max_depth is --max-depth).${hasBoolean ? " A boolean flag takes --flag, --flag true|false or --no-flag." : ""}`;
  lines.push("", ...wrap(note, style.width));
  return `${lines.join("\n")}\n`;
}

/** Help of floe itself: what it is and its commands. */
export function mainHelp(description: string, version: string, commands: readonly [string, string][], style: HelpStyle): string {
  const s = styles(style.colour);
  const lines = [
    ...wrap(`${description} (floe ${version})`, style.width),
    "",
    `${s.bold("Usage:")} floe COMMAND [options]`,
    "",
    s.bold("Commands:"),
    ...columns(commands, style, s.cyan),
    "",
    ...wrap("Run `floe help COMMAND` or `floe COMMAND --help` for a command's options.", style.width),
  ];
  return `${lines.join("\n")}\n`;
}
