// Byte ranges of a remote object (an http(s):// URL, or one s3:// key), and the objects of an
// s3:// glob, for a distributed parse (ingest-share.ts): the receiving node reads the first
// object's start to plan the import and a little at each cut point to find a line end; each
// node then streams its own objects or ranges to temporary files. An HTTP server that ignores Range (answers 200 with the whole body)
// is not cut: one node downloads it. S3 serves ranges always (Bun's S3File.slice).

import { FloeError } from "../errors.ts";
import { globObjects, s3Client, s3Error, s3Location } from "./s3.ts";

/** A remote object: its URL, and for s3:// the S3-compatible store's endpoint when not the environment's. */
export interface RemoteObject {
  readonly url: string;
  readonly endpoint?: string;
}

const HTTP_URL = /^https?:\/\//i;
const S3_KEY = /^s3:\/\/[^*?[]+$/i;

/** Whether `path` names one remote object that can be read by ranges (not an s3:// glob). */
export function isRangedUrl(path: string): boolean {
  return HTTP_URL.test(path) || S3_KEY.test(path);
}

/** Whether `path` is an s3:// glob of keys. */
export function isS3Glob(path: string): boolean {
  return /^s3:\/\//i.test(path) && !S3_KEY.test(path);
}

/** Whether `path` names remote objects: an http(s):// URL, an s3:// key or glob. */
export function isRemoteObjects(path: string): boolean {
  return isRangedUrl(path) || isS3Glob(path);
}

/** The objects an s3:// glob names, in key order, with their sizes. */
export async function s3GlobObjects(url: string, endpoint?: string): Promise<(RemoteObject & { readonly size: number })[]> {
  const loc = s3Location(url);
  const objects = await globObjects(s3Client(loc.bucket, endpoint), loc, url);
  return objects.map((o) => ({ url: `s3://${loc.bucket}/${o.key}`, endpoint, size: o.size }));
}

function s3File(object: RemoteObject) {
  const { bucket, key } = s3Location(object.url);
  return s3Client(bucket, object.endpoint).file(key);
}

async function get(url: string, [a, b]: readonly [number, number], signal?: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { headers: { range: `bytes=${a}-${b - 1}` }, redirect: "follow", signal });
  } catch (err) {
    throw new FloeError("bad_input", `cannot fetch ${url}: ${(err as Error).message}`);
  }
}

/** The total size a 206 answer for bytes from `a` names, or a clear error. */
function rangeTotal(url: string, res: Response, a: number): number {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get("content-range") ?? "");
  if (!m || Number(m[1]) !== a)
    throw new FloeError("bad_input", `cannot fetch ${url}: the server answered a range request from byte ${a} with Content-Range '${res.headers.get("content-range") ?? ""}'`);
  return Number(m[3]);
}

async function refuse(url: string, res: Response): Promise<never> {
  await res.body?.cancel();
  throw new FloeError(res.status === 404 ? "not_found" : "bad_input", `cannot fetch ${url}: the server answered HTTP ${res.status}`);
}

async function s3Size(object: RemoteObject): Promise<number> {
  try {
    return (await s3File(object).stat()).size;
  } catch (err) {
    throw s3Error(err, object.url);
  }
}

/**
 * Bytes [a, b) of `object` (fewer at its end) and its size; null when the server does not
 * serve ranges.
 */
export async function fetchRange(object: RemoteObject, a: number, b: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; size: number } | null> {
  const { url } = object;
  if (!HTTP_URL.test(url)) {
    const size = await s3Size(object);
    try {
      return { bytes: new Uint8Array(await s3File(object).slice(a, Math.min(b, size)).arrayBuffer()), size };
    } catch (err) {
      throw s3Error(err, url);
    }
  }
  const res = await get(url, [a, b], signal);
  if (res.status === 200) {
    await res.body?.cancel();
    return null;
  }
  if (res.status !== 206) return refuse(url, res);
  const size = rangeTotal(url, res, a);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length !== Math.min(b, size) - a) throw new FloeError("bad_input", `cannot fetch ${url}: the server sent ${bytes.length} bytes for bytes ${a} to ${Math.min(b, size)}`);
  return { bytes, size };
}

const PROBE = 64 * 1024;

/** The offset just past the first line break at or after `from` in `object` (`size` when there is none). */
export async function lineEndAt(object: RemoteObject, from: number, size: number, signal?: AbortSignal): Promise<number> {
  for (let pos = from; pos < size; pos += PROBE) {
    const got = await fetchRange(object, pos, pos + PROBE, signal);
    if (!got) throw new FloeError("bad_input", `cannot fetch ${object.url}: the server stopped serving byte ranges`);
    const i = got.bytes.indexOf(0x0a);
    if (i >= 0) return pos + i + 1;
  }
  return size;
}

function changed(url: string, now: number, planned: number): FloeError {
  return new FloeError("bad_input", `${url} is ${now} bytes now, ${planned} when the import was planned: it changed during the import`);
}

/** The body of bytes [a, b) of `object`, an object of `size` bytes when planned. */
async function rangeBody(object: RemoteObject, [a, b]: readonly [number, number], size: number, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const { url } = object;
  if (!HTTP_URL.test(url)) {
    const now = await s3Size(object);
    if (now !== size) throw changed(url, now, size);
    return s3File(object).slice(a, b).stream();
  }
  const res = await get(url, [a, b], signal);
  if (res.status !== 206) return refuse(url, res);
  const total = rangeTotal(url, res, a);
  if (total !== size) {
    await res.body?.cancel();
    throw changed(url, total, size);
  }
  return res.body as ReadableStream<Uint8Array>;
}

/**
 * Streams bytes [a, b) of `object`, an object of `size` bytes when planned, to `write` (a
 * piece at a time, never the whole range in memory).
 */
export async function streamRange(object: RemoteObject, range: readonly [number, number], size: number, write: (bytes: Uint8Array) => void, signal?: AbortSignal): Promise<void> {
  const [a, b] = range;
  if (b <= a) return;
  const { url } = object;
  let seen = 0;
  try {
    for await (const part of await rangeBody(object, range, size, signal)) {
      seen += part.byteLength;
      if (seen > b - a) throw new FloeError("bad_input", `cannot fetch ${url}: the server sent more than the ${b - a} bytes asked for`);
      write(part);
    }
  } catch (err) {
    throw HTTP_URL.test(url) ? err : s3Error(err, url);
  }
  if (seen !== b - a) throw new FloeError("bad_input", `cannot fetch ${url}: the server sent ${seen} of the ${b - a} bytes from byte ${a}`);
}
