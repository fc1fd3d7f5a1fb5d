// One model: summary, metrics per data set, ROC and precision-recall curves (binomial),
// confusion matrix, variable importance, the training rows' anomaly scores (anomaly
// detection), scoring history, cross-validation summary, parameters; predicting on a frame
// (preview and CSV download) and downloading the model.

import { useMemo, useState } from "preact/hooks";
import { api, download, messageOf } from "../api.ts";
import { barChart, lineChart } from "../charts.ts";
import { ChartView, DataTable, ErrorAlert, FrameSelect, Loading, Title } from "../components.tsx";
import { historyOf, prPoints, rocPoints } from "../curves.ts";
import { duration, num, time } from "../format.ts";
import { useAsync } from "../hooks.ts";
import { link } from "../router.ts";
import type { FrameRows, FrameSummary, Metrics, ModelInfo, PredictResult, ThresholdRow, VarImp } from "../../../api/types.ts";
import { ExplainSection } from "./explain.tsx";
import { RowsTable } from "./frame.tsx";
import { ModelOutput } from "./model-output.tsx";

const SETS = [
  { key: "training", label: "Training" },
  { key: "validation", label: "Validation" },
  { key: "cross_validation", label: "Cross-validation" },
] as const;
type SetKey = (typeof SETS)[number]["key"];

const path = (id: string) => `/models/${encodeURIComponent(id)}`;

export function ModelPage({ id }: { id: string }) {
  const model = useAsync(() => api<ModelInfo>("GET", path(id)), [id]);
  const m = model.data?.model_id === id ? model.data : undefined;
  return (
    <section>
      <Title>Model {id}</Title>
      <ErrorAlert error={model.error} />
      {!m && !model.error && <Loading what="the model" />}
      {m && <ModelView model={m} />}
    </section>
  );
}

function ModelView({ model: m }: { model: ModelInfo }) {
  const sets = SETS.filter((s) => m.metrics[s.key]);
  return (
    <>
      <Summary model={m} />
      {sets.length > 0 && <MetricsTable model={m} />}
      {sets.some((s) => m.metrics[s.key]?.confusion_matrix) && <Classification model={m} />}
      {m.varimp.length > 0 && <VariableImportance id={m.model_id} varimp={m.varimp} />}
      {histogramOf(m) && <AnomalyScores model={m} />}
      <ScoringHistory model={m} />
      {(cvSummaryOf(m) || (m.cross_validation_models?.length ?? 0) > 0) && <CrossValidation model={m} />}
      <ModelOutput model={m as unknown as Record<string, unknown>} />
      <details>
        <summary>Parameters</summary>
        <DataTable caption={`Parameters of ${m.model_id}`} rowHeaders head={["Parameter", "Value"]} rows={Object.entries(m.params).map(([k, v]) => [k, String(v)])} />
      </details>
      {m.response && <ExplainSection model={m} />}
      <Predict id={m.model_id} />
    </>
  );
}

