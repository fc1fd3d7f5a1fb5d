// `floe describe|train|predict --url`: the same commands run on a floe server through the
// client. Data is uploaded (or, with --sql, queried on the server), the work runs as
// server jobs followed with the progress bar, and what is printed comes from the same
// report functions as in-process. Uploaded frames and models are deleted at the end.

import { once } from "node:events";
import { statSync } from "node:fs";
import type { FloeClient } from "../client/client.ts";
import type { ImportRequest, Job, ParamValue } from "../api/types.ts";
import { FloeError } from "../core/errors.ts";
import { deserializeModel, loadModel } from "../ml/modelfile.ts";
import type { Metrics } from "../ml/metrics/index.ts";
import type { Model } from "../ml/scoring.ts";
import { columnDescription, describeText, type FrameDescription } from "../present/frame.ts";
import { type IngestFlags, ingestOptions } from "./ingest-args.ts";
import { type Progress, progressBar } from "./progress.ts";
import { clientFromArgs, type RemoteFlags } from "./remote-args.ts";
import { warn } from "./terminal.ts";

/** The data flags the remote commands read: the ingest flags, and --threads (refused remotely). */
type DataFlags = IngestFlags & { threads?: string };

/** One remote command: the client, Ctrl-C as a cancel of the server job, and what to delete at the end. */
class RemoteRun {
  readonly client: FloeClient;
  private readonly abort = new AbortController();
  private readonly frames: string[] = [];
  private readonly models: string[] = [];
  private readonly interrupt = () => this.abort.abort();

  constructor(args: RemoteFlags) {
    this.client = clientFromArgs(args);
    process.once("SIGINT", this.interrupt);
  }

  /** Marks a frame or model made for this command, deleted by `close`. */
  temporary(kind: "frame" | "model", id: string): void {
    (kind === "frame" ? this.frames : this.models).push(id);
  }

  /** Waits for a server job, drawing its progress on `bar`; its warnings go to stderr. */
  async wait(job: Job, bar?: Progress): Promise<Job> {
    let last = job;
    try {
      return await this.client.waitJob(job.job_id, {
        signal: this.abort.signal,
        onProgress: (j) => {
          last = j;
          bar?.update(j.progress);
        },
      });
    } finally {
      bar?.stop();
      for (const w of last.warnings) warn(w);
    }
  }

  /**
   * The frame the data flags name, on the server: the file or stdin uploaded, or the --sql
   * query run there. `label` is how the in-process command names the source.
   */
  async frame(args: DataFlags, bar?: Progress): Promise<{ id: string; label: string }> {
    const opts = ingestOptions(args);
    for (const flag of ["threads", "chunk-rows"] as const) {
      if (args[flag] !== undefined) throw new FloeError("invalid_argument", `--${flag} does not apply with --url (the server decides)`);
    }
    const ingest = { col_types: opts.colTypes, sep: opts.sep, header: opts.header, na_strings: opts.naStrings && [...opts.naStrings] };
    let job: Job;
    let label: string;
    if (args.db !== undefined) {
      // The server reads the database: --sql is the database's query, not DuckDB's.
      if (args.file) throw new FloeError("invalid_argument", "give either a file or --db, not both");
      if ((args.table === undefined) === (args.sql === undefined)) throw new FloeError("invalid_argument", '--db needs either --table NAME or --sql "SELECT ..."');
      job = await this.client.frames.import({ db: args.db, table: args.table, sql: args.sql, ...ingest });
      label = args.table ?? "query";
    } else if (args.table !== undefined) {
      throw new FloeError("invalid_argument", "--table needs --db (the database to read it from)");
    } else if (args.sql !== undefined) {
      if (args.file) throw new FloeError("invalid_argument", "give either a file or --sql, not both");
      job = await this.client.frames.import({ sql: args.sql, ...ingest });
      label = "query";
    } else {
      if (!args.file) throw new FloeError("invalid_argument", "no input: give a file, - for stdin, or --sql");
      if ((args.files?.length ?? 0) > 1) throw new FloeError("unsupported", `--url uploads one file; got ${args.files?.length}`);
      job = await this.upload(args.file, ingest);
      label = args.file === "-" ? "<stdin>" : args.file;
    }
    if (job.dest) this.temporary("frame", job.dest.id);
    const done = await this.wait(job, bar);
    if (!done.dest) throw new FloeError("internal", `import job ${done.job_id} names no frame`);
    return { id: done.dest.id, label };
  }

