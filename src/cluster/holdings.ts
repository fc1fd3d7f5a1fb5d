// What one node of a cluster holds and serves: the directory of every frame (schema,
// rollups, chunk sizes and which nodes hold each chunk, the same on every node), the
// chunks this node holds, and the resident view chunks built here. It answers the
// coordinators' requests: run a task over some of its chunks, rebuild lost view chunks
// by replaying their history, send or take a chunk. With a data directory (kept.ts) every
// chunk and directory entry it takes is also written there, and read back on a restart.
// Tasks run on a chunk's home (its first holder): the copy a node holds as a replica is
// kept on disk only (in the data directory, else spill.ts's folder) and read back when it
// is needed (its home died, a task or a copy asks for it), then kept in memory while the
// node's memory budget has room for it, else read from disk again each time it is needed.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { chunkFromIPC, chunkToIPC } from "../core/arrow.ts";
import { type Chunk, vecBytes } from "../core/chunk.ts";
import { FloeError } from "../core/errors.ts";
import { type ColumnSpec, Frame } from "../core/frame.ts";
import { GarbageMeter, type MemoryBudget } from "../core/memory.ts";
import type { AnyTask, ChunkLike, Executor, TaskRegistry } from "../core/mr.ts";
import { chunkDigest, type KeptChunks, type KeptEntry } from "./kept.ts";
import { type Handlers, inParallel } from "./peers.ts";
import { SpillDir } from "./spill.ts";
import { FrameChunkStub, isResidentMarker, type LoggedRun } from "./stand-ins.ts";
import { decode, encode, replaceDeep } from "./wire.ts";

/** A frame's directory entry: what kept.ts keeps, and the nodes holding each chunk. */
export interface FrameEntry extends KeptEntry {
  /** Nodes holding each chunk, home first. */
  readonly holders: string[][];
}

/** A new frame's uid and creation time. */
export function frameIdentity(): { uid: string; created: number } {
  return { uid: randomBytes(8).toString("hex"), created: Date.now() };
}

/** Whether `a` was made after `b` (the same order on every node). */
function isLater(a: FrameEntry, b: FrameEntry): boolean {
  return a.created !== b.created ? a.created > b.created : a.uid > b.uid;
}

export interface MapRequest {
  readonly task: string;
  readonly args: Uint8Array;
  readonly over: { readonly frame: string } | { readonly view: string };
  readonly indices: readonly number[];
  /** For a resident task: the id under which to keep the chunks it builds. */
  readonly produce?: string;
}

export type MapReply =
  /** One partial per index, in the order asked. */
  | { readonly partials: unknown[] }
  /** A commutative task: the indices' partials merged. */
  | { readonly partial: unknown }
  /** A resident task: the chunks were built and kept. */
  | { readonly built: number };

export interface RebuildRequest {
  readonly view: string;
  readonly frame: string;
  readonly task: string;
  readonly args: Uint8Array;
  readonly log: readonly LoggedRun[];
  readonly indices: readonly number[];
}

/** A chunk held on disk: its Arrow IPC file and first row. */
interface ChunkFile {
  readonly file: string;
  readonly start: number;
}

export class Holdings {
  readonly frames = new Map<string, FrameEntry>();
  /** Chunks in memory. */
  private readonly chunks = new Map<string, Map<number, Chunk>>();
  /** Chunks on disk (a chunk may be in memory too: its home's data directory keeps it). */
  private readonly files = new Map<string, Map<number, ChunkFile>>();
  /** Where replicas go without a data directory (made with the first). */
  private spill: SpillDir | null = null;
  private readonly residents = new Map<string, Map<number, ChunkLike>>();
  private kept: KeptChunks | null = null;
  /** Uids of the frames deleted or replaced: a node back from a restart may still announce them. */
  private readonly gone = new Set<string>();
  /** The Arrow bytes of the chunks peers put here, garbage once kept. */
  private readonly garbage = new GarbageMeter(4 * 1024 ** 2);
  /** Called when a frame's holders grew or changed (the spreader drops copies beyond COPIES). */
  onHolders: ((entry: FrameEntry) => void) | null = null;

