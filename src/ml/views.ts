// Resident views (a training's binned or expanded copy of its frame, kept where the chunks
// are) freed when the training that built them ends, done or failed: a distributed executor
// then drops them on every node at once, instead of when the coordinator's garbage collector
// gets to their stand-ins. Every algorithm's training runs through this (registry.ts).

import type { ChunkLike, Chunked, Executor } from "../core/mr.ts";

/** Runs `work` with an executor that notes each resident view it builds, and releases them all when `work` ends. */
export async function releasingViews<T>(executor: Executor, work: (executor: Executor) => Promise<T>): Promise<T> {
  if (!executor.release) return work(executor);
  const views: Chunked<ChunkLike>[] = [];
  const tracking: Executor = {
    threads: executor.threads,
    async run(task, data, args, opts) {
      const out = await executor.run(task, data, args, opts);
      if (task.resident) views.push({ chunks: out as readonly ChunkLike[] });
      return out;
    },
    release: (view) => executor.release?.(view) ?? Promise.resolve(),
    viewShares: (data) => executor.viewShares?.(data) ?? null,
    close: () => executor.close(),
  };
  try {
    return await work(tracking);
  } finally {
    for (const view of views) await executor.release(view);
  }
}
