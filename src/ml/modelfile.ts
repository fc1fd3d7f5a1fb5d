// Model files (.floe): a versioned, portable file that `floe predict` loads without a
// server. The content is the model as JSON, typed arrays stored as base64 of their
// bytes (so every double keeps its bits), gzipped. A loaded model scores with the same
// code and the same arrays as the in-memory one, so its predictions are bit-identical.
// A file read is checked in full before use (modelcheck/), and its decompression stops at
// a cap, so a crafted file can neither hang scoring nor inflate without bound.

import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { FloeError } from "../core/errors.ts";
import { checkModel } from "./modelcheck/check.ts";
import type { Model } from "./scoring.ts";

export const MODEL_FORMAT = "floe-model";
export const MODEL_FORMAT_VERSION = 1;

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
const TYPED: Record<string, new (b: ArrayBuffer) => Typed> = {
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

function encode(_key: string, v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const t = v as Typed;
    return { $typed: tagOf(t), b64: Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString("base64") };
  }
  if (typeof v === "number" && !Number.isFinite(v)) return { $number: String(v) };
  return v;
}

function decode(_key: string, v: unknown): unknown {
  if (v && typeof v === "object") {
    const o = v as { $typed?: string; b64?: string; $number?: string };
    if (o.$typed && o.b64 !== undefined) {
      const bytes = Buffer.from(o.b64, "base64");
      const copy = new ArrayBuffer(bytes.byteLength);
      new Uint8Array(copy).set(bytes);
      const Ctor = TYPED[o.$typed];
      if (!Ctor) throw new FloeError("bad_input", `model file holds an array of unknown type '${o.$typed}'`);
      return new Ctor(copy);
    }
    if (o.$number !== undefined) return Number(o.$number);
  }
  return v;
}

export function serializeModel(model: Model, floeVersion: string): Uint8Array {
  const doc = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, floe_version: floeVersion, model };
  return Bun.gzipSync(Buffer.from(JSON.stringify(doc, encode)));
}

export function deserializeModel(bytes: Uint8Array, label: string): Model {
  let text: string;
  const cap = decompressedCap(bytes.byteLength);
  try {
    // node:zlib stops inflating at maxOutputLength instead of growing its output without end.
    text = gunzipSync(bytes, { maxOutputLength: cap }).toString("utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new FloeError("too_large", `${label}: decompresses to more than ${cap} bytes (${bytes.byteLength} bytes compressed); refused as a gzip bomb`);
    }
    throw new FloeError("bad_input", `${label}: not a floe model file (not gzip data)`);
  }
  let doc: { format?: string; version?: number; model?: Model };
  try {
    doc = JSON.parse(text, decode);
  } catch {
    throw new FloeError("bad_input", `${label}: not a floe model file (damaged content)`);
  }
  if (typeof doc !== "object" || doc === null || doc.format !== MODEL_FORMAT || !doc.model) throw new FloeError("bad_input", `${label}: not a floe model file`);
  if (doc.version !== MODEL_FORMAT_VERSION) {
    throw new FloeError("unsupported", `${label}: model format version ${doc.version}; this floe reads version ${MODEL_FORMAT_VERSION}`);
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