function Summary({ model: m }: { model: ModelInfo }) {
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    setError(null);
    try {
      await download(`${path(m.model_id)}/download`, `${m.model_id}.floe`);
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <section aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <dl class="summary">
        <dt>Algorithm</dt>
        <dd>{m.algo}</dd>
        <dt>Category</dt>
        <dd>{m.category}</dd>
        {m.response && (
          <>
            <dt>Response</dt>
            <dd>
              {m.response.name}
              {m.response.domain && ` (${m.response.domain.join(", ")})`}
            </dd>
          </>
        )}
        {m.training_frame && (
          <>
            <dt>Training frame</dt>
            <dd>
              <a href={link.frame(m.training_frame)}>{m.training_frame}</a>
            </dd>
          </>
        )}
        <dt>Training time</dt>
        <dd>{duration(m.training_time_ms)}</dd>
        {m.created_at !== undefined && (
          <>
            <dt>Created</dt>
            <dd>{time(m.created_at)}</dd>
          </>
        )}
      </dl>
      {m.notes.length > 0 && (
        <ul class="notes">
          {m.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <p>
        <button onClick={save}>Download model (.floe)</button>
      </p>
      <ErrorAlert error={error} />
    </section>
  );
}

/** Every scalar metric (rows) of every data set the model was scored on (columns). */
function MetricsTable({ model: m }: { model: ModelInfo }) {
  const sets = SETS.filter((s) => m.metrics[s.key]);
  const names = [
    ...new Set(
      sets.flatMap((s) =>
        Object.entries(m.metrics[s.key] as Metrics)
          .filter(([, v]) => typeof v === "number")
          .map(([k]) => k),
      ),
    ),
  ];
  return (
    <section aria-labelledby="metrics-title">
      <h2 id="metrics-title">Metrics</h2>
      <DataTable caption={`Metrics of ${m.model_id}`} rowHeaders head={["Metric", ...sets.map((s) => s.label)]} rows={names.map((n) => [n, ...sets.map((s) => num(m.metrics[s.key]?.[n]))])} />
    </section>
  );
}

/** Confusion matrix of one data set, and for binomial models its ROC and precision-recall curves. */
function Classification({ model: m }: { model: ModelInfo }) {
  const sets = SETS.filter((s) => m.metrics[s.key]?.confusion_matrix);
  const [chosen, setChosen] = useState<SetKey>(sets[0].key);
  const set = sets.find((s) => s.key === chosen) ?? sets[0];
  const metrics = m.metrics[set.key] as Metrics;
  const thresholds = metrics.thresholds_and_metric_scores;
  return (
    <section aria-labelledby="classification-title">
      <h2 id="classification-title">Classification</h2>
      {sets.length > 1 && (
        <p>
          <label for="metrics-set">Data set</label>{" "}
          <select id="metrics-set" value={set.key} onChange={(e) => setChosen(e.currentTarget.value as SetKey)}>
            {sets.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
        </p>
      )}
      {thresholds && thresholds.length > 0 && <Curves setLabel={set.label} rows={thresholds} />}
      <ConfusionMatrix setLabel={set.label} matrix={metrics.confusion_matrix ?? []} domain={m.response?.domain ?? []} />
    </section>
  );
}

function Curves({ setLabel, rows }: { setLabel: string; rows: readonly ThresholdRow[] }) {
  const roc = useMemo(() => rocPoints(rows), [rows]);
  const pr = useMemo(() => prPoints(rows), [rows]);
  const rocConfig = useMemo(
    () =>
      lineChart(
        [
          { label: `${setLabel} ROC`, points: roc },
          {
            label: "Random guess",
            points: [
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ],
            reference: true,
          },
        ],
        "False positive rate",
        "True positive rate",
        true,
      ),
    [roc, setLabel],
  );
  const prConfig = useMemo(() => lineChart([{ label: `${setLabel} precision-recall`, points: pr }], "Recall", "Precision", true), [pr, setLabel]);
  const rocTable = <DataTable head={["Threshold", "False positive rate", "True positive rate"]} rowHeaders rows={rows.map((r, i) => [num(r.threshold), num(roc[i].x), num(roc[i].y)])} />;
  const prTable = <DataTable head={["Threshold", "Recall", "Precision"]} rowHeaders rows={rows.map((r) => [num(r.threshold), num(r.recall), num(r.precision)])} />;
  return (
    <div class="charts">
      <ChartView
        title={`ROC curve (${setLabel.toLowerCase()})`}
        label={`ROC curve on ${setLabel.toLowerCase()} data: true positive rate against false positive rate at ${rows.length} thresholds`}
        config={rocConfig}
        data={rocTable}
      />
      <ChartView
        title={`Precision-recall curve (${setLabel.toLowerCase()})`}
        label={`Precision-recall curve on ${setLabel.toLowerCase()} data: precision against recall at ${rows.length} thresholds`}
        config={prConfig}
        data={prTable}
      />
    </div>
  );
}

/** Rows actual class, columns predicted class, with each actual class's error rate. */
function ConfusionMatrix({ setLabel, matrix, domain }: { setLabel: string; matrix: readonly (readonly number[])[]; domain: readonly string[] }) {
  const label = (i: number) => domain[i] ?? String(i);
  return (
    <DataTable
      caption={`Confusion matrix (${setLabel.toLowerCase()}): rows actual, columns predicted`}
      rowHeaders
      class="confusion"
      head={["Actual \\ Predicted", ...matrix.map((_, j) => label(j)), "Error", "Rate"]}
      rows={matrix.map((row, i) => {
        const total = row.reduce((a, b) => a + b, 0);
        const wrong = total - row[i];
        return [label(i), ...row, num(total > 0 ? wrong / total : 0), `${wrong} / ${total}`];
      })}
    />
  );
}

function VariableImportance({ id, varimp }: { id: string; varimp: readonly VarImp[] }) {
  const config = useMemo(
    () =>
      barChart(
        varimp.map((v) => v.variable),
        varimp.map((v) => v.scaled_importance),
        "Scaled importance",
        true,
      ),
    [varimp],
  );
  return (
    <section aria-labelledby="varimp-title">
      <h2 id="varimp-title">Variable importance</h2>
      <ChartView
        title="Scaled importance of each variable"
        label={`Horizontal bars of scaled variable importance for ${varimp.length} variables, most important first: ${varimp
          .slice(0, 5)
          .map((v) => v.variable)
          .join(", ")}`}
        config={config}
        height={60 + 24 * varimp.length}
        data={
          <DataTable
            caption={`Variable importance of ${id}`}
            rowHeaders
            head={["Variable", "Relative importance", "Scaled importance", "Percentage"]}
            rows={varimp.map((v) => [v.variable, num(v.relative_importance), num(v.scaled_importance), num(v.percentage)])}
          />
        }
      />
    </section>
  );
}

/** An anomaly detector's histogram of its training rows' scores: `counts[i]` rows in [breaks[i], breaks[i + 1]). */
interface ScoreHistogram {
  readonly breaks: readonly number[];
  readonly counts: readonly number[];
}

function histogramOf(m: ModelInfo): ScoreHistogram | null {
  const h = (m as Record<string, unknown>).score_histogram as ScoreHistogram | null | undefined;
  return h && h.counts.length + 1 === h.breaks.length ? h : null;
}

function AnomalyScores({ model: m }: { model: ModelInfo }) {
  const h = histogramOf(m) as ScoreHistogram;
  const labels = h.counts.map((_, i) => `${h.breaks[i].toFixed(2)}–${h.breaks[i + 1].toFixed(2)}`);
  const config = useMemo(() => barChart(labels, h.counts, "Training rows"), [h]);
  const rows = h.counts.reduce((a, b) => a + b, 0);
  return (
    <section aria-labelledby="anomaly-title">
      <h2 id="anomaly-title">Anomaly scores</h2>
      <ChartView
        title="Training rows by normalized anomaly score"
        label={`Bar chart of ${rows} training rows over ${h.counts.length} anomaly-score bins from ${h.breaks[0]} to ${h.breaks[h.breaks.length - 1]}`}
        config={config}
        data={<DataTable caption={`Anomaly scores of ${m.model_id}'s training rows`} rowHeaders head={["Score", "Rows"]} rows={labels.map((l, i) => [l, num(h.counts[i])])} />}
      />
    </section>
  );
}

function ScoringHistory({ model: m }: { model: ModelInfo }) {
  const history = useMemo(() => historyOf(m.scoring_history), [m.scoring_history]);
  const config = useMemo(() => (history ? lineChart(history.series, history.x, "Value") : null), [history]);
  if (!history || !config) return null;
  const names = history.series.map((s) => s.label);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Scoring history</h2>
      <ChartView
        title={`Metrics by ${history.x}`}
        label={`Line chart of ${names.join(", ")} against ${history.x} over ${history.rows.length} scorings`}
        config={config}
        data={<DataTable rowHeaders head={[history.x, ...names]} rows={history.rows.map((r, i) => [history.x === "index" ? i : num(r[history.x]), ...names.map((n) => num(r[n]))])} />}
      />
    </section>
  );
}

const cvSummaryOf = (m: ModelInfo) => m.cross_validation_metrics_summary ?? null;

/** The cross-validation summary (each metric's mean, sd and per-fold values) and the fold models. */
function CrossValidation({ model: m }: { model: ModelInfo }) {
  const entries = Object.entries(cvSummaryOf(m) ?? {});
  const folds = Math.max(0, ...entries.map(([, s]) => s.folds.length));
  return (
    <section aria-labelledby="cv-title">
      <h2 id="cv-title">Cross-validation</h2>
      {entries.length > 0 && (
        <DataTable
          caption="Each metric over the cross-validation folds"
          rowHeaders
          head={["Metric", "Mean", "SD", ...Array.from({ length: folds }, (_, i) => `Fold ${i + 1}`)]}
          rows={entries.map(([name, s]) => [name, num(s.mean), num(s.sd), ...s.folds.map(num)])}
        />
      )}
      {m.cross_validation_models && m.cross_validation_models.length > 0 && (
        <p>
          Fold models:{" "}
          {m.cross_validation_models.map((id, i) => (
            <span key={id}>
              {i > 0 && ", "}
              <a href={link.model(id)}>{id}</a>
            </span>
          ))}
        </p>
      )}
    </section>
  );
}

/** Predicts on a chosen frame: the new frame's first rows, a link to it and its CSV download. */
function Predict({ id }: { id: string }) {
  const frames = useAsync(() => api<{ frames: FrameSummary[] }>("GET", "/frames"), []);
  const [frame, setFrame] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ prediction: PredictResult; preview: FrameRows } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    setBusy(true);
    try {
      const prediction = await api<PredictResult>("POST", `${path(id)}/predict`, { frame });
      const preview = await api<FrameRows>("GET", `/frames/${encodeURIComponent(prediction.frame_id)}/rows?offset=0&limit=10`);
      setResult({ prediction, preview });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    if (!result) return;
    setError(null);
    try {
      const pid = result.prediction.frame_id;
      await download(`/frames/${encodeURIComponent(pid)}/download`, `${pid}.csv`);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <section aria-labelledby="predict-title">
      <h2 id="predict-title">Predict</h2>
      <ErrorAlert error={frames.error} />
      <form class="inline" onSubmit={submit}>
        <FrameSelect id="predict-frame" label="Frame to score" none="(choose a frame)" frames={frames.data?.frames} value={frame} onChange={setFrame} />{" "}
        <button type="submit" disabled={!frame || busy}>
          {busy ? "Predicting…" : "Predict"}
        </button>
      </form>
      <ErrorAlert error={error} />
      {result && (
        <>
          <p>
            Predictions: <a href={link.frame(result.prediction.frame_id)}>{result.prediction.frame_id}</a> ({result.prediction.rows} rows). <button onClick={save}>Download predictions CSV</button>
          </p>
          {result.prediction.warnings.length > 0 && (
            <ul class="warnings">
              {result.prediction.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          <RowsTable rows={result.preview} />
        </>
      )}
    </section>
  );
}
