// The memory a job on this node may still take: the machine's memory (or the container's
// limit, when cgroup v2 sets one) less what this process already holds. Estimates of a
// training's needs are checked against it before the work starts, so that a configuration
// that cannot fit fails with its numbers instead of swapping or being killed. A node's
// budget (`floe serve --max-mem`) caps what its frames hold, and a training takes at most
// what they leave free.

import { edenGC } from "bun:jsc";
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { FloeError } from "./errors.ts";
import type { ColumnSpec, Frame } from "./frame.ts";

/** The container's memory limit in bytes (cgroup v2 memory.max), or null when none is set. */
function cgroupLimit(): number | null {
  try {
    const text = readFileSync("/sys/fs/cgroup/memory.max", "utf8").trim();
    const bytes = Number(text);
    return Number.isFinite(bytes) && bytes > 0 ? bytes : null;
  } catch {
    return null;
  }
}

/** The machine's memory, or the container's limit when lower. */
export function machineMemory(): number {
  return Math.min(totalmem(), cgroupLimit() ?? Number.POSITIVE_INFINITY);
}

/** Bytes this process may still allocate: the machine's or the container's memory less its resident set. */
export function availableMemory(): number {
  return Math.max(0, machineMemory() - process.memoryUsage.rss());
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A size as flags take it: bytes, or a number with k, m, g or t (binary units: 4g, 512m, 1.5g). */
export function parseSize(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  const bytes = m ? Math.floor(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]) : Number.NaN;
  if (!(bytes > 0)) throw new FloeError("invalid_argument", `${flag} must be a size such as 512m or 4g, got '${text}'`);
  return bytes;
}

/**
 * Bytes the frames hold on this node, each buffer counted once (frames made by selecting
 * or slicing share their source's buffers). A cluster frame's chunks are held by the
 * nodes' holdings, not by its stand-in chunks, and are not counted here.
 */
export function framesBytes(frames: Iterable<Frame>): number {
  const seen = new Set<ArrayBufferLike>();
  let n = 0;
  const count = (a: ArrayBufferView) => {
    if (seen.has(a.buffer)) return;
    seen.add(a.buffer);
    n += a.buffer.byteLength;
  };
  for (const frame of frames) {
    for (const chunk of frame.chunks) {
      let vecs: Frame["chunks"][number]["vecs"];
      try {
        vecs = chunk.vecs;
      } catch {
        // A stand-in for a chunk held elsewhere (src/cluster/stand-ins.ts).
        break;
      }
      for (const v of vecs) {
        if (v.kind === "f64") count(v.values);
        else if (v.kind === "codes") count(v.codes);
        else for (const a of [v.offsets, v.bytes, v.missing]) count(a);
      }
    }
  }
  return n;
}

/**
 * Bytes a frame of `rows` rows and these columns takes in chunks: 8 a numeric or time
 * value, 4 an enum code; a string column's offsets and missing bits (its text, not known
 * before it is read, comes on top).
 */
export function frameBytesEstimate(rows: number, columns: readonly ColumnSpec[]): number {
  return columns.reduce((n, c) => n + rows * (c.type === "enum" ? 4 : c.type === "string" ? 4.125 : 8), 0);
}

/**
 * A node's memory budget (`floe serve --max-mem`): its frames may hold at most `max` bytes
 * and no more than the machine has free; a training may take what they leave (on a
 * cluster, what the live nodes leave together).
 */
export class MemoryBudget {
  private readonly holders: (() => number)[];
  private clusterFree: (() => number) | null = null;

  constructor(
    readonly max: number,
    /** Bytes the node's frames hold now. */
    held: () => number,
  ) {
    this.holders = [held];
  }

  /** Counts what `held` says too (a cluster node's chunks, kept beside its store's frames). */
  countAlso(held: () => number): void {
    this.holders.push(held);
  }

  /** Trainings run over a cluster from now on: they may take `free`, the live nodes' free bytes together. */
  spanCluster(free: () => number): void {
    this.clusterFree = free;
  }

  private held(): number {
    return this.holders.reduce((n, h) => n + h(), 0);
  }

  /** Bytes under the cap that frames do not hold, no more than the machine has available. */
  free(): number {
    return Math.max(0, Math.min(this.max - this.held(), availableMemory()));
  }

  /** What a training may take. */
  forTraining(): number {
    return this.clusterFree?.() ?? this.free();
  }

  /** Refuses `bytes` more for `what` when they do not fit in what is free, naming the numbers. */
  check(bytes: number, what: string): void {
    const held = this.held();
    const available = availableMemory();
    if (bytes <= Math.min(this.max - held, available)) return;
    const machine = available < this.max - held ? `, the machine has ${formatBytes(available)} available` : "";
    throw new FloeError(
      "too_large",
      `${what} needs ${formatBytes(bytes)} but this node has ${formatBytes(this.free())} free (--max-mem ${formatBytes(this.max)}, frames hold ${formatBytes(held)}${machine}): delete frames or start the node with a larger --max-mem`,
    );
  }
}

/** A byte count in binary units: "512.0 MiB", "1.5 GiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
}

/**
 * Asks the runtime for a full collection. Shared buffers (a training's level-pass partials)
 * lie outside JavaScriptCore's heap accounting, so once many of them are garbage they wait for
 * a collection the small heap does not trigger, and the process holds them all: work that made
 * many calls this when it is done with them.
 */
export function collectGarbage(): void {
  Bun.gc(true);
}

/**
 * Collects garbage once `every` bytes more were let go since its last collection: a loop
 * dropping large buffers (or native memory freed by finalizers) collects as it goes,
 * without a collection for each small one. `young`: what it lets go was made since the last
 * collection (DuckDB's result vectors, each read and dropped), which a collection of the
 * young generation alone finds, for a fraction of a full one's time.
 */
export class GarbageMeter {
  private since = 0;

  constructor(
    private readonly every: number,
    private readonly young = false,
  ) {}

  /** `bytes` more are garbage (or soon will be). */
  add(bytes: number): void {
    this.since += bytes;
    if (this.since < this.every) return;
    this.since = 0;
    if (this.young) edenGC();
    else collectGarbage();
  }
}

/**
 * Bytes of shared memory a value holds: typed arrays on SharedArrayBuffers found in it and
 * in its objects and arrays up to `depth` levels down, each buffer counted once.
 */
export function sharedBytes(value: unknown, depth = 3, seen = new Set<SharedArrayBuffer>()): number {
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    if (!(buffer instanceof SharedArrayBuffer) || seen.has(buffer)) return 0;
    seen.add(buffer);
    return buffer.byteLength;
  }
  if (depth === 0 || value === null || typeof value !== "object") return 0;
  let n = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value)) n += sharedBytes(v, depth - 1, seen);
  return n;
}
