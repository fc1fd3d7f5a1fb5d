// A floe model as H2O's ModelSchemaV3 (GET /3/Models/{id}), built from floe's model JSON
// (src/present/model.ts): the parameters with their default and actual values, and an
// `output` holding the category, the columns, the metrics (metrics.ts), variable
// importance, scoring history, cross-validation summary and the algorithm's own tables
// (GLM's coefficients, k-means' centers, PCA's eigenvectors) as TwoDimTables. Any
// column-major table of the model JSON ({names: [...], col: [...]}) translates generically.

import type { Metrics } from "../../ml/metrics/index.ts";
import { descriptorOf, type Model } from "../../ml/registry.ts";
import { modelInputs } from "../../ml/scoring.ts";
import { modelJson } from "../../present/model.ts";
import type { ServedModel } from "../../server/context.ts";
import { keyJson } from "../keys.ts";
import { metricsJson } from "./metrics.ts";
import { h2oParamType } from "./params.ts";
import { type Cell, inferColumns, twoDimTable } from "./two-dim-table.ts";

/** A column-major table of floe's model JSON ({names: [...], other: [...]}) as a TwoDimTable, `names` first. */
function columnTable(title: string, t: Record<string, readonly Cell[]> | null | undefined, first = "names") {
  if (!t || !Array.isArray(t[first])) return null;
  const names = [first, ...Object.keys(t).filter((k) => k !== first && Array.isArray(t[k]))];
  const rows = t[first].map((_, i) => names.map((n) => t[n][i] ?? null));
  return twoDimTable(title, inferColumns(names, rows), rows);
}

/** Row objects (k-means' centers: {centroid, col...}) as a TwoDimTable of their keys. */
function rowTable(title: string, objects: readonly Record<string, Cell>[] | null | undefined) {
  if (!objects?.length) return null;
  const names = Object.keys(objects[0]);
  const rows = objects.map((o) => names.map((n) => o[n] ?? null));
  return twoDimTable(title, inferColumns(names, rows), rows);
}

/** floe's scoring history (rows with nested training/validation metrics) flattened to H2O's columns: training_rmse, validation_logloss... */
function scoringHistory(history: readonly object[]) {
  if (history.length === 0) return null;
  const flat = history.map((h) => {
    const out: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(h)) {
      if (v !== null && typeof v === "object") for (const [m, x] of Object.entries(v)) out[`${k}_${m.toLowerCase()}`] = typeof x === "number" ? x : null;
      else out[k] = typeof v === "number" || typeof v === "string" ? v : null;
    }
    return out;
  });
  const names = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  const rows = flat.map((r) => names.map((n) => r[n] ?? null));
  return twoDimTable("Scoring History", inferColumns(names, rows), rows);
}

function varimpTable(model: Model) {
  if (model.varimp.length === 0) return null;
  return twoDimTable(
    "Variable Importances",
    [
      { name: "variable", type: "string" },
      { name: "relative_importance", type: "double" },
      { name: "scaled_importance", type: "double" },
      { name: "percentage", type: "double" },
    ],
    model.varimp.map((v) => [v.variable, v.relative_importance, v.scaled_importance, v.percentage]),
  );
}

function cvSummaryTable(model: Model) {
  const s = model.cross_validation_metrics_summary;
  if (!s) return null;
  const names = Object.keys(s);
  const folds = Math.max(0, ...names.map((n) => s[n].folds.length));
  const columns = [
    { name: "", type: "string" as const },
    { name: "mean", type: "double" as const },
    { name: "sd", type: "double" as const },
    ...Array.from({ length: folds }, (_, f) => ({ name: `cv_${f + 1}_valid`, type: "double" as const })),
  ];
  const rows = names.map((n) => [n.toLowerCase(), s[n].mean, s[n].sd, ...s[n].folds]);
  return twoDimTable("Cross-Validation Metrics Summary", columns, rows);
}

/** PCA's importance of components: one row per statistic, one column per component. */
function importanceTable(imp: { standard_deviation: number[]; proportion_of_variance: number[]; cumulative_proportion: number[] } | undefined) {
  if (!imp) return null;
  const k = imp.standard_deviation.length;
  const columns = [{ name: "", type: "string" as const }, ...Array.from({ length: k }, (_, i) => ({ name: `pc${i + 1}`, type: "double" as const }))];
  return twoDimTable("Importance of components", columns, [
    ["Standard deviation", ...imp.standard_deviation],
    ["Proportion of Variance", ...imp.proportion_of_variance],
    ["Cumulative Proportion", ...imp.cumulative_proportion],
  ]);
}

