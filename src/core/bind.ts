// Binding frames: cbind puts the columns of frames with the same number of rows side by
// side (re-cut to the first frame's chunk boundaries when they differ), and
// rbind stacks frames with the same columns (enum domains merged, codes remapped by a
// map/reduce task).

import { type Chunk, sharedF64, sharedI32, sharedU8, sliceVec, type Utf8Vec, type Vec } from "./chunk.ts";
import { FloeError } from "./errors.ts";
import { type ColumnSpec, Frame } from "./frame.ts";
import type { Executor, Task } from "./mr.ts";

/** Vectors of one kind, end to end, in new buffers. */
function concatVecs(vecs: readonly Vec[]): Vec {
  const kind = vecs[0].kind;
  if (kind === "f64" || kind === "codes") {
    const parts = vecs.map((v) => (v.kind === "f64" ? v.values : (v as { codes: Int32Array }).codes));
    const n = parts.reduce((s, p) => s + p.length, 0);
    const out = kind === "f64" ? sharedF64(n) : sharedI32(n);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return kind === "f64" ? { kind, values: out as Float64Array } : { kind, codes: out as Int32Array };
  }
  const parts = vecs as Utf8Vec[];
  const rows = parts.reduce((s, p) => s + p.offsets.length - 1, 0);
  const offsets = sharedI32(rows + 1);
  const bytes = sharedU8(parts.reduce((s, p) => s + p.offsets[p.offsets.length - 1] - p.offsets[0], 0));
  const missing = sharedU8((rows + 7) >> 3);
  let row = 0;
  let pos = 0;
  for (const p of parts) {
    for (let i = 0; i < p.offsets.length - 1; i++, row++) {
      const a = p.offsets[i];
      const b = p.offsets[i + 1];
      bytes.set(p.bytes.subarray(a, b), pos);
      pos += b - a;
      offsets[row + 1] = pos;
      if ((p.missing[i >> 3] & (1 << (i & 7))) !== 0) missing[row >> 3] |= 1 << (row & 7);
    }
  }
  return { kind: "utf8", offsets, bytes, missing };
}

/** The vectors of `frame` cut at the row boundaries of `layout`'s chunks (views where a chunk holds the whole piece). */
function recut(frame: Frame, layout: readonly Chunk[]): Vec[][] {
  return layout.map(({ start: from, rows }) => {
    const to = from + rows;
    const pieces = frame.chunks.filter((c) => c.start < to && c.start + c.rows > from);
    return frame.columns.map((_, col) => {
      const views = pieces.map((c) => {
        const a = Math.max(from, c.start) - c.start;
        const b = Math.min(to, c.start + c.rows) - c.start;
        return a === 0 && b === c.rows ? c.vecs[col] : sliceVec(c.vecs[col], a, b);
      });
      return views.length === 1 ? views[0] : concatVecs(views);
    });
  });
}

/** Names made unique the way H2O does it: a repeated name gets a number appended. */
export function uniqueNames(columns: readonly ColumnSpec[]): ColumnSpec[] {
  const seen = new Set<string>();
  return columns.map((c) => {
    let name = c.name;
    for (let n = 0; seen.has(name); n++) name = `${c.name}${n}`;
    seen.add(name);
    return name === c.name ? c : { ...c, name };
  });
}

/**
 * The columns of `frames` side by side, cut at the first frame's chunk boundaries: frames
 * derived chunk by chunk from one another share them and are zipped without a copy.
 */
export function cbind(frames: readonly Frame[]): Frame {
  if (frames.length === 0) throw new FloeError("invalid_argument", "cbind needs at least one frame");
  const [first] = frames;
  for (const f of frames) {
    if (f.rows !== first.rows) throw new FloeError("invalid_argument", `cbind of frames with ${first.rows} and ${f.rows} rows: the row counts must be equal`);
  }
  const cut = frames.map((f, i) => (i === 0 ? first.chunks.map((c) => [...c.vecs]) : recut(f, first.chunks)));
  const chunks: Chunk[] = first.chunks.map((c, k) => ({ index: k, start: c.start, rows: c.rows, vecs: cut.flatMap((perChunk) => perChunk[k]) }));
  return Frame.of(uniqueNames(frames.flatMap((f) => f.columns)), chunks);
}

/** Partial: chunks whose enum column `col` has its codes mapped through `map` (old code → new). */
export const RemapCodesTask: Task<{ col: number; map: Int32Array }, Chunk[]> = {
  name: "core.remap_codes",
  map(chunk, { col, map }) {
    const vec = chunk.vecs[col];
    if (vec.kind !== "codes") throw new FloeError("internal", `remap of a ${vec.kind} vector`);
    const codes = sharedI32(chunk.rows);
    for (let i = 0; i < chunk.rows; i++) codes[i] = vec.codes[i] < 0 ? -1 : map[vec.codes[i]];
    return [{ ...chunk, vecs: chunk.vecs.map((v, c) => (c === col ? { kind: "codes", codes } : v)) }];
  },
  reduce: (a, b) => a.concat(b),
  empty: () => [],
};

/**
 * The rows of `frames` one after the other. Columns must agree in number and type by
 * position; enum columns get the sorted union of the domains.
 */
export async function rbind(executor: Executor, frames: readonly Frame[]): Promise<Frame> {
  if (frames.length === 0) throw new FloeError("invalid_argument", "rbind needs at least one frame");
  const [first] = frames;
  for (const f of frames) {
    if (f.columns.length !== first.columns.length) throw new FloeError("invalid_argument", `rbind of frames with ${first.columns.length} and ${f.columns.length} columns`);
    f.columns.forEach((c, i) => {
      if (c.type !== first.columns[i].type) throw new FloeError("invalid_argument", `rbind: column ${i + 1} is ${first.columns[i].type} in one frame and ${c.type} in another`);
    });
  }
  const columns = first.columns.map((c, i) => (c.type === "enum" ? { ...c, domain: [...new Set(frames.flatMap((f) => f.columns[i].domain ?? []))].sort() } : c));
  const chunks: Chunk[] = [];
  for (let f of frames) {
    for (let i = 0; i < columns.length; i++) {
      const domain = columns[i].domain;
      const own = f.columns[i].domain;
      if (!domain || !own || own.every((level, k) => domain[k] === level)) continue;
      const index = new Map(domain.map((level, k) => [level, k]));
      const map = Int32Array.from(own, (level) => index.get(level) ?? -1);
      f = Frame.of(f.columns, await executor.run(RemapCodesTask, f, { col: i, map }));
    }
    chunks.push(...f.chunks);
  }
  return Frame.of(columns, chunks);
}
