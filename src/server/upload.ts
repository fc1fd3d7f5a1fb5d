// Request bodies that carry a file: raw bytes (streamed, never held whole) or a
// multipart form with a `file` field; either way cut off at the server's upload limit.

import type { Context } from "hono";
import { FloeError } from "../core/errors.ts";

export interface UploadedBody {
  readonly stream: ReadableStream<Uint8Array>;
  /** The file name the client gave (multipart), if any. */
  readonly filename: string | null;
}

function tooLarge(limit: number): FloeError {
  return new FloeError("too_large", `the upload is over the server's limit of ${limit} bytes`, { limit_bytes: limit });
}

/** Passes bytes through until `limit` have gone by, then fails the stream. */
function limited(stream: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(part, controller) {
        seen += part.byteLength;
        if (seen > limit) controller.error(tooLarge(limit));
        else controller.enqueue(part);
      },
    }),
  );
}

/** The uploaded file of a request; a clear error for an empty or oversized one. */
export async function uploadedBody(c: Context, limit: number): Promise<UploadedBody> {
  const declared = Number(c.req.header("content-length") ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("multipart/form-data")) {
    let form: Awaited<ReturnType<Request["formData"]>>;
    try {
      form = await c.req.raw.formData();
    } catch (err) {
      throw new FloeError("bad_input", `malformed multipart body: ${(err as Error).message}`);
    }
    const file = form.get("file");
    if (!(file instanceof Blob)) throw new FloeError("invalid_argument", "multipart upload needs a 'file' field holding the file");
    if (file.size > limit) throw tooLarge(limit);
    return { stream: file.stream(), filename: file instanceof File ? file.name : null };
  }
  const body = c.req.raw.body;
  if (!body) throw new FloeError("bad_input", "the upload is empty: send the file as the request body");
  return { stream: limited(body, limit), filename: null };
}

/** The whole uploaded body as bytes (model files: small and read at once). */
export async function uploadedBytes(c: Context, limit: number): Promise<{ bytes: Uint8Array; filename: string | null }> {
  const { stream, filename } = await uploadedBody(c, limit);
  return { bytes: new Uint8Array(await new Response(stream).arrayBuffer()), filename };
}
