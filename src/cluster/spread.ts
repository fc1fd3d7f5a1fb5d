// Frames over a cluster: a new frame's chunks go to two nodes each (a home, which keeps it
// in memory and runs its tasks, the live members in turn; and a replica, which keeps it on
// disk, see holdings.ts, by rendezvous hashing over the others), its directory entry to every node; a
// frame is gathered back to one node for code that reads rows; when a node dies, the
// first surviving holder of each of its chunks copies the chunk to a new node, so every
// chunk has two copies again. Chunks travel as Arrow IPC. A node back from a restart with
// its data directory may hold the chunk to be copied already: it is asked first, and
// counted as a copy without the chunk being sent.

import { chunkFromIPC, chunkToIPC } from "../core/arrow.ts";
import type { Chunk } from "../core/chunk.ts";
import { FloeError } from "../core/errors.ts";
import { type ColumnSpec, Frame } from "../core/frame.ts";
import type { FramePlacement } from "../core/placement.ts";
import { type FrameEntry, frameIdentity, type Holdings } from "./holdings.ts";
import { inParallel, isUnreachable, type Peers, toOthers, type Transport } from "./peers.ts";
import { rendezvous } from "./rendezvous.ts";
import { chunkDigest } from "./kept.ts";
import { FrameChunkStub } from "./stand-ins.ts";
import { decode, encode } from "./wire.ts";

/** Copies of each chunk when the cluster has enough nodes. */
export const COPIES = 2;
/** Chunk transfers in flight at once. */
const TRANSFERS = 4;

export class FrameSpreader implements FramePlacement {
  /** Parses a file import on every node (set by clusterData: the shared parse needs this spreader). */
  importShared?: FramePlacement["importShared"];

  constructor(
    private readonly peers: Peers,
    private readonly transport: Transport,
    private readonly holdings: Holdings,
    private readonly log: (line: string) => void,
  ) {
    peers.onDead((name) => void this.replace(name).catch((err) => log(`re-replicating the chunks of ${name} failed: ${(err as Error).message}`)));
    peers.onJoined((name) => void this.welcome(name).catch((err) => log(`sending the frame directory to ${name} failed: ${(err as Error).message}`)));
    holdings.onHolders = (entry) => void this.trim(entry).catch((err) => log(`dropping extra copies of frame '${entry.id}' failed: ${(err as Error).message}`));
  }

  async place(id: string, frame: Frame): Promise<Frame> {
    if (frame.chunks.some((c) => c instanceof FrameChunkStub)) frame = await this.gather(frame);
    const holders: string[][] = [];
    // Homes in turn: each node runs the tasks of as many chunks.
    const live = this.peers.live();
    await inParallel(frame.chunks, TRANSFERS, async (chunk) => {
      holders[chunk.index] = await this.send(id, frame.columns, chunk, [], live[chunk.index % live.length]);
    });
    const entry: FrameEntry = {
      id,
      ...frameIdentity(),
      columns: frame.columns,
      rollups: frame.rollups,
      starts: frame.chunks.map((c) => c.start),
      rows: frame.chunks.map((c) => c.rows),
      byteSize: frame.byteSize,
      holders,
    };
    this.holdings.record(entry);
    await toOthers(this.peers, this.transport, "frame", encode(entry));
    return this.holdings.stubFrame(entry);
  }

  /**
   * Puts `chunk` on COPIES live nodes besides `have` (which already hold it), `prefer` first
   * when it is live; the holders. The first holder is the chunk's home; the others hold it as a replica. `askFirst` (a chunk of the existing frame of that uid): a
   * node that holds the same values from before a restart is counted without sending it
   * (and `found` counts it).
   */
  async send(id: string, columns: readonly ColumnSpec[], chunk: Chunk, have: readonly string[], prefer?: string, askFirst?: { readonly uid: string; found: number }): Promise<string[]> {
    const out = [...have];
    let ipc: Uint8Array | null = null;
    for (;;) {
      const want = COPIES - out.length;
      const candidates = this.peers.live().filter((n) => !out.includes(n));
      if (want <= 0 || candidates.length === 0) break;
      const preferred = prefer !== undefined && candidates.includes(prefer) ? [prefer] : [];
      const rest = rendezvous(
        `${id}/${chunk.index}`,
        candidates.filter((n) => n !== prefer),
        want - preferred.length,
      );
      prefer = undefined;
      for (const node of [...preferred, ...rest]) {
        const replica = out.length > 0;
        if (node === this.peers.self) {
          await this.holdings.hold(id, chunk, columns, ipc ?? undefined, replica);
          out.push(node);
          continue;
        }
        try {
          const has =
            askFirst !== undefined && decode<boolean>(await this.transport.call(node, "chunk-has", encode({ frame: id, uid: askFirst.uid, index: chunk.index, digest: chunkDigest(columns, chunk) })));
          if (has && askFirst) askFirst.found++;
          else {
            ipc ??= chunkToIPC(columns, chunk);
            await this.transport.call(node, "chunk-put", encode({ frame: id, index: chunk.index, start: chunk.start, ipc, replica }));
          }
          out.push(node);
        } catch (err) {
          if (!isUnreachable(err)) throw err;
          this.peers.reportUnreachable(node);
        }
      }
    }
    if (out.length === 0) throw new FloeError("unavailable", `no live node could take chunk ${chunk.index} of frame '${id}'`);
    return out;
  }

