// The local executor: a pool of Bun Workers that run task maps over chunks whose
// buffers are SharedArrayBuffers, so a chunk crosses to a worker without a copy.
// Chunks are handed out one at a time to whichever worker is free; partials come back
// and are folded in chunk order (OrderedFold), so results never depend on scheduling.
// A commutative task instead sends each worker a contiguous share of the chunks in one
// message, and each worker returns one partial. Several runs may share the pool at once.
// A worker keeps the chunks it was sent whose buffers are all shared (so keeping them
// costs no copy), and later messages name them by id: cloning a share's chunk objects
// took a few milliseconds a message, a tenth of a GBM tree's time. The workers forget a
// chunk when the main thread lets go of it, or of its view (release).

import { asFloeError, errorFromWire, FloeError } from "./errors.ts";
import { type ChunkLike, type Chunked, cancelledError, type Executor, OrderedFold, type RunOptions, type Task } from "./mr.ts";
import type { ChunkRef, FromWorker, ToWorker } from "./worker.ts";

interface Run {
  readonly id: number;
  readonly taskName: string;
  readonly args: unknown;
  readonly fold: OrderedFold<unknown>;
  /** Messages (chunks, or shares of chunks) whose partials are awaited. */
  readonly total: number;
  readonly chunks: number;
  readonly opts: RunOptions;
  readonly resolve: (p: unknown) => void;
  readonly reject: (e: unknown) => void;
  failed: boolean;
  /** Fails the run on the caller's abort; removed when the run ends (the signal may outlive many runs). */
  onAbort?: () => void;
}

/** One message's work: a chunk, or for commutative tasks a share of chunks. */
interface Item {
  readonly run: Run;
  readonly index: number;
  readonly chunks: readonly ChunkLike[];
}

interface Slot {
  worker: Worker;
  /** Runs whose task and args this worker already holds. */
  readonly begun: Set<number>;
  /** Ids of the chunks this worker keeps. */
  readonly kept: Set<number>;
  busy: Item | null;
}

export class WorkerPool implements Executor {
  readonly threads: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Item[] = [];
  private readonly runs = new Map<number, Run>();
  private nextRunId = 1;
  private closed = false;
  /** Ids of chunks the workers may keep (all their buffers shared); null for the others. */
  private readonly chunkIds = new WeakMap<object, number | null>();
  private nextChunkId = 1;
  /** A kept chunk the main thread let go of is forgotten by the workers. */
  private readonly chunksGone = new FinalizationRegistry<number>((id) => this.forget([id]));

