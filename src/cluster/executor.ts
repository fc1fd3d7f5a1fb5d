// The distributed executor: runs a task over a cluster frame (or a training view built
// from one) by sending each node holding chunks a request for its share; each node maps
// its chunks on its own worker pool and returns per-chunk partials (or one merged partial
// for a commutative task), which are folded here in chunk order, so the result has the
// same bits as on one node. Data that is not spread (a frame made on this node) runs on
// the local pool.
//
// Training views are resident: built and updated where their chunks live, never sent.
// Every run that touches a view is logged; when a node dies, its view chunks are rebuilt
// on a node holding the source chunk's replica by replaying the log, and the run goes on
// there. Tasks are deterministic, so the rebuilt state and the model are the same.

import { FloeError } from "../core/errors.ts";
import { type ChunkLike, type Chunked, cancelledError, type Executor, type NodeShare, OrderedFold, type RunOptions, type Task } from "../core/mr.ts";
import type { Holdings, MapReply, MapRequest, RebuildRequest } from "./holdings.ts";
import { isUnreachable, type Peers, type Transport } from "./peers.ts";
import { FrameChunkStub, type ResidentMarker, type ResidentView, ResidentStub } from "./stand-ins.ts";
import { decode, encode, replaceDeep } from "./wire.ts";

type Over = { readonly kind: "local" } | { readonly kind: "frame"; readonly frame: string } | { readonly kind: "view"; readonly view: ResidentView };

export class ClusterExecutor implements Executor {
  private nextView = 1;
  /** Views no longer referenced are released on every node. */
  private readonly released = new FinalizationRegistry<string>((id) => void this.drop(id));

  constructor(
    private readonly peers: Peers,
    private readonly transport: Transport,
    private readonly holdings: Holdings,
    private readonly local: Executor,
  ) {}

  get threads(): number {
    return this.local.threads * this.peers.live().length;
  }

  async run<A, P, C extends ChunkLike>(task: Task<A, P, C>, data: Chunked<C>, args: A, opts: RunOptions = {}): Promise<P> {
    const chunks = data.chunks;
    const over = classify(chunks);
    const argViews = viewsIn(args);
    if (over.kind === "local") {
      if (argViews.length) throw new FloeError("internal", `task ${task.name} mixes chunks of this node with a training view spread over the cluster`);
      return this.local.run(task, data, args, opts);
    }
    if (chunks.length === 0) return task.empty(args);
    const views = over.kind === "view" ? [over.view, ...argViews.filter((v) => v !== over.view)] : argViews;
    const frame = over.kind === "frame" ? over.frame : over.view.frame;
    for (const v of views) {
      if (v.frame !== frame || (over.kind === "view" && v !== over.view)) {
        throw new FloeError("unsupported", `task ${task.name} reads two training views at once, which a cluster cannot rebuild after a node failure`);
      }
    }
    const encodedArgs = encode(replaceDeep(args, (v) => (v instanceof ResidentStub ? ({ $resident: v.view.id, index: v.index } satisfies ResidentMarker) : undefined)));
    const built: ResidentView | null = task.resident ? { id: `${this.peers.self}/${this.nextView++}`, frame, task: task.name, args: encodedArgs, where: new Array(chunks.length), log: [] } : null;
    if (built && over.kind !== "frame") throw new FloeError("unsupported", `resident task ${task.name} must map over a frame`);

    const fold = new OrderedFold<P>(
      (a, b) => task.reduce(a, b),
      () => task.empty(args),
      task.commutative && task.mergeInto ? (acc, b) => task.mergeInto?.(acc, b) : undefined,
    );
    let merged = 0;
    let done = 0;
    let pending = chunks.map((_, i) => i);
    while (pending.length) {
      if (opts.signal?.aborted) throw cancelledError();
      await this.restore(views, pending);
      const groups = new Map<string, number[]>();
      for (const i of pending) {
        const node = this.route(frame, views, i);
        const g = groups.get(node);
        if (g) g.push(i);
        else groups.set(node, [i]);
      }
      const retry: number[] = [];
      await untilAborted(
        opts.signal,
        Promise.all(
          [...groups].map(async ([node, indices]) => {
            const req: MapRequest = {
              task: task.name,
              args: encodedArgs,
              over: over.kind === "view" ? { view: over.view.id } : { frame },
              indices,
              produce: built?.id,
            };
            let reply: MapReply;
            try {
              reply = decode<MapReply>(await this.transport.call(node, "map", encode(req), opts.signal));
            } catch (err) {
              if (opts.signal?.aborted) throw cancelledError();
              if (!isUnreachable(err)) throw err;
              this.peers.reportUnreachable(node);
              retry.push(...indices);
              return;
            }
            if ("built" in reply) {
              if (built) for (const i of indices) built.where[i] = node;
            } else if ("partial" in reply) fold.add(merged++, reply.partial as P);
            else indices.forEach((i, k) => fold.add(i, reply.partials[k] as P));
            done += indices.length;
            opts.onProgress?.(done, chunks.length);
          }),
        ),
      );
      pending = retry.sort((a, b) => a - b);
    }
    for (const v of views) v.log.push({ task: task.name, args: encodedArgs, over: over.kind === "view" ? "view" : "frame" });
    if (built) {
      const stubs = chunks.map((c, i) => {
        const { start, rows } = c as unknown as FrameChunkStub;
        return new ResidentStub(built, i, start, rows);
      });
      this.released.register(stubs, built.id, built);
      return stubs as unknown as P;
    }
    return fold.result;
  }

