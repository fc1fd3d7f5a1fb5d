// Jobs: every long operation (ingest, training, scoring) runs as one, with an id, a
// progress fraction, a status, cancellation and an error message. The CLI draws a job's
// progress on stderr; the server exposes it for polling.

import { asFloeError, FloeError } from "./errors.ts";
import { key, type Key, type Store } from "./store.ts";

export type JobStatus = "created" | "running" | "done" | "failed" | "cancelled";

/** What a job makes: the frame or model it stores under this id when it succeeds. */
export interface JobDest {
  readonly kind: "frame" | "model";
  readonly id: string;
}

export class Job<T = unknown> {
  status: JobStatus = "created";
  progress = 0;
  error?: FloeError;
  result?: T;
  /** Warnings met on the way (a column read as missing, a level unseen in training). */
  readonly warnings: string[] = [];
  readonly createdAt = Date.now();
  endedAt?: number;
  private readonly abort = new AbortController();
  private readonly listeners = new Set<(job: Job<T>) => void>();

  constructor(
    readonly id: string,
    readonly description: string,
    readonly dest: JobDest | null = null,
  ) {}

  /** Aborted when the job is cancelled; pass it to the work. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Records progress (clamped to 0..1, never going backwards). */
  setProgress(p: number): void {
    const clamped = Math.min(1, Math.max(0, p));
    if (clamped <= this.progress) return;
    this.progress = clamped;
    this.emit();
  }

  /** Asks the work to stop; it ends `cancelled` once it notices. */
  cancel(): void {
    if (this.status === "created" || this.status === "running") this.abort.abort();
  }

  get finished(): boolean {
    return this.status === "done" || this.status === "failed" || this.status === "cancelled";
  }

  /** Calls `fn` on every progress or status change; returns the unsubscribe. */
  onChange(fn: (job: Job<T>) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** @internal Used by Jobs to move the job through its states. */
  settle(status: JobStatus, result?: T, error?: FloeError): void {
    this.status = status;
    this.result = result;
    this.error = error;
    if (status === "done") this.progress = 1;
    if (this.finished) this.endedAt = Date.now();
    this.emit();
  }

  private emit(): void {
    for (const fn of this.listeners) fn(this);
  }
}

export function jobKey<T>(id: string): Key<Job<T>> {
  return key<Job<T>>("job", id);
}

export class Jobs {
  /** Work not yet settled, so that a shutdown can wait for it. */
  private readonly running = new Set<Promise<unknown>>();

  /** Prefix of job ids (a cluster member's carry its name, so ids do not clash). */
  idBase = "job";

  constructor(private readonly store: Store) {}

  /**
   * Starts `work` as a job held in the store. The returned promise resolves with the
   * result, or rejects with a FloeError (code `cancelled` when the job was cancelled).
   */
  start<T>(description: string, work: (job: Job<T>) => Promise<T>, dest: JobDest | null = null): { job: Job<T>; done: Promise<T> } {
    const job = new Job<T>(this.store.newId("job", this.idBase), description, dest);
    this.store.put(jobKey<T>(job.id), job);
    job.settle("running");
    const done = (async () => {
      try {
        const result = await work(job);
        if (job.signal.aborted) throw new FloeError("cancelled", "cancelled by the user");
        job.settle("done", result);
        return result;
      } catch (err) {
        const e = job.signal.aborted ? new FloeError("cancelled", "cancelled by the user") : asFloeError(err);
        job.settle(e.code === "cancelled" ? "cancelled" : "failed", undefined, e);
        throw e;
      }
    })();
    const settled = done.catch(() => {});
    this.running.add(settled);
    settled.then(() => this.running.delete(settled));
    return { job, done };
  }

  /** Cancels every unfinished job and waits until each has settled. */
  async cancelAll(): Promise<void> {
    for (const id of this.store.ids("job")) this.store.get(jobKey(id))?.cancel();
    await Promise.all(this.running);
  }
}
