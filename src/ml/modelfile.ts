// Model files (.floe): a versioned, portable file that `floe predict` loads without a
// server. Version 2 holds a header (the model as JSON, each typed array replaced by a
// reference to a blob) and then the arrays' raw bytes (so every double keeps its bits),
// gzipped as several members: saving never builds the whole file uncompressed in memory.
// Version 3 is version 2's layout with tree models' categorical split sets packed one bit a
// bin (version 2 held a byte a bin; such trees are packed as they are read, see
// tree/check.ts). Versions 2 and 1 (JSON with base64 arrays) are still read. A loaded model scores with the
// same code and the same arrays as the in-memory one, so its predictions are bit-identical.
// A file read is checked in full before use (modelcheck/), and its decompression stops at
// a cap, so a crafted file can neither hang scoring nor inflate without bound.

import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { FloeError } from "../core/errors.ts";
import { checkModel } from "./modelcheck/check.ts";
import type { Model } from "./scoring.ts";

export const MODEL_FORMAT = "floe-model";
export const MODEL_FORMAT_VERSION = 3;
/** Versions this floe reads. */
const READABLE_VERSIONS = [1, 2, 3];

/** The first bytes of a version 2 or 3 file's content, then the header's length (u32, little-endian). */
const MAGIC = Buffer.from("FLOEBIN\n");
/** Blob bytes gzipped together as one member (bounds what saving holds uncompressed). */
const MEMBER_BYTES = 8 * 1024 ** 2;

/** The most a model file may decompress to, whatever its size. */
export const MODEL_MAX_DECOMPRESSED_BYTES = 1024 ** 3;
/**
 * Past this floor, a file may decompress to at most MODEL_MAX_EXPANSION times its size: real
 * models (base64 arrays in JSON) expand a few times, a gzip bomb a thousand times.
 */
export const MODEL_EXPANSION_FLOOR_BYTES = 64 * 1024 ** 2;
export const MODEL_MAX_EXPANSION = 64;

/** How many bytes a model file of `size` bytes may decompress to. */
export function decompressedCap(size: number): number {
  return Math.min(MODEL_MAX_DECOMPRESSED_BYTES, Math.max(MODEL_EXPANSION_FLOOR_BYTES, size * MODEL_MAX_EXPANSION));
}

type Typed = Float64Array | Int32Array | Uint8Array | Uint16Array;
const TYPED: Record<string, new (b: ArrayBufferLike) => Typed> = {
  f64: Float64Array,
  i32: Int32Array,
  u8: Uint8Array,
  u16: Uint16Array,
};

function tagOf(v: Typed): string {
  if (v instanceof Float64Array) return "f64";
  if (v instanceof Int32Array) return "i32";
  if (v instanceof Uint16Array) return "u16";
  return "u8";
}

/** Version 1: typed arrays as base64 inside the JSON. */
function decodeV1(_key: string, v: unknown): unknown {
  if (v && typeof v === "object") {
    const o = v as { $typed?: string; b64?: string; $number?: string };
    if (o.$typed && o.b64 !== undefined) return typedFrom(o.$typed, Buffer.from(o.b64, "base64"));
    if (o.$number !== undefined) return Number(o.$number);
  }
  return v;
}

/**
 * A typed array of type `tag` holding a copy of `bytes` (a copy: aligned, and not a view of
 * the file), in shared memory, so that a loaded model reaches the workers without a copy.
 */
function typedFrom(tag: string, bytes: Uint8Array): Typed {
  const Ctor = TYPED[tag];
  if (!Ctor) throw new FloeError("bad_input", `model file holds an array of unknown type '${tag}'`);
  const copy = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new Ctor(copy);
}

export function serializeModel(model: Model, floeVersion: string): Uint8Array {
  const blobs: Uint8Array[] = [];
  const header = JSON.stringify({ format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, floe_version: floeVersion, model }, (_key, v) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const t = v as Typed;
      blobs.push(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
      return { $typed: tagOf(t), blob: blobs.length - 1, bytes: t.byteLength };
    }
    return typeof v === "number" && !Number.isFinite(v) ? { $number: String(v) } : v;
  });
  const text = Buffer.from(header);
  const first = Buffer.alloc(MAGIC.length + 4 + text.length);
  MAGIC.copy(first);
  first.writeUInt32LE(text.length, MAGIC.length);
  text.copy(first, MAGIC.length + 4);
  const members: Uint8Array[] = [Bun.gzipSync(first)];
  // The blobs' bytes in order, MEMBER_BYTES a member (gunzip reads the members as one
  // stream), staged in one reused buffer: a copy a member would be garbage as large as the
  // model's trees.
  const stage = new Uint8Array(MEMBER_BYTES);
  let size = 0;
  const flush = () => {
    if (size > 0) members.push(Bun.gzipSync(stage.subarray(0, size)));
    size = 0;
  };
  for (const b of blobs) {
    for (let at = 0; at < b.byteLength; ) {
      const n = Math.min(b.byteLength - at, MEMBER_BYTES - size);
      stage.set(b.subarray(at, at + n), size);
      size += n;
      at += n;
      if (size === MEMBER_BYTES) flush();
    }
  }
  flush();
  return Buffer.concat(members);
}

