// The TypeScript client of floe's REST API v1 (what `floe --url` and other programs use):
// one method per route over fetch, grouped by resource, and `waitJob` to follow a long
// operation. Every failure is a FloeError: the server's code and message for an error
// answer, a one-line "cannot reach floe at URL" (details.unreachable) when no server answers.

import { codeOfStatus, FloeError, isErrorCode } from "../core/errors.ts";
import type {
  AlgorithmInfo,
  AutoMLInfo,
  AutoMLParams,
  AutoMLRequest,
  AutoMLStart,
  AutoMLSummary,
  ClusterStatus,
  FrameInfo,
  FrameRows,
  FrameSummary,
  Health,
  ImportRequest,
  Job,
  MetricsResult,
  ModelInfo,
  ModelSummary,
  PredictResult,
  SplitRequest,
  TrainRequest,
} from "../api/types.ts";

export interface ClientOptions {
  /** Sent as `Authorization: Bearer <token>` (servers started with --auth-token). */
  token?: string;
}

/** What an upload sends: bytes, a Blob (a Bun.file too), a byte stream, or a local file by path. */
export type UploadBody = Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | { path: string };

export interface WaitOptions {
  /** Called with the job after every poll. */
  onProgress?: (job: Job) => void;
  /** Aborting it cancels the job on the server; waitJob then ends as the job does. */
  signal?: AbortSignal;
  /** How often progress is reported while the job runs (default 250 ms). */
  intervalMs?: number;
}

interface SendOptions {
  json?: unknown;
  body?: Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;
  query?: Record<string, string | number | undefined>;
}

/** The HTTP layer: base URL, token, and the translation of failures into FloeErrors. */
class Transport {
  readonly base: string;
  private readonly token?: string;

  constructor(url: string, token?: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new FloeError("invalid_argument", `'${url}' is not a URL (expected http://host:port)`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new FloeError("invalid_argument", `'${url}' is not an http(s) URL`);
    }
    // The server's address, whether or not the caller wrote the API prefix.
    this.base = `${parsed.origin}${parsed.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/, "")}`;
    this.token = token;
  }

