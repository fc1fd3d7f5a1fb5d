// floe's jobs as H2O's JobV3: what the client polls (GET /3/Jobs/{key}) to draw its progress
// bar and to learn where the result went. A job of another cluster member arrives as the
// REST API's job JSON; both translate to the same schema.

import type { Job as JobJson } from "../api/types.ts";
import type { Job } from "../core/jobs.ts";
import { keyJson } from "./keys.ts";

/** What the translation needs of a job, local or remote. */
export interface JobView {
  readonly id: string;
  readonly description: string;
  readonly status: "created" | "running" | "done" | "failed" | "cancelled";
  readonly progress: number;
  readonly createdAt: number;
  readonly endedAt: number | null;
  readonly error: { code: string; message: string } | null;
  readonly dest: { kind: "frame" | "model"; id: string } | null;
  readonly warnings: readonly string[];
}

export function localJobView<T>(job: Job<T>): JobView {
  return {
    id: job.id,
    description: job.description,
    status: job.status,
    progress: job.progress,
    createdAt: job.createdAt,
    endedAt: job.endedAt ?? null,
    error: job.error ? { code: job.error.code, message: job.error.message } : null,
    dest: job.dest,
    warnings: job.warnings,
  };
}

export function remoteJobView(job: JobJson): JobView {
  return {
    id: job.job_id,
    description: job.description,
    status: job.status,
    progress: job.progress,
    createdAt: job.created_at,
    endedAt: job.ended_at,
    error: job.error,
    dest: job.dest,
    warnings: job.warnings,
  };
}

/**
 * H2O's JobV3. `dest` may name another key than floe's job makes (a parse's frame is the
 * job's own dest; an AutoML run's is the run): `destOverride` says which.
 */
export function h2oJobJson(job: JobView, destOverride?: ReturnType<typeof keyJson>) {
  const dest = destOverride ?? (job.dest ? keyJson(job.dest.kind === "frame" ? "Frame" : "Model", job.dest.id) : keyJson("Frame", job.id));
  return {
    __meta: { schema_version: 3, schema_name: "JobV3", schema_type: "Job" },
    key: keyJson("Job", job.id),
    description: job.description,
    status: job.status.toUpperCase(),
    progress: job.progress,
    progress_msg: job.status === "running" ? `${Math.round(job.progress * 100)}%` : job.status,
    start_time: job.createdAt,
    msec: (job.endedAt ?? Date.now()) - job.createdAt,
    dest,
    warnings: job.warnings.length ? [...job.warnings] : null,
    exception: job.error ? job.error.message : null,
    stacktrace: job.error ? `${job.error.code}: ${job.error.message}` : null,
    ready_for_view: job.status === "done",
    auto_recoverable: false,
  };
}
