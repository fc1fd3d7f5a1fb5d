// Text reports of models and metrics for the CLI, with H2O's metric names.

import type { BinomialMetrics } from "../ml/metrics/binomial.ts";
import type { Metrics } from "../ml/metrics/index.ts";
import type { MultinomialMetrics } from "../ml/metrics/multinomial.ts";
import { pcondTables } from "../ml/naivebayes/model.ts";
import { centerRecords } from "../ml/kmeans/model.ts";
import { hiddenOf } from "../ml/deeplearning/model.ts";
import { type Model, modelInputs } from "../ml/scoring.ts";
import { num, plainTable } from "../present/table.ts";

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
];

/** Rows of a coefficients table shown in text (the JSON holds them all). */
const COEFFICIENT_ROWS = 50;

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

/** What a model of each algorithm adds to the report: a summary line, text blocks, JSON fields. */
function details(model: Model): { summary: string; blocks: string[]; json: Record<string, unknown> } {
  switch (model.algo) {
    case "gbm":
    case "drf":
      return { summary: `${model.iterations.length} trees`, blocks: [], json: { ntrees: model.iterations.length } };
    case "naivebayes": {
      const domain = model.response.domain;
      const tables = pcondTables(model);
      // Wide enum predictors show their first levels; the JSON holds every level.
      const shown = 20;
      const blocks = [
        `A priori response probabilities:\n${plainTable(domain, [Array.from(model.apriori, num)], "  ")}`,
        ...tables.map((t) => {
          const more = t.headers.length > shown ? ` (first ${shown} of ${t.headers.length} levels)` : "";
          const rows = t.rows.map((r, k) => [domain[k], ...r.slice(0, shown).map(num)]);
          return `Y_by_${t.column}${more}:\n${plainTable([model.response.name, ...t.headers.slice(0, shown)], rows, "  ")}`;
        }),
      ];
      return { summary: `${tables.length} predictors`, blocks, json: { apriori: Array.from(model.apriori), pcond: tables } };
    }
    case "glm": {
      const t = model.coefficients_table;
      const columns = Object.keys(t).filter((c) => c !== "names");
      const rows = t.names.slice(0, COEFFICIENT_ROWS).map((name, i) => [name, ...columns.map((c) => num(Number(t[c][i])))]);
      const more = t.names.length > COEFFICIENT_ROWS ? ` (first ${COEFFICIENT_ROWS} of ${t.names.length})` : "";
      const penalty = model.lambda === 0 ? "none" : `alpha ${num(model.alpha)}, lambda ${num(model.lambda)}`;
      return {
        summary: `family ${model.family}, link ${model.link}, regularisation ${penalty}, ${model.iterations} iterations`,
        blocks: [`Coefficients${more}:\n${plainTable(["names", ...columns], rows, "  ")}`],
        json: {
          family: model.family,
          link: model.link,
          alpha: model.alpha,
          lambda: model.lambda,
          iterations: model.iterations,
          coefficients_table: model.coefficients_table,
          regularization_path: model.regularization_path,
        },
      };
    }
    case "pca": {
      const pcs = Array.from({ length: model.k }, (_, c) => `PC${c + 1}`);
      const imp = model.importance;
      const importance = plainTable(
        ["", ...pcs],
        [
          ["Standard deviation", ...imp.standard_deviation.map(num)],
          ["Proportion of Variance", ...imp.proportion_of_variance.map(num)],
          ["Cumulative Proportion", ...imp.cumulative_proportion.map(num)],
        ],
        "  ",
      );
      const rotation = model.eigenvector_names.slice(0, COEFFICIENT_ROWS).map((name, i) => [name, ...pcs.map((_, c) => num(model.eigenvectors[i * model.k + c]))]);
      const eigenvectors = Object.fromEntries(pcs.map((pc, c) => [pc, model.eigenvector_names.map((_, i) => model.eigenvectors[i * model.k + c])]));
      return {
        summary: `${model.k} components of ${model.design.P} columns, transform ${model.params.transform}`,
        blocks: [`Importance of components:\n${importance}`, `Eigenvectors (rotation):\n${plainTable(["", ...pcs], rotation, "  ")}`],
        json: { k: model.k, importance: model.importance, total_variance: model.total_variance, eigenvectors: { names: model.eigenvector_names, ...eigenvectors } },
      };
    }
    case "kmeans": {
      const centers = centerRecords(model, false);
      const headers = Object.keys(centers[0] ?? {});
      const table = (recs: Record<string, number | string>[]) => plainTable(headers, recs.map((r) => headers.map((h) => (typeof r[h] === "number" ? num(r[h] as number) : String(r[h])))), "  ");
      const stats = model.size.map((n, c) => [String(c + 1), num(n), num(model.withinss[c])]);
      const blocks = [`Cluster centers:\n${table(centers)}`];
      if (model.params.standardize) blocks.push(`Cluster centers (standardized):\n${table(centerRecords(model, true))}`);
      blocks.push(`Cluster sizes and within-cluster sums of squares:\n${plainTable(["centroid", "size", "withinss"], stats, "  ")}`);
      return {
        summary: `${model.k} clusters, ${model.iterations} iterations`,
        blocks,
        json: {
          k: model.k,
          centers,
          centers_std: centerRecords(model, true),
          size: model.size,
          withinss: model.withinss,
          tot_withinss: model.tot_withinss,
          betweenss: model.betweenss,
          totss: model.totss,
          iterations: model.iterations,
          estimated_k: model.estimated_k,
        },
      };
    }
    case "deeplearning": {
      const hidden = hiddenOf(model);
      const history = model.scoring_history as readonly Record<string, number>[];
      const shown = history.slice(-COEFFICIENT_ROWS);
      const headers = [...new Set(shown.flatMap((e) => Object.keys(e)))].filter((h) => h !== "duration_ms");
      const more = history.length > shown.length ? ` (last ${shown.length} of ${history.length})` : "";
      return {
        summary: `hidden [${hidden.join(",")}], ${model.params.activation}, ${num(model.epochs_trained)} epochs`,
        blocks: shown.length ? [`Scoring history${more}:\n${plainTable(headers, shown.map((e) => headers.map((h) => num(e[h]))), "  ")}`] : [],
        json: { hidden, activation: model.params.activation, epochs_trained: model.epochs_trained, iterations: model.iterations, scoring_history: model.scoring_history },
      };
    }
    case "stackedensemble": {
      const meta = model.metalearner;
      const bases = model.base_models.map((b) => [b.model_id, b.algo]);
      return {
        summary: `${model.base_models.length} base models, metalearner ${meta.algo}`,
        blocks: [`Base models:\n${plainTable(["model_id", "algo"], bases, "  ")}`, ...details(meta).blocks.map((b) => `Metalearner ${b}`)],
        json: { base_models: model.base_models.map((b) => ({ model_id: b.model_id, algo: b.algo })), metalearner: modelJson(meta) },
      };
    }
  }
}

