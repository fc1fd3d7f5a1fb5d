// The model builder: a form generated from GET /algorithms (no algorithm or parameter is
// known here in advance), frames and columns from the API; submitting starts a training job
// whose progress is followed live, ending in a link to the model.

import { useEffect, useState } from "preact/hooks";
import { api, messageOf } from "../api.ts";
import { ErrorAlert, JobProgress, Loading, Title } from "../components.tsx";
import { useAsync } from "../hooks.ts";
import { type Field, fieldOf, faultProps as markFault, inputAtFault, ParamField, valueOf } from "../param-field.tsx";
import type { AlgorithmInfo, FrameInfo, FrameSummary, Job, ParamInfo, ParamValue } from "../../../api/types.ts";

/** The form's own inputs for the request fields the server may name in an error. */
const FIELD_INPUTS: Readonly<Record<string, string>> = {
  algo: "algo",
  training_frame: "training-frame",
  response_column: "response",
  validation_frame: "validation-frame",
  x: "x",
  model_id: "model-id",
};

const ERROR_ID = "train-error";

/** Marks the input at fault as invalid, its error message linked to it. */
const faultProps = (id: string, fault: string | null) => markFault(id, fault, ERROR_ID);

export function BuilderPage({ frame }: { frame: string | null }) {
  const algos = useAsync(() => api<{ algorithms: AlgorithmInfo[] }>("GET", "/algorithms"), []);
  const frames = useAsync(() => api<{ frames: FrameSummary[] }>("GET", "/frames"), []);
  const [algoName, setAlgoName] = useState("");
  const [training, setTraining] = useState(frame ?? "");
  const [response, setResponse] = useState("");
  const [validation, setValidation] = useState("");
  const [x, setX] = useState<string[]>([]);
  const [modelId, setModelId] = useState("");
  const [fields, setFields] = useState<Record<string, Record<string, Field>>>({});
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fault, setFault] = useState<string | null>(null);
  // Keyboard users land on the input to fix.
  useEffect(() => (fault ? document.getElementById(fault)?.focus() : undefined), [fault]);
  const detail = useAsync(() => (training ? api<FrameInfo>("GET", `/frames/${encodeURIComponent(training)}`) : Promise.resolve(undefined)), [training]);

  const list = algos.data?.algorithms ?? [];
  const algo = list.find((a) => a.name === algoName) ?? list[0];
  const columns = detail.data?.frame_id === training ? detail.data.columns.map((c) => c.name) : [];

  const field = (p: ParamInfo) => fields[algo.name]?.[p.name] ?? fieldOf(p);
  const setField = (p: ParamInfo, v: Field) => setFields((all) => ({ ...all, [algo.name]: { ...all[algo.name], [p.name]: v } }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setFault(null);
    setJobId(null);
    const params: Record<string, ParamValue> = {};
    for (const p of algo.params) {
      const v = valueOf(p, field(p));
      if (v !== undefined) params[p.name] = v;
    }
    const body = {
      algo: algo.name,
      training_frame: training,
      ...(algo.supervised ? { response_column: response } : {}),
      ...(x.length ? { x } : {}),
      ...(validation ? { validation_frame: validation } : {}),
      ...(modelId ? { model_id: modelId } : {}),
      params,
    };
    try {
      setJobId((await api<{ job: Job }>("POST", "/models", body)).job.job_id);
    } catch (err) {
      setError(messageOf(err));
      setFault(inputAtFault(err, FIELD_INPUTS));
    }
  };

  return (
    <section>
      <Title>Build a model</Title>
      <ErrorAlert error={algos.error ?? frames.error} />
      {!algo && !algos.error && <Loading what="algorithms" />}
      {algo && (
        // The server checks every value and names the one at fault.
        <form class="builder" onSubmit={submit}>
          <label for="algo">Algorithm</label>
          <select id="algo" {...faultProps("algo", fault)} value={algo.name} aria-describedby="algo-help" onChange={(e) => setAlgoName(e.currentTarget.value)}>
            {list.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
          <p id="algo-help" class="help">
            {algo.description}
          </p>

          <label for="training-frame">Training frame</label>
          <select id="training-frame" {...faultProps("training-frame", fault)} value={training} onChange={(e) => (setTraining(e.currentTarget.value), setResponse(""), setX([]))}>
            <option value="">(choose a frame)</option>
            {frames.data?.frames.map((f) => (
              <option key={f.frame_id} value={f.frame_id}>
                {f.frame_id} ({f.rows} rows)
              </option>
            ))}
          </select>
          <ErrorAlert error={detail.error} />

          {algo.supervised && (
            <>
              <label for="response">Response column</label>
              <select id="response" {...faultProps("response", fault)} value={response} onChange={(e) => setResponse(e.currentTarget.value)}>
                <option value="">(choose a column)</option>
                {columns.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </>
          )}

          <label for="validation-frame">Validation frame (optional)</label>
          <select id="validation-frame" {...faultProps("validation-frame", fault)} value={validation} onChange={(e) => setValidation(e.currentTarget.value)}>
            <option value="">(none)</option>
            {frames.data?.frames.map((f) => (
              <option key={f.frame_id} value={f.frame_id}>
                {f.frame_id}
              </option>
            ))}
          </select>

          <label for="x">Predictor columns (optional; none chosen means all but the response)</label>
          <select id="x" {...faultProps("x", fault)} multiple size={Math.min(8, Math.max(3, columns.length))} onChange={(e) => setX([...e.currentTarget.selectedOptions].map((o) => o.value))}>
            {columns
              .filter((c) => c !== response)
              .map((c) => (
                <option key={c} value={c} selected={x.includes(c)}>
                  {c}
                </option>
              ))}
          </select>

          <label for="model-id">Model id (optional)</label>
          <input id="model-id" {...faultProps("model-id", fault)} value={modelId} onInput={(e) => setModelId(e.currentTarget.value)} />

          <fieldset class="params">
            <legend>Parameters of {algo.name}</legend>
            {algo.params.map((p) => (
              <ParamField key={`${algo.name}.${p.name}`} param={p} value={field(p)} fault={fault} errorId={ERROR_ID} onChange={(v) => setField(p, v)} />
            ))}
          </fieldset>

          <button type="submit">Train</button>
          <ErrorAlert id={ERROR_ID} error={error} />
          {jobId && <JobProgress jobId={jobId} />}
        </form>
      )}
    </section>
  );
}
