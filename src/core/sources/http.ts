// http(s):// sources: the body is streamed to a temporary file (no whole body in memory),
// which the ingest then reads as a local file named by its URL.

import { FloeError } from "../errors.ts";
import { type Spooled, spoolToFile } from "../source.ts";

/** A byte cap and how messages name it ("the server's upload limit"). */
export interface ByteLimit {
  readonly bytes: number;
  readonly name: string;
}

/** Passes bytes through, failing once more than `limit` have gone by. */
export function capped(limit: ByteLimit, what: string): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(part, out) {
      seen += part.byteLength;
      if (seen > limit.bytes) throw new FloeError("too_large", `${what} is over ${limit.name} of ${limit.bytes} bytes`);
      out.enqueue(part);
    },
  });
}

/** Downloads `url` to a temporary file, refusing a body over `limit` bytes (when given). */
export async function downloadUrl(url: string, limit?: ByteLimit, signal?: AbortSignal): Promise<Spooled> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: "follow", signal });
  } catch (err) {
    throw new FloeError("bad_input", `cannot fetch ${url}: ${(err as Error).message}`);
  }
  if (!res.ok || res.body === null) {
    await res.body?.cancel();
    throw new FloeError(res.status === 404 ? "not_found" : "bad_input", `cannot fetch ${url}: the server answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (limit !== undefined && declared > limit.bytes) {
    await res.body.cancel();
    throw new FloeError("too_large", `${url} is ${declared} bytes, over ${limit.name} of ${limit.bytes} bytes`);
  }
  return spoolToFile(limit === undefined ? res.body : res.body.pipeThrough(capped(limit, url)));
}
