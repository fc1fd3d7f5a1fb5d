// Fills chunk vectors from DuckDB result vectors. DuckDB hands out vectors of up to
// 2,048 rows; a builder copies them into a chunk-sized shared buffer (a memcpy for
// numbers and codes) and writes the missing sentinels from DuckDB's validity mask.

import duckdb from "@duckdb/node-bindings";
import type { DuckDBVarCharVector } from "@duckdb/node-api";
import { sharedF64, sharedI32, sharedU8, type Utf8Vec, type Vec } from "./chunk.ts";

/** A DuckDB vector and the rows of it to copy. */
export interface VectorSlice {
  readonly vector: duckdb.Vector;
  /** Rows in the whole DuckDB vector. */
  readonly size: number;
  readonly from: number;
  readonly count: number;
  /** The node-api wrapper, for text vectors only (decodes strings). */
  readonly text?: () => DuckDBVarCharVector;
}

export interface VecBuilder {
  append(src: VectorSlice, at: number): void;
  /** The vector of the first `rows` rows appended, in buffers of exactly that size. */
  finish(rows: number): Vec;
}

/** Validity bytes of a DuckDB vector, or null when every row is valid. */
export function validity(vector: duckdb.Vector, size: number): Uint8Array | null {
  const bytes = duckdb.vector_get_validity(vector, Math.ceil(size / 64) * 8) as Uint8Array | null;
  return bytes ?? null;
}

function isValid(mask: Uint8Array, i: number): boolean {
  return (mask[i >> 3] & (1 << (i & 7))) !== 0;
}

export class F64Builder implements VecBuilder {
  private readonly values: Float64Array;
  constructor(capacity: number) {
    this.values = sharedF64(capacity);
  }
  append({ vector, size, from, count }: VectorSlice, at: number): void {
    const data = duckdb.vector_get_data(vector, size * 8);
    const src = new Float64Array(data.buffer, data.byteOffset, size);
    this.values.set(src.subarray(from, from + count), at);
    const mask = validity(vector, size);
    if (!mask) return;
    for (let i = 0; i < count; i++) if (!isValid(mask, from + i)) this.values[at + i] = Number.NaN;
  }
  finish(rows: number): Vec {
    const values = rows === this.values.length ? this.values : sharedF64(rows);
    if (values !== this.values) values.set(this.values.subarray(0, rows));
    return { kind: "f64", values };
  }
}

export class CodeBuilder implements VecBuilder {
  private readonly codes: Int32Array;
  constructor(capacity: number) {
    this.codes = sharedI32(capacity);
  }
  append({ vector, size, from, count }: VectorSlice, at: number): void {
    const data = duckdb.vector_get_data(vector, size * 4);
    const src = new Int32Array(data.buffer, data.byteOffset, size);
    this.codes.set(src.subarray(from, from + count), at);
    const mask = validity(vector, size);
    if (!mask) return;
    for (let i = 0; i < count; i++) if (!isValid(mask, from + i)) this.codes[at + i] = -1;
  }
  finish(rows: number): Vec {
    const codes = rows === this.codes.length ? this.codes : sharedI32(rows);
    if (codes !== this.codes) codes.set(this.codes.subarray(0, rows));
    return { kind: "codes", codes };
  }
}

/** Text is decoded to JS strings and re-encoded: string columns are rare and not hot. */
export class Utf8Builder implements VecBuilder {
  private readonly values: (string | null)[];
  constructor(capacity: number) {
    this.values = new Array(capacity).fill(null);
  }
  append(src: VectorSlice, at: number): void {
    const text = src.text?.();
    if (!text) return;
    for (let i = 0; i < src.count; i++) this.values[at + i] = text.getItem(src.from + i);
  }
  finish(rows: number): Vec {
    return utf8Vec(this.values.slice(0, rows));
  }
}

const encoder = new TextEncoder();

/** A utf8 vector holding `values` (null = missing). */
export function utf8Vec(values: readonly (string | null)[]): Vec {
  return utf8FromBytes(values.map((v) => (v == null ? null : encoder.encode(v))));
}

/** A utf8 vector holding the UTF-8 bytes `encoded` (null = missing; one array may stand for several rows). */
export function utf8FromBytes(encoded: readonly (Uint8Array | null)[]): Utf8Vec {
  const n = encoded.length;
  let total = 0;
  for (const e of encoded) if (e) total += e.length;
  const offsets = sharedI32(n + 1);
  const bytes = sharedU8(total);
  const missing = sharedU8((n + 7) >> 3);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const e = encoded[i];
    if (e) {
      bytes.set(e, pos);
      pos += e.length;
    } else {
      missing[i >> 3] |= 1 << (i & 7);
    }
    offsets[i + 1] = pos;
  }
  return { kind: "utf8", offsets, bytes, missing };
}
