// floe's metrics as H2O's ModelMetrics*V3 schemas, which the client turns into its metrics
// objects (H2OBinomialModelMetrics, H2OMultinomialModelMetrics...): the same numbers under
// H2O's field names, the confusion matrix, hit ratios, thresholds and centroid statistics
// as TwoDimTables. Translated from the model's metrics, never recomputed. An anomaly
// detector's metrics are H2O's ModelMetricsAnomaly (mean_score, mean_normalized_score), or
// binomial when a labelled validation frame gave them; the client reads a frame's metrics of
// an anomaly detector with its binomial class, so the binomial tables are there (null) to print.

import type { AnomalyMetrics } from "../../ml/metrics/anomaly.ts";
import type { BinomialMetrics, ThresholdRow } from "../../ml/metrics/binomial.ts";
import type { ClusteringMetrics } from "../../ml/metrics/clustering.ts";
import type { Metrics } from "../../ml/metrics/index.ts";
import type { MultinomialMetrics } from "../../ml/metrics/multinomial.ts";
import type { ModelCategory } from "../../ml/model.ts";
import { keyJson } from "../keys.ts";
import { type Cell, twoDimTable } from "./two-dim-table.ts";

/** Where the metrics come from: the model, the frame they were computed on (null: unknown), and whether the model is a GLM (H2O's GLM schemas add deviances). */
export interface MetricsSource {
  readonly modelId: string;
  readonly frameId: string | null;
  readonly category: ModelCategory;
  readonly domain: readonly string[] | null;
  readonly glm: boolean;
  readonly description: string;
}

/** The kind of metrics: a category's own, except an anomaly detector's binomial metrics against a validation label. */
function metricsKind(m: Metrics, src: MetricsSource): ModelCategory {
  return src.category === "AnomalyDetection" && "thresholds_and_metric_scores" in m ? "Binomial" : src.category;
}

/** H2O's schema name of a kind of metrics (GLM's have their own, which the client reads for the deviances). */
function schemaType(kind: ModelCategory, glm: boolean): string {
  const base = kind === "DimReduction" ? "PCA" : kind === "AnomalyDetection" ? "Anomaly" : kind;
  return `ModelMetrics${base}${glm && (kind === "Regression" || kind === "Binomial") ? "GLM" : ""}`;
}

/** The domain of an anomaly detector's validation label as H2O shows it: 0 normal, 1 anomaly. */
const ANOMALY_LABELS = ["0", "1"];

/** Rows of a confusion matrix (actual × predicted counts) with each class's error and rate, then the totals, as H2O prints them. */
export function confusionTable(cm: readonly (readonly number[])[], domain: readonly string[], title: string) {
  const rows: Cell[][] = cm.map((row, a) => {
    const total = row.reduce((s, x) => s + x, 0);
    const wrong = total - row[a];
    return [domain[a], ...row, total ? wrong / total : 0, `${wrong} / ${total}`];
  });
  const totals = domain.map((_, p) => cm.reduce((s, row) => s + row[p], 0));
  const all = totals.reduce((s, x) => s + x, 0);
  const wrong = all - cm.reduce((s, row, a) => s + row[a], 0);
  rows.push(["Totals", ...totals, all ? wrong / all : 0, `${wrong} / ${all}`]);
  const columns = [
    { name: "", type: "string" as const },
    ...domain.map((name) => ({ name, type: "double" as const })),
    { name: "Error", type: "double" as const },
    { name: "Rate", type: "string" as const },
  ];
  return {
    __meta: { schema_version: 3, schema_name: "ConfusionMatrixV3", schema_type: "ConfusionMatrix" },
    table: twoDimTable(title, columns, rows, "vertical: actual; across: predicted"),
  };
}

const THRESHOLD_COLUMNS = [
  "threshold",
  "f1",
  "f2",
  "f0point5",
  "accuracy",
  "precision",
  "recall",
  "specificity",
  "absolute_mcc",
  "min_per_class_accuracy",
  "mean_per_class_accuracy",
  "tns",
  "fns",
  "fps",
  "tps",
] as const;
const RATE_COLUMNS = ["tnr", "fnr", "fpr", "tpr"] as const;
const COUNT_COLUMNS = new Set(["tns", "fns", "fps", "tps"]);

/** One threshold row in H2O's column order: floe's fields, then the four rates its counts give. */
function thresholdCells(r: ThresholdRow, idx: number): number[] {
  const rate = (x: number, y: number) => (x + y > 0 ? x / (x + y) : 0);
  return [...THRESHOLD_COLUMNS.map((c) => r[c]), rate(r.tns, r.fps), rate(r.fns, r.tps), rate(r.fps, r.tns), rate(r.tps, r.fns), idx];
}

