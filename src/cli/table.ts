// Borderless, column-aligned text tables for the CLI (cli-table3 without its box).

import Table from "cli-table3";

const NO_BORDER = {
  top: "", "top-mid": "", "top-left": "", "top-right": "", bottom: "", "bottom-mid": "", "bottom-left": "",
  "bottom-right": "", left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "  ",
};

/** Rows under a header, columns separated by two spaces, no trailing spaces. */
export function plainTable(head: readonly string[], rows: readonly (readonly (string | number)[])[], indent = ""): string {
  const table = new Table({ head: [...head], chars: NO_BORDER, style: { head: [], border: [], "padding-left": 0, "padding-right": 0 } });
  for (const r of rows) table.push(r.map(String));
  return table
    .toString()
    .split("\n")
    .map((line) => indent + line.replace(/ +$/, ""))
    .join("\n");
}

/** A number as the CLI prints it: six significant digits, integers whole. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "";
  if (Number.isInteger(x)) return String(x);
  return Number(x.toPrecision(6)).toString();
}
