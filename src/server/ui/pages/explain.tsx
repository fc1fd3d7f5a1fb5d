// The model page's Explain section (supervised models): on a chosen frame, SHAP
// contributions of its first rows as a beeswarm and one chosen row's as a waterfall,
// partial dependence with ICE curves of a chosen column, and permutation importance. Each
// runs as an explain job (POST /models/{id}/...) followed live; the numbers come from GET
// /explanations/{job_id} and the contributions frame's rows. Charts from src/present/explain-charts.ts.

import { useEffect, useMemo, useState } from "preact/hooks";
import { api, messageOf } from "../api.ts";
import type { ChartConfig } from "../charts.ts";
import { ChartView, DataTable, ErrorAlert, FrameSelect, JobProgress } from "../components.tsx";
import { num } from "../format.ts";
import { finished, useAsync, usePolled } from "../hooks.ts";
import { contributionsWaterfall, dependenceLines, type ExplainChart, shapBeeswarm, varimpBars } from "../../../present/explain-charts.ts";
import type { ContributionsResult, ExplainStart, Explanation, FrameRows, FrameSummary, IceResult, ModelInfo, PartialDependenceResult, PermutationImportanceResult } from "../../../api/types.ts";

/** Rows of the SHAP summary (and the rows a waterfall may be drawn for). */
const SUMMARY_ROWS = 500;
/** ICE curves drawn with the partial dependence: the frame's first rows. */
const ICE_ROWS = 10;
const POLL_MS = 300;

const modelPath = (id: string) => `/models/${encodeURIComponent(id)}`;
const asConfig = (chart: ExplainChart) => chart as unknown as ChartConfig;

