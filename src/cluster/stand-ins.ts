// Stand-ins for chunks whose data lives on other nodes. A cluster frame's chunks are
// FrameChunkStubs (which frame, which chunk); a training view built by a resident task is
// a list of ResidentStubs pointing at the ResidentView record that says where each of its
// chunks is and how to rebuild it. Algorithms pass stand-ins to the executor exactly as
// they would pass real chunks; reading a stub's rows directly is a bug and says so.

import type { Chunk, Vec } from "../core/chunk.ts";
import { FloeError } from "../core/errors.ts";

export class FrameChunkStub implements Chunk {
  constructor(
    readonly frame: string,
    readonly index: number,
    readonly start: number,
    readonly rows: number,
  ) {}

  get vecs(): readonly Vec[] {
    throw new FloeError("internal", `chunk ${this.index} of frame '${this.frame}' is held by other nodes: gather the frame before reading its rows`);
  }
}

/** A task run a resident view went through: replayed, in order, to rebuild a lost chunk. */
export interface LoggedRun {
  readonly task: string;
  /** The run's encoded arguments (stand-ins as markers). */
  readonly args: Uint8Array;
  /** What the run mapped over: this view, or the view's source frame. */
  readonly over: "view" | "frame";
}

export interface ResidentView {
  readonly id: string;
  /** The frame the view was built from, by `task` with `args`. */
  readonly frame: string;
  readonly task: string;
  readonly args: Uint8Array;
  /** Node holding each chunk of the view. */
  readonly where: string[];
  readonly log: LoggedRun[];
}

export class ResidentStub {
  constructor(
    readonly view: ResidentView,
    readonly index: number,
    readonly start: number,
    readonly rows: number,
  ) {}
}

/** How a stand-in travels inside task arguments. */
export interface ResidentMarker {
  readonly $resident: string;
  readonly index: number;
}

export function isResidentMarker(v: object): v is ResidentMarker {
  return typeof (v as ResidentMarker).$resident === "string";
}