  /** `workerUrl` is the worker entry point, which serves the task registry. */
  constructor(
    private readonly workerUrl: string | URL,
    threads: number,
  ) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new FloeError("invalid_argument", `threads must be a positive integer, got ${threads}`);
    }
    this.threads = threads;
  }

  run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts: RunOptions = {}): Promise<P> {
    if (this.closed) return Promise.reject(new FloeError("internal", "the worker pool is closed"));
    if (opts.signal?.aborted) return Promise.reject(cancelledError());
    const chunks = data.chunks;
    if (chunks.length === 0) return Promise.resolve(task.empty(args));
    const shares = task.commutative ? shareOut(chunks, this.threads) : chunks.map((c) => [c]);
    return new Promise<P>((resolve, reject) => {
      const run: Run = {
        id: this.nextRunId++,
        taskName: task.name,
        args,
        fold: new OrderedFold<unknown>(
          (a, b) => task.reduce(a as P, b as P),
          () => task.empty(args),
          task.commutative && task.mergeInto ? (acc, b) => task.mergeInto?.(acc as P, b as P) : undefined,
        ),
        total: shares.length,
        chunks: chunks.length,
        opts,
        resolve: resolve as (p: unknown) => void,
        reject,
        failed: false,
      };
      this.runs.set(run.id, run);
      run.onAbort = () => this.fail(run, cancelledError());
      opts.signal?.addEventListener("abort", run.onAbort, { once: true });
      shares.forEach((share, index) => this.queue.push({ run, index, chunks: share }));
      this.ensureWorkers();
      this.dispatch();
    });
  }

  /** The workers forget a view's chunks now (the training that built it ended), not when they are garbage collected. */
  async release(view: Chunked<ChunkLike>): Promise<void> {
    const ids: number[] = [];
    for (const chunk of view.chunks) {
      const id = this.chunkIds.get(chunk);
      if (id === undefined) continue;
      this.chunkIds.delete(chunk);
      if (id === null) continue;
      this.chunksGone.unregister(chunk);
      ids.push(id);
    }
    this.forget(ids);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const run of this.runs.values()) this.fail(run, new FloeError("cancelled", "the worker pool was closed"));
    for (const slot of this.slots) slot.worker.terminate();
    this.slots.length = 0;
  }

  private ensureWorkers(): void {
    while (this.slots.length < this.threads) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerUrl);
    const slot: Slot = { worker, begun: new Set(), kept: new Set(), busy: null };
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.onResult(slot, e.data);
    worker.onerror = (e: ErrorEvent) => this.onCrash(slot, e);
    // Idle workers must not keep a CLI process alive.
    worker.unref();
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const item = this.nextItem();
      if (!item) return;
      const { run } = item;
      if (!slot.begun.has(run.id)) {
        this.post(slot, { t: "begin", run: run.id, task: run.taskName, args: run.args });
        slot.begun.add(run.id);
      }
      slot.busy = item;
      slot.worker.ref();
      this.post(slot, { t: "map", run: run.id, index: item.index, chunks: item.chunks.map((c) => this.refOf(slot, c)) });
    }
  }

  /** How a map message to this slot's worker names chunk c: by id once the worker keeps it. */
  private refOf(slot: Slot, c: ChunkLike): ChunkRef {
    let id = this.chunkIds.get(c);
    if (id === undefined) {
      id = allShared(c) ? this.nextChunkId++ : null;
      this.chunkIds.set(c, id);
      if (id !== null) this.chunksGone.register(c, id, c);
    }
    if (id === null) return { id: null, chunk: c };
    if (slot.kept.has(id)) return id;
    slot.kept.add(id);
    return { id, chunk: c };
  }

  private forget(ids: readonly number[]): void {
    for (const slot of this.slots) {
      const kept = ids.filter((id) => slot.kept.delete(id));
      if (kept.length > 0) this.post(slot, { t: "forget", chunks: kept });
    }
  }

  private nextItem(): Item | undefined {
    for (let item = this.queue.shift(); item; item = this.queue.shift()) {
      if (!item.run.failed) return item;
    }
    return undefined;
  }

  private post(slot: Slot, msg: ToWorker): void {
    slot.worker.postMessage(msg);
  }

  private onResult(slot: Slot, msg: FromWorker): void {
    const item = slot.busy;
    slot.busy = null;
    slot.worker.unref();
    const run = this.runs.get(msg.run);
    if (run && !run.failed && item) {
      if (msg.t === "fail") {
        this.fail(run, errorFromWire(msg.error));
      } else {
        try {
          run.fold.add(msg.index, msg.partial);
          const done = run.total === run.chunks ? run.fold.done : Math.round((run.fold.done / run.total) * run.chunks);
          run.opts.onProgress?.(done, run.chunks);
          if (run.fold.done === run.total) this.finish(run, () => run.resolve(run.fold.result));
        } catch (err) {
          this.fail(run, asFloeError(err));
        }
      }
    }
    this.dispatch();
  }

  private onCrash(slot: Slot, e: ErrorEvent): void {
    e.preventDefault?.();
    const item = slot.busy;
    slot.worker.terminate();
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    if (item) this.fail(item.run, new FloeError("internal", `a worker crashed running ${item.run.taskName}: ${e.message}`));
    if (!this.closed) {
      this.ensureWorkers();
      this.dispatch();
    }
  }

  private fail(run: Run, err: unknown): void {
    if (run.failed || !this.runs.has(run.id)) return;
    run.failed = true;
    this.finish(run, () => run.reject(err));
  }

  private finish(run: Run, settle: () => void): void {
    this.runs.delete(run.id);
    if (run.onAbort) run.opts.signal?.removeEventListener("abort", run.onAbort);
    for (const slot of this.slots) {
      if (slot.begun.delete(run.id)) this.post(slot, { t: "end", run: run.id });
    }
    settle();
  }
}

/** Whether every buffer of a chunk is shared memory (objects nested deeper than `depth` count as not). */
function allShared(value: unknown, depth = 4): boolean {
  if (ArrayBuffer.isView(value)) return value.buffer instanceof SharedArrayBuffer;
  if (value === null || typeof value !== "object") return true;
  if (depth === 0 || value instanceof ArrayBuffer) return false;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (!allShared(v, depth - 1)) return false;
  return true;
}

/** `chunks` cut into at most `n` contiguous shares of near-equal length. */
function shareOut<C>(chunks: readonly C[], n: number): C[][] {
  const k = Math.min(n, chunks.length);
  const shares: C[][] = [];
  for (let s = 0; s < k; s++) shares.push(chunks.slice(Math.floor((s * chunks.length) / k), Math.floor(((s + 1) * chunks.length) / k)));
  return shares;
}
