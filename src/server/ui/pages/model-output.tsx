// A model's algorithm-specific output (GLM coefficients, k-means centres, PCA eigenvectors,
// ...) shown by its shape, not by algorithm: scalars in one table, a list of records or a
// record of equal-length columns as a table each, anything else as JSON.

import { DataTable } from "../components.tsx";
import { num } from "../format.ts";

/** Fields the model page shows in its own sections. */
const SHOWN = new Set([
  "model_id",
  "algo",
  "params",
  "response",
  "category",
  "metrics",
  "varimp",
  "scoring_history",
  "notes",
  "training_time_ms",
  "training_frame",
  "created_at",
  "cross_validation_models",
  "cross_validation_metrics_summary",
  "score_histogram",
]);

type Json = unknown;
const isRecord = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalar = (v: Json) => v === null || typeof v !== "object";
const show = (v: Json) => (typeof v === "number" ? num(v) : String(v));

/** A record of equal-length arrays (columns), as rows. */
function columnsTable(name: string, cols: Record<string, Json>) {
  const keys = Object.keys(cols);
  const arrays = keys.map((k) => cols[k]);
  if (keys.length === 0 || !arrays.every((a) => Array.isArray(a) && a.length === (arrays[0] as Json[]).length && a.every(isScalar))) return null;
  const n = (arrays[0] as Json[]).length;
  return <DataTable caption={name} rowHeaders head={keys} rows={Array.from({ length: n }, (_, i) => arrays.map((a) => show((a as Json[])[i])))} />;
}

/** A list of flat records, as rows. */
function recordsTable(name: string, list: Json[]) {
  if (list.length === 0 || !list.every((r) => isRecord(r) && Object.values(r).every(isScalar))) return null;
  const keys = [...new Set(list.flatMap((r) => Object.keys(r as Record<string, Json>)))];
  return <DataTable caption={name} rowHeaders head={keys} rows={list.map((r) => keys.map((k) => show((r as Record<string, Json>)[k] ?? "")))} />;
}

export function ModelOutput({ model }: { model: Readonly<Record<string, Json>> }) {
  const extra = Object.entries(model).filter(([k, v]) => !SHOWN.has(k) && v !== null);
  if (extra.length === 0) return null;
  const scalars = extra.filter(([, v]) => isScalar(v) || (Array.isArray(v) && v.every(isScalar)));
  const rest = extra.filter(([, v]) => !scalars.some(([, s]) => s === v));
  return (
    <section aria-labelledby="output-title">
      <h2 id="output-title">Model output</h2>
      {scalars.length > 0 && <DataTable caption="Values" rowHeaders head={["Name", "Value"]} rows={scalars.map(([k, v]) => [k, Array.isArray(v) ? v.map(show).join(", ") : show(v)])} />}
      {rest.map(([k, v]) => (
        <div key={k}>
          {(Array.isArray(v) ? recordsTable(k, v) : isRecord(v) ? columnsTable(k, v) : null) ?? (
            <details>
              <summary>{k}</summary>
              <pre>{JSON.stringify(v, null, 2)}</pre>
            </details>
          )}
        </div>
      ))}
    </section>
  );
}
