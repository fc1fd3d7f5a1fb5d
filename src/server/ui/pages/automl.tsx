// AutoML: a form that starts a run (its parameters, defaults and help from GET
// /automl/params), the list of runs, and a run's page: progress, the leaderboard as it
// grows (polled every second while the run goes on; each model links to its page), the
// event log, and a cancel button.

import { useEffect, useState } from "preact/hooks";
import { api, messageOf } from "../api.ts";
import { DataTable, ErrorAlert, Loading, Title } from "../components.tsx";
import { duration, num, time } from "../format.ts";
import { finished, useAsync, usePolled } from "../hooks.ts";
import { type Field, faultProps, fieldOf, inputAtFault, ParamField, valueOf } from "../param-field.tsx";
import { link } from "../router.ts";
import type { AutoMLInfo, AutoMLParams, AutoMLSummary, FrameInfo, FrameSummary, Job, ParamInfo, ParamValue } from "../../../api/types.ts";

/** How often a running run (and the list, while one runs) is asked for news. */
const POLL_MS = 1000;

/** The parameters the form shows as inputs, in this order; exclude_algos has its checkboxes. */
const SHOWN = ["max_models", "max_runtime_secs", "seed", "nfolds", "sort_metric"];
const EXCLUDE = "exclude_algos";

const ERROR_ID = "automl-error";
const FIELD_INPUTS: Readonly<Record<string, string>> = {
  training_frame: "automl-frame",
  response_column: "automl-response",
  project_name: "automl-project",
};

const runPath = (id: string) => `/automl/${encodeURIComponent(id)}`;

export function AutoMLPage() {
  const runs = useAsync(() => api<{ runs: AutoMLSummary[] }>("GET", "/automl"), []);
  const running = runs.data?.runs.some((r) => r.status === "created" || r.status === "running") ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(runs.reload, POLL_MS);
    return () => clearInterval(timer);
  }, [running]);
  return (
    <section>
      <Title>AutoML</Title>
      <p>Trains GLMs, random forests, GBMs and random grids of them, cross-validated on the same folds, then stacked ensembles over them, and ranks them all on a leaderboard.</p>
      <StartForm />
      <h2>Runs</h2>
      <ErrorAlert error={runs.error} />
      {!runs.data && !runs.error && <Loading what="runs" />}
      {runs.data &&
        (runs.data.runs.length === 0 ? (
          <p>No runs yet.</p>
        ) : (
          <DataTable
            caption="AutoML runs, newest first"
            rowHeaders
            head={["Run", "Status", "Response", "Training frame", "Models", "Leader", "Sorted by", "Started"]}
            rows={runs.data.runs.map((r) => [
              <a href={link.automl(r.automl_id)}>{r.automl_id}</a>,
              r.status,
              r.response_column,
              <a href={link.frame(r.training_frame)}>{r.training_frame}</a>,
              r.models,
              r.leader ? <a href={link.model(r.leader)}>{r.leader}</a> : "",
              r.sort_metric,
              time(r.created_at),
            ])}
          />
        ))}
    </section>
  );
}

/** Starts a run; on success the browser goes to the run's page. */
function StartForm() {
  const meta = useAsync(() => api<AutoMLParams>("GET", "/automl/params"), []);
  const frames = useAsync(() => api<{ frames: FrameSummary[] }>("GET", "/frames"), []);
  const [training, setTraining] = useState("");
  const [response, setResponse] = useState("");
  const [project, setProject] = useState("");
  const [fields, setFields] = useState<Record<string, Field>>({});
  const [excluded, setExcluded] = useState<readonly string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [fault, setFault] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Keyboard users land on the input to fix.
  useEffect(() => (fault ? document.getElementById(fault)?.focus() : undefined), [fault]);
  const detail = useAsync(() => (training ? api<FrameInfo>("GET", `/frames/${encodeURIComponent(training)}`) : Promise.resolve(undefined)), [training]);
  const columns = detail.data?.frame_id === training ? detail.data.columns.map((c) => c.name) : [];

  if (meta.error || frames.error) return <ErrorAlert error={meta.error ?? frames.error} />;
  if (!meta.data) return <Loading what="AutoML's parameters" />;
  const params = SHOWN.map((name) => meta.data?.params.find((p) => p.name === name)).filter((p) => p !== undefined);
  const exclude = meta.data.params.find((p) => p.name === EXCLUDE);
  const field = (p: ParamInfo) => fields[p.name] ?? fieldOf(p);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setFault(null);
    const values: Record<string, ParamValue> = {};
    for (const p of params) {
      const v = valueOf(p, field(p));
      if (v !== undefined) values[p.name] = v;
    }
    if (excluded.length) values[EXCLUDE] = excluded.join(",");
    const body = { training_frame: training, response_column: response, params: values, ...(project ? { project_name: project } : {}) };
    setBusy(true);
    try {
      const started = await api<{ job: Job; automl_id: string }>("POST", "/automl", body);
      location.hash = link.automl(started.automl_id);
    } catch (err) {
      setError(messageOf(err));
      setFault(inputAtFault(err, FIELD_INPUTS));
      setBusy(false);
    }
  };

  return (
    <form class="builder" onSubmit={submit} aria-labelledby="automl-start-title">
      <h2 id="automl-start-title">Start a run</h2>
      <label for="automl-frame">Training frame</label>
      <select id="automl-frame" {...faultProps("automl-frame", fault, ERROR_ID)} value={training} onChange={(e) => (setTraining(e.currentTarget.value), setResponse(""))}>
        <option value="">(choose a frame)</option>
        {frames.data?.frames.map((f) => (
          <option key={f.frame_id} value={f.frame_id}>
            {f.frame_id} ({f.rows} rows)
          </option>
        ))}
      </select>
      <ErrorAlert error={detail.error} />

      <label for="automl-response">Response column</label>
      <select id="automl-response" {...faultProps("automl-response", fault, ERROR_ID)} value={response} onChange={(e) => setResponse(e.currentTarget.value)}>
        <option value="">(choose a column)</option>
        {columns.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>

      <label for="automl-project">Run id (optional; its models' ids end with it)</label>
      <input id="automl-project" {...faultProps("automl-project", fault, ERROR_ID)} value={project} onInput={(e) => setProject(e.currentTarget.value)} />

      <fieldset class="params">
        <legend>Limits and ranking</legend>
        {params.map((p) => (
          <ParamField key={p.name} param={p} value={field(p)} fault={fault} errorId={ERROR_ID} onChange={(v) => setFields((all) => ({ ...all, [p.name]: v }))} />
        ))}
      </fieldset>

      {exclude && (
        <fieldset id={`param-${EXCLUDE}`} tabIndex={-1} aria-describedby={`${EXCLUDE}-help${fault === `param-${EXCLUDE}` ? ` ${ERROR_ID}` : ""}`}>
          <legend>Algorithms to skip ({EXCLUDE})</legend>
          {meta.data.algos.map((a) => (
            <span key={a}>
              <input
                id={`exclude-${a}`}
                type="checkbox"
                checked={excluded.includes(a)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setExcluded((all) => (on ? [...all, a] : all.filter((x) => x !== a)));
                }}
              />{" "}
              <label for={`exclude-${a}`}>{a}</label>
            </span>
          ))}
          <span id={`${EXCLUDE}-help`} class="help">
            {exclude.help}
          </span>
        </fieldset>
      )}

      <button type="submit" disabled={busy}>
        Start AutoML
      </button>
      <ErrorAlert id={ERROR_ID} error={error} />
    </form>
  );
}

