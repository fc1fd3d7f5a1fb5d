// Map/reduce over the chunks of a frame: the one abstraction that makes floe parallel
// and distributed (src/cluster/executor.ts is the cluster's Executor). A Task maps one chunk to a partial and reduces two partials;
// an Executor runs a task over the chunks of a frame (or of a view over one) and returns
// the merged partial. Algorithms call `executor.run(task, frame, args)` and cannot tell
// where the maps ran.
//
// Determinism: executors fold partials strictly in chunk order, whatever order the maps
// finished in, so a floating-point reduction gives the same bits on 1 or N threads.
// Tasks whose reduce is exact and commutative may be folded in any order (see Task).

import type { Chunk } from "./chunk.ts";
import { FloeError } from "./errors.ts";

/** What a task maps over: a frame's chunks, or per-chunk views derived from them. */
export interface ChunkLike {
  /** Position in the chunk list; partials are folded in this order. */
  readonly index: number;
}

/** Something made of chunks: a Frame, or a training view over one. */
export interface Chunked<C extends ChunkLike = Chunk> {
  readonly chunks: readonly C[];
}

export interface Task<A, P, C extends ChunkLike = Chunk> {
  /** Unique name: workers (and, later, remote nodes) look the task up by it. */
  readonly name: string;
  /**
   * The partial of one chunk. Must not mutate the chunk's data, except for per-row
   * working state the chunk-like view declares as such (leaf ids, scores).
   */
  map(chunk: C, args: A): P;
  /** Associative merge of two partials; must not mutate its inputs. */
  reduce(a: P, b: P): P;
  /** Identity of `reduce`: the result over no chunks. */
  empty(args: A): P;
  /**
   * True when `reduce` is exact and commutative (sums of integers held in doubles, max,
   * min): any merge order gives the same bits, so each worker may fold its own chunks
   * and send back one partial instead of one per chunk.
   */
  readonly commutative?: boolean;
  /**
   * For commutative tasks: adds a chunk's partial into `acc` in place, sparing a worker
   * a partial and a merge per chunk (large partials such as histograms).
   */
  mapInto?(acc: P, chunk: C, args: A): void;
  /**
   * For tasks with `mapInto`: completes a partial its mapInto calls may leave unfinished
   * (sums kept in a faster form beside it), once its last chunk is mapped and before it is
   * sent, merged or read. Executors call it once a partial.
   */
  settle?(acc: P): void;
  /** For commutative tasks: merges `b` into `acc` in place (both partials of this run). */
  mergeInto?(acc: P, b: P): void;
  /**
   * True when the partial is the chunk-likes the task builds, one per chunk, that later
   * tasks read and update (a training view). Locally nothing changes; a distributed
   * executor keeps them on the node that built them and hands back stand-ins.
   */
  readonly resident?: boolean;
}

// A registry holds tasks of every argument and partial type.
export type AnyTask = Task<any, any, any>;
export type TaskRegistry = ReadonlyMap<string, AnyTask>;

export function taskRegistry(tasks: readonly AnyTask[]): TaskRegistry {
  const map = new Map<string, AnyTask>();
  for (const t of tasks) {
    if (map.has(t.name)) throw new FloeError("internal", `two tasks are named '${t.name}'`);
    map.set(t.name, t);
  }
  return map;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Called after each chunk's map with the number of chunks done so far. */
  onProgress?: (done: number, total: number) => void;
}

/** What one node would hold of training views and has to hold them with (Executor.viewShares). */
export interface NodeShare {
  readonly node: string;
  /** The node the training runs on (it merges the partials the others send). */
  readonly self: boolean;
  /** Rows of each of the data it would hold in a view built over it. */
  readonly rows: readonly number[];
  /** Its workers. */
  readonly threads: number;
  /** Bytes it has free for a training. */
  readonly free: number;
}

