// What a cluster node started with --data-dir keeps of its holdings, under <dir>/cluster/:
// a folder a frame holding its directory entry (entry.bin: schema, rollups, chunk sizes;
// not the holders, which a restarted node learns again from its peers) and each chunk this
// node holds (chunk-<index>.arrow, the Arrow IPC bytes chunks travel in between nodes).
// Every file is written under a temporary name and renamed (persist.ts), so a node killed
// mid-write keeps whole chunks only. The digest of each kept chunk lets a peer about to
// copy a chunk here ask first whether this node, back from a restart, holds it already.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Chunk } from "../core/chunk.ts";
import type { ColumnRollup, ColumnSpec } from "../core/frame.ts";
import { type DataDir, removeTemporaries, syncDir, writeFileAtomic, writeFileAtomicAsync } from "../core/persist.ts";
import { decode, encode } from "./wire.ts";

const ENTRY = "entry.bin";
const GONE = "gone.bin";
const FOLDER = "frame-";
const CHUNK = /^chunk-(\d+)\.arrow$/;

/** A frame's directory entry (holdings.ts) as kept: without its holders. */
export interface KeptEntry {
  readonly id: string;
  /** Random, made with the frame: two frames made under one id (one deleted while a node was down) differ. */
  readonly uid: string;
  /** ms since the epoch when the frame was made: of two frames under one id, the later is the frame. */
  readonly created: number;
  readonly columns: readonly ColumnSpec[];
  readonly rollups?: readonly ColumnRollup[];
  /** Global row id of each chunk's first row, and its rows. */
  readonly starts: readonly number[];
  readonly rows: readonly number[];
  readonly byteSize: number;
}

export interface KeptFrame {
  readonly entry: KeptEntry;
  /** Arrow IPC bytes of each chunk kept, by index. */
  readonly chunks: Map<number, Uint8Array>;
}

/**
 * The digest a peer and this node compare to tell that a kept chunk is the one to copy: of
 * the columns' names, types and levels and of the chunk's values (not of its Arrow bytes,
 * which number enum dictionaries afresh each time a chunk is written).
 */
export function chunkDigest(columns: readonly ColumnSpec[], chunk: Chunk): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify([chunk.start, chunk.rows, columns.map((c) => [c.name, c.type, c.domain ?? null])]));
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
  for (const v of chunk.vecs) {
    if (v.kind === "f64") hash.update(bytes(v.values));
    else if (v.kind === "codes") hash.update(bytes(v.codes));
    else {
      // Values only: a string vector's offsets may start anywhere and its bitmap's spare bits vary.
      const missing = new Uint8Array(chunk.rows);
      for (let i = 0; i < chunk.rows; i++) missing[i] = (v.missing[i >> 3] >> (i & 7)) & 1;
      hash.update(missing);
      hash.update(bytes(v.offsets.subarray(0, chunk.rows + 1).map((o) => o - v.offsets[0])));
      hash.update(bytes(v.bytes.subarray(v.offsets[0], v.offsets[chunk.rows])));
    }
  }
  return hash.digest("hex");
}

export class KeptChunks {
  private readonly digests = new Map<string, Map<number, string>>();

  private constructor(
    readonly root: string,
    private readonly beforeRename?: (index: number) => Promise<void>,
  ) {}

  static open(dir: DataDir): KeptChunks {
    const root = join(dir.root, "cluster");
    mkdirSync(root, { recursive: true });
    return new KeptChunks(root, dir.opts.afterFrameChunk);
  }

  private folder(frame: string): string {
    return join(this.root, `${FOLDER}${encodeURIComponent(frame)}`);
  }

  /** The file of chunk `index` of `frame` (a node reads a chunk it holds on disk only from there). */
  chunkFile(frame: string, index: number): string {
    return join(this.folder(frame), `chunk-${index}.arrow`);
  }

  /** Writes a chunk this node holds (replacing any of that index), its digest `digest`. */
  async putChunk(frame: string, index: number, ipc: Uint8Array, digest: string): Promise<void> {
    const folder = this.folder(frame);
    mkdirSync(folder, { recursive: true });
    const hook = this.beforeRename;
    await writeFileAtomicAsync(this.chunkFile(frame, index), ipc, hook && (() => hook(index)));
    syncDir(folder);
    this.noteDigest(frame, index, digest);
  }

  /** Records the digest of a chunk kept (one read back from before a restart). */
  noteDigest(frame: string, index: number, digest: string): void {
    let d = this.digests.get(frame);
    if (!d) this.digests.set(frame, (d = new Map()));
    d.set(index, digest);
  }

  /** Writes a frame's directory entry (its holders left out). */
  putEntry(entry: KeptEntry): void {
    const kept: KeptEntry = { id: entry.id, uid: entry.uid, created: entry.created, columns: entry.columns, rollups: entry.rollups, starts: entry.starts, rows: entry.rows, byteSize: entry.byteSize };
    const folder = this.folder(entry.id);
    mkdirSync(folder, { recursive: true });
    writeFileAtomic(join(folder, ENTRY), encode(kept));
    syncDir(folder);
  }

  /** Forgets a frame: its entry and every chunk of it. */
  drop(frame: string): void {
    this.digests.delete(frame);
    rmSync(this.folder(frame), { recursive: true, force: true });
  }

  /** Writes the uids of the frames deleted or replaced (a node back from a restart may announce them). */
  putGone(uids: ReadonlySet<string>): void {
    writeFileAtomic(join(this.root, GONE), encode([...uids]));
  }

  readGone(): string[] {
    const file = join(this.root, GONE);
    if (!existsSync(file)) return [];
    const uids = decode<unknown>(readFileSync(file));
    return Array.isArray(uids) ? uids.filter((u): u is string => typeof u === "string") : [];
  }

  /** Whether chunk `index` of `frame` is kept here with this digest. */
  has(frame: string, index: number, digest: string): boolean {
    return this.digests.get(frame)?.get(index) === digest;
  }

  /**
   * The frames kept, each with the chunks written whole; temporary files are removed, and
   * so is a folder without its entry (chunks that came before the entry, the node killed
   * in between), reported to `onBad` as is an entry that cannot be read.
   */
  read(onBad: (file: string, reason: string) => void): KeptFrame[] {
    const out: KeptFrame[] = [];
    removeTemporaries(this.root);
    for (const name of readdirSync(this.root).sort()) {
      if (!name.startsWith(FOLDER)) continue;
      const folder = join(this.root, name);
      removeTemporaries(folder);
      const entryFile = join(folder, ENTRY);
      if (!existsSync(entryFile)) {
        rmSync(folder, { recursive: true, force: true });
        continue;
      }
      let entry: KeptEntry;
      try {
        entry = decode<KeptEntry>(readFileSync(entryFile));
        if (typeof entry?.id !== "string" || typeof entry.uid !== "string" || !Array.isArray(entry.starts) || !Array.isArray(entry.rows)) throw new Error("not a frame's directory entry");
      } catch (err) {
        onBad(entryFile, (err as Error).message);
        continue;
      }
      const chunks = new Map<number, Uint8Array>();
      for (const file of readdirSync(folder)) {
        const m = CHUNK.exec(file);
        if (m) chunks.set(Number(m[1]), readFileSync(join(folder, file)));
      }
      out.push({ entry, chunks });
    }
    return out;
  }

  /** Forgets one chunk read back that turned out not to be whole. */
  dropChunk(frame: string, index: number): void {
    this.digests.get(frame)?.delete(index);
    rmSync(this.chunkFile(frame, index), { force: true });
  }
}