/** A version 2 or 3 file's document: the header's JSON, its arrays read from the blobs after it. */
function parseV2(content: Buffer, label: string): unknown {
  const damaged = () => new FloeError("bad_input", `${label}: not a floe model file (damaged content)`);
  if (content.byteLength < MAGIC.length + 4) throw damaged();
  const start = MAGIC.length + 4;
  const end = start + content.readUInt32LE(MAGIC.length);
  if (end > content.byteLength) throw damaged();
  let text: string;
  let refs: { blob: number; bytes: number }[];
  try {
    text = content.subarray(start, end).toString("utf8");
    refs = [];
    JSON.parse(text, (_key, v) => {
      const o = v as { $typed?: unknown; blob?: unknown; bytes?: unknown } | null;
      if (o && typeof o === "object" && o.$typed !== undefined) refs.push({ blob: o.blob as number, bytes: o.bytes as number });
      return v;
    });
  } catch {
    throw damaged();
  }
  // The blobs follow the header in order, each exactly its declared length.
  const offsets: number[] = new Array(refs.length);
  let at = end;
  for (const { blob, bytes } of [...refs].sort((a, b) => a.blob - b.blob)) {
    if (!Number.isInteger(blob) || blob < 0 || blob >= refs.length || offsets[blob] !== undefined || !Number.isInteger(bytes) || bytes < 0) throw damaged();
    offsets[blob] = at;
    at += bytes;
  }
  if (at !== content.byteLength) throw damaged();
  return JSON.parse(text, (_key, v) => {
    const o = v as { $typed?: string; blob?: number; bytes?: number; $number?: string } | null;
    if (o && typeof o === "object") {
      if (o.$typed !== undefined) return typedFrom(o.$typed, content.subarray(offsets[o.blob as number], offsets[o.blob as number] + (o.bytes as number)));
      if (o.$number !== undefined) return Number(o.$number);
    }
    return v;
  });
}

export function deserializeModel(bytes: Uint8Array, label: string): Model {
  let content: Buffer;
  const cap = decompressedCap(bytes.byteLength);
  try {
    // node:zlib stops inflating at maxOutputLength instead of growing its output without end.
    content = gunzipSync(bytes, { maxOutputLength: cap });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new FloeError("too_large", `${label}: decompresses to more than ${cap} bytes (${bytes.byteLength} bytes compressed); refused as a gzip bomb`);
    }
    throw new FloeError("bad_input", `${label}: not a floe model file (not gzip data)`);
  }
  let doc: { format?: string; version?: number; model?: Model };
  if (content.subarray(0, MAGIC.length).equals(MAGIC)) doc = parseV2(content, label) as typeof doc;
  else {
    try {
      doc = JSON.parse(content.toString("utf8"), decodeV1);
    } catch {
      throw new FloeError("bad_input", `${label}: not a floe model file (damaged content)`);
    }
  }
  if (typeof doc !== "object" || doc === null || doc.format !== MODEL_FORMAT || !doc.model) throw new FloeError("bad_input", `${label}: not a floe model file`);
  if (!READABLE_VERSIONS.includes(doc.version as number)) {
    throw new FloeError("unsupported", `${label}: model format version ${doc.version}; this floe reads versions ${READABLE_VERSIONS.join(", ")}`);
  }
  return checkModel(doc.model, label);
}

export function saveModel(path: string, model: Model, floeVersion: string): void {
  try {
    writeFileSync(path, serializeModel(model, floeVersion));
  } catch (err) {
    throw new FloeError("bad_input", `cannot write ${path}: ${(err as Error).message}`);
  }
}

export function loadModel(path: string): Model {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FloeError(code === "ENOENT" ? "not_found" : "bad_input", `${path}: ${code === "ENOENT" ? "no such model file" : (err as Error).message}`);
  }
  return deserializeModel(bytes, path);
}
