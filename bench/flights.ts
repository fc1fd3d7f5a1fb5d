// What the flights benchmarks share: the seeded 80/20 split of flights-3m (npm
// vega-datasets) written once to CSV, the Debian Python peers installed when missing, and
// the floe CLI run as a subprocess with its peak memory.
//   columns  hour, dow, month, distance, origin, destination, delayed = delay > 15 min

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

export const root = join(import.meta.dir, "..");
export const out = join(root, "bench", "out");
export const train = join(out, "flights-train.csv");
export const test = join(out, "flights-test.csv");
/** Debian's Python, which has the peers (the python3 on PATH does not). */
export const PY = "/usr/bin/python3";

/** Writes the split when missing; returns the training rows. */
export async function prepareFlights(): Promise<number> {
  mkdirSync(out, { recursive: true });
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  if (!existsSync(train) || !existsSync(test)) {
    const parquet = join(root, "node_modules", "vega-datasets", "data", "flights-3m.parquet");
    const rows = `SELECT hour(date) AS hour, dayofweek(date) AS dow, month(date) AS month, distance, origin, destination,
      CASE WHEN delay > 15 THEN 'yes' ELSE 'no' END AS delayed,
      hash(date, delay, distance, origin, destination, 1234) % 5 AS part FROM '${parquet}'`;
    await con.run(`COPY (SELECT * EXCLUDE (part) FROM (${rows}) WHERE part <> 0) TO '${train}' (HEADER)`);
    await con.run(`COPY (SELECT * EXCLUDE (part) FROM (${rows}) WHERE part = 0) TO '${test}' (HEADER)`);
  }
  return Number((await con.runAndReadAll(`SELECT count(*) FROM read_csv('${train}')`)).getRows()[0][0]);
}

/** Installs Debian `packages` unless Python can already import `modules`. */
export function ensurePeers(modules: string[], packages: string[]): void {
  const probe = Bun.spawnSync([PY, "-c", `import ${modules.join(", ")}`]);
  if (probe.exitCode === 0) return;
  console.error(`installing ${packages.join(" and ")} from Debian…`);
  const apt = Bun.spawnSync(["sh", "-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages.join(" ")}`], { stdout: "inherit", stderr: "inherit" });
  if (apt.exitCode !== 0) throw new Error("could not install the Python peers");
}

const cli = join(root, "src", "cli.ts");

/** `floe ...args` from source: its stdout and the process's peak RSS in MB. */
export function floe(args: string[]): { stdout: string; peakMB: number } {
  const r = Bun.spawnSync([process.execPath, cli, ...args], { stderr: "inherit" });
  if (r.exitCode !== 0) throw new Error(`floe ${args.join(" ")} failed`);
  return { stdout: r.stdout.toString(), peakMB: (r.resourceUsage?.maxRSS ?? 0) / 2 ** 20 };
}