/** GET /automl/ID now and every second until the run's job ends; null until the first answer. */
function useRun(id: string): { run: AutoMLInfo | null; error: string | null } {
  const { data, error } = usePolled<AutoMLInfo>(runPath(id), POLL_MS, (r) => finished(r.job));
  return { run: data, error };
}

export function AutoMLRunPage({ id }: { id: string }) {
  const { run, error } = useRun(id);
  return (
    <section>
      <Title>AutoML {id}</Title>
      <p>
        <a href={link.automl()}>All runs</a>
      </p>
      <ErrorAlert error={error} />
      {!run && !error && <Loading what="the run" />}
      {run && <RunView run={run} />}
    </section>
  );
}

function RunView({ run }: { run: AutoMLInfo }) {
  const { job } = run;
  const ended = finished(job);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const cancel = async () => {
    setCancelError(null);
    try {
      await api<Job>("POST", `/jobs/${encodeURIComponent(job.job_id)}/cancel`);
    } catch (e) {
      setCancelError(messageOf(e));
    }
  };
  return (
    <>
      <section aria-labelledby="run-title">
        <h2 id="run-title">Progress</h2>
        <dl class="summary">
          <dt>Training frame</dt>
          <dd>
            <a href={link.frame(run.training_frame)}>{run.training_frame}</a>
          </dd>
          <dt>Response</dt>
          <dd>
            {run.response_column} ({run.category})
          </dd>
          <dt>Sorted by</dt>
          <dd>{run.sort_metric}</dd>
          <dt>Leader</dt>
          <dd>{run.leader ? <a href={link.model(run.leader)}>{run.leader}</a> : "none yet"}</dd>
        </dl>
        <div class="job">
          <progress max={1} value={job.progress} aria-label={`AutoML ${run.automl_id}: progress`} />
          <span aria-live="polite" id="run-status">
            {" "}
            {job.status}
            {ended ? ` in ${duration(job.duration_ms)}` : ` ${Math.round(job.progress * 100)}%`}, {run.leaderboard.length} models
          </span>{" "}
          {!ended && (
            <button class="danger" onClick={cancel}>
              Cancel
            </button>
          )}
        </div>
        <ErrorAlert error={cancelError} />
        {job.status === "failed" && job.error && <ErrorAlert error={`${job.error.code}: ${job.error.message}`} />}
      </section>

      <h2>Leaderboard</h2>
      {run.leaderboard.length === 0 ? (
        <p>No models yet.</p>
      ) : (
        <DataTable
          caption={`Leaderboard of ${run.automl_id}, best first by ${run.sort_metric}`}
          rowHeaders
          head={["Model", "Algorithm", ...run.columns, "training_time_ms"]}
          rows={run.leaderboard.map((r) => [<a href={link.model(r.model_id)}>{r.model_id}</a>, r.algo, ...run.columns.map((c) => num(r[c])), r.training_time_ms])}
        />
      )}

      <h2>Event log</h2>
      <DataTable
        caption={`Events of ${run.automl_id}`}
        head={["Time", "Level", "Stage", "Message"]}
        rows={run.events.map((e) => [new Date(e.timestamp).toLocaleTimeString(), e.level, e.stage, e.message])}
      />

      <details>
        <summary>Parameters</summary>
        <DataTable caption={`Parameters of ${run.automl_id}`} rowHeaders head={["Parameter", "Value"]} rows={Object.entries(run.params).map(([k, v]) => [k, String(v)])} />
      </details>
    </>
  );
}