  async gather(frame: Frame): Promise<Frame> {
    const first = frame.chunks[0];
    if (!(first instanceof FrameChunkStub)) return frame;
    const id = first.frame;
    const entry = this.holdings.frames.get(id);
    if (!entry) throw new FloeError("not_found", `frame '${id}' is not in this node's directory`);
    const chunks: Chunk[] = [];
    await inParallel(frame.chunks, TRANSFERS, async (stub) => {
      chunks[stub.index] = await this.fetch(entry, stub.index);
    });
    return Frame.of(entry.columns, chunks).withRollups(entry.rollups ?? []);
  }

  private async fetch(entry: FrameEntry, index: number): Promise<Chunk> {
    // A copy on this node's disk is read, not kept in memory.
    const mine = this.holdings.read(entry.id, index);
    if (mine) return mine;
    for (const node of entry.holders[index].filter((n) => this.peers.isLive(n))) {
      try {
        const ipc = await this.transport.call(node, "chunk-get", encode({ frame: entry.id, index }));
        return chunkFromIPC(ipc, index, entry.starts[index]).chunk;
      } catch (err) {
        if (!isUnreachable(err)) throw err;
        this.peers.reportUnreachable(node);
      }
    }
    throw new FloeError("unavailable", `chunk ${index} of frame '${entry.id}' has no live copy: every node holding it is down`);
  }

  async drop(id: string): Promise<void> {
    this.holdings.dropFrame(id);
    await toOthers(this.peers, this.transport, "frame-drop", encode({ frame: id }));
  }

  /** A member died: forget its copies, then make new ones where too few are left. */
  private async replace(dead: string): Promise<void> {
    for (const entry of this.holdings.frames.values()) {
      for (let i = 0; i < entry.holders.length; i++) entry.holders[i] = entry.holders[i].filter((n) => n !== dead);
    }
    await this.topUp(`held by ${dead}`);
  }

  /**
   * Copies every chunk with fewer than COPIES live holders, where this node is the first
   * live holder, to other live nodes (after a death; after a join, when a frame was spread
   * over fewer nodes than COPIES), and tells the members.
   */
  private async topUp(why: string): Promise<void> {
    for (const entry of this.holdings.frames.values()) {
      const updates: [number, string[]][] = [];
      const held = { uid: entry.uid, found: 0 };
      for (let i = 0; i < entry.holders.length; i++) {
        const live = entry.holders[i].filter((n) => this.peers.isLive(n));
        if (live.length >= COPIES || live[0] !== this.peers.self) continue;
        // This node is the chunk's home now: it keeps the chunk in memory.
        const chunk = this.holdings.held(entry.id, i);
        if (!chunk) continue;
        entry.holders[i] = await this.send(entry.id, entry.columns, chunk, live, undefined, held);
        if (entry.holders[i].length > live.length) updates.push([i, entry.holders[i]]);
      }
      if (updates.length) {
        await toOthers(this.peers, this.transport, "holders", encode({ frame: entry.id, updates }));
        const copied = updates.length - held.found;
        const found = held.found ? ` (${held.found} found held already by a node back from a restart)` : "";
        this.log(`copied ${copied} chunk${copied === 1 ? "" : "s"} of frame '${entry.id}' ${why} to other nodes${found}`);
      }
    }
  }

  /**
   * Drops this node's copies of chunks that more than COPIES live nodes hold (a node came
   * back from a restart with copies the others had made again meanwhile, or a partition
   * healed), and tells the members. Of a chunk's live holders in name order the first
   * COPIES keep theirs, so every node picks the same ones whatever order it learns the
   * holders in, and the first COPIES never drop theirs.
   */
  private async trim(entry: FrameEntry): Promise<void> {
    const self = this.peers.self;
    const updates: [number, string[]][] = [];
    entry.holders.forEach((holders, i) => {
      const live = holders.filter((n) => this.peers.isLive(n)).sort();
      if (live.length <= COPIES || live.indexOf(self) < COPIES || !this.holdings.holds(entry.id, i)) return;
      entry.holders[i] = holders.filter((n) => n !== self);
      updates.push([i, entry.holders[i]]);
    });
    if (!updates.length) return;
    // The members first, so that no task is sent here for these chunks once they are gone.
    await toOthers(this.peers, this.transport, "holders", encode({ frame: entry.id, updates }));
    if (this.holdings.frames.get(entry.id) !== entry) return;
    for (const [i] of updates) if (!entry.holders[i].includes(self)) this.holdings.dropChunk(entry.id, i);
    this.log(`dropped ${updates.length} extra cop${updates.length === 1 ? "y" : "ies"} of chunks of frame '${entry.id}': ${COPIES} other nodes hold them`);
  }

  /**
   * A member joined or came back from a partition: send it this node's directory, which it
   * merges with its own (every member does, so whatever it missed reaches it).
   */
  private async welcome(name: string): Promise<void> {
    for (const entry of [...this.holdings.frames.values()]) {
      // It knows the frame as deleted or made anew while this node was down: drop this node's.
      if (!decode<boolean>(await this.transport.call(name, "frame", encode(entry)))) this.holdings.dropIfStill(entry);
    }
    await this.topUp(`with a single copy`);
    // Copies it announced before this node knew it live count now.
    for (const entry of [...this.holdings.frames.values()]) await this.trim(entry);
  }
}
