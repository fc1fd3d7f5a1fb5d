// Files for the shared-parse tests: a CSV file large enough to be cut in two (over twice
// MIN_PIECE_BYTES), and the same rows as a glob of four files. Its `city` levels come in a
// different order in each part, one more appearing late; `code` looks numeric in the first
// rows and has one value further down that is not a number. `clean` has the same rows with
// that value a number: every column's type is settled or enum-or-string, so each node reads
// its share once (ingest-share.ts).

import { writeFileSync } from "node:fs";
import { join } from "node:path";

const HEADER = "id,x,city,code,label";

function lines(from: number, to: number, clean = false): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const late = i >= 40_000;
    const city = late ? ["Zug", "Aarau", "Chur", "Basel"][i % 4] : ["Basel", "Bern", "Zug"][i % 3];
    const code = i === 50_001 && !clean ? "n/a?" : String(i % 97);
    const label = (i * 7919) % 1000 > 600 !== (city === "Zug") ? "yes" : "no";
    out.push(`${i},${(i * 7919) % 1000}.5,${city},${code},${label}`);
  }
  return out;
}

export const ROWS = 120_000;

/** Writes the files under `dir`: the large file's path, the glob of the parts, and the clean file's path. */
export function writeParseFixtures(dir: string): { big: string; parts: string; clean: string } {
  const big = join(dir, "big.csv");
  writeFileSync(big, `${[HEADER, ...lines(0, ROWS)].join("\n")}\n`);
  const clean = join(dir, "clean.csv");
  writeFileSync(clean, `${[HEADER, ...lines(0, ROWS, true)].join("\n")}\n`);
  const per = ROWS / 4;
  for (let k = 0; k < 4; k++) writeFileSync(join(dir, `part-${k}.csv`), `${[HEADER, ...lines(k * per, (k + 1) * per)].join("\n")}\n`);
  return { big, parts: join(dir, "part-*.csv"), clean };
}
