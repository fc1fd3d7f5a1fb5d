// Borderless, column-aligned text tables shared by the front ends (CLI, server views). Written out rather than drawn with a
// table library: cli-table3 took 44 s for the 10,000 rows of a wide `floe describe`.

/** Rows under a header, columns separated by two spaces, no trailing spaces. */
export function plainTable(head: readonly string[], rows: readonly (readonly (string | number)[])[], indent = ""): string {
  const cells = [head, ...rows].map((r) => r.map(String));
  const widths: number[] = [];
  for (const r of cells) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, Bun.stringWidth(c))));
  return cells
    .map(
      (r) =>
        indent +
        r
          .map((c, i) => c + " ".repeat(widths[i] - Bun.stringWidth(c)))
          .join("  ")
          .replace(/ +$/, ""),
    )
    .join("\n");
}

/** A number as the CLI prints it: six significant digits, integers whole. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "";
  if (Number.isInteger(x)) return String(x);
  return Number(x.toPrecision(6)).toString();
}
