// bench/tree-ab: the tree code of several checkouts (git worktrees) trained in one process on
// the flights split, alternating, on one thread: CPU milliseconds a tree by phase (gradient
// pass, root pass, deeper levels, other passes, the rest) for each, every run and the median.
// On a shared machine the load changes between processes far more than between two
// trainings seconds apart in one process, so an A/B here needs fewer runs than
// bench/tree-phases in alternating processes. One thread only: a pool's workers would run one
// checkout's tasks for both.
// Usage: bun bench/tree-ab.ts rounds ntrees max_depth dirA dirB ...
//   e.g. git worktree add /tmp/before HEAD~1; bun bench/tree-ab.ts 5 10 6 /tmp/before .

import { resolve } from "node:path";
import type { ChunkLike, Chunked, Executor, RunOptions, Task } from "../src/core/mr.ts";
import type { Algorithm } from "../src/ml/algorithm.ts";
import type { TreeModel } from "../src/ml/tree/model.ts";
import { FloeNode } from "../src/runtime.ts";
import { prepareFlights, train } from "./flights.ts";

const [rounds = "5", ntrees = "10", depth = "6", ...args] = process.argv.slice(2);
const dirs = (args.length ? args : ["."]).map((d) => resolve(d));
const trees = Number(ntrees);
const registries: { algorithm(name: string): Algorithm | undefined }[] = await Promise.all(dirs.map((d) => import(`${d}/src/ml/registry.ts`)));
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** An executor that adds up the CPU time of its runs by phase. */
function timed(inner: Executor, spent: Map<string, number>): Executor {
  return {
    get threads() {
      return inner.threads;
    },
    async run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, a: A, opts?: RunOptions): Promise<P> {
      const level = task.name === "ml.tree.level";
      const phase = level ? ((a as { root: unknown }).root ? "root pass" : "deeper levels") : task.name === "ml.tree.gradients" ? "gradients" : "other passes";
      const before = cpu();
      const out = await inner.run(task, data, a, opts);
      spent.set(phase, (spent.get(phase) ?? 0) + cpu() - before);
      return out;
    },
    close: () => Promise.resolve(),
  };
}

await prepareFlights();
const node = new FloeNode({ threads: 1 });
const { frame } = await node.importFrame({ kind: "file", path: train }).done;
const runs = dirs.map(() => new Map<string, number[]>());
for (let r = 0; r < Number(rounds); r++) {
  for (let d = 0; d < dirs.length; d++) {
    const spent = new Map<string, number>();
    const gbm = registries[d].algorithm("gbm");
    if (!gbm) throw new Error(`${dirs[d]} has no gbm`);
    const before = cpu();
    const { model } = await gbm.train(timed(node.executor, spent), {
      frame,
      y: "delayed",
      x: null,
      params: { ntrees: trees, max_depth: Number(depth), seed: 1, score_tree_interval: trees },
      modelId: "ab",
    });
    const total = cpu() - before;
    spent.set("the rest", total - [...spent.values()].reduce((a, b) => a + b, 0));
    spent.set("total", total);
    for (const [phase, ms] of spent) runs[d].set(phase, [...(runs[d].get(phase) ?? []), ms / trees]);
    const auc = ((model as TreeModel).metrics.training as { AUC?: number } | null)?.AUC;
    console.log(`round ${r + 1} ${dirs[d]}: ${(total / trees).toFixed(1)} ms a tree, training AUC ${auc}`);
  }
}
for (let d = 0; d < dirs.length; d++) {
  console.log(`${dirs[d]}: CPU ms a tree, median and runs`);
  for (const [phase, v] of runs[d]) {
    const median = [...v].sort((a, b) => a - b)[v.length >> 1];
    console.log(`  ${phase.padEnd(16)}${median.toFixed(1).padStart(8)}   ${v.map((x) => x.toFixed(1)).join(" ")}`);
  }
}
await node.close();