function binomialTables(m: BinomialMetrics) {
  const names = [...THRESHOLD_COLUMNS, ...RATE_COLUMNS, "idx"];
  const columns = names.map((name) => ({ name, type: COUNT_COLUMNS.has(name) || name === "idx" ? ("long" as const) : ("double" as const) }));
  const rows = m.thresholds_and_metric_scores.map(thresholdCells);
  // For each metric, the threshold (the first of the best rows) that maximizes it, as H2O lists them.
  const best = names.slice(1, -1).map((name, k) => {
    let at = 0;
    for (let i = 1; i < rows.length; i++) if (rows[i][k + 1] > rows[at][k + 1]) at = i;
    return [`max ${name}`, rows[at]?.[0] ?? null, rows[at]?.[k + 1] ?? null, at] as Cell[];
  });
  return {
    thresholds_and_metric_scores: twoDimTable("Metrics for Thresholds", columns, rows, "Binomial metrics as a function of classification thresholds"),
    max_criteria_and_metric_scores: twoDimTable(
      "Maximum Metrics",
      [
        { name: "metric", type: "string" },
        { name: "threshold", type: "double" },
        { name: "value", type: "double" },
        { name: "idx", type: "long" },
      ],
      rows.length ? best : [],
      "Maximum metrics at their respective thresholds",
    ),
  };
}

function hitRatioTable(m: MultinomialMetrics) {
  return twoDimTable(
    `Top-${m.hit_ratios.length} Hit Ratios`,
    [
      { name: "k", type: "int" },
      { name: "hit_ratio", type: "double" },
    ],
    m.hit_ratios.map((h, i) => [i + 1, h]),
  );
}

function centroidTable(m: ClusteringMetrics) {
  return twoDimTable(
    "Centroid Statistics",
    [
      { name: "centroid", type: "long" },
      { name: "size", type: "double" },
      { name: "within_cluster_sum_of_squares", type: "double" },
    ],
    m.centroid_stats.map((c) => [c.centroid, c.size, c.within_cluster_sum_of_squares]),
  );
}

/** The ModelMetrics*V3 of one set of floe metrics. */
export function metricsJson(m: Metrics, src: MetricsSource) {
  const kind = metricsKind(m, src);
  const type = schemaType(kind, src.glm);
  const r = m as unknown as Record<string, unknown>;
  const scalar = (k: string) => (typeof r[k] === "number" ? r[k] : null);
  const out: Record<string, unknown> = {
    __meta: { schema_version: 3, schema_name: `${type}V3`, schema_type: type },
    model: keyJson("Model", src.modelId),
    frame: src.frameId === null ? null : keyJson("Frame", src.frameId),
    model_category: src.category,
    description: src.description,
    scoring_time: Date.now(),
    predictions: null,
    custom_metric_name: null,
    custom_metric_value: 0,
    nobs: scalar("nobs"),
    MSE: scalar("MSE"),
    RMSE: scalar("RMSE"),
  };
  for (const k of [
    "mae",
    "rmsle",
    "r2",
    "mean_residual_deviance",
    "logloss",
    "AUC",
    "pr_auc",
    "Gini",
    "mean_per_class_error",
    "null_deviance",
    "residual_deviance",
    "null_degrees_of_freedom",
    "residual_degrees_of_freedom",
    "AIC",
    "loglikelihood",
  ]) {
    if (k in r) out[k] = scalar(k);
  }
  const domain = src.domain ?? (kind === "Binomial" ? ANOMALY_LABELS : []);
  if (kind === "Binomial") {
    const b = m as BinomialMetrics;
    Object.assign(out, binomialTables(b), {
      domain,
      gains_lift_table: null,
      cm: confusionTable(b.confusion_matrix, domain, `Confusion Matrix (Act/Pred) for max f1 @ threshold = ${b.max_f1_threshold}`),
    });
  } else if (kind === "Multinomial") {
    const mm = m as MultinomialMetrics;
    Object.assign(out, {
      domain,
      AUC: null,
      pr_auc: null,
      multinomial_auc_table: null,
      multinomial_aucpr_table: null,
      cm: confusionTable(mm.confusion_matrix, domain, "Confusion Matrix: Row labels: Actual class; Column labels: Predicted class"),
      hit_ratio_table: hitRatioTable(mm),
    });
  } else if (kind === "Clustering") {
    const c = m as ClusteringMetrics;
    Object.assign(out, { tot_withinss: c.tot_withinss, totss: c.totss, betweenss: c.betweenss, centroid_stats: centroidTable(c) });
  } else if (kind === "AnomalyDetection") {
    const a = m as AnomalyMetrics;
    Object.assign(out, {
      mean_score: a.mean_score,
      mean_normalized_score: a.mean_normalized_score,
      thresholds_and_metric_scores: null,
      max_criteria_and_metric_scores: null,
      gains_lift_table: null,
    });
  }
  return out;
}
