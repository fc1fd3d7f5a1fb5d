// The local executor: a pool of Bun Workers that run task maps over chunks whose
// buffers are SharedArrayBuffers, so a chunk crosses to a worker without a copy.
// Chunks are handed out one at a time to whichever worker is free; partials come back
// and are folded in chunk order (OrderedFold), so results never depend on scheduling.
// A commutative task's chunks are claimed by the workers themselves: every worker is sent
// the run's chunks in one message and takes the next unclaimed one from a shared counter
// until none is left, folding them into one partial that it sends back (a fixed share per
// worker left one idle for a fifth of a GBM tree's level passes, whose work follows where a
// node's rows are, not the chunk count; a message a chunk took a tenth of the workers' time
// in those passes). A commutative run that reports progress, or whose chunks are not all
// shared memory, is handed out in pieces of a few chunks instead, to whichever worker is
// free, each worker folding its pieces into one partial that it sends back once the run's
// last piece has gone out (the request waits in its queue behind its pieces). A worker is
// sent its next message before it ends the last, so it never waits on the main thread.
// Several runs may share the pool at once.
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
  /** Messages (chunks, or a commutative task's pieces) to map. */
  readonly total: number;
  readonly chunks: number;
  /** True: workers fold pieces into one partial each, sent when collected. */
  readonly commutative: boolean;
  /** Messages mapped so far, and chunks in them (for progress). */
  mapped: number;
  chunksMapped: number;
  /** Commutative runs: workers holding a partial not yet asked for, and partials asked for and not yet back. */
  readonly holders: Set<Slot>;
  collecting: number;
  /** A run whose workers claim its chunks: the index of the next chunk to claim (shared), else null. */
  readonly next: Int32Array | null;
  readonly opts: RunOptions;
  readonly resolve: (p: unknown) => void;
  readonly reject: (e: unknown) => void;
  failed: boolean;
  /** Fails the run on the caller's abort; removed when the run ends (the signal may outlive many runs). */
  onAbort?: () => void;
}

/** One message's work: a chunk, or a piece of chunks of a commutative task. */
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
  /** Items sent and not yet answered (at most IN_FLIGHT), and runs whose partial it was asked for. */
  readonly sent: Item[];
  readonly collecting: Set<number>;
}

