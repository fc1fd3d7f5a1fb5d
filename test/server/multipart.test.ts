// Multipart uploads are parsed as they arrive: the `file` field streams to a temporary file
// (as raw uploads do), so the server never holds the form in memory, and an oversized file
// is refused once the limit has gone by rather than after the whole body has been read.

import { describe, expect, test } from "bun:test";
import { apiOf, CLIENT_HEADERS, testServer } from "../support/server.ts";

const BOUNDARY = "floeTestBoundary7MA4YWxkTrZu0gW";
const encoder = new TextEncoder();

/** A multipart body's opening up to the start of one field's content. */
function partHead(field: string, filename: string | null): Uint8Array {
  const disposition = `form-data; name="${field}"${filename === null ? "" : `; filename="${filename}"`}`;
  return encoder.encode(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\nContent-Type: text/csv\r\n\r\n`);
}
const closing = encoder.encode(`\r\n--${BOUNDARY}--\r\n`);
const multipartType = `multipart/form-data; boundary=${BOUNDARY}`;

describe("multipart uploads", async () => {
  const server = await testServer({ uploadLimitBytes: 1000 });
  const api = apiOf(server);
  const upload = (body: RequestInit["body"], signal?: AbortSignal) =>
    fetch(`${server.url}/api/v1/frames/upload`, { method: "POST", body, headers: { ...CLIENT_HEADERS, "content-type": multipartType }, signal });

  test("an oversized file field is refused with 413 as soon as the limit has gone by, while the body is still coming", async () => {
    // The body never ends: a server that read the whole form first would never answer.
    const parts = [partHead("file", "big.csv"), encoder.encode(`a\n${"1\n".repeat(2000)}`)];
    const sender = new AbortController();
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next) controller.enqueue(next);
      },
    });
    try {
      const res = await upload(stream, sender.signal);
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("too_large");
    } finally {
      sender.abort();
    }
    expect((await api.get("/frames")).body.frames).toEqual([]);
  }, 20_000);

  test("the file field is read whatever fields come before it, and its name names the frame", async () => {
    const body = new Blob([partHead("note", null), encoder.encode("hello"), encoder.encode("\r\n"), partHead("file", "tiny.csv"), encoder.encode("a,b\n1,2\n3,4\n"), closing]);
    const res = await upload(body);
    expect(res.status).toBe(202);
    const job = await api.waitJob(((await res.json()) as { job: { job_id: string } }).job.job_id);
    expect(job.status).toBe("done");
    expect(job.dest.id).toStartWith("tiny");
    expect((await api.get(`/frames/${job.dest.id}`)).body.rows).toBe(2);
  });

  test("a form without a file field, or a malformed one, is a clear 400", async () => {
    const noFile = await upload(new Blob([partHead("other", null), encoder.encode("x"), closing]));
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as { error: { message: string } }).error.message).toContain("'file' field");
    const cut = await upload(new Blob([partHead("file", "cut.csv"), encoder.encode("a\n1\n")]));
    expect(cut.status).toBe(400);
    expect(((await cut.json()) as { error: { message: string } }).error.message).toContain("multipart");
    const noBoundary = await fetch(`${server.url}/api/v1/frames/upload`, { method: "POST", body: "x", headers: { ...CLIENT_HEADERS, "content-type": "multipart/form-data" } });
    expect(noBoundary.status).toBe(400);
    const frames = (await api.get("/frames")).body.frames.map((f: { frame_id: string }) => f.frame_id);
    expect(frames.filter((id: string) => !id.startsWith("tiny"))).toEqual([]);
  });
});
