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

/** Which finished jobs the store keeps: the newest `maxFinished`, and none ended more than `maxAgeMs` ago. */
export interface JobRetention {
  readonly maxFinished: number;
  readonly maxAgeMs: number;
}

export const DEFAULT_JOB_RETENTION: JobRetention = { maxFinished: 1000, maxAgeMs: 24 * 3600_000 };

export class Jobs {
  /** Work not yet settled, so that a shutdown can wait for it. */
  private readonly running = new Set<Promise<unknown>>();

  /** Prefix of job ids (a cluster member's carry its name, so ids do not clash). */
  idBase = "job";

  /** Applied whenever a job starts or ends, and by prune(). */
  retention: JobRetention = DEFAULT_JOB_RETENTION;

  /** The order finished jobs ended in (job id -> rank), which milliseconds cannot tell apart. */
  private readonly endRank = new Map<string, number>();
  private ended = 0;

  constructor(private readonly store: Store) {}

  /** Drops finished jobs beyond the retention rule as of `now` (ms since the epoch); running jobs stay. */
  prune(now = Date.now()): void {
    const finished = this.store
      .ids("job")
      .map((id) => this.store.get(jobKey(id)))
      .filter((job): job is Job => job !== undefined && job.finished)
      .sort((a, b) => (this.endRank.get(b.id) ?? 0) - (this.endRank.get(a.id) ?? 0));
    finished.forEach((job, newest) => {
      if (newest >= this.retention.maxFinished || now - (job.endedAt ?? now) > this.retention.maxAgeMs) this.forget(job.id);
    });
  }

  /** Removes a finished job's record; a running one must be cancelled first. */
  remove(id: string): void {
    const job = this.store.get(jobKey(id));
    if (!job) throw new FloeError("not_found", `no job '${id}'`);
    if (!job.finished) throw new FloeError("conflict", `job '${id}' is running: cancel it first (POST /jobs/${id}/cancel), then delete it once it has ended`);
    this.forget(id);
  }

  private forget(id: string): void {
    this.store.delete(jobKey(id));
    this.endRank.delete(id);
  }

  /**
   * Starts `work` as a job held in the store. The returned promise resolves with the
   * result, or rejects with a FloeError (code `cancelled` when the job was cancelled).
   * The destination is claimed in the store while the job runs: a conflict when it exists
   * or another job is writing it.
   */
  start<T>(description: string, work: (job: Job<T>) => Promise<T>, dest: JobDest | null = null): { job: Job<T>; done: Promise<T> } {
    const release = dest ? this.store.claim(key(dest.kind, dest.id)) : () => {};
    const job = new Job<T>(this.store.newId("job", this.idBase), description, dest);
    this.store.put(jobKey<T>(job.id), job);
    job.settle("running");
    this.prune();
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
      } finally {
        release();
        this.endRank.set(job.id, ++this.ended);
        this.prune();
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