  constructor(
    readonly self: string,
    private readonly local: Executor,
    private readonly registry: TaskRegistry,
    /** Called when a frame appears in the directory (a stand-in frame) or leaves it (null). */
    private readonly onFrame: (id: string, frame: Frame | null) => void,
    /** What the node may hold in memory (`floe serve --max-mem`), counting these chunks. */
    private readonly budget?: MemoryBudget,
  ) {}

  /** The frame of a directory entry, its chunks stand-ins routed by the executor. */
  stubFrame(entry: FrameEntry): Frame {
    const chunks = entry.starts.map((start, i) => new FrameChunkStub(entry.id, i, start, entry.rows[i]));
    return Frame.spread(entry.columns, chunks, entry.rollups, entry.byteSize);
  }

  /** Records a frame in the directory (and in the data directory, if any). */
  record(entry: FrameEntry): void {
    this.frames.set(entry.id, entry);
    this.kept?.putEntry(entry);
  }

  /** Records a frame in the directory and hands its stand-in frame to the node's store. */
  addFrame(entry: FrameEntry): Frame {
    this.record(entry);
    const frame = this.stubFrame(entry);
    this.onFrame(entry.id, frame);
    return frame;
  }

  /**
   * A directory entry from another node: new frames are added; for a known one the holders
   * are united (after a partition heals both sides' copies are real). False when this node
   * knows the frame as deleted or replaced by a later one of that id (the sender, back from
   * a restart, then drops it); a later frame replaces this node's.
   */
  mergeFrame(entry: FrameEntry): boolean {
    if (this.gone.has(entry.uid)) return false;
    let known = this.frames.get(entry.id);
    if (known && known.uid !== entry.uid) {
      if (isLater(known, entry)) return false;
      this.dropFrame(entry.id);
      known = undefined;
    }
    if (!known) {
      this.addFrame(entry);
      return true;
    }
    entry.holders.forEach((h, i) => {
      for (const n of h) if (!known.holders[i].includes(n)) known.holders[i].push(n);
    });
    this.onHolders?.(known);
    return true;
  }

  dropFrame(id: string): void {
    const entry = this.frames.get(id);
    this.frames.delete(id);
    this.chunks.delete(id);
    this.files.delete(id);
    this.spill?.dropFrame(id);
    if (entry) {
      this.gone.add(entry.uid);
      this.kept?.putGone(this.gone);
    }
    this.kept?.drop(id);
    if (entry) this.onFrame(id, null);
  }

  /** Drops this node's copy of one chunk (others hold it). */
  dropChunk(frame: string, index: number): void {
    this.chunks.get(frame)?.delete(index);
    this.files.get(frame)?.delete(index);
    this.spill?.dropChunk(frame, index);
    this.kept?.dropChunk(frame, index);
  }

  /** Drops the frame of `entry` if it is still this node's frame of that id. */
  dropIfStill(entry: FrameEntry): void {
    if (this.frames.get(entry.id)?.uid === entry.uid) this.dropFrame(entry.id);
  }

  /**
   * Holds a chunk of a frame of `columns`, in memory, or on disk only as a `replica`; with a
   * data directory, resolves once the chunk is written there (as `ipc`, its Arrow IPC
   * bytes, when the caller has them).
   */
  async hold(frame: string, chunk: Chunk, columns: readonly ColumnSpec[], ipc?: Uint8Array, replica = false): Promise<void> {
    if (!replica) this.keepInMemory(frame, chunk);
    if (this.kept) {
      await this.kept.putChunk(frame, chunk.index, ipc ?? chunkToIPC(columns, chunk), chunkDigest(columns, chunk));
      this.onDisk(frame, chunk.index, { file: this.kept.chunkFile(frame, chunk.index), start: chunk.start });
    } else if (replica) await this.spillReplica(frame, chunk.index, chunk.start, ipc ?? chunkToIPC(columns, chunk));
    if (replica) this.chunks.get(frame)?.delete(chunk.index);
  }

