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
  /** Map `chunks` (one, or a commutative task's share) and fold them into one partial. */
  | { t: "map"; run: number; index: number; chunks: readonly ChunkRef[] }
  | { t: "end"; run: number }
  /** The main thread let go of these chunks: stop keeping them. */
  | { t: "forget"; chunks: readonly number[] };

export type FromWorker = { t: "done"; run: number; index: number; partial: unknown } | { t: "fail"; run: number; index: number; error: { code: ErrorCode; message: string } };

declare const self: Worker;

/**
 * Shared memory a worker may hand back in partials before the end of a run asks for a
 * collection: the runtime does not count shared buffers in its heap, so a worker whose
 * garbage is mostly spent partials (a deep tree's level passes) would hold them all.
 */
const COLLECT_AFTER_BYTES = 128 * 1024 ** 2;

export function serveTasks(registry: TaskRegistry): void {
  const runs = new Map<number, { name: string; task?: AnyTask; args: unknown }>();
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
            let partial: unknown;
            if (task.mapInto) {
              partial = task.empty(args);
              for (const chunk of chunks) task.mapInto(partial, chunk, args);
            } else {
              partial = task.map(chunks[0], args);
              for (let i = 1; i < chunks.length; i++) partial = task.reduce(partial, task.map(chunks[i], args));
            }
            handedBack += sharedBytes(partial);
            reply = { t: "done", run: msg.run, index, partial };
          } catch (err) {
            reply = { t: "fail", run: msg.run, index, error: errorToWire(err) };
          }
        }
        self.postMessage(reply);
        return;
      }
    }
  };
}