/** Messages a worker is sent ahead: the next is queued while it maps the current one. */
const IN_FLIGHT = 2;
/** Pieces a commutative run is cut into per worker: small enough that the last ones even out the workers. */
const PIECES_PER_THREAD = 32;

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
    const commutative = task.commutative === true;
    const claimed = commutative && !opts.onProgress && chunks.every((c) => this.idOf(c) !== null);
    const items = claimed ? [] : commutative ? pieces(chunks, this.threads * PIECES_PER_THREAD) : chunks.map((c) => [c]);
    return new Promise<P>((resolve, reject) => {
      const run: Run = {
        id: this.nextRunId++,
        taskName: task.name,
        args,
        fold: new OrderedFold<unknown>(
          (a, b) => task.reduce(a as P, b as P),
          () => task.empty(args),
          commutative && task.mergeInto ? (acc, b) => task.mergeInto?.(acc as P, b as P) : undefined,
        ),
        total: items.length,
        chunks: chunks.length,
        commutative,
        mapped: 0,
        chunksMapped: 0,
        holders: new Set(),
        collecting: 0,
        next: claimed ? new Int32Array(new SharedArrayBuffer(4)) : null,
        opts,
        resolve: resolve as (p: unknown) => void,
        reject,
        failed: false,
      };
      this.runs.set(run.id, run);
      run.onAbort = () => this.fail(run, cancelledError());
      opts.signal?.addEventListener("abort", run.onAbort, { once: true });
      items.forEach((piece, index) => this.queue.push({ run, index, chunks: piece }));
      this.ensureWorkers();
      if (claimed) for (const slot of this.slots) this.sendClaim(slot, run, chunks);
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
    const slot: Slot = { worker, begun: new Set(), kept: new Set(), sent: [], collecting: new Set() };
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.onResult(slot, e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      this.lose(slot, (task) => `a worker crashed running ${task}: ${e.message}`);
    };
    // A worker that ends on its own (process.exit in a task) sends no error, only its close.
    worker.addEventListener("close", (e) => this.lose(slot, (task) => `a worker exited (code ${(e as Event & { code?: number }).code ?? "?"}) running ${task}`));
    // Idle workers must not keep a CLI process alive.
    worker.unref();
    return slot;
  }

  /** Hands out waiting items: one to every worker with none first, then one more each ahead. */
  private dispatch(): void {
    for (let depth = 1; depth <= IN_FLIGHT; depth++) {
      for (const slot of this.slots) {
        if (slot.sent.length >= depth) continue;
        const item = this.nextItem();
        if (!item) return;
        this.send(slot, item);
      }
    }
  }

  private send(slot: Slot, item: Item): void {
    const { run } = item;
    if (!slot.begun.has(run.id)) {
      this.post(slot, { t: "begin", run: run.id, task: run.taskName, args: run.args });
      slot.begun.add(run.id);
    }
    if (idle(slot)) slot.worker.ref();
    slot.sent.push(item);
    this.post(slot, { t: "map", run: run.id, index: item.index, chunks: item.chunks.map((c) => this.refOf(slot, c)), into: run.commutative });
    if (run.commutative) {
      run.holders.add(slot);
      this.collect(run);
    }
  }

  /** Sends a worker every chunk of a run whose workers claim them; its partial is then awaited. */
  private sendClaim(slot: Slot, run: Run, chunks: readonly ChunkLike[]): void {
    if (!slot.begun.has(run.id)) {
      this.post(slot, { t: "begin", run: run.id, task: run.taskName, args: run.args });
      slot.begun.add(run.id);
    }
    if (idle(slot)) slot.worker.ref();
    run.collecting++;
    slot.collecting.add(run.id);
    this.post(slot, { t: "claim", run: run.id, chunks: chunks.map((c) => this.refOf(slot, c)), next: run.next as Int32Array });
  }

  /** The id workers keep chunk c by, null when it is not all shared memory (it is then sent whole every time). */
  private idOf(c: ChunkLike): number | null {
    let id = this.chunkIds.get(c);
    if (id === undefined) {
      id = allShared(c) ? this.nextChunkId++ : null;
      this.chunkIds.set(c, id);
      if (id !== null) this.chunksGone.register(c, id, c);
    }
    return id;
  }

  /** How a map message to this slot's worker names chunk c: by id once the worker keeps it. */
  private refOf(slot: Slot, c: ChunkLike): ChunkRef {
    const id = this.idOf(c);
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
    const run = this.runs.get(msg.run);
    if (msg.t === "collected" || (msg.t === "fail" && msg.index < 0)) {
      slot.collecting.delete(msg.run);
    } else {
      const at = slot.sent.findIndex((item) => item.run.id === msg.run && item.index === msg.index);
      if (at >= 0) slot.sent.splice(at, 1);
    }
    if (idle(slot)) slot.worker.unref();
    if (run && !run.failed) {
      try {
        if (msg.t === "fail") this.fail(run, errorFromWire(msg.error));
        else if (msg.t === "collected") {
          run.collecting--;
          run.fold.add(run.fold.done, msg.partial);
          this.settleIfDone(run);
        } else {
          run.mapped++;
          run.chunksMapped += msg.t === "done" ? 1 : msg.chunks;
          if (msg.t === "done") run.fold.add(msg.index, msg.partial);
          run.opts.onProgress?.(run.chunksMapped, run.chunks);
          this.settleIfDone(run);
        }
      } catch (err) {
        this.fail(run, asFloeError(err));
      }
    }
    this.dispatch();
  }

  /**
   * Asks every worker that holds a partial of the run for it, once no piece of the run is
   * left to send: a worker reads its messages in order, so it sends the partial as soon as
   * it has mapped the pieces it was sent, with no round trip between.
   */
  private collect(run: Run): void {
    if (this.queue.some((item) => item.run === run)) return;
    for (const slot of run.holders) {
      run.holders.delete(slot);
      run.collecting++;
      if (idle(slot)) slot.worker.ref();
      slot.collecting.add(run.id);
      this.post(slot, { t: "collect", run: run.id });
    }
  }

  private settleIfDone(run: Run): void {
    if (run.mapped === run.total && run.holders.size === 0 && run.collecting === 0) this.finish(run, () => run.resolve(run.fold.result));
  }

  /**
   * A worker died (or ended): its maps in flight are lost, and so is every partial it held or
   * was sending back, so their runs fail, naming the task (`why`); a new worker takes its
   * place. A worker the pool let go of itself (closing, or already lost) is no loss.
   */
  private lose(slot: Slot, why: (task: string) => string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    slot.worker.terminate();
    const lost = new Set<Run>(slot.sent.map((item) => item.run));
    for (const run of this.runs.values()) if (run.holders.has(slot) || slot.collecting.has(run.id)) lost.add(run);
    const what = slot.sent[0]?.run.taskName;
    for (const run of lost) this.fail(run, new FloeError("internal", why(what ?? run.taskName)));
    if (!this.closed) {
      this.ensureWorkers();
      this.dispatch();
    }
  }

  private fail(run: Run, err: unknown): void {
    if (run.failed || !this.runs.has(run.id)) return;
    run.failed = true;
    // Workers claiming its chunks stop at the next one.
    if (run.next) Atomics.store(run.next, 0, run.chunks);
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

/**
 * Whether every buffer of a chunk is shared memory (objects nested deeper than `depth` count
 * as not): only such chunks are kept on the workers by id, and claimed by them.
 */
export function allShared(value: unknown, depth = 4): boolean {
  if (ArrayBuffer.isView(value)) return value.buffer instanceof SharedArrayBuffer;
  if (value === null || typeof value !== "object") return true;
  if (depth === 0 || value instanceof ArrayBuffer) return false;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (!allShared(v, depth - 1)) return false;
  return true;
}

/** No message of this worker's is awaited (an idle worker must not keep a CLI process alive). */
function idle(slot: Slot): boolean {
  return slot.sent.length === 0 && slot.collecting.size === 0;
}

/** `chunks` cut into at most `n` contiguous pieces of near-equal length. */
function pieces<C>(chunks: readonly C[], n: number): C[][] {
  const k = Math.min(n, chunks.length);
  const out: C[][] = [];
  for (let s = 0; s < k; s++) out.push(chunks.slice(Math.floor((s * chunks.length) / k), Math.floor(((s + 1) * chunks.length) / k)));
  return out;
}
