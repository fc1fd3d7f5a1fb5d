// Byte ranges of an http(s):// object, for a distributed parse (ingest-share.ts): the
// receiving node reads the object's start to plan the import and finds line ends near the
// cut points; each node then streams its own range to a temporary file. A server that
// ignores Range (answers 200 with the whole body) is not cut: one node downloads it.

import { FloeError } from "../errors.ts";

const HTTP_URL = /^https?:\/\//i;

/** Whether `path` is an http(s):// URL (a piece of a ranged object). */
export function isHttpUrl(path: string): boolean {
  return HTTP_URL.test(path);
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

/**
 * Bytes [a, b) of `url` (fewer at the object's end) and the object's size; null when the
 * server does not serve ranges.
 */
export async function fetchRange(url: string, a: number, b: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; size: number } | null> {
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

/** The offset just past the first line break at or after `from` in `url` (`size` when there is none). */
export async function lineEndAt(url: string, from: number, size: number, signal?: AbortSignal): Promise<number> {
  for (let pos = from; pos < size; pos += PROBE) {
    const got = await fetchRange(url, pos, pos + PROBE, signal);
    if (!got) throw new FloeError("bad_input", `cannot fetch ${url}: the server stopped serving byte ranges`);
    const i = got.bytes.indexOf(0x0a);
    if (i >= 0) return pos + i + 1;
  }
  return size;
}

/**
 * Streams bytes [a, b) of `url`, an object of `size` bytes when planned, to `write` (a
 * piece at a time, never the whole range in memory).
 */
export async function streamRange(url: string, [a, b]: readonly [number, number], size: number, write: (bytes: Uint8Array) => void, signal?: AbortSignal): Promise<void> {
  if (b <= a) return;
  const res = await get(url, [a, b], signal);
  if (res.status !== 206) return refuse(url, res);
  const total = rangeTotal(url, res, a);
  if (total !== size) {
    await res.body?.cancel();
    throw new FloeError("bad_input", `${url} is ${total} bytes now, ${size} when the import was planned: it changed during the import`);
  }
  let seen = 0;
  for await (const part of res.body as ReadableStream<Uint8Array>) {
    seen += part.byteLength;
    if (seen > b - a) throw new FloeError("bad_input", `cannot fetch ${url}: the server sent more than the ${b - a} bytes asked for`);
    write(part);
  }
  if (seen !== b - a) throw new FloeError("bad_input", `cannot fetch ${url}: the server sent ${seen} of the ${b - a} bytes from byte ${a}`);
}
