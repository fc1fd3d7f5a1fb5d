// A floe node's process-wide state, created once by an entry point (CLI or server):
// the store, the jobs, the executor (a worker pool, or inline for one thread) and the
// embedded DuckDB, opened on first use; and the one way the front ends start an import,
// a training or an AutoML run as a job.

import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { Db } from "./core/duckdb.ts";
import { FloeError } from "./core/errors.ts";
import type { ColumnSpec, Frame } from "./core/frame.ts";
import { importFrame, type IngestOptions } from "./core/ingest.ts";
import { type Job, Jobs } from "./core/jobs.ts";
import { frameBytesEstimate, framesBytes, machineMemory, MemoryBudget } from "./core/memory.ts";
import { type Executor, InlineExecutor } from "./core/mr.ts";
import { WorkerPool } from "./core/pool.ts";
import type { DataDir } from "./core/persist.ts";
import { type FramePlacement, LOCAL_PLACEMENT } from "./core/placement.ts";
import { type Source, sourceLabel } from "./core/source.ts";
import { key, Store } from "./core/store.ts";
import { type AutoMLRequest, type AutoMLResult, runAutoML } from "./ml/automl/run.ts";
import type { LeaderboardRow } from "./ml/leaderboard.ts";
import type { Algorithm, Model, TrainRequest, TrainResult } from "./ml/registry.ts";

export interface NodeOptions {
  /** Threads for map/reduce and for DuckDB (default: the machine's cores). */
  threads?: number;
  /** Bytes this node's frames may hold (`--max-mem`) [default: the machine's memory]. */
  maxMem?: number;
}

/** A training as a front end asks for it: the job supplies the cancel signal and progress. */
export type TrainJob = Omit<TrainRequest, "modelId" | "signal" | "onProgress"> & {
  /** The model's id [default: a fresh `${algo}_N`]; a conflict when the store has or is making one. */
  readonly modelId?: string;
};

/** An AutoML run as a front end asks for it: the job supplies the cancel signal and progress. */
export type AutoMLJob = Omit<AutoMLRequest, "project" | "signal" | "onProgress" | "onModel"> & {
  /** The run's id, which its models' ids end with [default: a fresh `AutoML_N`]. */
  readonly project?: string;
  /**
   * Called with each model as it joins the leaderboard (the server stores it there and
   * then); the run ends only once every returned promise has settled, failing with the
   * first that rejected.
   */
  readonly onModel?: (result: TrainResult, leaderboard: readonly LeaderboardRow[]) => Promise<void> | void;
};

export class FloeNode {
  readonly threads: number;
  readonly store = new Store();
  readonly jobs = new Jobs(this.store);
  /** The executor tasks run on: this node's pool, or a cluster's (see joinCluster). */
  executor: Executor;
  /** This node's own map/reduce: a worker pool, or inline for one thread. */
  readonly localExecutor: Executor;
  /** What this node's frames may hold and a training may take. */
  readonly budget: MemoryBudget;
  private placement: FramePlacement = LOCAL_PLACEMENT;
  private dbPromise?: Promise<Db>;
  /** Where frames are written as they are stored (`--data-dir`); null keeps them in memory only. */
  private dataDir: DataDir | null = null;

