// bench/startup: warm start-up of the single binary (`floe --version`, and `floe describe`
// of a small file) against a bare Node.js start (`node -e 0`) in the same run.
// Builds dist/floe first when it is missing. Usage: npm run bench:startup

import { existsSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const exe = join(root, "dist", "floe");
if (!existsSync(exe)) {
  const build = Bun.spawnSync([process.execPath, join(root, "scripts", "build.ts")], { stderr: "inherit" });
  if (build.exitCode !== 0) process.exit(1);
}

/** Median wall time of `runs` runs of a command, after two warm-up runs. */
function time(cmd: string[], runs = 15): { ms: number; peakRssMB: number } {
  const walls: number[] = [];
  let peak = 0;
  for (let i = 0; i < runs + 2; i++) {
    const t = performance.now();
    const r = Bun.spawnSync(cmd, { stdout: "ignore", stderr: "ignore" });
    if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed`);
    if (i >= 2) walls.push(performance.now() - t);
    peak = Math.max(peak, (r.resourceUsage?.maxRSS ?? 0) / 2 ** 20); // bytes
  }
  walls.sort((a, b) => a - b);
  return { ms: walls[Math.floor(walls.length / 2)], peakRssMB: peak };
}

const node = time(["node", "-e", "0"]);
const version = time([exe, "--version"]);
const describe = time([exe, "describe", join(root, "fixtures", "iris.csv")], 7);
console.log("bench/startup: median of warm runs");
console.log(`  node -e 0                 ${node.ms.toFixed(1)} ms  peak RSS ${node.peakRssMB.toFixed(0)} MB`);
console.log(`  floe --version            ${version.ms.toFixed(1)} ms  peak RSS ${version.peakRssMB.toFixed(0)} MB  ratio to node ${(version.ms / node.ms).toFixed(2)}x (target < 150 ms)`);
console.log(`  floe describe iris.csv    ${describe.ms.toFixed(1)} ms  peak RSS ${describe.peakRssMB.toFixed(0)} MB`);