  /**
   * Each live node's rows of views built over `data`, placed as run() places a resident
   * task's chunks (route), with the free memory it last reported (unbounded where the
   * members report none); null for data on this node only. Tree training keeps a view's
   * rows in its level passes when this is not null (their records cannot be partitioned
   * where they are from another node).
   */
  viewShares(data: readonly Chunked<ChunkLike>[]): NodeShare[] | null {
    const overs = data.map((d) => classify(d.chunks));
    if (overs.every((o) => o.kind === "local")) return null;
    const rows = new Map(this.peers.live().map((n) => [n, data.map(() => 0)]));
    const add = (node: string, k: number, n: number) => {
      const per = rows.get(node);
      if (per) per[k] += n;
    };
    overs.forEach((over, k) => {
      const chunks = data[k].chunks as readonly (ChunkLike & { readonly rows: number })[];
      if (over.kind === "local") {
        for (const c of chunks) add(this.peers.self, k, c.rows);
        return;
      }
      chunks.forEach((c, i) => add(over.kind === "view" ? over.view.where[i] : this.route(over.frame, [], i), k, c.rows));
    });
    return [...rows].map(([node, r]) => ({
      node,
      self: node === this.peers.self,
      rows: r,
      threads: this.local.threads,
      free: this.peers.freeMemory ? this.peers.freeMemory(node) : Number.POSITIVE_INFINITY,
    }));
  }

  /**
   * The node to run chunk `i` on: where the views it touches live; else the chunk's home,
   * its first live holder (the others keep their copies on disk, see holdings.ts).
   */
  private route(frame: string, views: readonly ResidentView[], i: number): string {
    if (views.length) return views[0].where[i];
    const home = this.holders(frame, i).find((n) => this.peers.isLive(n));
    if (home === undefined) throw new FloeError("unavailable", `chunk ${i} of frame '${frame}' has no live copy: every node holding it is down`);
    return home;
  }

  private holders(frame: string, i: number): string[] {
    const entry = this.holdings.frames.get(frame);
    if (!entry) throw new FloeError("not_found", `frame '${frame}' is not in this node's directory`);
    return entry.holders[i];
  }

  /** Rebuilds the chunks of `views` among `indices` whose node is dead, on live holders of their source. */
  private async restore(views: readonly ResidentView[], indices: readonly number[]): Promise<void> {
    for (const v of views) {
      for (;;) {
        const lost = indices.filter((i) => !this.peers.isLive(v.where[i]));
        if (!lost.length) break;
        const targets = new Map<string, number[]>();
        for (const i of lost) {
          const node = this.route(v.frame, [], i);
          const t = targets.get(node);
          if (t) t.push(i);
          else targets.set(node, [i]);
        }
        await Promise.all(
          [...targets].map(async ([node, ids]) => {
            const req: RebuildRequest = { view: v.id, frame: v.frame, task: v.task, args: v.args, log: v.log, indices: ids };
            try {
              await this.transport.call(node, "rebuild", encode(req));
              for (const i of ids) v.where[i] = node;
            } catch (err) {
              if (!isUnreachable(err)) throw err;
              this.peers.reportUnreachable(node);
            }
          }),
        );
      }
    }
  }

  /** Drops a resident view on every node now (see Executor.release); anything else is left alone. */
  async release(view: Chunked<ChunkLike>): Promise<void> {
    const first = view.chunks[0];
    if (!(first instanceof ResidentStub)) return;
    this.released.unregister(first.view);
    await this.drop(first.view.id);
  }

  private async drop(view: string): Promise<void> {
    await Promise.all(this.peers.live().map((node) => this.transport.call(node, "release", encode({ view })).catch(() => {})));
  }

  /** The node stops: the copies it spilled to disk go. */
  async close(): Promise<void> {
    this.holdings.close();
  }
}

/**
 * `work`, or a cancelled error as soon as `signal` aborts. The map requests carry the same
 * signal, so each node stops after the chunk it is mapping; late answers are dropped.
 */
function untilAborted<T>(signal: AbortSignal | undefined, work: Promise<T>): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(cancelledError());
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/** What a run maps over: chunks of this node, of a cluster frame, or of a resident view. */
function classify(chunks: readonly ChunkLike[]): Over {
  const first = chunks[0];
  if (first instanceof FrameChunkStub) {
    if (!chunks.every((c, i) => c instanceof FrameChunkStub && c.frame === first.frame && c.index === i)) {
      throw new FloeError("internal", `a task was given a mix or subset of frame '${first.frame}''s chunks; gather the frame first`);
    }
    return { kind: "frame", frame: first.frame };
  }
  if (first instanceof ResidentStub) {
    if (!chunks.every((c, i) => c instanceof ResidentStub && c.view === first.view && c.index === i)) {
      throw new FloeError("internal", "a task was given a mix or subset of a training view's chunks");
    }
    return { kind: "view", view: first.view };
  }
  if (chunks.some((c) => c instanceof FrameChunkStub || c instanceof ResidentStub)) {
    throw new FloeError("internal", "a task was given chunks of this node mixed with chunks held elsewhere");
  }
  return { kind: "local" };
}

/** The resident views whose stand-ins appear in a task's arguments. */
function viewsIn(args: unknown): ResidentView[] {
  const found = new Set<ResidentView>();
  replaceDeep(args, (v) => {
    if (v instanceof ResidentStub) {
      found.add(v.view);
      return v;
    }
    return undefined;
  });
  return [...found];
}
