// The bad-input corpus, REST API: malformed and hostile requests to a default server
// (loopback, no token). Each gets one 4xx answer in the error shape, or a job that fails
// with one clear message; afterwards the node still answers and its frames are intact.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { FIXTURES, tempDir, writeTemp } from "../support/node.ts";
import { apiOf, type Reply, testServer } from "../support/server.ts";

const dir = tempDir();
const server = await testServer();
const api = apiOf(server);
const irisId = await api.importPath(join(FIXTURES, "iris.csv"));

/** The error a job ended with, as a reply: the job's status and its error. */
async function jobError(r: Reply): Promise<Reply> {
  if (r.status !== 202) return r;
  const job = await api.waitJob(r.body.job.job_id);
  return { status: job.status === "failed" ? 422 : 200, body: { error: job.error, job } };
}

const importPath = async (path: string, extra: Record<string, unknown> = {}) => jobError(await api.post("/frames/import", { path, ...extra }));
const importSql = async (sql: string) => jobError(await api.post("/frames/import", { sql }));
const raw = (path: string, init: RequestInit) => fetch(`${server.url}${path}`, init).then(async (res) => ({ status: res.status, body: await res.json().catch(() => null) }) as Reply);

interface Case {
  readonly name: string;
  readonly send: () => Promise<Reply>;
  /** The status, or the range 4xx. */
  readonly status: number | "4xx";
  /** Words the error message must hold. */
  readonly message?: RegExp;
}

