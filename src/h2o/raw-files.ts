// What /3/ImportFiles and /3/PostFile hand the client before it parses: a raw key per file.
// A local path is confined like every import of the server; an http(s) URL's body, or an
// s3:// key's (or glob's) objects, are streamed to temporary files (capped at the server's
// upload limit) and read from there.

import { existsSync } from "node:fs";
import { basename } from "node:path";
import { asFloeError, FloeError } from "../core/errors.ts";
import { capped as cappedBytes, downloadUrl } from "../core/sources/http.ts";
import { fetchRemote } from "../core/sources/remote.ts";
import { isS3Url } from "../core/sources/s3.ts";
import { key } from "../core/store.ts";
import type { H2OContext, RawFile } from "./context.ts";

const URL_SCHEME = /^https?:\/\//i;
const GLOB_CHARS = /[*?[]/;

/** The server's upload limit, as messages name it. */
const uploadLimit = (bytes: number) => ({ bytes, name: "the server's upload limit" });

/** Passes an upload's bytes through, failing once more than `limit` have gone by. */
export function capped(limit: number, what: string): TransformStream<Uint8Array, Uint8Array> {
  return cappedBytes(uploadLimit(limit), what);
}

/** Downloads a URL to a temporary file. */
export async function fetchToRawFile(url: string, limit: number): Promise<RawFile> {
  const spooled = await downloadUrl(url, uploadLimit(limit));
  const name = basename(new URL(url).pathname) || "download";
  return { source: { kind: "file", path: spooled.path, label: url, format: formatOf(name) }, name, cleanup: spooled.cleanup };
}

/** A URL's body as a raw file; refused under --data-root, which confines imports to local files (as it turns SQL imports off). */
function fetchUrl(ctx: H2OContext, url: string): Promise<RawFile> {
  if (ctx.server.dataRoot !== null) throw new FloeError("forbidden", `importing ${url}: URL imports are off under the server's --data-root`);
  return fetchToRawFile(url, ctx.server.uploadLimit);
}

/** A file's format from its name, so a spooled copy (named "data") is read as what it was. */
function formatOf(name: string): "csv" | "parquet" | "json" | undefined {
  const plain = name.replace(/\.(gz|zst)$/i, "");
  if (/\.(parquet|pq)$/i.test(plain)) return "parquet";
  if (/\.(json|jsonl|ndjson)$/i.test(plain)) return "json";
  return /\.(csv|tsv|txt|data)$/i.test(plain) ? "csv" : undefined;
}

/** An s3:// key or glob as a raw file (its objects downloaded), refused under --data-root as URLs are. */
async function fetchS3(ctx: H2OContext, url: string): Promise<RawFile> {
  if (ctx.server.dataRoot !== null) throw new FloeError("forbidden", `importing ${url}: S3 imports are off under the server's --data-root`);
  const { source, cleanup } = await fetchRemote({ kind: "remote", url, maxBytes: ctx.server.uploadLimit });
  return { source, name: basename(url), cleanup };
}

/** A local path (or glob) as the server confines it; a literal path that does not exist fails here. */
export function localRawFile(ctx: H2OContext, path: string): RawFile {
  const source = ctx.importSource(path);
  if (source.kind !== "file" && source.kind !== "files") throw new FloeError("invalid_argument", `'${path}' is not a file path`);
  if (source.kind === "file" && !GLOB_CHARS.test(source.path) && !existsSync(source.path)) throw new FloeError("not_found", `File ${path} does not exist`);
  return { source, name: basename(path) };
}

/** Imports each path or URL as a raw key (the path as given); the failures are returned by path, as H2O's `fails`. */
export async function importRawFiles(ctx: H2OContext, paths: readonly string[]): Promise<{ keys: string[]; fails: string[]; errors: FloeError[] }> {
  const keys: string[] = [];
  const fails: string[] = [];
  const errors: FloeError[] = [];
  for (const path of paths) {
    try {
      const raw = URL_SCHEME.test(path) ? await fetchUrl(ctx, path) : isS3Url(path) ? await fetchS3(ctx, path) : localRawFile(ctx, path);
      ctx.rawFiles.get(path)?.cleanup?.();
      ctx.rawFiles.set(path, raw);
      keys.push(path);
    } catch (err) {
      // Refusals (outside the data root, over the limit) fail the request; a missing or unreachable file is one of H2O's `fails`.
      if (err instanceof FloeError && (err.code === "forbidden" || err.code === "too_large")) throw err;
      fails.push(path);
      errors.push(asFloeError(err));
    }
  }
  return { keys, fails, errors };
}

/** A frame key made from a file name as H2O makes it: "iris.csv" -> "iris.hex", unique in the store. */
export function parsedFrameKey(ctx: H2OContext, name: string): string {
  const base =
    name
      .replace(/\.(gz|zst|zip)$/i, "")
      .replace(/\.[^.]*$/, "")
      .replace(/[^A-Za-z0-9_\-]+/g, "_") || "frame";
  const taken = (id: string) => ctx.node.store.taken(key("frame", id));
  let id = `${base}.hex`;
  for (let n = 2; taken(id); n++) id = `${base}_${n}.hex`;
  return id;
}