  /** Sends one request; a non-2xx answer or no answer at all throws a FloeError. */
  async send(method: string, path: string, init: SendOptions = {}): Promise<Response> {
    const url = new URL(`${this.base}/api/v1${path}`);
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    // Tells the server this is floe's client, not a form a web page sent cross-site.
    const headers: Record<string, string> = { "x-floe-client": "1" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: globalThis.RequestInit["body"];
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    } else if (init.body !== undefined) {
      headers["content-type"] = "application/octet-stream";
      body = init.body as globalThis.RequestInit["body"];
    }
    let res: Response;
    try {
      // duplex: what Node's fetch needs to send a stream; Bun ignores it.
      res = await fetch(url, { method, headers, body, duplex: "half" } as globalThis.RequestInit);
    } catch (err) {
      throw this.unreachable(err);
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  async json<T>(method: string, path: string, init: SendOptions = {}): Promise<T> {
    const res = await this.send(method, path, init);
    return (await res.json()) as T;
  }

  private unreachable(err: unknown): FloeError {
    if (err instanceof FloeError) return err;
    const e = err as { code?: string; message?: string; cause?: { code?: string } };
    const code = e?.code ?? e?.cause?.code;
    const why = code === "ECONNREFUSED" || code === "ConnectionRefused" ? "connection refused" : code === "ENOTFOUND" ? "unknown host" : (e?.message ?? String(err)).split("\n")[0];
    return new FloeError("not_found", `cannot reach floe at ${this.base}: ${why}`, { url: this.base, unreachable: true });
  }
}

/** The FloeError an error answer stands for: its {error:{code,message}}, else its status. */
async function errorOf(res: Response): Promise<FloeError> {
  const text = await res.text().catch(() => "");
  let wire: { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null = null;
  try {
    wire = JSON.parse(text);
  } catch {
    wire = null;
  }
  const err = wire?.error;
  const own = err?.code;
  const code = isErrorCode(own) ? own : codeOfStatus(res.status);
  const message = typeof err?.message === "string" ? err.message : `HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ""}`;
  return new FloeError(code, message, err?.details);
}

/** A file path becomes a Blob read as it is sent; the other bodies go as they are. */
async function uploadBody(body: UploadBody): Promise<Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>> {
  if (!("path" in body) || body instanceof Blob) return body as Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;
  // node:fs loads only for paths, so the client stays usable where there is no file system.
  const fs = await import("node:fs");
  const stat = await fs.promises.stat(body.path).catch(() => null);
  if (!stat) throw new FloeError("not_found", `no such file: ${body.path}`);
  if (!stat.isFile()) throw new FloeError("invalid_argument", `${body.path} is not a file`);
  return fs.openAsBlob(body.path);
}

function pathOf(id: string): string {
  return encodeURIComponent(id);
}

export class FramesApi {
  constructor(private readonly t: Transport) {}

  async list(): Promise<FrameSummary[]> {
    return (await this.t.json<{ frames: FrameSummary[] }>("GET", "/frames")).frames;
  }

  /** Imports a server-side path (or glob) or the result of a SQL query; the job's dest is the frame. */
  async import(req: ImportRequest): Promise<Job> {
    return (await this.t.json<{ job: Job }>("POST", "/frames/import", { json: req })).job;
  }

  /**
   * Uploads file bytes (streamed), imported as a frame by the returned job; `name` tells the
   * format; the ingest options are those of an import.
   */
  async upload(body: UploadBody, opts: { frameId?: string; name?: string } & Pick<ImportRequest, "col_types" | "sep" | "header" | "na_strings"> = {}): Promise<Job> {
    const query = {
      frame_id: opts.frameId,
      name: opts.name ?? ("path" in body && !(body instanceof Blob) ? body.path.split("/").pop() : undefined),
      col_types:
        opts.col_types &&
        Object.entries(opts.col_types)
          .map(([name, type]) => `${name}:${type}`)
          .join(","),
      sep: opts.sep,
      header: opts.header === undefined ? undefined : String(opts.header),
      na_strings: opts.na_strings?.join(","),
    };
    return (await this.t.json<{ job: Job }>("POST", "/frames/upload", { body: await uploadBody(body), query })).job;
  }

  get(id: string): Promise<FrameInfo> {
    return this.t.json("GET", `/frames/${pathOf(id)}`);
  }

  rows(id: string, opts: { offset?: number; limit?: number } = {}): Promise<FrameRows> {
    return this.t.json("GET", `/frames/${pathOf(id)}/rows`, { query: { offset: opts.offset, limit: opts.limit } });
  }

  async split(id: string, req: SplitRequest): Promise<{ frame_id: string; rows: number }[]> {
    return (await this.t.json<{ frames: { frame_id: string; rows: number }[] }>("POST", `/frames/${pathOf(id)}/split`, { json: req })).frames;
  }

  /** A new frame with `columns` turned into enums; returns its id. */
  async asfactor(id: string, columns: string[], frameId?: string): Promise<string> {
    const json = frameId === undefined ? { columns } : { columns, frame_id: frameId };
    return (await this.t.json<{ frame_id: string }>("POST", `/frames/${pathOf(id)}/asfactor`, { json })).frame_id;
  }

  async delete(id: string): Promise<void> {
    await this.t.json("DELETE", `/frames/${pathOf(id)}`);
  }

  /** The frame as CSV (header row, missing values empty), streamed. */
  async download(id: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.t.send("GET", `/frames/${pathOf(id)}/download`);
    if (!res.body) throw new FloeError("internal", `download of frame '${id}' came without a body`);
    return res.body;
  }
}

export class ModelsApi {
  constructor(private readonly t: Transport) {}

  /** Starts training; the job's dest is the model. */
  async train(req: TrainRequest): Promise<Job> {
    return (await this.t.json<{ job: Job }>("POST", "/models", { json: req })).job;
  }

  async list(): Promise<ModelSummary[]> {
    return (await this.t.json<{ models: ModelSummary[] }>("GET", "/models")).models;
  }

  get(id: string): Promise<ModelInfo> {
    return this.t.json("GET", `/models/${pathOf(id)}`);
  }

  /** The model's metrics on a frame that holds the response. */
  metrics(id: string, frame: string): Promise<MetricsResult> {
    return this.t.json("POST", `/models/${pathOf(id)}/metrics`, { json: { frame } });
  }

  /** Scores a frame into a new predictions frame. */
  predict(id: string, frame: string, predictionsFrame?: string): Promise<PredictResult> {
    const json = predictionsFrame === undefined ? { frame } : { frame, predictions_frame: predictionsFrame };
    return this.t.json("POST", `/models/${pathOf(id)}/predict`, { json });
  }

  /** The model file (.floe) bytes. */
  async download(id: string): Promise<Uint8Array> {
    const res = await this.t.send("GET", `/models/${pathOf(id)}/download`);
    return new Uint8Array(await res.arrayBuffer());
  }

  /** Stores a model file's bytes on the server; returns the model's id there. */
  async upload(bytes: UploadBody, opts: { modelId?: string } = {}): Promise<string> {
    return (await this.t.json<{ model_id: string }>("POST", "/models/upload", { body: await uploadBody(bytes), query: { model_id: opts.modelId } })).model_id;
  }

  async delete(id: string): Promise<void> {
    await this.t.json("DELETE", `/models/${pathOf(id)}`);
  }
}

export class AutoMLApi {
  constructor(private readonly t: Transport) {}

  /** AutoML's parameters and the algorithm families include_algos / exclude_algos name. */
  params(): Promise<AutoMLParams> {
    return this.t.json("GET", "/automl/params");
  }

  /** Starts a run; its models join the store as they are built. Follow it with `get` or the job. */
  start(req: AutoMLRequest): Promise<AutoMLStart> {
    return this.t.json("POST", "/automl", { json: req });
  }

  /** The runs of the server, newest first. */
  async list(): Promise<AutoMLSummary[]> {
    return (await this.t.json<{ runs: AutoMLSummary[] }>("GET", "/automl")).runs;
  }

  /** A run: its job, leaderboard so far (best first), leader and event log. */
  get(id: string): Promise<AutoMLInfo> {
    return this.t.json("GET", `/automl/${pathOf(id)}`);
  }

  /** Deletes a run and the models it built; a run in progress is cancelled first. Returns the deleted models' ids. */
  async delete(id: string): Promise<string[]> {
    return (await this.t.json<{ deleted_models: string[] }>("DELETE", `/automl/${pathOf(id)}`)).deleted_models;
  }
}

export class JobsApi {
  constructor(private readonly t: Transport) {}

  /** Every job, newest first. */
  async list(): Promise<Job[]> {
    return (await this.t.json<{ jobs: Job[] }>("GET", "/jobs")).jobs;
  }

  /** The job; with `waitMs`, the server answers when the job ends or after that long (long poll). */
  get(id: string, opts: { waitMs?: number } = {}): Promise<Job> {
    return this.t.json("GET", `/jobs/${pathOf(id)}`, { query: { wait: opts.waitMs === undefined ? undefined : opts.waitMs / 1000 } });
  }

  /** Asks the job to stop; it ends `cancelled` once its work notices. */
  cancel(id: string): Promise<Job> {
    return this.t.json("POST", `/jobs/${pathOf(id)}/cancel`);
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

export class FloeClient {
  private readonly t: Transport;
  readonly frames: FramesApi;
  readonly models: ModelsApi;
  readonly jobs: JobsApi;
  readonly automl: AutoMLApi;

  /** A client of the floe server at `url` (http://host:port); nothing is sent until a call. */
  constructor(url: string, opts: ClientOptions = {}) {
    this.t = new Transport(url, opts.token);
    this.frames = new FramesApi(this.t);
    this.models = new ModelsApi(this.t);
    this.jobs = new JobsApi(this.t);
    this.automl = new AutoMLApi(this.t);
  }

  /** The server's address, without the API prefix. */
  get url(): string {
    return this.t.base;
  }

  /** Answers without a token, even on servers that need one. */
  health(): Promise<Health> {
    return this.t.json("GET", "/health");
  }

  cluster(): Promise<ClusterStatus> {
    return this.t.json("GET", "/cluster");
  }

  /** Asks the server to cancel its jobs and exit. */
  shutdown(): Promise<{ status: string }> {
    return this.t.json("POST", "/shutdown");
  }

  async algorithms(): Promise<AlgorithmInfo[]> {
    return (await this.t.json<{ algorithms: AlgorithmInfo[] }>("GET", "/algorithms")).algorithms;
  }

  algorithm(name: string): Promise<AlgorithmInfo> {
    return this.t.json("GET", `/algorithms/${pathOf(name)}`);
  }

  /**
   * Follows a job until it ends (long polls: each answer comes when the job ends or after
   * `intervalMs`). Resolves with the finished job when it is done; throws the job's own
   * error (as a FloeError) when it failed or was cancelled.
   */
  async waitJob(jobId: string, opts: WaitOptions = {}): Promise<Job> {
    const interval = opts.intervalMs ?? 250;
    let cancelSent = false;
    for (;;) {
      if (opts.signal?.aborted && !cancelSent) {
        cancelSent = true;
        await this.jobs.cancel(jobId);
      }
      const asked = Date.now();
      const job = await this.jobs.get(jobId, { waitMs: interval });
      opts.onProgress?.(job);
      if (job.status === "done") return job;
      if (job.status === "failed" || job.status === "cancelled") {
        if (job.error) throw new FloeError(isErrorCode(job.error.code) ? job.error.code : "internal", job.error.message);
        throw new FloeError(job.status === "cancelled" ? "cancelled" : "internal", `job ${jobId} (${job.description}) ${job.status}`);
      }
      // A server that does not long-poll answers at once: pause for the rest of the interval.
      const rest = interval - (Date.now() - asked);
      if (rest > 0) await pause(rest, cancelSent ? undefined : opts.signal);
    }
  }
}