export interface Executor {
  /** Maps that may run at once. */
  readonly threads: number;
  run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts?: RunOptions): Promise<P>;
  /**
   * Where views built over `data` (a training frame, a validation frame) by a resident task
   * would live: each node's rows of each and its free memory, so that a training checks
   * every node's share against that node's memory. Optional, and null for data on this
   * node: one node then holds every row, with the memory the training was given.
   */
  viewShares?(data: readonly Chunked<ChunkLike>[]): NodeShare[] | null;
  /**
   * Frees a view a resident task built, once its user is done with it: a distributed
   * executor drops it on every node now rather than when the view is garbage collected.
   * Optional: locally the view is freed with the objects themselves.
   */
  release?(view: Chunked<ChunkLike>): Promise<void>;
  close(): Promise<void>;
}

export function cancelledError(): FloeError {
  return new FloeError("cancelled", "cancelled by the user");
}

/**
 * Folds per-chunk partials in chunk order as they arrive in any order, holding only
 * those that arrived ahead of the next one due.
 */
export class OrderedFold<P> {
  /** The fold so far; undefined until the first partial (identity ⊕ p = p needs no merge). */
  private acc: P | undefined;
  private next = 0;
  private readonly early = new Map<number, P>();

  /**
   * `mergeInto`, when given, merges in place: only for partials the fold owns (they came
   * from workers and are not seen by anyone else).
   */
  /** `identity` is called only when no partial arrives (large identities are never built in vain). */
  constructor(
    private readonly reduce: (a: P, b: P) => P,
    private readonly identity: () => P,
    private readonly mergeInto?: (acc: P, b: P) => void,
  ) {}

  add(index: number, partial: P): void {
    this.early.set(index, partial);
    for (let p = this.early.get(this.next); p !== undefined; p = this.early.get(this.next)) {
      this.early.delete(this.next);
      if (this.acc === undefined) this.acc = p;
      else if (this.mergeInto) this.mergeInto(this.acc, p);
      else this.acc = this.reduce(this.acc, p);
      this.next++;
    }
  }

  get done(): number {
    return this.next + this.early.size;
  }

  get result(): P {
    return this.acc ?? this.identity();
  }
}

/**
 * Runs every map on the calling thread, yielding to the event loop before each chunk, so
 * that timers, requests and concurrent runs go on between maps.
 */
export class InlineExecutor implements Executor {
  readonly threads = 1;

  async run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts: RunOptions = {}): Promise<P> {
    if (task.commutative && task.mapInto) return this.runInto(task, data, args, opts);
    const fold = new OrderedFold(
      (a: P, b: P) => task.reduce(a, b),
      () => task.empty(args),
    );
    const total = data.chunks.length;
    // Folded by position: `data` may be any run of a frame's chunks (a cluster node's share).
    for (let i = 0; i < total; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (opts.signal?.aborted) throw cancelledError();
      fold.add(i, task.map(data.chunks[i], args));
      opts.onProgress?.(fold.done, total);
    }
    return fold.result;
  }

  /** A commutative task with `mapInto`: every chunk adds into one partial (no partial a chunk). */
  private async runInto<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts: RunOptions): Promise<P> {
    const acc = task.empty(args);
    const total = data.chunks.length;
    for (let i = 0; i < total; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (opts.signal?.aborted) throw cancelledError();
      task.mapInto?.(acc, data.chunks[i], args);
      opts.onProgress?.(i + 1, total);
    }
    task.settle?.(acc);
    return acc;
  }

  async close(): Promise<void> {}
}

/**
 * A task that only updates per-row working state of its chunks (scores, folds, weights);
 * its partial counts the chunks it updated.
 */
export function stateTask<A, C extends ChunkLike>(name: string, update: (chunk: C, args: A) => void): Task<A, number, C> {
  return {
    name,
    commutative: true,
    map(chunk, args) {
      update(chunk, args);
      return 1;
    },
    reduce: (a, b) => a + b,
    empty: () => 0,
  };
}
