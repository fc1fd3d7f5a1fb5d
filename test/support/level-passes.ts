// An executor for tree tests that runs everything on another and shows it each level pass's
// arguments (how many passes a tree made, how large, how many histogram slots), and the
// name of every task it runs.

import type { ChunkLike, Chunked, Executor, RunOptions, Task } from "../../src/core/mr.ts";
import { type LevelArgs, LevelTask } from "../../src/ml/tree/histogram.ts";

export function watchLevelPasses(inner: Executor, see: (args: LevelArgs) => void, ran?: (task: string) => void): Executor {
  return {
    get threads() {
      return inner.threads;
    },
    run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts?: RunOptions): Promise<P> {
      if (task.name === LevelTask.name) see(args as unknown as LevelArgs);
      ran?.(task.name);
      return inner.run(task, data, args, opts);
    },
    close: () => Promise.resolve(),
  };
}