  /** Uploads a local file (or stdin for `-`); the server imports it as a job. */
  async upload(file: string, ingest: Omit<ImportRequest, "path" | "sql" | "frame_id">): Promise<Job> {
    if (file === "-") return this.client.frames.upload(Bun.stdin.stream(), { name: "stdin", ...ingest });
    if (/[*?[]/.test(file) && !statSync(file, { throwIfNoEntry: false })) {
      throw new FloeError("unsupported", `--url uploads one file; '${file}' is a glob`);
    }
    return this.client.frames.upload({ path: file }, ingest);
  }

  /** Deletes what this command made on the server; failures are ignored (the server may be gone). */
  async close(): Promise<void> {
    process.off("SIGINT", this.interrupt);
    await Promise.all([...this.frames.map((id) => this.client.frames.delete(id).catch(() => {})), ...this.models.map((id) => this.client.models.delete(id).catch(() => {}))]);
  }
}

export async function remote<T>(args: RemoteFlags, body: (run: RemoteRun) => Promise<T>): Promise<T> {
  const run = new RemoteRun(args);
  try {
    return await body(run);
  } finally {
    await run.close();
  }
}

/** `floe describe --url`: prints what the in-process describe prints, from the server's frame summary. */
export function remoteDescribe(args: DataFlags & RemoteFlags & { json?: boolean }): Promise<void> {
  return remote(args, async (run) => {
    const { id, label } = await run.frame(args, progressBar(args.sql !== undefined ? "query" : "ingest"));
    const info = await run.client.frames.get(id);
    const desc: FrameDescription = { rows: info.rows, columns: info.columns.map(columnDescription) };
    process.stdout.write(args.json ? `${JSON.stringify(desc)}\n` : describeText(label, desc));
  });
}

/** What `floe train` sends: the parameters and seed it resolved from its flags. */
export interface RemoteTrain {
  algo: string;
  y: string | null;
  x: string[] | null;
  seed: number;
  params: Record<string, ParamValue>;
  valid?: string;
  split?: string;
}

/**
 * `floe train --url`: the data uploaded, split on the server when asked, a model trained
 * there; returns the model as its .floe file holds it, so the report and --out are those of
 * the in-process path. The trained model stays on the server; the uploaded frames do not.
 */
export function remoteTrain(args: DataFlags & RemoteFlags, req: RemoteTrain): Promise<Model> {
  return remote(args, async (run) => {
    let training = (await run.frame(args)).id;
    let validation: string | undefined;
    if (req.valid) validation = (await run.frame({ file: req.valid })).id;
    if (req.split !== undefined) {
      const ratio = Number(req.split);
      const [a, b] = await run.client.frames.split(training, { ratios: [ratio], seed: req.seed });
      run.temporary("frame", a.frame_id);
      run.temporary("frame", b.frame_id);
      if (a.rows === 0 || b.rows === 0) throw new FloeError("bad_input", `--split ${ratio} leaves ${a.rows === 0 ? "no training" : "no validation"} rows`);
      training = a.frame_id;
      validation = b.frame_id;
    }
    const job = await run.client.models.train({
      algo: req.algo,
      training_frame: training,
      ...(req.y === null ? {} : { response_column: req.y }),
      ...(req.x ? { x: req.x } : {}),
      ...(validation ? { validation_frame: validation } : {}),
      params: req.params,
    });
    const done = await run.wait(job, progressBar(`train ${req.algo}`));
    if (!done.dest) throw new FloeError("internal", `training job ${done.job_id} names no model`);
    return deserializeModel(await run.client.models.download(done.dest.id), `model ${done.dest.id} from ${run.client.url}`);
  });
}

/** Streams a body to stdout, waiting when the pipe is full. */
async function pipeToStdout(body: ReadableStream<Uint8Array>): Promise<void> {
  for await (const part of body) if (!process.stdout.write(part)) await once(process.stdout, "drain");
}

/** `floe predict --url`: the model file and the data uploaded, scored on the server, the predictions' CSV streamed to stdout. */
export function remotePredict(args: DataFlags & RemoteFlags & { model: string }): Promise<void> {
  return remote(args, async (run) => {
    loadModel(args.model); // a bad file fails here, with the in-process message
    const modelId = await run.client.models.upload({ path: args.model });
    run.temporary("model", modelId);
    const { id } = await run.frame(args);
    const scored = await run.client.models.predict(modelId, id);
    run.temporary("frame", scored.frame_id);
    for (const w of scored.warnings) warn(w);
    // The server writes CSV as `floe predict` does (numbers as JavaScript prints them).
    await pipeToStdout(await run.client.frames.download(scored.frame_id));
  });
}

/** `floe eval --url`: the model file and the data uploaded; returns the model's metrics on the data, computed on the server. */
export function remoteEval(args: DataFlags & RemoteFlags & { model: string }): Promise<{ model: Model; metrics: Metrics }> {
  return remote(args, async (run) => {
    const model = loadModel(args.model);
    const modelId = await run.client.models.upload({ path: args.model });
    run.temporary("model", modelId);
    const { id } = await run.frame(args);
    const result = await run.client.models.metrics(modelId, id);
    for (const w of result.warnings) warn(w);
    return { model, metrics: result.metrics as unknown as Metrics };
  });
}