/** ModelParameterSchemaV3 of each of the algorithm's parameters, plus the frame and column ones H2O lists. */
function parametersJson(model: Model, trainingFrame: string | null) {
  const algo = descriptorOf(model.algo);
  const own = algo.params.map((p) => ({
    name: p.name,
    label: p.name,
    help: p.help,
    required: false,
    type: h2oParamType(p),
    default_value: p.default,
    actual_value: model.params[p.name] ?? null,
    input_value: model.params[p.name] ?? null,
    level: "critical",
    values: p.values ? [...p.values] : [],
    is_member_of_frames: [],
    is_mutually_exclusive_with: [],
    gridable: true,
  }));
  const special = (name: string, type: string, actual: unknown) => ({ ...own[0], name, label: name, help: name, type, default_value: null, actual_value: actual, input_value: actual, values: [] });
  return [
    special("model_id", "Key<Model>", keyJson("Model", model.model_id)),
    special("training_frame", "Key<Frame>", trainingFrame === null ? null : keyJson("Frame", trainingFrame)),
    special(
      "response_column",
      "VecSpecifier",
      model.response ? { __meta: { schema_version: 3, schema_name: "ColSpecifierV3", schema_type: "VecSpecifier" }, column_name: model.response.name, is_member_of_frames: null } : null,
    ),
    ...own,
  ];
}

/** The ModelSchemaV3 the client reads for `served` (h2o.get_model, an estimator after train). */
export function modelSchemaJson(served: ServedModel) {
  const model = served.model;
  const json = modelJson(model) as Record<string, unknown>;
  const inputs = modelInputs(model);
  const domain = model.response?.domain ?? null;
  const metrics = (m: Metrics | null, description: string) =>
    m && metricsJson(m, { modelId: model.model_id, frameId: description === "training" ? served.trainingFrame : null, category: model.category, domain, glm: model.algo === "glm", description });
  const names = [...inputs.map((c) => c.name), ...(model.response ? [model.response.name] : [])];
  const output: Record<string, unknown> = {
    __meta: { schema_version: 3, schema_name: "ModelOutputSchemaV3", schema_type: "ModelOutput" },
    model_category: model.category,
    names,
    original_names: null,
    column_types: [...inputs.map((c) => (c.enum ? "Enum" : "Numeric")), ...(model.response ? [domain ? "Enum" : "Numeric"] : [])],
    domains: [...inputs.map(() => null), ...(model.response ? [domain ? [...domain] : null] : [])],
    cross_validation_models: served.cvModels.length ? served.cvModels.map((id) => keyJson("Model", id)) : null,
    cross_validation_predictions: null,
    cross_validation_holdout_predictions_frame_id: null,
    cross_validation_fold_assignment_frame_id: null,
    training_metrics: metrics(model.metrics.training, "training"),
    validation_metrics: metrics(model.metrics.validation, "validation"),
    cross_validation_metrics: metrics(model.metrics.cross_validation, "cross-validation"),
    cross_validation_metrics_summary: cvSummaryTable(model),
    variable_importances: varimpTable(model),
    scoring_history: scoringHistory(model.scoring_history),
    model_summary: null,
    status: "DONE",
    start_time: served.createdAt - model.training_time_ms,
    end_time: served.createdAt,
    run_time: model.training_time_ms,
    default_threshold: model.threshold ?? 0.5,
    help: {},
  };
  const coefficients = columnTable("Coefficients", json.coefficients_table as Record<string, Cell[]> | null);
  if (coefficients) {
    output.coefficients_table = coefficients;
    output.coefficient_names = [...((json.coefficients_table as { names: string[] }).names ?? [])];
  }
  if (json.centers) {
    output.centers = rowTable("Cluster Means", json.centers as Record<string, Cell>[]);
    output.centers_std = rowTable("Standardized Cluster Means", json.centers_std as Record<string, Cell>[]);
  }
  if (json.eigenvectors) {
    output.eigenvectors = columnTable("Rotation", json.eigenvectors as Record<string, Cell[]>);
    output.importance = importanceTable(json.importance as never);
  }
  // Models held inside this one (a stacked ensemble's metalearner) are stored under their own ids: the client fetches them by key.
  for (const inner of descriptorOf(model.algo).output.inner?.(model) ?? []) output[inner.key] = keyJson("Model", inner.model.model_id);
  const upper = model.algo.toUpperCase();
  return {
    __meta: { schema_version: 3, schema_name: `${upper}ModelV3`, schema_type: `${upper}Model` },
    model_id: keyJson("Model", model.model_id),
    algo: model.algo,
    algo_full_name: descriptorOf(model.algo).description,
    response_column_name: model.response?.name ?? null,
    treatment_column_name: null,
    data_frame: served.trainingFrame === null ? null : keyJson("Frame", served.trainingFrame),
    timestamp: served.createdAt,
    have_pojo: false,
    have_mojo: false,
    parameters: parametersJson(model, served.trainingFrame),
    output,
    compatible_frames: [],
    checksum: 0,
  };
}