const cases: Case[] = [
  // Malformed requests.
  { name: "a body that is not JSON", send: () => api.post("/frames/import", "{path:", { "content-type": "application/json" }), status: 400 },
  { name: "a JSON array for an object", send: () => api.post("/frames/import", [1, 2]), status: 400 },
  { name: "an import with neither path nor sql", send: () => api.post("/frames/import", {}), status: 400, message: /path|sql/ },
  { name: "an import path that is a number", send: () => api.post("/frames/import", { path: 5 }), status: 400, message: /path/ },
  { name: "an import of a missing file", send: () => importPath(join(dir, "nope.csv")), status: "4xx", message: /nope\.csv/ },
  { name: "an import of a ragged file", send: () => importPath(writeTemp(dir, "ragged.csv", "a,b\n1,2\n3\n")), status: "4xx", message: /line 3/ },
  { name: "an import of an empty file", send: () => importPath(writeTemp(dir, "empty.csv", "")), status: "4xx", message: /empty/ },
  { name: "an import with a bad col_types spec", send: () => api.post("/frames/import", { path: join(FIXTURES, "iris.csv"), col_types: "species=enum" }), status: "4xx" },
  {
    name: "an import with a million na_strings",
    send: () => api.post("/frames/import", { path: join(FIXTURES, "iris.csv"), na_strings: Array.from({ length: 1_000_000 }, (_, i) => `n${i}`) }),
    status: "4xx",
    message: /na_strings|too (large|many|long)|limit/i,
  },
  { name: "a JSON body over the size cap", send: () => api.post("/frames/import", { path: "x".repeat(8 * 1024 * 1024) }), status: "4xx", message: /limit|too (large|long)/i },
  { name: "an upload with no body", send: () => api.post("/frames/upload", "", { "content-type": "text/csv" }), status: 400 },
  {
    name: "a ragged upload names the upload, not a temp file",
    send: () => api.post("/frames/upload?name=mine.csv", "a,b\n1,2\n3\n", { "content-type": "text/csv" }).then(jobError),
    status: "4xx",
    message: /line 3/,
  },
  { name: "an upload of gzip bytes that are not gzip", send: () => api.post("/frames/upload", new Uint8Array([0x1f, 0x8b, 0, 1, 2, 3]), { "content-type": "text/csv" }).then(jobError), status: "4xx" },

  // SQL import: one read-only SELECT.
  { name: "two statements, the second a COPY", send: () => importSql(`SELECT 1 AS x; COPY (SELECT 42) TO '${join(dir, "written.csv")}'`), status: "4xx", message: /one|single|statement/i },
  { name: "a SET that would change DuckDB for the process", send: () => importSql("SET memory_limit='10MB'"), status: "4xx", message: /SELECT/ },
  { name: "an ATTACH", send: () => importSql(`ATTACH '${join(dir, "x.db")}' AS x`), status: "4xx", message: /SELECT/ },
  { name: "an INSTALL of an extension", send: () => importSql("INSTALL httpfs"), status: "4xx", message: /SELECT/ },
  { name: "an http:// path", send: () => importPath("http://127.0.0.1:9/x.csv"), status: "4xx", message: /http/ },
  { name: "SQL that does not parse", send: () => importSql("SELEC 1"), status: "4xx", message: /SELEC|syntax|parse/i },

  // Training and scoring.
  { name: "an unknown algorithm", send: () => api.post("/models", { algo: "gbn", training_frame: irisId, response_column: "species" }), status: 400, message: /gbn/ },
  { name: "an unknown frame", send: () => api.post("/models", { algo: "gbm", training_frame: "nope", response_column: "species" }), status: 404, message: /nope/ },
  { name: "an unknown response column", send: () => api.post("/models", { algo: "gbm", training_frame: irisId, response_column: "Species" }), status: "4xx", message: /Species/ },
  {
    name: "a parameter of the wrong type",
    send: () => api.post("/models", { algo: "gbm", training_frame: irisId, response_column: "species", params: { ntrees: "many" } }),
    status: 400,
    message: /ntrees/,
  },
  { name: "an unknown parameter", send: () => api.post("/models", { algo: "gbm", training_frame: irisId, response_column: "species", params: { ntree: 3 } }), status: 400, message: /ntree/ },
  {
    name: "a fold column that is not in the frame, refused before any job",
    send: () => api.post("/models", { algo: "gbm", training_frame: irisId, response_column: "species", params: { fold_column: "fold" } }),
    status: 404,
    message: /'fold'/,
  },
  {
    name: "more folds than rows",
    send: () => api.post("/models", { algo: "gbm", training_frame: irisId, response_column: "species", params: { nfolds: 1000 } }).then(jobError),
    status: "4xx",
    message: /nfolds/,
  },
  // XGBoost, the isolation forests and k-means.
  {
    name: "xgboost with distribution gaussian for an enum response",
    send: () => api.post("/models", { algo: "xgboost", training_frame: irisId, response_column: "species", params: { distribution: "gaussian" } }).then(jobError),
    status: "4xx",
    message: /gaussian.*'species'/,
  },
  {
    name: "xgboost with a word for reg_lambda",
    send: () => api.post("/models", { algo: "xgboost", training_frame: irisId, response_column: "species", params: { reg_lambda: "x" } }),
    status: 400,
    message: /reg_lambda/,
  },
  { name: "xgboost without a response column", send: () => api.post("/models", { algo: "xgboost", training_frame: irisId }), status: 400, message: /response_column/ },
  {
    name: "an isolation forest with a response column",
    send: () => api.post("/models", { algo: "isolationforest", training_frame: irisId, response_column: "species" }),
    status: 400,
    message: /no response_column/,
  },
  {
    name: "an isolation forest with a word for contamination",
    send: () => api.post("/models", { algo: "isolationforest", training_frame: irisId, params: { contamination: "lots" } }),
    status: 400,
    message: /contamination/,
  },
  {
    name: "an isolation forest with contamination above 0.5",
    send: () => api.post("/models", { algo: "isolationforest", training_frame: irisId, params: { contamination: 0.9 } }).then(jobError),
    status: "4xx",
    message: /contamination=0\.9/,
  },
  {
    name: "an isolation forest given the extended forest's extension_level",
    send: () => api.post("/models", { algo: "isolationforest", training_frame: irisId, params: { extension_level: 1 } }),
    status: 400,
    message: /extension_level/,
  },
  {
    name: "a validation label the validation frame lacks",
    send: () => api.post("/models", { algo: "isolationforest", training_frame: irisId, validation_frame: irisId, params: { validation_response_column: "nope" } }).then(jobError),
    status: "4xx",
    message: /'nope'/,
  },
  {
    name: "an extended isolation forest with extension_level above the columns",
    send: () => api.post("/models", { algo: "extendedisolationforest", training_frame: irisId, params: { extension_level: 9 } }).then(jobError),
    status: "4xx",
    message: /extension_level=9/,
  },
  {
    name: "an extended isolation forest with a fractional extension_level",
    send: () => api.post("/models", { algo: "extendedisolationforest", training_frame: irisId, params: { extension_level: 2.5 } }),
    status: 400,
    message: /extension_level/,
  },
  { name: "k-means with an init H2O does not have", send: () => api.post("/models", { algo: "kmeans", training_frame: irisId, params: { k: 3, init: "kmeans||" } }), status: 400, message: /init/ },
  {
    name: "k-means with more clusters than rows",
    send: () => api.post("/models", { algo: "kmeans", training_frame: irisId, params: { k: 500 } }).then(jobError),
    status: "4xx",
    message: /k=500/,
  },
  { name: "predictions from an unknown model", send: () => api.post("/models/nope/predict", { frame: irisId }), status: 404 },
  { name: "contributions of an unknown model", send: () => api.post("/models/nope/contributions", { frame: irisId }), status: 404 },
  { name: "contributions with top_n as a string", send: () => api.post("/models/nope/contributions", { frame: irisId, top_n: "3" }), status: 400, message: /top_n/ },
  { name: "partial dependence with nbins 1", send: () => api.post("/models/nope/partial-dependence", { frame: irisId, nbins: 1 }), status: 400, message: /nbins/ },
  { name: "partial dependence with col_pairs of one column", send: () => api.post("/models/nope/partial-dependence", { frame: irisId, col_pairs: [["a"]] }), status: 400, message: /col_pairs/ },
  { name: "ICE curves of no rows", send: () => api.post("/models/nope/ice", { frame: irisId, column: "sepal_width", rows: [] }), status: 400, message: /rows/ },
  { name: "permutation importance with n_repeats 0", send: () => api.post("/models/nope/permutation-importance", { frame: irisId, n_repeats: 0 }), status: 400, message: /n_repeats/ },
  { name: "a local surrogate of row -1", send: () => api.post("/models/nope/local-surrogate", { frame: irisId, row: -1 }), status: 400, message: /row/ },
  { name: "an explanation that does not exist", send: () => api.get("/explanations/nope"), status: 404 },
  { name: "a job that does not exist", send: () => api.get("/jobs/nope"), status: 404 },
  { name: "deleting a frame that does not exist", send: () => api.del("/frames/nope"), status: 404 },
  {
    name: "a model upload of random bytes",
    send: () =>
      api.post(
        "/models/upload",
        new Uint8Array(300).map((_, i) => (i * 31) % 251),
        { "content-type": "application/octet-stream" },
      ),
    status: 400,
  },
  {
    name: "a model upload that is a gzip bomb",
    send: () => api.post("/models/upload", gzipSync(new Uint8Array(512 * 1024 * 1024)), { "content-type": "application/octet-stream" }),
    status: "4xx",
    message: /model|large|limit/i,
  },

  // A web page's requests (a default server has no token).
  {
    name: "a cross-site text/plain shutdown",
    send: () => raw("/api/v1/shutdown", { method: "POST", body: "x", headers: { "content-type": "text/plain", origin: "http://evil.example" } }),
    status: 403,
  },
  {
    name: "a cross-site form upload",
    send: () => raw("/api/v1/frames/upload", { method: "POST", body: "a,b\n1,2\n", headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://evil.example" } }),
    status: 403,
  },
  {
    name: "a simple text/plain POST without an Origin",
    send: () => raw("/api/v1/frames/import", { method: "POST", body: JSON.stringify({ sql: "SELECT 1" }), headers: { "content-type": "text/plain" } }),
    status: 403,
  },
  { name: "a rebound Host name", send: () => raw("/api/v1/frames", { headers: { host: "evil.example" } }), status: 403 },
  { name: "an unknown route", send: () => api.get("/nope"), status: 404 },
];

const replies = new Map<string, Reply>();
for (const c of cases) replies.set(c.name, await c.send().catch((err: Error) => ({ status: 0, body: { error: { message: String(err) } } })));

describe("the REST API", () => {
  test("the corpus has at least 30 requests", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of cases) {
    test(c.name, () => {
      const r = replies.get(c.name) as Reply;
      if (c.status === "4xx") expect(r.status >= 400 && r.status < 500 ? "4xx" : r.status).toBe("4xx");
      else expect(r.status).toBe(c.status);
      const error = r.body?.error;
      expect(typeof error?.message).toBe("string");
      expect(error.message).not.toMatch(/floe-(spool|upload|download)-/); // no server temp paths
      if (c.message) expect(error.message).toMatch(c.message);
    });
  }

  test("afterwards the node answers and the iris frame is whole; nothing was written by SQL", async () => {
    expect((await api.get("/health")).status).toBe(200);
    expect((await api.get(`/frames/${irisId}`)).body.rows).toBe(150);
    expect(await Bun.file(join(dir, "written.csv")).exists()).toBe(false);
  });
});
