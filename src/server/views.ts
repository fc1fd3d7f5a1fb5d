// The JSON the API returns for jobs, frames, rows and models: one function per shape,
// so every route that shows a thing shows it the same way.

import type { FrameInfo, FrameRows, FrameSummary, Job as JobJson, ModelSummary } from "../api/types.ts";
import type { Job } from "../core/jobs.ts";
import { isMissing, stringAt } from "../core/chunk.ts";
import type { Frame } from "../core/frame.ts";
import { slice } from "../core/ops.ts";
import { describeJson } from "../present/frame.ts";
import { modelJson } from "../present/model.ts";
import type { ServedModel } from "./context.ts";

/** Levels of an enum column shown in a frame's summary (its cardinality gives the count). */
export const DOMAIN_SHOWN = 1000;

export function jobJson<T>(job: Job<T>): JobJson {
  return {
    job_id: job.id,
    description: job.description,
    status: job.status,
    progress: job.progress,
    created_at: job.createdAt,
    ended_at: job.endedAt ?? null,
    duration_ms: (job.endedAt ?? Date.now()) - job.createdAt,
    error: job.error ? { code: job.error.code, message: job.error.message } : null,
    dest: job.dest,
    warnings: [...job.warnings],
  };
}

export function frameSummaryJson(id: string, frame: Frame): FrameSummary {
  return { frame_id: id, rows: frame.rows, columns: frame.columns.length, byte_size: frame.byteSize };
}

export function frameJson(id: string, frame: Frame): FrameInfo {
  const { columns } = describeJson(frame);
  return {
    frame_id: id,
    rows: frame.rows,
    byte_size: frame.byteSize,
    columns: columns.map(({ domain, ...c }, i) => {
      const r = frame.rollups?.[i];
      const levelCounts = r?.levelCounts ? r.levelCounts.slice(0, DOMAIN_SHOWN) : null;
      return {
        ...c,
        ...(domain ? { domain: domain.slice(0, DOMAIN_SHOWN) } : {}),
        histogram: r?.histogram ? { start: r.histogram.start, width: r.histogram.width, counts: [...r.histogram.counts] } : null,
        level_counts: levelCounts,
      };
    }),
  };
}

/** Rows [offset, offset + limit) as arrays of numbers, labels and strings; null = missing. */
export function rowsJson(id: string, frame: Frame, offset: number, limit: number): FrameRows {
  const part = slice(frame, Math.min(offset, frame.rows), Math.min(offset + limit, frame.rows));
  const rows: (number | string | null)[][] = [];
  for (const chunk of part.chunks) {
    for (let i = 0; i < chunk.rows; i++) {
      rows.push(
        chunk.vecs.map((vec, c) => {
          if (isMissing(vec, i)) return null;
          if (vec.kind === "f64") return vec.values[i];
          if (vec.kind === "codes") return frame.columns[c].domain?.[vec.codes[i]] ?? null;
          return stringAt(vec, i);
        }),
      );
    }
  }
  return { frame_id: id, offset, rows_total: frame.rows, columns: frame.names, types: frame.columns.map((c) => c.type), rows };
}

export function modelSummaryJson(entry: ServedModel): ModelSummary {
  const m = entry.model;
  return {
    model_id: m.model_id,
    algo: m.algo,
    category: m.category,
    response_column: m.response?.name ?? null,
    training_frame: entry.trainingFrame,
    created_at: entry.createdAt,
  };
}

export function modelDetailJson(entry: ServedModel) {
  return {
    ...modelJson(entry.model),
    /** Binomial: the probability from which class 1 is predicted (max F1). */
    threshold: entry.model.threshold ?? null,
    training_frame: entry.trainingFrame,
    created_at: entry.createdAt,
    cross_validation_models: entry.cvModels,
  };
}