  constructor(opts: NodeOptions = {}) {
    const threads = opts.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new FloeError("invalid_argument", `--threads must be a positive integer, got ${opts.threads}`);
    }
    this.threads = threads;
    this.localExecutor = threads === 1 ? new InlineExecutor() : new WorkerPool(new URL("./worker.ts", import.meta.url), threads);
    this.executor = this.localExecutor;
    const maxMem = opts.maxMem ?? machineMemory();
    if (!(maxMem > 0)) throw new FloeError("invalid_argument", `--max-mem must be a positive size, got ${opts.maxMem}`);
    this.budget = new MemoryBudget(maxMem, () => framesBytes(this.frames()));
  }

  /** Writes frames to `dir` from now on, as they are stored and deleted. */
  keepFramesIn(dir: DataDir): void {
    this.dataDir = dir;
  }

  /** The stored frames, but the one under `except`. */
  private frames(except?: string): Frame[] {
    return this.store
      .ids("frame")
      .filter((id) => id !== except)
      .map((id) => this.store.need(key<Frame>("frame", id)));
  }

  /** Makes this node a cluster member: tasks run on the cluster's executor, frames are spread. */
  joinCluster(executor: Executor, placement: FramePlacement): void {
    this.executor = executor;
    this.placement = placement;
  }

  /** Stores a frame under `id` (spread over the cluster when there is one) and returns it as stored. */
  async putFrame(id: string, frame: Frame): Promise<Frame> {
    // Buffers shared with stored frames (a selection, a split) take nothing more.
    const others = this.frames(id);
    this.budget.check(framesBytes([...others, frame]) - framesBytes(others), `frame '${id}' (${frame.rows} rows x ${frame.columns.length} columns)`);
    await this.dataDir?.writeFrame(id, frame);
    const stored = await this.placement.place(id, frame);
    this.store.put(key<Frame>("frame", id), stored);
    return stored;
  }

  /** The frame with all its rows on this node, for code that reads rows directly. */
  localFrame(frame: Frame): Promise<Frame> {
    return this.placement.gather(frame);
  }

  /** Deletes a frame (and its chunks on every node); false when there was none. */
  async deleteFrame(id: string): Promise<boolean> {
    const existed = this.store.delete(key<Frame>("frame", id));
    if (existed) {
      this.dataDir?.removeFrame(id);
      await this.placement.drop(id);
    }
    return existed;
  }

  db(): Promise<Db> {
    this.dbPromise ??= Db.open(this.threads);
    return this.dbPromise;
  }

  /**
   * Imports a source (ingest + rollups) as a job whose progress and cancellation the
   * caller may follow; the frame is stored under `frameId`, or a fresh id named after the
   * source, when the job succeeds. Ingest warnings go to the job and to `opts.onWarning`.
   */
  importFrame(source: Source, opts: IngestOptions = {}, frameId?: string): { job: Job<Frame>; done: Promise<{ id: string; frame: Frame }> } {
    const name = source.kind === "sql" ? "query" : basename(sourceLabel(source));
    const id = frameId ?? this.store.newId("frame", name.replace(/\.[^.]*$/, ""));
    const frameKey = key<Frame>("frame", id);
    if (this.store.get(frameKey)) throw new FloeError("conflict", `frame '${id}' already exists; delete it first or pick another id`);
    const { job, done } = this.jobs.start<Frame>(
      `import ${name}`,
      async (j) => {
        const onWarning = (message: string) => {
          j.warnings.push(message);
          opts.onWarning?.(message);
        };
        // Refused before any value is read when the frame would not fit the node's budget.
        const beforeRead = (rows: number, columns: readonly ColumnSpec[]) => {
          this.budget.check(Math.ceil(frameBytesEstimate(rows, columns)), `frame '${id}' (${rows} rows x ${columns.length} columns)`);
          opts.beforeRead?.(rows, columns);
        };
        const ingest = { ...opts, onWarning, beforeRead, signal: j.signal, onProgress: (p: number) => j.setProgress(p) };
        // In a cluster every node parses its share, and the frame is in the directory already.
        const shared = await this.placement.importShared?.(id, source, ingest);
        if (shared) {
          this.store.put(frameKey, shared);
          return shared;
        }
        const frame = await importFrame(await this.db(), this.executor, source, ingest);
        return j.signal.aborted ? frame : this.putFrame(id, frame);
      },
      { kind: "frame", id },
    );
    return { job, done: done.then((frame) => ({ id, frame })) };
  }

  /**
   * Trains `algo` as a job whose progress and cancellation the caller may follow. The model
   * id is claimed while the job runs. `keep` (the server's store) receives the result
   * before the job ends, unless it was cancelled.
   */
  train(algo: Algorithm<Model>, req: TrainJob, keep?: (result: TrainResult) => Promise<void>): { job: Job<TrainResult>; done: Promise<TrainResult>; modelId: string } {
    const modelId = req.modelId ?? this.store.newId("model", algo.name);
    const { job, done } = this.jobs.start<TrainResult>(
      `train ${modelId}`,
      async (j) => {
        const memory = req.memory ?? this.budget.forTraining();
        const result = await algo.train(this.executor, { ...req, modelId, memory, signal: j.signal, onProgress: (p) => j.setProgress(p) });
        if (!j.signal.aborted) await keep?.(result);
        return result;
      },
      { kind: "model", id: modelId },
    );
    return { job, done, modelId };
  }

  /**
   * Runs AutoML as a job whose progress and cancellation the caller may follow; a conflict
   * when a run of that id exists. Models are handed to `req.onModel` as they are built.
   */
  automl(req: AutoMLJob): { job: Job<AutoMLResult>; done: Promise<AutoMLResult>; project: string } {
    const project = req.project ?? this.store.newId("automl", "AutoML");
    if (this.store.get(key("automl", project))) throw new FloeError("conflict", `AutoML run '${project}' already exists; pick another project_name`, { field: "project_name" });
    const { onModel, ...rest } = req;
    const { job, done } = this.jobs.start<AutoMLResult>(`automl ${project}`, async (j) => {
      const kept: Promise<void>[] = [];
      let keepError: unknown = null;
      try {
        return await runAutoML(this.executor, {
          ...rest,
          project,
          signal: j.signal,
          onProgress: (f) => j.setProgress(f),
          onModel: (result, leaderboard) => {
            if (onModel) kept.push(Promise.resolve(onModel(result, leaderboard)).catch((err) => void (keepError ??= err)));
          },
        });
      } finally {
        await Promise.all(kept);
        if (keepError) throw keepError;
      }
    });
    return { job, done, project };
  }

  async close(): Promise<void> {
    if (this.executor !== this.localExecutor) await this.executor.close();
    await this.localExecutor.close();
    // A DuckDB that failed to open has nothing to close.
    if (this.dbPromise) (await this.dbPromise.catch(() => null))?.close();
  }
}
