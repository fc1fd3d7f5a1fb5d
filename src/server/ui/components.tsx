// Small pieces every page uses: an error shown where it happened, a job's live progress,
// a data table, and a chart (a canvas for sight, the same data as a table for everyone).

import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { type ChartConfig, mountChart } from "./charts.ts";
import { duration } from "./format.ts";
import { finished, useJob } from "./hooks.ts";
import { link } from "./router.ts";
import type { FrameSummary, Job } from "../../api/types.ts";

/** An error next to what failed; announced at once by screen readers. Nothing when null. */
export function ErrorAlert({ error, id }: { error: string | null | undefined; id?: string }) {
  return error ? (
    <p id={id} role="alert" class="error">
      {error}
    </p>
  ) : null;
}

/** A page's heading; focusable from script, so a route change can move focus there. */
export function Title({ children }: { children: ComponentChildren }) {
  return <h1 tabIndex={-1}>{children}</h1>;
}

export function Loading({ what }: { what: string }) {
  return <p class="muted">Loading {what}…</p>;
}

/** Link to what a job made (its frame or model). */
export function DestLink({ dest }: { dest: Job["dest"] }) {
  if (!dest) return null;
  return <a href={dest.kind === "frame" ? link.frame(dest.id) : link.model(dest.id)}>{dest.id}</a>;
}

/** A job followed live (polled) until it ends; `onEnd` runs once, with the final job. */
export function JobProgress({ jobId, onEnd }: { jobId: string; onEnd?: (job: Job) => void }) {
  const { job, error } = useJob(jobId);
  const ended = job !== null && finished(job);
  useEffect(() => {
    if (ended && job && onEnd) onEnd(job);
    // Only the transition to "ended" matters, not every poll.
  }, [ended]);
  if (error) return <ErrorAlert error={error} />;
  if (!job) return <Loading what={`job ${jobId}`} />;
  return (
    <div class="job">
      <progress max={1} value={job.progress} aria-label={`${job.description}: progress`} />
      <span aria-live="polite">
        {" "}
        {job.description}: {job.status}
        {ended ? ` in ${duration(job.duration_ms)}` : ` ${Math.round(job.progress * 100)}%`}
      </span>
      {job.status === "done" && job.dest && (
        <p>
          Result: {job.dest.kind} <DestLink dest={job.dest} />
        </p>
      )}
      {job.error && <ErrorAlert error={`${job.error.code}: ${job.error.message}`} />}
      {job.warnings.length > 0 && (
        <ul class="warnings">
          {job.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export type CellValue = ComponentChildren;

/** A table with column headers (and, with `rowHeaders`, the first cell of each row as its header). */
export function DataTable(props: { caption?: string; head: readonly string[]; rows: readonly (readonly CellValue[])[]; rowHeaders?: boolean; class?: string }) {
  return (
    <div class="table-wrap">
      <table class={props.class}>
        {props.caption && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            {props.head.map((h, i) => (
              <th key={i} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, r) => (
            <tr key={r}>
              {row.map((v, c) =>
                c === 0 && props.rowHeaders ? (
                  <th key={c} scope="row">
                    {v}
                  </th>
                ) : (
                  <td key={c} class={typeof v === "number" ? "num" : undefined}>
                    {v}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A chart.js chart on a canvas (role="img", named by `label`) followed by its data, behind
 * a disclosure, for screen readers and anyone who wants the numbers.
 */
export function ChartView(props: { title: string; label: string; config: ChartConfig; data: ComponentChildren; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => (canvas.current ? mountChart(canvas.current, props.config) : undefined), [props.config]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div class="chart-box" style={{ height: `${props.height ?? 280}px` }}>
        <canvas ref={canvas} role="img" aria-label={props.label} />
      </div>
      <details>
        <summary>Data: {props.title}</summary>
        {props.data}
      </details>
    </figure>
  );
}

/** A labelled choice of a stored frame ("id (rows)"), `none` the empty choice's text. */
export function FrameSelect(props: { id: string; label: string; none: string; frames: readonly FrameSummary[] | undefined; value: string; onChange: (id: string) => void }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>{" "}
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">{props.none}</option>
        {props.frames?.map((f) => (
          <option key={f.frame_id} value={f.frame_id}>
            {f.frame_id} ({f.rows} rows)
          </option>
        ))}
      </select>
    </>
  );
}