/** An explain job started on demand and followed until it ends; `result` once it is done. */
function useExplanation<R>(modelId: string, kind: string) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const polled = usePolled<Explanation<R>>(jobId ? `/explanations/${encodeURIComponent(jobId)}` : null, POLL_MS, (e) => finished(e.job));
  const start = async (body: Record<string, unknown>) => {
    setError(null);
    setJobId(null);
    try {
      setJobId((await api<ExplainStart>("POST", `${modelPath(modelId)}/${kind}`, body)).job.job_id);
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const done = polled.data?.job.status === "done" && polled.data.job.job_id === jobId;
  return { jobId, start, error: error ?? polled.error, result: done ? (polled.data?.result ?? null) : null };
}

/** A started job's live progress (the jobs API's, as every long action shows it). */
function Progress({ jobId }: { jobId: string | null }) {
  return jobId ? <JobProgress key={jobId} jobId={jobId} /> : null;
}

export function ExplainSection({ model }: { model: ModelInfo }) {
  const frames = useAsync(() => api<{ frames: FrameSummary[] }>("GET", "/frames"), []);
  const [frame, setFrame] = useState(model.training_frame ?? "");
  const [background, setBackground] = useState("");
  const contributions = useExplanation<ContributionsResult>(model.model_id, "contributions");
  const permutation = useExplanation<PermutationImportanceResult>(model.model_id, "permutation-importance");
  const submit = (e: Event) => {
    e.preventDefault();
    void contributions.start({ frame, max_rows: SUMMARY_ROWS, ...(background ? { background_frame: background } : {}) });
    void permutation.start({ frame, seed: 1 });
  };
  return (
    <section aria-labelledby="explain-title">
      <h2 id="explain-title">Explain</h2>
      <ErrorAlert error={frames.error} />
      <form class="inline" onSubmit={submit}>
        <FrameSelect id="explain-frame" label="Frame to explain" none="(choose a frame)" frames={frames.data?.frames} value={frame} onChange={setFrame} />{" "}
        <FrameSelect id="explain-background" label="Background frame (baseline SHAP)" none="(none: exact SHAP)" frames={frames.data?.frames} value={background} onChange={setBackground} />{" "}
        <button type="submit" disabled={!frame}>
          Explain
        </button>
      </form>
      <h3>SHAP contributions</h3>
      <ErrorAlert error={contributions.error} />
      <Progress jobId={contributions.jobId} />
      {contributions.result && <Contributions key={contributions.result.frame_id} model={model} frame={frame} result={contributions.result} />}
      <h3>Permutation importance</h3>
      <ErrorAlert error={permutation.error} />
      <Progress jobId={permutation.jobId} />
      {permutation.result && <PermutationImportance modelId={model.model_id} result={permutation.result} />}
    </section>
  );
}

/** The contributions of the first rows (from their frame) beside the explained frame's rows. */
function Contributions({ model, frame, result }: { model: ModelInfo; frame: string; result: ContributionsResult }) {
  const rows = useAsync(async () => {
    const limit = Math.min(result.rows, SUMMARY_ROWS);
    const get = (id: string) => api<FrameRows>("GET", `/frames/${encodeURIComponent(id)}/rows?offset=0&limit=${limit}`);
    const [contribs, data] = await Promise.all([get(result.frame_id), get(frame)]);
    return { contribs, data };
  }, [result.frame_id]);
  const domain = model.response?.domain;
  // A multinomial model's contributions come in a block per class ("<column>.<class>", "BiasTerm.<class>"): one class at a time.
  const classes = domain && domain.length > 2 ? domain : null;
  const [cls, setCls] = useState(classes?.[0] ?? null);
  const block = useMemo(() => (rows.data ? classBlock(rows.data.contribs, cls) : null), [rows.data, cls]);
  if (rows.error) return <ErrorAlert error={rows.error} />;
  if (!rows.data || !block) return null;
  const { data } = rows.data;
  const features = block.columns.filter((c) => c !== "BiasTerm");
  if (block.columns.at(-1) !== "BiasTerm" || features.some((f) => !data.columns.includes(f))) {
    return (
      <p class="muted">
        Contributions frame {result.frame_id}: columns {rows.data.contribs.columns.join(", ")}.
      </p>
    );
  }
  return (
    <>
      {classes && (
        <p>
          <label for="explain-class">Class explained</label>{" "}
          <select id="explain-class" value={cls ?? ""} onChange={(e) => setCls(e.currentTarget.value)}>
            {classes.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </p>
      )}
      <Beeswarm key={cls} modelId={model.model_id} features={features} contribs={block} data={data} />
      <Waterfall key={cls} modelId={model.model_id} features={features} contribs={block} data={data} />
      <Dependence key={cls} model={model} frame={frame} target={cls} features={features} contribs={block} />
    </>
  );
}

/** The contributions of one class (null: the model has one block), its columns named without the class. */
function classBlock(contribs: FrameRows, cls: string | null): FrameRows {
  if (cls === null) return contribs;
  const suffix = `.${cls}`;
  const picked = contribs.columns.flatMap((c, i) => (c.endsWith(suffix) ? [i] : []));
  return {
    ...contribs,
    columns: picked.map((i) => contribs.columns[i].slice(0, -suffix.length)),
    types: picked.map((i) => contribs.types[i]),
    rows: contribs.rows.map((r) => picked.map((i) => r[i])),
  };
}

interface RowsProps {
  readonly modelId: string;
  readonly features: readonly string[];
  readonly contribs: FrameRows;
  readonly data: FrameRows;
}

/** Features by mean |contribution| over the rows, largest first. */
function byMeanAbs(features: readonly string[], contribs: FrameRows): string[] {
  const mean = (f: string) => {
    const c = contribs.columns.indexOf(f);
    return contribs.rows.reduce((a, r) => a + Math.abs(Number(r[c])), 0) / Math.max(1, contribs.rows.length);
  };
  return [...features].sort((a, b) => mean(b) - mean(a));
}

function Beeswarm({ modelId, features, contribs, data }: RowsProps) {
  const ordered = useMemo(() => byMeanAbs(features, contribs), [contribs]);
  const config = useMemo(() => {
    const contributions = ordered.map((f) => contribs.rows.map((r) => Number(r[contribs.columns.indexOf(f)])));
    const normalized = ordered.map((f) => {
      const values = data.rows.map((r) => r[data.columns.indexOf(f)]);
      const numbers = values.filter((v): v is number => typeof v === "number");
      const lo = Math.min(...numbers);
      const hi = Math.max(...numbers);
      return values.map((v) => (typeof v === "number" ? (hi > lo ? (v - lo) / (hi - lo) : 0.5) : null));
    });
    return asConfig(shapBeeswarm({ features: ordered, contributions, normalized }));
  }, [ordered]);
  const meanAbs = ordered.map((f) => {
    const c = contribs.columns.indexOf(f);
    return contribs.rows.reduce((a, r) => a + Math.abs(Number(r[c])), 0) / Math.max(1, contribs.rows.length);
  });
  return (
    <ChartView
      title={`SHAP summary of ${modelId} (first ${contribs.rows.length} rows)`}
      label={`Beeswarm of the SHAP contributions of ${contribs.rows.length} rows over ${ordered.length} features, coloured by the feature's value`}
      config={config}
      height={Math.max(200, 40 * ordered.length + 80)}
      data={<DataTable caption={`Mean absolute contributions of ${modelId}`} rowHeaders head={["Feature", "Mean |contribution|"]} rows={ordered.map((f, i) => [f, num(meanAbs[i])])} />}
    />
  );
}

function Waterfall({ modelId, features, contribs, data }: RowsProps) {
  const [row, setRow] = useState(0);
  const at = Math.min(row, contribs.rows.length - 1);
  const values = contribs.rows[at];
  const bias = Number(values[contribs.columns.indexOf("BiasTerm")]);
  const steps = features
    .map((f) => ({ variable: f, value: data.rows[at][data.columns.indexOf(f)], contribution: Number(values[contribs.columns.indexOf(f)]) }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const config = useMemo(() => asConfig(contributionsWaterfall({ bias, contributions: steps })), [at, contribs]);
  return (
    <>
      <p>
        <label for="explain-row">Row of the waterfall</label>{" "}
        <input id="explain-row" type="number" min={0} max={contribs.rows.length - 1} value={at} onInput={(e) => setRow(Math.max(0, Math.floor(Number(e.currentTarget.value) || 0)))} />
      </p>
      <ChartView
        title={`Contributions of row ${at}`}
        label={`Waterfall of row ${at}'s contributions: from the bias term ${num(bias)}, feature by feature, to the raw prediction`}
        config={config}
        height={Math.max(200, 30 * (steps.length + 2) + 60)}
        data={
          <DataTable
            caption={`Contributions of row ${at} to ${modelId}`}
            rowHeaders
            head={["Feature", "Value", "Contribution"]}
            rows={[...steps.map((s) => [s.variable, s.value === null ? "NA" : num(s.value), String(s.contribution)]), ["BiasTerm", "", String(bias)]]}
          />
        }
      />
    </>
  );
}

/** Partial dependence of a chosen column, with the ICE curves of the frame's first rows. */
function Dependence({ model, frame, target, features, contribs }: { model: ModelInfo; frame: string; target: string | null; features: readonly string[]; contribs: FrameRows }) {
  const [column, setColumn] = useState(() => byMeanAbs(features, contribs)[0]);
  const pdp = useExplanation<PartialDependenceResult>(model.model_id, "partial-dependence");
  const ice = useExplanation<IceResult>(model.model_id, "ice");
  const iceRows = Array.from({ length: Math.min(ICE_ROWS, contribs.rows.length) }, (_, i) => i);
  useEffect(() => {
    void pdp.start({ frame, cols: [column], ...(target ? { targets: [target] } : {}) });
    void ice.start({ frame, column, rows: iceRows, ...(target ? { target } : {}) });
  }, [column]);
  const table = pdp.result?.tables[0];
  const config = useMemo(
    () =>
      table && ice.result
        ? asConfig(
            dependenceLines({
              column,
              grid: table.values[0],
              series: [{ label: "mean response", mean: table.mean_response }],
              ice: ice.result.rows.map((r, k) => ({ label: `row ${r}`, responses: ice.result?.responses[k] ?? [] })),
            }),
          )
        : null,
    [table, ice.result],
  );
  return (
    <>
      <h3>Partial dependence</h3>
      <p>
        <label for="explain-column">Column</label>{" "}
        <select id="explain-column" value={column} onChange={(e) => setColumn(e.currentTarget.value)}>
          {features.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
      </p>
      <ErrorAlert error={pdp.error ?? ice.error} />
      <Progress jobId={pdp.jobId} />
      {config && table && (
        <ChartView
          title={`Partial dependence of ${model.model_id} on ${column}${target ? ` (class ${target})` : ""}`}
          label={`Lines of the mean response over ${table.values[0].length} values of ${column}, with the ICE curves of ${iceRows.length} rows`}
          config={config}
          data={
            <DataTable
              caption={`Partial dependence on ${column}`}
              rowHeaders
              head={[column, "mean_response", "stddev_response", "std_error_mean_response"]}
              rows={table.values[0].map((v, i) => [v === null ? "NA" : num(v), num(table.mean_response[i]), num(table.stddev_response[i]), num(table.std_error_mean_response[i])])}
            />
          }
        />
      )}
    </>
  );
}

function PermutationImportance({ modelId, result }: { modelId: string; result: PermutationImportanceResult }) {
  const config = useMemo(
    () =>
      asConfig(
        varimpBars(
          result.variables.map((v) => ({ variable: v.variable, value: v.importance })),
          `increase in ${result.metric}`,
        ),
      ),
    [result],
  );
  return (
    <ChartView
      title={`Permutation importance of ${modelId} (${result.metric})`}
      label={`Bars of the permutation importance of ${result.variables.length} features`}
      config={config}
      height={Math.max(200, 30 * result.variables.length + 60)}
      data={
        <DataTable
          caption={`Permutation importance of ${modelId}`}
          rowHeaders
          head={["Variable", "Importance", "Std", "Scaled", "Percentage"]}
          rows={result.variables.map((v) => [v.variable, num(v.importance), num(v.std), num(v.scaled), num(v.percentage)])}
        />
      }
    />
  );
}
