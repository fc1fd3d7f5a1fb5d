// A cluster node's kept chunks (src/cluster/kept.ts) read back into its holdings: whole
// chunks come back with this node as their holder; a frame dropped before its files were
// removed, chunks without their frame's entry and temporary files of a write cut short do not.

import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chunkToIPC } from "../../src/core/arrow.ts";
import type { Chunk } from "../../src/core/chunk.ts";
import type { ColumnSpec, Frame } from "../../src/core/frame.ts";
import { InlineExecutor } from "../../src/core/mr.ts";
import { DataDir } from "../../src/core/persist.ts";
import { type FrameEntry, Holdings } from "../../src/cluster/holdings.ts";
import { chunkDigest, KeptChunks } from "../../src/cluster/kept.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const columns: ColumnSpec[] = [
  { name: "x", type: "numeric" },
  { name: "c", type: "enum", domain: ["a", "b"] },
];
const chunk = (index: number, start: number): Chunk => ({
  index,
  start,
  rows: 2,
  vecs: [
    { kind: "f64", values: new Float64Array([start + 0.5, Number.NaN]) },
    { kind: "codes", codes: new Int32Array([1, -1]) },
  ],
});
const entry = (id: string, uid: string): FrameEntry => ({ id, uid, created: 1, columns, starts: [0, 2], rows: [2, 2], byteSize: 48, holders: [["me"], ["me"]] });

function holdings(frames: Map<string, Frame | null>): Holdings {
  return new Holdings("me", new InlineExecutor(), new Map(), (id, frame) => frames.set(id, frame));
}

test("kept chunks come back whole; a dropped frame, orphan chunks and temporary files do not", async () => {
  const root = mkdtempSync(join(tmpdir(), "floe-kept-"));
  dirs.push(root);
  const first = holdings(new Map());
  const kept = KeptChunks.open(DataDir.open(root));
  first.restoreFrom(kept, () => {});
  first.addFrame(entry("keep", "u1"));
  first.addFrame(entry("dropped", "u2"));
  for (const id of ["keep", "dropped"]) await first.hold(id, chunk(1, 2), columns);
  // Dropped, but killed before its folder went: only its uid was recorded.
  kept.putGone(new Set(["u2"]));
  // Chunks that came before their frame's entry, and a chunk write cut short.
  await kept.putChunk("orphan", 0, chunkToIPC(columns, chunk(0, 0)), "d");
  writeFileSync(join(kept.root, "frame-keep", "chunk-0.arrow.1-1.tmp"), "half");

  const frames = new Map<string, Frame | null>();
  const again = holdings(frames);
  const bad: string[] = [];
  expect(again.restoreFrom(KeptChunks.open(DataDir.open(root)), (file) => bad.push(file))).toEqual({ frames: 1, chunks: 1 });
  expect(bad).toEqual([]);
  expect([...frames.keys()]).toEqual(["keep"]);
  expect(again.frames.get("keep")?.holders).toEqual([[], ["me"]]);
  expect(again.heldIndices("keep")).toEqual([1]);
  // On disk until a task or a copy needs it, then in memory.
  expect(again.inMemoryIndices("keep")).toEqual([]);
  const back = again.held("keep", 1) as Chunk;
  expect(again.inMemoryIndices("keep")).toEqual([1]);
  expect(chunkDigest(columns, back)).toBe(chunkDigest(columns, chunk(1, 2)));
  expect(again.holdsCopy("keep", "u1", 1, chunkDigest(columns, chunk(1, 2)))).toBe(true);
  expect(again.holdsCopy("keep", "u3", 1, chunkDigest(columns, chunk(1, 2)))).toBe(false);
  expect(readdirSync(kept.root).sort()).toEqual(["frame-keep", "gone.bin"]);
  expect(readdirSync(join(kept.root, "frame-keep")).sort()).toEqual(["chunk-1.arrow", "entry.bin"]);
  expect(existsSync(join(kept.root, "frame-dropped"))).toBe(false);
});
