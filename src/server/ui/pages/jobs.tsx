// The jobs page: every job, newest first, with live progress bars (polled while any job
// runs), errors, what each made, and a cancel button for those still running.

import { useEffect, useState } from "preact/hooks";
import { api, messageOf } from "../api.ts";
import { DataTable, DestLink, ErrorAlert, Loading, Title } from "../components.tsx";
import { duration, time } from "../format.ts";
import { finished, useAsync } from "../hooks.ts";
import type { Job } from "../../../api/types.ts";

/** How often the list is refreshed while a job is running. */
const POLL_MS = 500;

export function JobsPage() {
  const jobs = useAsync(() => api<{ jobs: Job[] }>("GET", "/jobs"), []);
  const [error, setError] = useState<string | null>(null);
  const running = jobs.data?.jobs.some((j) => !finished(j)) ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(jobs.reload, POLL_MS);
    return () => clearInterval(timer);
  }, [running]);
  const cancel = async (id: string) => {
    setError(null);
    try {
      await api<Job>("POST", `/jobs/${encodeURIComponent(id)}/cancel`);
      jobs.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <section>
      <Title>Jobs</Title>
      <p>
        <button onClick={jobs.reload}>Refresh</button>
      </p>
      <ErrorAlert error={jobs.error ?? error} />
      {!jobs.data && !jobs.error && <Loading what="jobs" />}
      {jobs.data &&
        (jobs.data.jobs.length === 0 ? (
          <p>No jobs yet.</p>
        ) : (
          <DataTable
            caption="Jobs, newest first"
            rowHeaders
            head={["Job", "Status", "Progress", "Result", "Started", "Duration", "Error", "Action"]}
            rows={jobs.data.jobs.map((j) => [
              j.description,
              j.status,
              <progress max={1} value={j.progress} aria-label={`${j.description}: progress`} />,
              <DestLink dest={j.status === "done" ? j.dest : null} />,
              time(j.created_at),
              duration(j.duration_ms),
              j.error ? <span class="error">{`${j.error.code}: ${j.error.message}`}</span> : "",
              finished(j) ? "" : <button onClick={() => cancel(j.job_id)}>Cancel</button>,
            ])}
          />
        ))}
    </section>
  );
}
