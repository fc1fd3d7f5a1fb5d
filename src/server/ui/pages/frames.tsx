// The frames page: the frames in the store, and the two ways to add one — import (a path,
// glob or SQL query read by the server) and upload (a file from this computer, with the
// upload's progress and then the import job's).

import { useState } from "preact/hooks";
import { api, messageOf, upload } from "../api.ts";
import { DataTable, ErrorAlert, JobProgress, Loading, Title } from "../components.tsx";
import { bytes } from "../format.ts";
import { useAsync } from "../hooks.ts";
import { link } from "../router.ts";
import type { FrameSummary, Job } from "../../../api/types.ts";

export function FramesPage() {
  const frames = useAsync(() => api<{ frames: FrameSummary[] }>("GET", "/frames"), []);
  return (
    <section>
      <Title>Frames</Title>
      <ErrorAlert error={frames.error} />
      {!frames.data && !frames.error && <Loading what="frames" />}
      {frames.data &&
        (frames.data.frames.length === 0 ? (
          <p>No frames yet: import or upload one.</p>
        ) : (
          <DataTable
            caption="Frames in the store"
            rowHeaders
            head={["Frame", "Rows", "Columns", "Size"]}
            rows={frames.data.frames.map((f) => [<a href={link.frame(f.frame_id)}>{f.frame_id}</a>, f.rows, f.columns, bytes(f.byte_size)])}
          />
        ))}
      <div class="forms">
        <ImportForm onEnd={frames.reload} />
        <UploadForm onEnd={frames.reload} />
      </div>
    </section>
  );
}

function ImportForm({ onEnd }: { onEnd: () => void }) {
  const [kind, setKind] = useState<"path" | "sql">("path");
  const [source, setSource] = useState("");
  const [frameId, setFrameId] = useState("");
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setJobId(null);
    try {
      const body = { [kind]: source, ...(frameId ? { frame_id: frameId } : {}) };
      setJobId((await api<{ job: Job }>("POST", "/frames/import", body)).job.job_id);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="import-title">
      <h2 id="import-title">Import</h2>
      <fieldset>
        <legend>Read from</legend>
        <label>
          <input type="radio" name="import-kind" checked={kind === "path"} onChange={() => setKind("path")} /> a file path or glob
        </label>
        <label>
          <input type="radio" name="import-kind" checked={kind === "sql"} onChange={() => setKind("sql")} /> a SQL query (DuckDB)
        </label>
      </fieldset>
      <label for="import-source">{kind === "path" ? "Path on the server" : "SQL query"}</label>
      {kind === "path" ? (
        <input id="import-source" required value={source} onInput={(e) => setSource(e.currentTarget.value)} placeholder="data/*.csv" />
      ) : (
        <textarea id="import-source" required rows={3} value={source} onInput={(e) => setSource(e.currentTarget.value)} placeholder="SELECT * FROM 'data.parquet'" />
      )}
      <label for="import-id">Frame id (optional)</label>
      <input id="import-id" value={frameId} onInput={(e) => setFrameId(e.currentTarget.value)} />
      <button type="submit">Import</button>
      <ErrorAlert error={error} />
      {jobId && <JobProgress jobId={jobId} onEnd={onEnd} />}
    </form>
  );
}

function UploadForm({ onEnd }: { onEnd: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [frameId, setFrameId] = useState("");
  const [sent, setSent] = useState<number | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setJobId(null);
    setSent(0);
    const query = new URLSearchParams({ name: file.name, ...(frameId ? { frame_id: frameId } : {}) });
    try {
      setJobId((await upload<{ job: Job }>(`/frames/upload?${query}`, file, setSent)).job.job_id);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="upload-title">
      <h2 id="upload-title">Upload</h2>
      <label for="upload-file">File (CSV, Parquet, …)</label>
      <input id="upload-file" type="file" required onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      <label for="upload-id">Frame id (optional)</label>
      <input id="upload-id" value={frameId} onInput={(e) => setFrameId(e.currentTarget.value)} />
      <button type="submit" disabled={!file}>
        Upload
      </button>
      {sent !== null && (
        <p>
          <label for="upload-progress">Upload</label> <progress id="upload-progress" max={1} value={sent} /> {Math.round(sent * 100)}%
        </p>
      )}
      <ErrorAlert error={error} />
      {jobId && <JobProgress jobId={jobId} onEnd={onEnd} />}
    </form>
  );
}
