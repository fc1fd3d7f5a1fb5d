// Where a cluster node without --data-dir keeps the chunks it holds as a replica (a copy
// used only once the chunk's home dies): Arrow IPC files in a folder of its own in the
// system's temporary directory (floe-spill-<pid>-<random>), removed when the node stops.
// A node killed cannot remove its folder: folders of processes no longer running are
// removed when a new one is made. Each file is written under a temporary name and renamed,
// so a file under its real name is whole.

import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "floe-spill-";
const FOLDER = new RegExp(`^${PREFIX}(\\d+)-`);

let writes = 0;

/** Whether process `pid` is running (as another user's, it cannot be signalled but is). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class SpillDir {
  private constructor(readonly root: string) {}

  /** A new folder under `base` (the system's temporary directory), stale ones there removed first. */
  static create(base = tmpdir()): SpillDir {
    for (const name of readdirSync(base)) {
      const pid = Number(FOLDER.exec(name)?.[1] ?? Number.NaN);
      if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) rmSync(join(base, name), { recursive: true, force: true });
    }
    return new SpillDir(mkdtempSync(join(base, `${PREFIX}${process.pid}-`)));
  }

  private folder(frame: string): string {
    return join(this.root, encodeURIComponent(frame));
  }

  /** Writes chunk `index` of `frame` (its Arrow IPC bytes); the file's path. */
  async write(frame: string, index: number, ipc: Uint8Array): Promise<string> {
    const folder = this.folder(frame);
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `chunk-${index}.arrow`);
    const tmp = `${file}.${++writes}.tmp`;
    await Bun.write(tmp, ipc);
    renameSync(tmp, file);
    return file;
  }

  dropChunk(frame: string, index: number): void {
    rmSync(join(this.folder(frame), `chunk-${index}.arrow`), { force: true });
  }

  dropFrame(frame: string): void {
    rmSync(this.folder(frame), { recursive: true, force: true });
  }

  /** Removes the folder and everything in it. */
  close(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
