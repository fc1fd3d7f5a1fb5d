// Frame: an immutable table = a schema plus an ordered list of chunks. Operations
// (ops.ts) make new frames and share chunk buffers where they can. Rollups (column
// summaries) travel with the frame once computed.

import { type Chunk, type ColumnType, vecBytes } from "./chunk.ts";
import { FloeError } from "./errors.ts";

/** A column's summary, computed on ingest (src/core/rollups.ts), as H2O's rollups. */
export interface ColumnRollup {
  /** Values present (rows − missing). */
  readonly count: number;
  readonly missing: number;
  /** Values equal to zero; null for enum and string columns. */
  readonly zeros: number | null;
  /** min, max, mean and sd (sample, n−1) of numeric and time columns; null otherwise. */
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly sd: number | null;
  /** Number of levels of an enum column; null otherwise. */
  readonly cardinality: number | null;
  /** Equal-width histogram of finite values from `start` in bins of `width`. */
  readonly histogram: { readonly start: number; readonly width: number; readonly counts: readonly number[] } | null;
  /** Rows per level of an enum column, in domain order. */
  readonly levelCounts: readonly number[] | null;
}

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Levels of an enum column, in code order. */
  readonly domain?: readonly string[];
}

export class Frame {
  readonly columns: readonly ColumnSpec[];
  readonly chunks: readonly Chunk[];
  readonly rows: number;
  readonly rollups?: readonly ColumnRollup[];
  /** Bytes of a frame whose chunks are held elsewhere (see `spread`); null: count the buffers. */
  private readonly heldBytes: number | null;

  private constructor(columns: readonly ColumnSpec[], chunks: readonly Chunk[], rollups?: readonly ColumnRollup[], heldBytes: number | null = null) {
    this.columns = columns;
    this.chunks = chunks;
    this.rows = chunks.reduce((n, c) => n + c.rows, 0);
    this.rollups = rollups;
    this.heldBytes = heldBytes;
  }

  /**
   * A frame whose chunk objects stand for data held on other nodes (a cluster's frames):
   * the chunks are kept as given, already numbered, and `byteSize` is the data's size.
   */
  static spread(columns: readonly ColumnSpec[], chunks: readonly Chunk[], rollups: readonly ColumnRollup[] | undefined, byteSize: number): Frame {
    chunks.forEach((c, i) => {
      if (c.index !== i) throw new FloeError("internal", `chunk ${i} of a spread frame is numbered ${c.index}`);
    });
    return new Frame(columns, chunks, rollups, byteSize);
  }

  /**
   * A frame over `chunks`, renumbered so that chunk i has index i and starts at the
   * global row id following chunk i-1. Every chunk must hold one vector per column.
   */
  static of(columns: readonly ColumnSpec[], chunks: readonly Chunk[]): Frame {
    let start = 0;
    const renumbered = chunks.map((c, index) => {
      if (c.vecs.length !== columns.length) {
        throw new FloeError("internal", `chunk ${index} has ${c.vecs.length} vectors for ${columns.length} columns`);
      }
      const chunk: Chunk = { index, start, rows: c.rows, vecs: c.vecs };
      start += c.rows;
      return chunk;
    });
    return new Frame(columns, renumbered);
  }

  withRollups(rollups: readonly ColumnRollup[]): Frame {
    return new Frame(this.columns, this.chunks, rollups, this.heldBytes);
  }

  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  /** Index of the named column; a not_found error lists what the frame has. */
  columnIndex(name: string): number {
    const i = this.columns.findIndex((c) => c.name === name);
    if (i < 0) {
      const have = this.columns.length <= 20 ? `: ${this.names.join(", ")}` : ` (${this.columns.length} columns)`;
      throw new FloeError("not_found", `unknown column '${name}'; the frame has${have}`);
    }
    return i;
  }

  /** Bytes held by the frame's column buffers. */
  get byteSize(): number {
    if (this.heldBytes !== null) return this.heldBytes;
    let n = 0;
    for (const c of this.chunks) for (const v of c.vecs) n += vecBytes(v);
    return n;
  }
}
