// Chunks: the unit of storage and of work. A chunk is a block of consecutive rows of a
// frame, one typed-array vector per column, every buffer a SharedArrayBuffer so that the
// worker pool reads it without copying. The layouts are Arrow's (see arrow.ts), with
// sentinels that keep hot loops branch-light:
//   numeric, time  Float64Array, NaN marks a missing value (time = ms since the epoch, UTC)
//   enum           Int32Array of codes into the column's domain, -1 marks a missing value
//   string         UTF-8 bytes + Int32 offsets (length rows+1) + a missing bitmap

export type ColumnType = "numeric" | "enum" | "string" | "time";

/** The most levels an enum column may have, even when asked for. */
export const ENUM_MAX_LEVELS = 1_000_000;

/** Default rows per chunk, as in the design: large enough to amortise a task per chunk. */
export const CHUNK_ROWS = 65_536;

export type F64Vec = { readonly kind: "f64"; readonly values: Float64Array };
export type CodeVec = { readonly kind: "codes"; readonly codes: Int32Array };
export type Utf8Vec = {
  readonly kind: "utf8";
  /** Byte offsets into `bytes`: value i is bytes[offsets[i] .. offsets[i+1]). */
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  /** Bit i (LSB first) set when value i is missing. */
  readonly missing: Uint8Array;
};
export type Vec = F64Vec | CodeVec | Utf8Vec;

export interface Chunk {
  /** Position of the chunk in its frame. */
  readonly index: number;
  /** Global row id of the chunk's first row. */
  readonly start: number;
  readonly rows: number;
  /** One vector per frame column, in schema order. */
  readonly vecs: readonly Vec[];
}

export function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}
export function sharedI32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}
export function sharedU8(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}

/** The vector kind that stores a column type. */
export function vecKindOf(type: ColumnType): Vec["kind"] {
  return type === "enum" ? "codes" : type === "string" ? "utf8" : "f64";
}

export function isMissing(vec: Vec, i: number): boolean {
  switch (vec.kind) {
    case "f64":
      return Number.isNaN(vec.values[i]);
    case "codes":
      return vec.codes[i] < 0;
    case "utf8":
      return (vec.missing[i >> 3] & (1 << (i & 7))) !== 0;
  }
}

const utf8 = new TextDecoder("utf-8");

/** The string at row i of a utf8 vector (null when missing). Not for hot loops. */
export function stringAt(vec: Utf8Vec, i: number): string | null {
  if ((vec.missing[i >> 3] & (1 << (i & 7))) !== 0) return null;
  return utf8.decode(vec.bytes.subarray(vec.offsets[i], vec.offsets[i + 1]));
}

/** Rows [from, to) of a vector as zero-copy views over the same shared buffers. */
export function sliceVec(vec: Vec, from: number, to: number): Vec {
  switch (vec.kind) {
    case "f64":
      return { kind: "f64", values: vec.values.subarray(from, to) };
    case "codes":
      return { kind: "codes", codes: vec.codes.subarray(from, to) };
    case "utf8": {
      if ((from & 7) === 0) {
        return {
          kind: "utf8",
          offsets: vec.offsets.subarray(from, to + 1),
          bytes: vec.bytes,
          missing: vec.missing.subarray(from >> 3, (to + 7) >> 3),
        };
      }
      // The missing bitmap cannot be viewed at a bit offset: gather instead.
      const rows = new Int32Array(to - from);
      for (let i = 0; i < rows.length; i++) rows[i] = from + i;
      return gatherVec(vec, rows);
    }
  }
}

/** A new vector holding rows `rows[0..]` of `vec`, in that order. */
export function gatherVec(vec: Vec, rows: Int32Array): Vec {
  const n = rows.length;
  switch (vec.kind) {
    case "f64": {
      const out = sharedF64(n);
      const src = vec.values;
      for (let i = 0; i < n; i++) out[i] = src[rows[i]];
      return { kind: "f64", values: out };
    }
    case "codes": {
      const out = sharedI32(n);
      const src = vec.codes;
      for (let i = 0; i < n; i++) out[i] = src[rows[i]];
      return { kind: "codes", codes: out };
    }
    case "utf8": {
      const { offsets, bytes, missing } = vec;
      let total = 0;
      for (let i = 0; i < n; i++) total += offsets[rows[i] + 1] - offsets[rows[i]];
      const outOffsets = sharedI32(n + 1);
      const outBytes = sharedU8(total);
      const outMissing = sharedU8((n + 7) >> 3);
      let pos = 0;
      for (let i = 0; i < n; i++) {
        const r = rows[i];
        const a = offsets[r];
        const b = offsets[r + 1];
        outBytes.set(bytes.subarray(a, b), pos);
        pos += b - a;
        outOffsets[i + 1] = pos;
        if ((missing[r >> 3] & (1 << (r & 7))) !== 0) outMissing[i >> 3] |= 1 << (i & 7);
      }
      return { kind: "utf8", offsets: outOffsets, bytes: outBytes, missing: outMissing };
    }
  }
}

/** Bytes held by a vector's buffers (views count only what they show). */
export function vecBytes(vec: Vec): number {
  switch (vec.kind) {
    case "f64":
      return vec.values.byteLength;
    case "codes":
      return vec.codes.byteLength;
    case "utf8":
      return vec.offsets.byteLength + vec.bytes.byteLength + vec.missing.byteLength;
  }
}

/** `a` then `b` in one new array (a reduce that lists chunks' values in chunk order). */
export function concatF64(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
