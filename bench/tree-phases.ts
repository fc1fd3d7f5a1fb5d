// bench/tree-phases: where a tree's time goes. Trains on the flights split (bench/flights.ts)
// on one thread, inline, timing every map/reduce pass by task (the level task split into the
// root pass and the deeper levels) and the grower's own work between passes (split
// finding), and prints milliseconds per tree for each. CPU time, so a busy machine skews
// it less than wall time.
// Usage: bun bench/tree-phases.ts [gbm|drf] [ntrees] [max_depth] [extra floe params as name=value ...]

import { type ChunkLike, type Chunked, type Executor, InlineExecutor, type RunOptions, type Task } from "../src/core/mr.ts";
import { algorithm } from "../src/ml/registry.ts";
import { FloeNode } from "../src/runtime.ts";
import { prepareFlights, train } from "./flights.ts";

const [algo = "gbm", ntrees = "20", depth = "6", ...extra] = process.argv.slice(2);

/** The inline executor, with the CPU time of each task's runs added up by phase. */
class TimedExecutor implements Executor {
  readonly threads = 1;
  readonly spent = new Map<string, number>();
  private readonly inner = new InlineExecutor();

  async run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts?: RunOptions): Promise<P> {
    const phase = task.name === "ml.tree.level" ? ((args as { root: unknown }).root ? "level: root pass" : "level: deeper levels") : task.name;
    const before = process.cpuUsage();
    const out = await this.inner.run(task, data, args, opts);
    const used = process.cpuUsage(before);
    this.spent.set(phase, (this.spent.get(phase) ?? 0) + (used.user + used.system) / 1000);
    return out;
  }

  async close(): Promise<void> {}
}

await prepareFlights();
const node = new FloeNode({ threads: 1 });
const { frame } = await node.importFrame({ kind: "file", path: train }).done;
const executor = new TimedExecutor();
const params: Record<string, unknown> = { ntrees: Number(ntrees), max_depth: Number(depth), seed: 1, score_tree_interval: Number(ntrees) };
for (const kv of extra) {
  const [k, v] = kv.split("=");
  params[k] = Number.isNaN(Number(v)) ? v : Number(v);
}
const before = process.cpuUsage();
const result = await (algorithm(algo) ?? process.exit(2)).train(executor, { frame, y: "delayed", x: null, params, modelId: "phases" });
const used = process.cpuUsage(before);
const total = (used.user + used.system) / 1000;
const trees = Number(ntrees);
const tasks = [...executor.spent.values()].reduce((a, b) => a + b, 0);
console.log(`${algo} ${trees} trees, depth ${depth}, ${frame.rows} rows, 1 thread: ${(total / 1000).toFixed(2)} s CPU, ${(total / trees).toFixed(1)} ms a tree`);
const rows = [...executor.spent.entries(), ["grower (split finding) and the rest", total - tasks] as [string, number]].sort((a, b) => b[1] - a[1]);
for (const [phase, ms] of rows) console.log(`  ${phase.padEnd(40)}${(ms / trees).toFixed(1).padStart(9)} ms/tree ${((100 * ms) / total).toFixed(1).padStart(6)}%`);
console.log(`trees: ${(result.model as { number_of_trees?: number }).number_of_trees ?? "?"}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await node.close();
