// A node's data directory (`floe serve --data-dir`): frames under frames/<id>.frame
// (persist-frame.ts) and models under models/<id>.floe (a model file `floe predict` reads)
// beside models/<id>.json (what the server keeps with it). Every file is written under a
// temporary name, synced and then renamed, so a node killed mid-write leaves either the
// old state or the new one, never half a file under a real name; leftover temporary files
// are removed when the directory is opened. A cluster node keeps its chunks under
// cluster/ instead of frames/ (src/cluster/kept.ts).

import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join, resolve } from "node:path";
import { FloeError } from "./errors.ts";
import type { Frame } from "./frame.ts";
import { readFrameFile, writeFrameFile } from "./persist-frame.ts";

const TMP = ".tmp";
const FRAME_EXT = ".frame";

let tmpCounter = 0;

function tmpName(path: string): string {
  return `${path}.${process.pid}-${++tmpCounter}${TMP}`;
}

/** Makes a rename durable: the directory entry is synced too. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = tmpName(path);
  const fd = openSync(tmp, "w");
  try {
    writeFileSync(fd, bytes);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    removeIfThere(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

export function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/**
 * Writes `bytes` under a temporary name, syncs, runs `beforeRename` (tests stop a node
 * there), then renames it to `path`: a reader sees the whole file or none.
 */
export async function writeFileAtomicAsync(path: string, bytes: Uint8Array, beforeRename?: () => Promise<void>): Promise<void> {
  const tmp = tmpName(path);
  const out = await open(tmp, "w");
  try {
    await out.writeFile(bytes);
    await out.sync();
  } catch (err) {
    await out.close();
    removeIfThere(tmp);
    throw err;
  }
  await out.close();
  await beforeRename?.();
  renameSync(tmp, path);
}

/** Removes the temporary files a write cut short left in `dir`. */
export function removeTemporaries(dir: string): void {
  for (const name of readdirSync(dir)) if (name.endsWith(TMP)) unlinkSync(join(dir, name));
}

/** A stored model's file bytes and what the server keeps beside it. */
export interface KeptModel {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly meta: unknown;
}

export interface DataDirOptions {
  /** Tests: runs after each chunk of a frame is written (a cluster node's chunk file: before its rename), to stop a node mid-write. */
  readonly afterFrameChunk?: (index: number) => Promise<void>;
}

export class DataDir {
  readonly frames: string;
  readonly models: string;

  private constructor(
    readonly root: string,
    readonly opts: DataDirOptions,
  ) {
    this.frames = join(root, "frames");
    this.models = join(root, "models");
  }

  /** Opens (creating it if needed) the directory at `path` and removes leftover temporary files. */
  static open(path: string, opts: DataDirOptions = {}): DataDir {
    const root = resolve(path);
    let isDir = true;
    try {
      isDir = statSync(root).isDirectory();
    } catch {
      mkdirSync(root, { recursive: true });
    }
    if (!isDir) throw new FloeError("invalid_argument", `--data-dir ${path}: not a directory`);
    const dir = new DataDir(root, opts);
    for (const sub of [dir.frames, dir.models]) {
      mkdirSync(sub, { recursive: true });
      removeTemporaries(sub);
    }
    return dir;
  }

  private framePath(id: string): string {
    return join(this.frames, `${id}${FRAME_EXT}`);
  }

  /** Writes a frame whose chunks are all on this node, replacing any of that id. */
  async writeFrame(id: string, frame: Frame): Promise<void> {
    const path = this.framePath(id);
    const tmp = tmpName(path);
    const out = await open(tmp, "w");
    try {
      await writeFrameFile(out, frame, this.opts.afterFrameChunk);
      await out.sync();
    } catch (err) {
      await out.close();
      removeIfThere(tmp);
      throw new FloeError("unavailable", `cannot write frame '${id}' to ${this.frames}: ${(err as Error).message}`);
    }
    await out.close();
    renameSync(tmp, path);
    syncDir(this.frames);
  }

  removeFrame(id: string): void {
    removeIfThere(this.framePath(id));
  }

  /** The frames of the directory; a file that is not a whole frame goes to `onBad` and is skipped. */
  async readFrames(onBad: (file: string, reason: string) => void): Promise<{ id: string; frame: Frame }[]> {
    const out: { id: string; frame: Frame }[] = [];
    for (const name of readdirSync(this.frames).sort()) {
      if (!name.endsWith(FRAME_EXT)) continue;
      try {
        out.push({ id: name.slice(0, -FRAME_EXT.length), frame: await readFrameFile(join(this.frames, name)) });
      } catch (err) {
        onBad(join(this.frames, name), (err as Error).message);
      }
    }
    return out;
  }

  /** Writes a model file, then its metadata: a model counts as kept once both are there. */
  writeModel(id: string, bytes: Uint8Array, meta: unknown): void {
    try {
      writeFileAtomic(join(this.models, `${id}.floe`), bytes);
      writeFileAtomic(join(this.models, `${id}.json`), Buffer.from(JSON.stringify(meta)));
      syncDir(this.models);
    } catch (err) {
      throw new FloeError("unavailable", `cannot write model '${id}' to ${this.models}: ${(err as Error).message}`);
    }
  }

  /** Removes a model's metadata first, so that a removal cut short leaves no half model. */
  removeModel(id: string): void {
    removeIfThere(join(this.models, `${id}.json`));
    removeIfThere(join(this.models, `${id}.floe`));
  }

  /** The models of the directory (a model file without its metadata is a write cut short: removed). */
  readModels(onBad: (file: string, reason: string) => void): KeptModel[] {
    const names = new Set(readdirSync(this.models));
    const out: KeptModel[] = [];
    for (const name of [...names].sort()) {
      if (!name.endsWith(".floe")) continue;
      const id = name.slice(0, -".floe".length);
      const file = join(this.models, name);
      if (!names.has(`${id}.json`)) {
        removeIfThere(file);
        continue;
      }
      try {
        out.push({ id, bytes: readFileSync(file), meta: JSON.parse(readFileSync(join(this.models, `${id}.json`), "utf8")) });
      } catch (err) {
        onBad(file, (err as Error).message);
      }
    }
    return out;
  }
}
