// Models and metrics as the front ends show them (the CLI's text, the REST API's and the
// UI's JSON), with H2O's metric names: the fields every model has, then what its algorithm's
// descriptor adds (summary, tables, JSON fields).

import type { BinomialMetrics } from "../ml/metrics/binomial.ts";
import type { Metrics } from "../ml/metrics/index.ts";
import type { MultinomialMetrics } from "../ml/metrics/multinomial.ts";
import type { ModelTable } from "../ml/algorithm.ts";
import { descriptorOf, type Model } from "../ml/registry.ts";
import { modelInputs } from "../ml/scoring.ts";
import { num, plainTable } from "./table.ts";

const SCALARS = [
  "nobs",
  "MSE",
  "RMSE",
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
  "tot_withinss",
  "betweenss",
  "totss",
  "total_variance",
  "mean_score",
  "mean_normalized_score",
];

function confusion(m: Metrics, domain: readonly string[]): string {
  const cm = (m as BinomialMetrics | MultinomialMetrics).confusion_matrix;
  const rows = cm.map((row, a) => {
    const total = row.reduce((s, x) => s + x, 0);
    const wrong = total - row[a];
    return [domain[a], ...row.map(num), num(total ? wrong / total : 0), `${wrong} / ${total}`];
  });
  const totals = domain.map((_, p) => cm.reduce((s, row) => s + row[p], 0));
  const all = totals.reduce((s, x) => s + x, 0);
  const wrong = all - cm.reduce((s, row, a) => s + row[a], 0);
  rows.push(["Totals", ...totals.map(num), num(all ? wrong / all : 0), `${wrong} / ${all}`]);
  return plainTable(["actual \\ predicted", ...domain, "Error", "Rate"], rows, "    ");
}

/** A metrics block: the scalar metrics on one line each, then the confusion matrix. */
export function metricsText(title: string, m: Metrics, domain: readonly string[] | null): string {
  const r = m as unknown as Record<string, number>;
  const lines = [`${title}:`];
  for (const key of SCALARS) if (typeof r[key] === "number") lines.push(`  ${key.padEnd(28)} ${num(r[key])}`);
  if ("hit_ratios" in m) lines.push(`  ${"hit_ratios (top 1..k)".padEnd(28)} ${m.hit_ratios.map(num).join(", ")}`);
  if (domain && "confusion_matrix" in m) {
    const at = "max_f1_threshold" in m ? ` at threshold ${num(m.max_f1_threshold)} (max F1)` : "";
    lines.push(`  confusion matrix${at}:`, confusion(m, domain));
  }
  if ("centroid_stats" in m) {
    const rows = m.centroid_stats.map((c) => [String(c.centroid), num(c.size), num(c.within_cluster_sum_of_squares)]);
    lines.push("  centroid statistics:", plainTable(["centroid", "size", "within_cluster_sum_of_squares"], rows, "    "));
  }
  return lines.join("\n");
}

/** A table of a model's report, numbers formatted as the CLI prints them. */
function tableText(t: ModelTable, prefix = ""): string {
  const cell = (v: string | number | null | undefined) => (typeof v === "number" ? num(v) : (v ?? ""));
  return `${prefix}${t.title}:\n${plainTable(
    t.headers,
    t.rows.map((r) => r.map(cell)),
    "  ",
  )}`;
}

/** The algorithm's tables, then those of the models inside it (a stacked ensemble's metalearner), titled as such. */
function tablesText(model: Model, prefix = ""): string[] {
  const output = descriptorOf(model.algo).output;
  return [...output.tables(model).map((t) => tableText(t, prefix)), ...(output.inner?.(model) ?? []).flatMap((i) => tablesText(i.model as Model, `${prefix}${i.title} `))];
}

export function modelText(model: Model): string {
  const out: string[] = [];
  const classes = model.response?.domain ? `, ${model.response.domain.length} classes` : "";
  const output = descriptorOf(model.algo).output;
  const summary = output
    .summary(model)
    .map((p) => (typeof p === "number" ? num(p) : p))
    .join("");
  out.push(`model ${model.model_id}: ${model.algo}, ${model.category}${classes}, ${summary}, trained in ${(model.training_time_ms / 1000).toFixed(1)} s`);
  const inputs = modelInputs(model)
    .map((c) => c.name)
    .join(", ");
  out.push(`${model.response ? `response: ${model.response.name}; predictors` : "columns"}: ${inputs}; seed ${model.params.seed}`);
  for (const note of model.notes) out.push(`note: ${note}`);
  const { training, validation, cross_validation } = model.metrics;
  const domain = model.response?.domain ?? null;
  if (training) out.push("", metricsText(output.trainingMetricsTitle ?? "Training metrics", training, domain));
  if (cross_validation) out.push("", metricsText(`Cross-validation metrics (${model.params.nfolds || "fold_column"} folds)`, cross_validation, domain));
  if (validation) out.push("", metricsText("Validation metrics", validation, domain));
  for (const block of tablesText(model)) out.push("", block);
  if (model.varimp.length) {
    out.push(
      "",
      "Variable importance:",
      plainTable(
        ["variable", "relative_importance", "scaled_importance", "percentage"],
        model.varimp.slice(0, 20).map((v) => [v.variable, num(v.relative_importance), num(v.scaled_importance), num(v.percentage)]),
        "  ",
      ),
    );
  }
  return `${out.join("\n")}\n`;
}

/** The keys every model's JSON has. */
function commonJson(model: Model) {
  return {
    model_id: model.model_id,
    algo: model.algo,
    params: model.params,
    response: model.response,
    category: model.category,
    metrics: model.metrics,
    varimp: model.varimp,
    scoring_history: model.scoring_history,
    cross_validation_metrics_summary: model.cross_validation_metrics_summary ?? null,
    notes: model.notes,
    training_time_ms: model.training_time_ms,
  };
}

/** The model as `floe train --json` prints it: the same keys for every algorithm, then its own (models inside it as JSON of their own). */
export function modelJson(model: Model): ReturnType<typeof commonJson> & Record<string, unknown> {
  const output = descriptorOf(model.algo).output;
  const inner = (output.inner?.(model) ?? []).map((i) => [i.key, modelJson(i.model as Model)]);
  return { ...commonJson(model), ...output.json(model), ...Object.fromEntries(inner) };
}
