// Request bodies that carry a file: raw bytes or a multipart form with a `file` field,
// either way streamed as it arrives (never held whole) and cut off at the server's upload limit.

import { Readable } from "node:stream";
import { Busboy, type BusboyFileStream } from "@fastify/busboy";
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

/** What a form may hold besides its file: a few small fields (the parser drops what is over). */
const FORM_LIMITS = { files: 10, fields: 20, fieldSize: 64 * 1024, parts: 40, headerPairs: 100 };

const malformed = (err: Error) => (err instanceof FloeError ? err : new FloeError("bad_input", `malformed multipart body: ${err.message}`));

/** A parser's file stream as a web stream, read as the consumer pulls; its failures become FloeErrors. */
function webStreamOf(file: Readable): ReadableStream<Uint8Array> {
  const chunks = file[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value as Uint8Array);
      } catch (err) {
        controller.error(malformed(err as Error));
      }
    },
    cancel: () => void file.destroy(),
  });
}

/**
 * The `file` field of a multipart body, resolved as soon as its content starts; the
 * content then streams through the parser as the client sends it. A form that ends
 * without that field, or breaks off, is an error (of the stream, once it has started).
 */
function multipartFile(body: ReadableStream<Uint8Array>, contentType: string, limit: number): Promise<UploadedBody> {
  return new Promise((resolve, reject) => {
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({ headers: { "content-type": contentType }, limits: FORM_LIMITS });
    } catch (err) {
      reject(malformed(err as Error));
      return;
    }
    let file: BusboyFileStream | null = null;
    parser.on("file", (field, stream, filename) => {
      if (field !== "file" || file) return void stream.resume();
      file = stream;
      resolve({ stream: limited(webStreamOf(stream), limit), filename: filename || null });
    });
    parser.on("error", (err: Error) => {
      if (file) file.destroy(malformed(err));
      else reject(malformed(err));
    });
    parser.on("finish", () => {
      if (!file) reject(new FloeError("invalid_argument", "multipart upload needs a 'file' field holding the file"));
    });
    const source = Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
    source.on("error", (err) => parser.destroy(err));
    source.pipe(parser);
  });
}

/** The uploaded file of a request; a clear error for an empty or oversized one. */
export async function uploadedBody(c: Context, limit: number): Promise<UploadedBody> {
  const declared = Number(c.req.header("content-length") ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  const type = c.req.header("content-type") ?? "";
  const body = c.req.raw.body;
  if (!body) throw new FloeError("bad_input", "the upload is empty: send the file as the request body");
  if (type.startsWith("multipart/form-data")) return multipartFile(body, type, limit);
  return { stream: limited(body, limit), filename: null };
}

/** The whole uploaded body as bytes (model files: small and read at once). */
export async function uploadedBytes(c: Context, limit: number): Promise<{ bytes: Uint8Array; filename: string | null }> {
  const { stream, filename } = await uploadedBody(c, limit);
  return { bytes: new Uint8Array(await new Response(stream).arrayBuffer()), filename };
}