  /** Holds a replica from its Arrow IPC bytes, without reading them, on a node without a data directory. */
  private async spillReplica(frame: string, index: number, start: number, ipc: Uint8Array): Promise<void> {
    this.spill ??= SpillDir.create();
    this.onDisk(frame, index, { file: await this.spill.write(frame, index, ipc), start });
  }

  private keepInMemory(frame: string, chunk: Chunk): void {
    let held = this.chunks.get(frame);
    if (!held) this.chunks.set(frame, (held = new Map()));
    held.set(chunk.index, chunk);
  }

  private onDisk(frame: string, index: number, file: ChunkFile): void {
    let held = this.files.get(frame);
    if (!held) this.files.set(frame, (held = new Map()));
    held.set(index, file);
  }

  /** The spill folder's path, once a replica went there (for tests). */
  get spillRoot(): string | null {
    return this.spill?.root ?? null;
  }

  /** Removes the spill folder (the node stops). */
  close(): void {
    this.spill?.close();
    this.spill = null;
  }

  /**
   * Takes back what `kept` holds from before a restart (before joining: the peers then
   * count these chunks as copies, see FrameSpreader.send) and writes every change there
   * from now on. Each frame comes back holding the chunks read whole (on disk until
   * needed), with this node as their only holder; the members' directories tell it the others.
   */
  restoreFrom(kept: KeptChunks, onBad: (file: string, reason: string) => void): { frames: number; chunks: number } {
    let chunks = 0;
    let frames = 0;
    for (const uid of kept.readGone()) this.gone.add(uid);
    for (const { entry, chunks: bytes } of kept.read(onBad)) {
      // Dropped, the node killed before its files were removed.
      if (this.gone.has(entry.uid)) {
        kept.drop(entry.id);
        continue;
      }
      const holders: string[][] = entry.starts.map(() => []);
      for (const [index, ipc] of bytes) {
        try {
          if (index >= entry.starts.length) throw new Error(`the frame has ${entry.starts.length} chunks`);
          const { columns, chunk } = chunkFromIPC(ipc, index, entry.starts[index]);
          if (chunk.rows !== entry.rows[index]) throw new Error(`${chunk.rows} rows where the frame's chunk has ${entry.rows[index]}`);
          // Read back into memory when a task or a copy needs it.
          this.onDisk(entry.id, index, { file: kept.chunkFile(entry.id, index), start: chunk.start });
          kept.noteDigest(entry.id, index, chunkDigest(columns, chunk));
          holders[index].push(this.self);
          chunks++;
        } catch (err) {
          onBad(`${kept.root}: chunk ${index} of frame '${entry.id}'`, (err as Error).message);
          kept.dropChunk(entry.id, index);
        }
      }
      if (holders.some((h) => h.length)) {
        this.addFrame({ ...entry, holders });
        frames++;
      } else kept.drop(entry.id);
    }
    this.kept = kept;
    return { frames, chunks };
  }

  /** Whether this node holds chunk `index` of the frame `frame` of `uid`, with the values of `digest` (a node back from a restart may). */
  holdsCopy(frame: string, uid: string, index: number, digest: string): boolean {
    return this.frames.get(frame)?.uid === uid && this.holds(frame, index) && this.kept?.has(frame, index, digest) === true;
  }

  /**
   * Names this node among the holders of a chunk it took for a frame in its directory: the
   * sender tells the members once its copies are made, and a sender that dies first never does.
   */
  private noteHolder(frame: string, index: number): void {
    const holders = this.frames.get(frame)?.holders[index];
    if (holders && !holders.includes(this.self)) holders.push(this.self);
  }

