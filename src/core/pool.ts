// The local executor: a pool of Bun Workers that run task maps over chunks whose
// buffers are SharedArrayBuffers, so a chunk crosses to a worker without a copy.
// Chunks are handed out one at a time to whichever worker is free; partials come
// back and are folded in chunk order (OrderedFold), so results never depend on
// scheduling. Several runs may share the pool at once.

import type { Chunk } from "./chunk.ts";
import { asFloeError, errorFromWire, FloeError } from "./errors.ts";
import type { Frame } from "./frame.ts";
import { type Executor, OrderedFold, type RunOptions, type Task, cancelledError } from "./mr.ts";
import type { ToWorker, FromWorker } from "./worker.ts";

interface Run {
  readonly id: number;
  readonly taskName: string;
  readonly args: unknown;
  readonly fold: OrderedFold<unknown>;
  readonly total: number;
  readonly opts: RunOptions;
  readonly resolve: (p: unknown) => void;
  readonly reject: (e: unknown) => void;
  failed: boolean;
}

interface Slot {
  worker: Worker;
  /** Runs whose task and args this worker already holds. */
  readonly begun: Set<number>;
  busy: { run: Run; chunk: Chunk } | null;
}

export class WorkerPool implements Executor {
  readonly threads: number;
  private readonly slots: Slot[] = [];
  private readonly queue: { run: Run; chunk: Chunk }[] = [];
  private readonly runs = new Map<number, Run>();
  private nextRunId = 1;
  private closed = false;

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

  run<A, P>(task: Task<A, P>, frame: Frame, args: A, opts: RunOptions = {}): Promise<P> {
    if (this.closed) return Promise.reject(new FloeError("internal", "the worker pool is closed"));
    if (opts.signal?.aborted) return Promise.reject(cancelledError());
    const empty = task.empty(args);
    if (frame.chunks.length === 0) return Promise.resolve(empty);
    return new Promise<P>((resolve, reject) => {
      const run: Run = {
        id: this.nextRunId++,
        taskName: task.name,
        args,
        fold: new OrderedFold<unknown>((a, b) => task.reduce(a as P, b as P), empty),
        total: frame.chunks.length,
        opts,
        resolve: resolve as (p: unknown) => void,
        reject,
        failed: false,
      };
      this.runs.set(run.id, run);
      opts.signal?.addEventListener("abort", () => this.fail(run, cancelledError()), { once: true });
      for (const chunk of frame.chunks) this.queue.push({ run, chunk });
      this.ensureWorkers();
      this.dispatch();
    });
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
    const slot: Slot = { worker, begun: new Set(), busy: null };
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
      const { run, chunk } = item;
      if (!slot.begun.has(run.id)) {
        this.post(slot, { t: "begin", run: run.id, task: run.taskName, args: run.args });
        slot.begun.add(run.id);
      }
      slot.busy = item;
      slot.worker.ref();
      this.post(slot, { t: "map", run: run.id, chunk });
    }
  }

  private nextItem(): { run: Run; chunk: Chunk } | undefined {
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
          run.opts.onProgress?.(run.fold.done, run.total);
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
    for (const slot of this.slots) {
      if (slot.begun.delete(run.id)) this.post(slot, { t: "end", run: run.id });
    }
    settle();
  }
}