export function modelText(model: Model): string {
  const out: string[] = [];
  const classes = model.response?.domain ? `, ${model.response.domain.length} classes` : "";
  const d = details(model);
  out.push(`model ${model.model_id}: ${model.algo}, ${model.category}${classes}, ${d.summary}, trained in ${(model.training_time_ms / 1000).toFixed(1)} s`);
  const inputs = modelInputs(model).map((c) => c.name).join(", ");
  out.push(`${model.response ? `response: ${model.response.name}; predictors` : "columns"}: ${inputs}; seed ${model.params.seed}`);
  for (const note of model.notes) out.push(`note: ${note}`);
  const { training, validation, cross_validation } = model.metrics;
  const domain = model.response?.domain ?? null;
  if (training) out.push("", metricsText(model.algo === "drf" ? "Training metrics (out-of-bag)" : "Training metrics", training, domain));
  if (cross_validation) out.push("", metricsText(`Cross-validation metrics (${model.params.nfolds || "fold_column"} folds)`, cross_validation, domain));
  if (validation) out.push("", metricsText("Validation metrics", validation, domain));
  for (const block of d.blocks) out.push("", block);
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

/** The model as `floe train --json` prints it: the same keys for every algorithm, then its own. */
export function modelJson(model: Model) {
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
    ...details(model).json,
  };
}