  /** Whether this node holds chunk `index` of `frame`, in memory or on disk. */
  holds(frame: string, index: number): boolean {
    return this.chunks.get(frame)?.has(index) === true || this.files.get(frame)?.has(index) === true;
  }

  /**
   * A chunk held here, read back from disk if it is there only, and from then on kept in
   * memory if the node's budget has room for it. A node that became the home of more copies
   * than its --max-mem holds (its peers died) reads the others from disk each time instead.
   */
  held(frame: string, index: number): Chunk | undefined {
    const hot = this.chunks.get(frame)?.get(index);
    if (hot) return hot;
    const chunk = this.read(frame, index);
    if (chunk && (!this.budget || chunk.vecs.reduce((n, v) => n + vecBytes(v), 0) <= this.budget.free())) this.keepInMemory(frame, chunk);
    return chunk;
  }

  /** A chunk held here, read from disk if it is there only, without keeping it in memory (a copy for another node). */
  read(frame: string, index: number): Chunk | undefined {
    const hot = this.chunks.get(frame)?.get(index);
    if (hot) return hot;
    const cold = this.files.get(frame)?.get(index);
    return cold && chunkFromIPC(readFileSync(cold.file), index, cold.start).chunk;
  }

  private file(frame: string, index: number): ChunkFile {
    const file = this.files.get(frame)?.get(index);
    if (!file) throw new FloeError("not_found", `chunk ${index} of frame '${frame}' is not held on node ${this.self}`);
    return file;
  }

  /** Chunks of `frame` held here, in memory or on disk (for status and tests). */
  heldIndices(frame: string): number[] {
    const all = new Set([...(this.chunks.get(frame)?.keys() ?? []), ...(this.files.get(frame)?.keys() ?? [])]);
    return [...all].sort((a, b) => a - b);
  }

