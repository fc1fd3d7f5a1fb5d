// s3:// sources and destinations through Bun's S3 client. Credentials and region come from
// the usual environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_REGION, or their S3_ forms), read when a client is made; the endpoint of an
// S3-compatible store from the caller, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or S3_ENDPOINT. A key may be a glob
// (`s3://bucket/logs/*.csv`): the keys under its fixed prefix are listed once and matched.
// Objects are streamed to temporary files, which the ingest reads as local files.

import { S3Client } from "bun";
import { FloeError } from "../errors.ts";
import { type Spooled, spoolToFile } from "../source.ts";

const GLOB_CHARS = /[*?[]/;

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** `s3://bucket/key` split; anything else is refused by name. */
export function s3Location(url: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new FloeError("invalid_argument", `${url}: an S3 location is s3://bucket/key`);
  return { bucket: m[1], key: m[2] };
}

/** A client for `bucket`, configured from the environment as it is now; `endpoint` overrides the environment's. */
export function s3Client(bucket: string, endpoint?: string): S3Client {
  const env = process.env;
  const options = {
    bucket,
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? env.S3_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN ?? env.S3_SESSION_TOKEN,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? env.S3_REGION,
    endpoint: endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? env.S3_ENDPOINT,
  };
  return new S3Client(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)));
}

/** One line for an S3 failure: the location and S3's own code and message. */
export function s3Error(err: unknown, url: string): FloeError {
  if (err instanceof FloeError) return err;
  const e = err as { code?: string; message?: string };
  if (e.code === "NoSuchKey") return new FloeError("not_found", `${url}: no such key`);
  if (e.code === "NoSuchBucket") return new FloeError("not_found", `${url}: no such bucket`);
  if (e.code === "ERR_S3_MISSING_CREDENTIALS") return new FloeError("invalid_argument", `${url}: no S3 credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
  const reason = e.code && e.code !== "ERR_S3_INVALID_RESPONSE" ? `${e.code}: ${e.message}` : String(e.message ?? err);
  return new FloeError("bad_input", `${url}: ${reason.split("\n")[0]}`);
}

/** The keys a key pattern names, sorted: the key itself, or a glob's matches. */
async function matchingKeys(client: S3Client, loc: S3Location, url: string): Promise<string[]> {
  return GLOB_CHARS.test(loc.key) ? (await globObjects(client, loc, url)).map((o) => o.key) : [loc.key];
}

/** The objects a glob of keys matches, sorted by key, with their sizes. */
export async function globObjects(client: S3Client, loc: S3Location, url: string): Promise<{ key: string; size: number }[]> {
  const glob = GLOB_CHARS.exec(loc.key);
  const prefix = loc.key.slice(0, glob?.index);
  const pattern = new Bun.Glob(loc.key);
  const objects: { key: string; size: number }[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await client.list({ prefix, continuationToken }).catch((err) => {
      throw s3Error(err, url);
    });
    for (const o of page.contents ?? []) if (pattern.match(o.key)) objects.push({ key: o.key, size: o.size ?? 0 });
    continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (continuationToken);
  if (!objects.length) throw new FloeError("not_found", `${url}: no key matches`);
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One downloaded object: its s3:// name and its temporary file. */
export interface S3Download {
  readonly url: string;
  readonly spooled: Spooled;
}

/** Downloads the object(s) `url` names, in key order; on failure nothing is left behind. */
export async function downloadS3(url: string, endpoint?: string, signal?: AbortSignal): Promise<S3Download[]> {
  const loc = s3Location(url);
  const client = s3Client(loc.bucket, endpoint);
  const done: S3Download[] = [];
  try {
    for (const key of await matchingKeys(client, loc, url)) {
      if (signal?.aborted) break;
      const name = `s3://${loc.bucket}/${key}`;
      try {
        done.push({ url: name, spooled: await spoolToFile(client.file(key).stream()) });
      } catch (err) {
        throw s3Error(err, name);
      }
    }
    return done;
  } catch (err) {
    for (const d of done) d.spooled.cleanup();
    throw err;
  }
}

/** Uploads a local file to `url` (s3://bucket/key, no glob). */
export async function uploadS3(path: string, url: string, endpoint?: string): Promise<void> {
  const loc = s3Location(url);
  if (GLOB_CHARS.test(loc.key)) throw new FloeError("invalid_argument", `${url}: an S3 destination cannot be a glob`);
  try {
    await s3Client(loc.bucket, endpoint).write(loc.key, Bun.file(path));
  } catch (err) {
    throw s3Error(err, url);
  }
}

/** What `floe predict --out` writes to: a local file, or an s3:// object uploaded as it is written. */
export interface TextSink {
  write(text: string): unknown;
  end(): unknown;
}

export function isS3Url(path: string): boolean {
  return /^s3:\/\//i.test(path);
}

/** A writer for `path`: an S3 multipart upload for s3://bucket/key, else the local file. */
export function outputWriter(path: string, endpoint?: string): TextSink {
  if (!isS3Url(path)) return Bun.file(path).writer();
  const loc = s3Location(path);
  if (GLOB_CHARS.test(loc.key)) throw new FloeError("invalid_argument", `${path}: an S3 destination cannot be a glob`);
  return s3Client(loc.bucket, endpoint).file(loc.key).writer();
}
