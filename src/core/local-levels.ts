// A text column read once into codes of its own levels, before the levels of the whole
// source are known (a node's share of a shared parse: core/ingest-share.ts). Codes number
// the levels as they first appear; once every share's levels are united, `remap` turns them
// into codes of the merged domain, or `utf8FromCodes` back into text.
// DuckDB holds each VARCHAR value in 16 bytes: its length, then up to 12 bytes inline, or a
// prefix and a pointer for a longer one. Inline values (airport codes, labels, most levels)
// are looked up by those words in an open-addressing table with no string made; longer
// ones are copied out and decoded.

import duckdb from "@duckdb/node-bindings";
import { sharedI32, type Utf8Vec, type Vec } from "./chunk.ts";
import { utf8FromBytes, type VecBuilder, type VectorSlice, validity } from "./vec-builder.ts";

const INLINE_BYTES = 12;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The mask of a little-endian word's low `n` bytes (none for n <= 0, all for n >= 4), as an int32. */
const lowBytes = (n: number) => (n <= 0 ? 0 : n >= 4 ? -1 : (1 << (8 * n)) - 1);

/** For each inline length 0..12, the masks of the three words holding its bytes. */
const MASK_A = Int32Array.from({ length: INLINE_BYTES + 1 }, (_, n) => lowBytes(n));
const MASK_B = Int32Array.from({ length: INLINE_BYTES + 1 }, (_, n) => lowBytes(n - 4));
const MASK_C = Int32Array.from({ length: INLINE_BYTES + 1 }, (_, n) => lowBytes(n - 8));

function hashWords(length: number, a: number, b: number, c: number): number {
  let h = Math.imul(length ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ a, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ c, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class LocalLevels {
  /** Each level by its code. */
  readonly values: string[] = [];
  /** The four words of each inline level's 16 bytes, by code (bytes past its length zeroed). */
  private words = new Int32Array(64);
  /** Open addressing over inline levels: code + 1, 0 for an empty slot. */
  private slots = new Int32Array(64);
  private inline = 0;
  private readonly long = new Map<string, number>();
  /** Values read, missing ones left out. */
  present = 0;

  get size(): number {
    return this.values.length;
  }

  /** Codes of rows [from, from + count) of a VARCHAR vector's `data` (16 bytes a row) into `out` from `at`; -1 where `mask` says missing. */
  code(data: Uint8Array, from: number, count: number, mask: Uint8Array | null, out: Int32Array, at: number): void {
    // DuckDB's vectors are 8-byte aligned; a copy keeps the words readable if one is not.
    const bytes = data.byteOffset % 4 === 0 ? data : data.slice();
    const w = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
    let slots = this.slots;
    let words = this.words;
    let m = slots.length - 1;
    let missing = 0;
    for (let i = 0; i < count; i++) {
      const row = from + i;
      if (mask !== null && (mask[row >> 3] & (1 << (row & 7))) === 0) {
        out[at + i] = -1;
        missing++;
        continue;
      }
      const o = row << 2;
      const length = w[o];
      if (length > INLINE_BYTES) {
        out[at + i] = this.longCode(bytes, row, length);
        continue;
      }
      const a = w[o + 1] & MASK_A[length];
      const b = w[o + 2] & MASK_B[length];
      const c = w[o + 3] & MASK_C[length];
      const h = hashWords(length, a, b, c);
      let code = -1;
      for (let s = h & m; ; s = (s + 1) & m) {
        const held = slots[s];
        if (held === 0) break;
        const k = (held - 1) << 2;
        if (words[k] === length && words[k + 1] === a && words[k + 2] === b && words[k + 3] === c) {
          code = held - 1;
          break;
        }
      }
      if (code < 0) {
        code = this.addInline(bytes, o, length, a, b, c, h);
        slots = this.slots;
        words = this.words;
        m = slots.length - 1;
      }
      out[at + i] = code;
    }
    this.present += count - missing;
  }

  /** A new inline level, its words `length, a, b, c` hashing to `h`: its code. */
  private addInline(bytes: Uint8Array, o: number, length: number, a: number, b: number, c: number, h: number): number {
    const code = this.values.length;
    this.values.push(decoder.decode(bytes.subarray(o * 4 + 4, o * 4 + 4 + length)));
    if (this.words.length < (code + 1) * 4) {
      const grown = new Int32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    this.words.set([length, a, b, c], code * 4);
    if (++this.inline * 2 > this.slots.length) this.rehash();
    else this.place(code, h);
    return code;
  }

  private longCode(bytes: Uint8Array, row: number, length: number): number {
    const value = decoder.decode(duckdb.get_data_from_pointer(bytes.buffer as ArrayBuffer, bytes.byteOffset + row * 16 + 8, length));
    let code = this.long.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.long.set(value, code);
    }
    return code;
  }

  private place(code: number, h: number): void {
    const m = this.slots.length - 1;
    let s = h & m;
    while (this.slots[s] !== 0) s = (s + 1) & m;
    this.slots[s] = code + 1;
  }

  /** Doubles the table and places every inline level again. */
  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let code = 0; code < this.values.length; code++) {
      const k = code * 4;
      if (this.long.get(this.values[code]) === code) continue;
      const w = this.words;
      this.place(code, hashWords(w[k], w[k + 1], w[k + 2], w[k + 3]));
    }
  }

  /** For each local code, its code in `domain` (every level must be in it). */
  remap(domain: readonly string[]): Int32Array {
    const index = new Map(domain.map((v, k) => [v, k]));
    const map = new Int32Array(this.values.length);
    for (const [code, v] of this.values.entries()) {
      const k = index.get(v);
      if (k === undefined) throw new Error(`level '${v}' is not in the merged domain`);
      map[code] = k;
    }
    return map;
  }
}

/** Rewrites local codes in place through `map` (missing stays -1). */
export function remapCodes(codes: Int32Array, map: Int32Array): void {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c >= 0) codes[i] = map[c];
  }
}

/** The utf8 vector of local codes over `levels`. */
export function utf8FromCodes(codes: Int32Array, levels: readonly string[]): Utf8Vec {
  const encoded = levels.map((v) => encoder.encode(v));
  return utf8FromBytes(Array.from(codes, (c) => (c >= 0 ? encoded[c] : null)));
}

/** Fills a chunk's codes of a VARCHAR column from DuckDB vectors, through the column's local levels. */
export class LocalCodeBuilder implements VecBuilder {
  private readonly codes: Int32Array;
  constructor(
    capacity: number,
    private readonly levels: LocalLevels,
  ) {
    this.codes = sharedI32(capacity);
  }
  append({ vector, size, from, count }: VectorSlice, at: number): void {
    this.levels.code(duckdb.vector_get_data(vector, size * 16), from, count, validity(vector, size), this.codes, at);
  }
  finish(rows: number): Vec {
    const codes = rows === this.codes.length ? this.codes : sharedI32(rows);
    if (codes !== this.codes) codes.set(this.codes.subarray(0, rows));
    return { kind: "codes", codes };
  }
}
