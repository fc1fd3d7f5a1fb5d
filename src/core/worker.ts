// The worker side of the pool: holds the task and arguments of each run it is part of,
// and the chunks it was handed until the pool says to forget them; maps chunks and posts
// the partials back. The worker entry point (src/worker.ts) calls serveTasks with the
// registry of every task floe has.

import { type ErrorCode, errorToWire, FloeError } from "./errors.ts";
import { collectGarbage, sharedBytes } from "./memory.ts";
import type { AnyTask, ChunkLike, TaskRegistry } from "./mr.ts";

/**
 * A chunk in a map message: the chunk itself, with the id the worker keeps it by when it is
 * all shared memory; or the id alone of one the worker already keeps.
 */
export type ChunkRef = number | { readonly id: number; readonly chunk: ChunkLike } | { readonly id: null; readonly chunk: ChunkLike };

export type ToWorker =
  | { t: "begin"; run: number; task: string; args: unknown }
  /**
   * Map `chunks` (one, or a piece of a commutative task's) and fold them into one partial;
   * `into`: fold them into the worker's partial of the run instead, kept until collected.
   */
  | { t: "map"; run: number; index: number; chunks: readonly ChunkRef[]; into: boolean }
  /** Send the partial of the run the worker folded its pieces into (the identity when it has none). */
  | { t: "collect"; run: number }
  /**
   * A commutative run's chunks, all of them, for the workers to claim one at a time from the
   * shared counter `next` (Atomics.add) until none is left; the worker then sends the partial
   * it folded them into, as for a collect.
   */
  | { t: "claim"; run: number; chunks: readonly ChunkRef[]; next: Int32Array }
  | { t: "end"; run: number }
  /** The main thread let go of these chunks: stop keeping them. */
  | { t: "forget"; chunks: readonly number[] };

export type FromWorker =
  | { t: "done"; run: number; index: number; partial: unknown }
  /** A piece folded into the worker's partial of the run: how many chunks it had. */
  | { t: "mapped"; run: number; index: number; chunks: number }
  | { t: "collected"; run: number; partial: unknown }
  | { t: "fail"; run: number; index: number; error: { code: ErrorCode; message: string } };

declare const self: Worker;

/**
 * Shared memory a worker may hand back in partials before the end of a run asks for a
 * collection: the runtime does not count shared buffers in its heap, so a worker whose
 * garbage is mostly spent partials (a deep tree's level passes) would hold them all.
 */
const COLLECT_AFTER_BYTES = 128 * 1024 ** 2;

export function serveTasks(registry: TaskRegistry): void {
  /** Runs this worker is part of; `acc`: its partial of a commutative run, once it mapped a piece. */
  const runs = new Map<number, { name: string; task?: AnyTask; args: unknown; acc?: unknown }>();
  const kept = new Map<number, ChunkLike>();
  // Shared memory handed back in partials, or let go with forgotten chunks, since the last collection.
  let handedBack = 0;
  const chunkOf = (ref: ChunkRef): ChunkLike => {
    if (typeof ref !== "number") {
      if (ref.id !== null) kept.set(ref.id, ref.chunk);
      return ref.chunk;
    }
    const chunk = kept.get(ref);
    if (!chunk) throw new FloeError("internal", `the worker was sent chunk ${ref} by id but does not keep it`);
    return chunk;
  };
  self.onmessage = (e: MessageEvent<ToWorker>) => {
    const msg = e.data;
    switch (msg.t) {
      case "begin": {
        runs.set(msg.run, { name: msg.task, task: registry.get(msg.task), args: msg.args });
        return;
      }
      case "end":
        runs.delete(msg.run);
        if (handedBack >= COLLECT_AFTER_BYTES) {
          handedBack = 0;
          collectGarbage();
        }
        return;
      case "forget":
        for (const id of msg.chunks) {
          handedBack += sharedBytes(kept.get(id));
          kept.delete(id);
        }
        if (handedBack >= COLLECT_AFTER_BYTES) {
          handedBack = 0;
          collectGarbage();
        }
        return;
      case "map": {
        const run = runs.get(msg.run);
        const index = msg.index;
        let reply: FromWorker;
        if (!run?.task) {
          const message = `task '${run?.name ?? "?"}' is not in the workers' registry`;
          reply = { t: "fail", run: msg.run, index, error: { code: "internal", message } };
        } else {
          try {
            const { task, args } = run;
            const chunks = msg.chunks.map(chunkOf);
            if (msg.into) {
              run.acc = foldInto(task, args, run.acc, chunks);
              reply = { t: "mapped", run: msg.run, index, chunks: chunks.length };
            } else {
              const partial = foldInto(task, args, undefined, chunks);
              task.settle?.(partial);
              handedBack += sharedBytes(partial);
              reply = { t: "done", run: msg.run, index, partial };
            }
          } catch (err) {
            reply = { t: "fail", run: msg.run, index, error: errorToWire(err) };
          }
        }
        self.postMessage(reply);
        return;
      }
      case "claim": {
        const run = runs.get(msg.run);
        let reply: FromWorker;
        try {
          if (!run?.task) throw new FloeError("internal", `task '${run?.name ?? "?"}' is not in the workers' registry`);
          const { task, args } = run;
          const chunks = msg.chunks.map(chunkOf);
          let acc: unknown;
          for (let i = Atomics.add(msg.next, 0, 1); i < chunks.length; i = Atomics.add(msg.next, 0, 1)) acc = foldInto(task, args, acc, [chunks[i]]);
          const partial = acc === undefined ? task.empty(args) : acc;
          task.settle?.(partial);
          handedBack += sharedBytes(partial);
          reply = { t: "collected", run: msg.run, partial };
        } catch (err) {
          // The other workers claim no more of a failed run's chunks.
          Atomics.store(msg.next, 0, msg.chunks.length);
          reply = { t: "fail", run: msg.run, index: -1, error: errorToWire(err) };
        }
        self.postMessage(reply);
        return;
      }
      case "collect": {
        const run = runs.get(msg.run);
        let reply: FromWorker;
        try {
          if (!run?.task) throw new FloeError("internal", `task '${run?.name ?? "?"}' is not in the workers' registry`);
          const partial = run.acc === undefined ? run.task.empty(run.args) : run.acc;
          run.acc = undefined;
          run.task.settle?.(partial);
          handedBack += sharedBytes(partial);
          reply = { t: "collected", run: msg.run, partial };
        } catch (err) {
          reply = { t: "fail", run: msg.run, index: -1, error: errorToWire(err) };
        }
        self.postMessage(reply);
        return;
      }
    }
  };
}

/** `chunks` mapped and folded onto `acc` (a partial of this worker's, or none yet). */
function foldInto(task: AnyTask, args: unknown, acc: unknown, chunks: readonly ChunkLike[]): unknown {
  if (task.mapInto) {
    const into = acc === undefined ? task.empty(args) : acc;
    for (const chunk of chunks) task.mapInto(into, chunk, args);
    return into;
  }
  let partial = acc;
  for (const chunk of chunks) partial = partial === undefined ? task.map(chunk, args) : task.reduce(partial, task.map(chunk, args));
  return partial;
}