  /** Chunks of `frame` in memory here. */
  inMemoryIndices(frame: string): number[] {
    return [...(this.chunks.get(frame)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Bytes of the chunks in memory here (the copies on disk only are not counted). */
  memoryBytes(): number {
    let n = 0;
    for (const held of this.chunks.values()) for (const chunk of held.values()) for (const v of chunk.vecs) n += vecBytes(v);
    return n;
  }

  private need(frame: string, index: number): Chunk {
    const c = this.held(frame, index);
    if (!c) throw new FloeError("not_found", `chunk ${index} of frame '${frame}' is not held on node ${this.self}`);
    return c;
  }

  private resident(view: string, index: number): ChunkLike {
    const c = this.residents.get(view)?.get(index);
    if (!c) throw new FloeError("not_found", `chunk ${index} of training view ${view} is not on node ${this.self}`);
    return c;
  }

  private keep(view: string, chunk: ChunkLike): void {
    let held = this.residents.get(view);
    if (!held) this.residents.set(view, (held = new Map()));
    held.set(chunk.index, chunk);
  }

  /** Decoded task arguments, markers replaced by the view chunks held here (null elsewhere). */
  private args(bytes: Uint8Array): unknown {
    return replaceDeep(decode(bytes), (v) => (isResidentMarker(v) ? (this.residents.get(v.$resident)?.get(v.index) ?? null) : undefined));
  }

  private task(name: string): AnyTask {
    const task = this.registry.get(name);
    if (!task) throw new FloeError("internal", `task '${name}' is not in node ${this.self}'s registry`);
    return task;
  }

  /** Runs a task over some of the chunks held here. */
  /** Runs a coordinator's map request; `signal` (the coordinator cancelled) stops it between chunks. */
  async map(req: MapRequest, signal?: AbortSignal): Promise<MapReply> {
    const task = this.task(req.task);
    const args = this.args(req.args);
    const over = req.over;
    const chunks: ChunkLike[] = req.indices.map((i) => ("frame" in over ? this.need(over.frame, i) : this.resident(over.view, i)));
    if (task.resident) {
      const produce = req.produce;
      if (!produce) throw new FloeError("internal", `resident task ${task.name} was sent without a view id`);
      const built = await this.eachChunk(task, chunks, args, signal);
      for (const b of built) this.keep(produce, (b as ChunkLike[])[0]);
      return { built: built.length };
    }
    if (task.commutative) return { partial: await this.local.run(task, { chunks }, args, { signal }) };
    return { partials: await this.eachChunk(task, chunks, args, signal) };
  }

  /**
   * One partial per chunk, in order. A few runs at a time keep the pool busy without
   * queueing every chunk at once (which, inline, would hold the event loop for them all).
   */
  private async eachChunk(task: AnyTask, chunks: readonly ChunkLike[], args: unknown, signal?: AbortSignal): Promise<unknown[]> {
    const out: unknown[] = new Array(chunks.length);
    const order = chunks.map((_, k) => k);
    await inParallel(order, 2 * this.local.threads, async (k) => {
      out[k] = await this.local.run(task, { chunks: [chunks[k]] }, args, { signal });
    });
    return out;
  }

  /** Rebuilds view chunks lost with a node: the building task, then every logged run, in order. */
  async rebuild(req: RebuildRequest): Promise<void> {
    const build = this.task(req.task);
    const buildArgs = this.args(req.args);
    await Promise.all(
      req.indices.map(async (i) => {
        const source = this.need(req.frame, i);
        const [chunk] = (await this.local.run(build, { chunks: [source] }, buildArgs)) as ChunkLike[];
        this.keep(req.view, chunk);
        for (const run of req.log) {
          await this.local.run(this.task(run.task), { chunks: [run.over === "view" ? chunk : source] }, this.args(run.args));
        }
      }),
    );
  }

  release(view: string): void {
    this.residents.delete(view);
  }

  /** The /internal routes of the data layer. */
  handlers(): Handlers {
    return {
      map: async (body, signal) => encode(await this.map(decode<MapRequest>(body), signal)),
      rebuild: async (body) => {
        await this.rebuild(decode<RebuildRequest>(body));
        return encode(true);
      },
      release: async (body) => {
        this.release(decode<{ view: string }>(body).view);
        return encode(true);
      },
      "chunk-put": async (body) => {
        const { frame, index, start, ipc, replica } = decode<{ frame: string; index: number; start: number; ipc: Uint8Array; replica: boolean }>(body);
        if (replica && !this.kept) await this.spillReplica(frame, index, start, ipc);
        else {
          const { columns, chunk } = chunkFromIPC(ipc, index, start);
          await this.hold(frame, chunk, columns, ipc, replica);
        }
        this.noteHolder(frame, index);
        // The request's bytes are garbage now: a few copies', not a frame's, wait for a collection.
        this.garbage.add(ipc.byteLength);
        return encode(true);
      },
      "chunk-has": async (body) => {
        const { frame, uid, index, digest } = decode<{ frame: string; uid: string; index: number; digest: string }>(body);
        return encode(this.holdsCopy(frame, uid, index, digest));
      },
      "chunk-get": async (body) => {
        const { frame, index } = decode<{ frame: string; index: number }>(body);
        const entry = this.frames.get(frame);
        if (!entry) throw new FloeError("not_found", `no frame '${frame}' on node ${this.self}`);
        const hot = this.chunks.get(frame)?.get(index);
        if (hot) return chunkToIPC(entry.columns, hot);
        // The file holds the bytes chunks travel in.
        return readFileSync(this.file(frame, index).file);
      },
      frame: async (body) => {
        return encode(this.mergeFrame(decode<FrameEntry>(body)));
      },
      holders: async (body) => {
        const { frame, updates } = decode<{ frame: string; updates: [number, string[]][] }>(body);
        const entry = this.frames.get(frame);
        if (entry) {
          for (const [i, h] of updates) entry.holders[i] = h;
          this.onHolders?.(entry);
        }
        return encode(true);
      },
      "frame-drop": async (body) => {
        this.dropFrame(decode<{ frame: string }>(body).frame);
        return encode(true);
      },
    };
  }
}
