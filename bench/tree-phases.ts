// bench/tree-phases: where a tree's time goes. Trains on the flights split (bench/flights.ts)
// timing every map/reduce pass by task (the level task split into the root pass, which for
// a bernoulli GBM also takes the gradients and adds the previous tree, and the deeper
// levels) and the grower's own work between passes (split finding), and prints
// milliseconds per tree for each: CPU time on one thread (inline, so a busy machine skews
// it less), wall time with more (THREADS=2).
// Usage: [THREADS=n] bun bench/tree-phases.ts [gbm|drf] [ntrees] [max_depth] [extra floe params as name=value ...]

import type { ChunkLike, Chunked, Executor, RunOptions, Task } from "../src/core/mr.ts";
import { algorithm } from "../src/ml/registry.ts";
import type { TreeModel } from "../src/ml/tree/model.ts";
import { FloeNode } from "../src/runtime.ts";
import { prepareFlights, train } from "./flights.ts";

const [algo = "gbm", ntrees = "20", depth = "6", ...extra] = process.argv.slice(2);

const threads = Number(process.env.THREADS ?? 1);
/** Milliseconds so far: of CPU on one thread, of wall time with more. */
const now = threads === 1 ? () => (process.cpuUsage().user + process.cpuUsage().system) / 1000 : () => performance.now();

/** An executor whose runs' time is added up by phase. */
class TimedExecutor implements Executor {
  readonly spent = new Map<string, number>();
  constructor(private readonly inner: Executor) {}
  get threads() {
    return this.inner.threads;
  }

  async run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts?: RunOptions): Promise<P> {
    const phase = task.name === "ml.tree.level" ? ((args as { root: unknown }).root ? "level: root pass" : "level: deeper levels") : task.name;
    const before = now();
    const out = await this.inner.run(task, data, args, opts);
    this.spent.set(phase, (this.spent.get(phase) ?? 0) + now() - before);
    return out;
  }

  async close(): Promise<void> {}
}

await prepareFlights();
const node = new FloeNode({ threads });
const { frame } = await node.importFrame({ kind: "file", path: train }).done;
const executor = new TimedExecutor(node.executor);
const params: Record<string, unknown> = { ntrees: Number(ntrees), max_depth: Number(depth), seed: 1, score_tree_interval: Number(ntrees) };
for (const kv of extra) {
  const [k, v] = kv.split("=");
  params[k] = Number.isNaN(Number(v)) ? v : Number(v);
}
const before = now();
const result = await (algorithm(algo) ?? process.exit(2)).train(executor, { frame, y: "delayed", x: null, params, modelId: "phases" });
const total = now() - before;
const trees = Number(ntrees);
const tasks = [...executor.spent.values()].reduce((a, b) => a + b, 0);
console.log(
  `${algo} ${trees} trees, depth ${depth}, ${frame.rows} rows, ${threads} thread(s): ${(total / 1000).toFixed(2)} s ${threads === 1 ? "CPU" : "wall"}, ${(total / trees).toFixed(1)} ms a tree`,
);
const rows = [...executor.spent.entries(), ["grower (split finding) and the rest", total - tasks] as [string, number]].sort((a, b) => b[1] - a[1]);
for (const [phase, ms] of rows) console.log(`  ${phase.padEnd(40)}${(ms / trees).toFixed(1).padStart(9)} ms/tree ${((100 * ms) / total).toFixed(1).padStart(6)}%`);
console.log(`trees: ${(result.model as TreeModel).iterations.length}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await node.close();
