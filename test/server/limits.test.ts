// Bounded inputs at the API: JSON bodies are capped (1 MiB) before they are read whole or
// parsed, and the lists inside them (na_strings, column lists, split ratios, parameters)
// have maxima, so one request cannot make the node hold gigabytes or run for minutes.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { FIXTURES } from "../support/node.ts";
import { apiOf, CLIENT_HEADERS, testServer } from "../support/server.ts";

const MiB = 1024 * 1024;

describe("JSON bodies", async () => {
  const server = await testServer();
  const api = apiOf(server);
  const iris = join(FIXTURES, "iris.csv");

  test("an import body over 1 MiB is refused with 413 and starts no job", async () => {
    const naStrings = Array.from({ length: 200_000 }, (_, i) => `marker_${i}`);
    const body = JSON.stringify({ path: iris, na_strings: naStrings });
    expect(body.length).toBeGreaterThan(MiB);
    const r = await api.post("/frames/import", { path: iris, na_strings: naStrings });
    expect([r.status, r.body.error?.code]).toEqual([413, "too_large"]);
    expect(r.body.error.message).toContain("1 MiB");
    expect((await api.get("/jobs")).body.jobs).toEqual([]);
  });

  test("a streamed JSON body without a length is cut off at 1 MiB", async () => {
    const chunk = new TextEncoder().encode(`{"path": "${iris}", "na_strings": [${'"x",'.repeat(100_000)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${server.url}/api/v1/frames/import`, { method: "POST", body: stream, headers: { ...CLIENT_HEADERS, "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("too_large");
  });

  test("bodies under the cap still work", async () => {
    const id = await api.importPath(iris, { na_strings: ["NA", "."] });
    expect((await api.get(`/frames/${id}`)).body.rows).toBe(150);
  });

  test("uploads are not JSON bodies: they keep the upload limit", async () => {
    const csv = `a,b\n${"1,2\n".repeat(400_000)}`;
    expect(csv.length).toBeGreaterThan(MiB);
    const r = await api.post("/frames/upload", csv, { "content-type": "text/csv" });
    expect(r.status).toBe(202);
    expect((await api.waitJob(r.body.job.job_id)).status).toBe("done");
  });
});

describe("list lengths", async () => {
  const server = await testServer();
  const api = apiOf(server);
  const iris = await api.importPath(join(FIXTURES, "iris.csv"));
  const many = (n: number, prefix = "c") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  test("each list over its maximum is a 400 naming the field", async () => {
    const cases: [string, string, unknown][] = [
      ["/frames/import", "na_strings", { path: "x.csv", na_strings: many(1001) }],
      ["/frames/import", "col_types", { path: "x.csv", col_types: Object.fromEntries(many(20_001).map((c) => [c, "enum"])) }],
      [`/frames/${iris}/asfactor`, "columns", { columns: many(20_001) }],
      [`/frames/${iris}/split`, "ratios", { ratios: Array(101).fill(0.001) }],
      [`/frames/${iris}/split`, "destination_frames", { ratios: [0.5], destination_frames: many(102) }],
      ["/models", "x", { algo: "gbm", training_frame: iris, response_column: "species", x: many(20_001) }],
      ["/models", "params", { algo: "gbm", training_frame: iris, response_column: "species", params: Object.fromEntries(many(1001).map((p) => [p, 1])) }],
      ["/automl", "x", { training_frame: iris, response_column: "species", x: many(20_001) }],
    ];
    for (const [path, field, body] of cases) {
      const r = await api.post(path, body);
      expect([path, field, r.status, r.body.error?.code]).toEqual([path, field, 400, "invalid_argument"]);
      expect(r.body.error.message).toContain(field);
    }
  });

  test("an na_strings entry over 256 characters is refused", async () => {
    const r = await api.post("/frames/import", { path: "x.csv", na_strings: ["y".repeat(257)] });
    expect([r.status, r.body.error?.code]).toEqual([400, "invalid_argument"]);
    expect(r.body.error.message).toContain("na_strings");
  });

  test("an upload's na_strings list is capped too", async () => {
    const r = await api.post(`/frames/upload?na_strings=${many(1001).join(",")}`, "a\n1\n", { "content-type": "text/csv" });
    expect([r.status, r.body.error?.code]).toEqual([400, "invalid_argument"]);
    expect(r.body.error.message).toContain("na_strings");
  });
});
