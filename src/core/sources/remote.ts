// Remote sources (s3://, http(s)://) made local: each object is downloaded to a temporary
// file, read as a file source named by its URL, and removed by `cleanup` once read.

import { FloeError } from "../errors.ts";
import type { FileSource, Source } from "../source.ts";
import { type ByteLimit, downloadUrl } from "./http.ts";
import { downloadS3 } from "./s3.ts";

export type RemoteSource = Extract<Source, { kind: "remote" }>;

const REMOTE_URL = /^(s3|https?):\/\//i;

/** Whether floe reads `path` as a remote source rather than a local file. */
export function isRemoteUrl(path: string): boolean {
  return REMOTE_URL.test(path);
}

/** The local file source a remote one is read as, and the cleanup of its temporary files. */
export async function fetchRemote(source: RemoteSource, signal?: AbortSignal): Promise<{ source: FileSource; cleanup: () => void }> {
  const limit: ByteLimit | undefined = source.maxBytes === undefined ? undefined : { bytes: source.maxBytes, name: "the server's upload limit" };
  if (/^s3:/i.test(source.url)) {
    const objects = await downloadS3(source.url, source.endpoint, signal);
    const cleanup = () => {
      for (const o of objects) o.spooled.cleanup();
    };
    const total = objects.reduce((n, o) => n + Bun.file(o.spooled.path).size, 0);
    if (limit && total > limit.bytes) {
      cleanup();
      throw new FloeError("too_large", `${source.url} is ${total} bytes, over ${limit.name} of ${limit.bytes} bytes`);
    }
    const format = source.format ?? formatOfName(source.url);
    return {
      source: { kind: "files", paths: objects.map((o) => o.spooled.path), labels: objects.map((o) => o.url), label: source.url, format },
      cleanup,
    };
  }
  if (!/^https?:/i.test(source.url)) throw new FloeError("invalid_argument", `${source.url}: floe reads s3://, http:// and https:// URLs`);
  const spooled = await downloadUrl(source.url, limit, signal);
  return { source: { kind: "file", path: spooled.path, label: source.url, format: source.format ?? formatOfName(new URL(source.url).pathname) }, cleanup: spooled.cleanup };
}

/** The format a remote name says (the temporary copy has no extension); undefined to sniff the content. */
function formatOfName(name: string): "csv" | "parquet" | "json" | undefined {
  const plain = name.replace(/\.(gz|zst)$/i, "");
  if (/\.(parquet|pq)$/i.test(plain)) return "parquet";
  if (/\.(json|jsonl|ndjson)$/i.test(plain)) return "json";
  return /\.(csv|tsv|txt)$/i.test(plain) ? "csv" : undefined;
}
