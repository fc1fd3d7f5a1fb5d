// Frames of a cluster as the operators see them. A stored frame's chunks may stand for data
// held by other nodes; a task maps over the stored frame as a whole (the executor sends each
// node holding chunks its share). So a selection of a spread frame's columns is metadata:
// the stored frame and which of its columns (a `ColumnSource`), and the operators hand
// tasks the stored frame with column indices translated. Code that must read rows on this
// node gathers them (`gather`), only where it must. On one node no frame is spread and
// these are plain frame operations.

import { cbind, uniqueNames } from "../../core/bind.ts";
import { type ColumnSpec, Frame } from "../../core/frame.ts";
import type { ColumnSource } from "../../core/group-by.ts";
import type { Env } from "./value.ts";

const selections = new WeakMap<Frame, ColumnSource>();

/**
 * Whether `frame`'s chunks stand for data held elsewhere. A stand-in has no vectors of its
 * own (only a getter that refuses to read them); a chunk with data always has them.
 */
export function isSpread(frame: Frame): boolean {
  return frame.chunks.length > 0 && !Object.hasOwn(frame.chunks[0], "vecs");
}

/** The frame tasks map over for `frame`, and where each of `frame`'s columns is in it. */
export function sourceOf(frame: Frame): ColumnSource {
  return selections.get(frame) ?? { frame, cols: frame.columns.map((_, i) => i) };
}

/** Whether `frame` is a spread frame as stored (all its columns, in order). */
function isWhole(frame: Frame): boolean {
  return !selections.has(frame);
}

/** A selection over `source` with `columns` (and their rollups, when known): metadata only. */
function selection(source: ColumnSource, columns: readonly ColumnSpec[], rollups: Frame["rollups"]): Frame {
  const frame = Frame.spread(columns, source.frame.chunks, rollups, source.frame.byteSize);
  selections.set(frame, source);
  return frame;
}

/** Columns `cols` of `frame`: metadata over a spread frame, shared buffers otherwise. */
export function pickColumns(frame: Frame, cols: readonly number[]): Frame {
  const columns = cols.map((i) => frame.columns[i]);
  const rollups = frame.rollups && cols.map((i) => frame.rollups?.[i] as NonNullable<Frame["rollups"]>[number]);
  if (isSpread(frame)) {
    const { frame: stored, cols: at } = sourceOf(frame);
    return selection({ frame: stored, cols: cols.map((i) => at[i]) }, columns, rollups);
  }
  const picked = Frame.of(
    columns,
    frame.chunks.map((c) => ({ ...c, vecs: cols.map((i) => c.vecs[i]) })),
  );
  return rollups ? picked.withRollups(rollups) : picked;
}

/** `frame` with its rows on this node (a spread frame's chunks fetched from their holders). */
export async function gather(env: Env, frame: Frame): Promise<Frame> {
  if (!isSpread(frame)) return frame;
  const source = sourceOf(frame);
  const all = await env.node.localFrame(source.frame);
  const local = Frame.of(
    frame.columns,
    all.chunks.map((c) => ({ ...c, vecs: source.cols.map((i) => c.vecs[i]) })),
  );
  return frame.rollups ? local.withRollups(frame.rollups) : local;
}

/**
 * `frame` ready for a task that reads every column of the chunks it maps over (asfactor,
 * rbind's recoding, rollups): a stored frame as it is, a selection of one gathered.
 */
export function wholeFrame(env: Env, frame: Frame): Promise<Frame> {
  return isSpread(frame) && !isWhole(frame) ? gather(env, frame) : Promise.resolve(frame);
}

/**
 * The columns of `frames` side by side (H2O's cbind). Selections of one spread frame stay
 * a selection of it; anything else is bound on this node (spread frames gathered first).
 */
export async function bindColumns(env: Env, frames: readonly Frame[]): Promise<Frame> {
  const sources = frames.map(sourceOf);
  const stored = sources[0]?.frame;
  if (frames.length > 0 && frames.every(isSpread) && sources.every((s) => s.frame === stored)) {
    const rollups = frames.every((f) => f.rollups) ? frames.flatMap((f) => f.rollups ?? []) : undefined;
    return selection({ frame: stored, cols: sources.flatMap((s) => s.cols) }, uniqueNames(frames.flatMap((f) => f.columns)), rollups);
  }
  const local: Frame[] = [];
  for (const f of frames) local.push(await gather(env, f));
  return cbind(local);
}
