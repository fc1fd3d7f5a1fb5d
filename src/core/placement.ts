// Where a node's frames live. On one node a frame is simply held; in a cluster its chunks
// are spread over the members (src/cluster), and code that reads rows directly (row
// previews, export) first gathers the frame. Tasks never need this: the executor routes
// each chunk's map to a node holding it.

import type { Frame } from "./frame.ts";
import type { IngestOptions } from "./ingest.ts";
import type { Source } from "./source.ts";

export interface FramePlacement {
  /** Spreads a new frame (all of whose data is on this node) and returns it as this node keeps it. */
  place(id: string, frame: Frame): Promise<Frame>;
  /** The frame with every chunk's data on this node (fetched from the nodes holding it). */
  gather(frame: Frame): Promise<Frame>;
  /** Forgets a frame's chunks wherever they are held. */
  drop(id: string): Promise<void>;
  /**
   * Imports a source parsed by every node on its share, stored under `id` (rollups
   * included); null when the source is not split (the caller imports it on this node).
   */
  importShared?(id: string, source: Source, opts: IngestOptions): Promise<Frame | null>;
}

/** One node: frames stay where they are. */
export const LOCAL_PLACEMENT: FramePlacement = {
  place: async (_id, frame) => frame,
  gather: async (frame) => frame,
  drop: async () => {},
};
