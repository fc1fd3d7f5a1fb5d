// `floe explain`'s report: one self-contained HTML page (chart.js inlined, the charts'
// configurations as JSON, no request to anywhere: its Content-Security-Policy allows none)
// with H2O's explain sections in H2O's order. Every name that comes from a model or a frame
// is escaped, in the markup and in the embedded JSON.

import chartJs from "../../node_modules/chart.js/dist/chart.umd.min.js" with { type: "text" };
import type { ExplainData } from "../ml/explain/report-data.ts";
import { contributionsWaterfall, dependenceLines, type ExplainChart, heatmapHeight, modelCorrelationHeatmap, residualScatter, shapBeeswarm, varimpBars, varimpHeatmap } from "./explain-charts.ts";
import { num } from "./table.ts";

/** Text safe inside HTML elements and quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element: no `<` to close it or open a comment. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** H2O's one-line descriptions of its explain sections (paraphrased). */
const DESCRIPTIONS: Record<string, string> = {
  leaderboard: "The models' metrics on this data, best first.",
  confusion_matrix: "Actual classes (rows) against predicted classes (columns) on this data.",
  residual_analysis: "Residuals (actual − predicted) against fitted values. Ideally residuals are randomly spread around zero; patterns suggest the model misses something.",
  varimp: "How much each variable contributes to the model's predictions, as the model measures it.",
  varimp_heatmap: "Variable importance of every model, scaled to each model's most important variable (one-hot levels summed into their column).",
  model_correlation_heatmap: "How alike the models' predictions are: the correlation of predictions for regression, the share of rows predicted alike for classification.",
  shap_summary: "Per feature, each row's SHAP contribution (link space), coloured by the feature's value from low (blue) to high (red).",
  pdp: "Partial dependence: the mean prediction over all rows when the column is set to each value of its grid, for each model.",
  ice: "Individual conditional expectation: the prediction of single rows (at the deciles of the prediction) as the column varies, with the partial dependence for reference.",
  local: "The contributions of each feature to one row's raw prediction, from the bias term to the prediction.",
};

const SCALARS = ["nobs", "MSE", "RMSE", "mae", "rmsle", "r2", "mean_residual_deviance", "logloss", "AUC", "pr_auc", "Gini", "mean_per_class_error"];

/** The page under construction: its markup and the charts its canvases draw. */
class Page {
  readonly parts: string[] = [];
  readonly charts: ExplainChart[] = [];

  add(html: string): void {
    this.parts.push(html);
  }

  chart(config: ExplainChart, label: string, height = 320, maxWidth?: number): void {
    this.charts.push(config);
    const width = maxWidth === undefined ? "" : `;max-width:${Math.round(maxWidth)}px`;
    this.add(`<figure class="chart" style="height:${Math.round(height)}px${width}"><canvas role="img" aria-label="${escapeHtml(label)}" data-chart="${this.charts.length - 1}"></canvas></figure>`);
  }

  section(id: string, title: string, body: () => void): void {
    this.add(`<section id="${id}"><h2>${escapeHtml(title)}</h2>`);
    if (DESCRIPTIONS[id]) this.add(`<p class="desc">${escapeHtml(DESCRIPTIONS[id])}</p>`);
    body();
    this.add("</section>");
  }
}

function cell(v: unknown): string {
  if (typeof v === "number") return num(v);
  return escapeHtml(v === null || v === undefined ? "" : String(v));
}

function table(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const trs = rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}

function summarySection(page: Page, data: ExplainData): void {
  page.section("summary", data.models.length > 1 ? "Models" : "Model Summary", () => {
    page.add(`<p>Data: ${num(data.frame.rows)} rows, ${num(data.frame.columns)} columns; response <code>${escapeHtml(data.response)}</code> (${escapeHtml(data.category.toLowerCase())}).</p>`);
    const rows = data.models.map((m) => {
      const metrics = (m.metrics ?? {}) as Record<string, unknown>;
      return [m.model_id, m.algo, ...SCALARS.map((k) => (typeof metrics[k] === "number" ? metrics[k] : ""))];
    });
    const used = SCALARS.filter((_, k) => rows.some((r) => r[k + 2] !== ""));
    page.add(
      table(
        ["model", "algorithm", ...used.map((k) => `${k} (this data)`)],
        rows.map((r) => [r[0], r[1], ...used.map((k) => r[SCALARS.indexOf(k) + 2])]),
      ),
    );
    for (const m of data.models) for (const note of m.notes) page.add(`<p class="note">${escapeHtml(m.model_id)}: ${escapeHtml(note)}</p>`);
  });
}

function confusionSection(page: Page, data: ExplainData): void {
  const withMatrix = data.models.filter((m) => m.domain && m.metrics && "confusion_matrix" in m.metrics);
  if (withMatrix.length === 0) return;
  page.section("confusion_matrix", "Confusion Matrix", () => {
    for (const m of withMatrix) {
      const domain = m.domain as readonly string[];
      const cm = (m.metrics as unknown as { confusion_matrix: number[][] }).confusion_matrix;
      page.add(`<h3>${escapeHtml(m.model_id)}</h3>`);
      page.add(
        table(
          ["actual \\ predicted", ...domain, "Error"],
          cm.map((row, a) => {
            const total = row.reduce((s, x) => s + x, 0);
            return [domain[a], ...row, total ? (total - row[a]) / total : 0];
          }),
        ),
      );
    }
  });
}

function residualSection(page: Page, data: ExplainData): void {
  if (!data.residuals?.length) return;
  page.section("residual_analysis", "Residual Analysis", () => {
    for (const r of data.residuals ?? []) {
      page.add(`<h3>${escapeHtml(r.model_id)}</h3>`);
      page.chart(residualScatter(r.fitted, r.residuals), `residuals against fitted values of ${r.model_id}`);
    }
  });
}

function varimpSection(page: Page, data: ExplainData): void {
  if (!data.varimp?.length) return;
  page.section("varimp", "Variable Importance", () => {
    for (const v of data.varimp ?? []) {
      const top = v.variables.slice(0, 20);
      page.add(`<h3>${escapeHtml(v.model_id)}</h3>`);
      page.chart(varimpBars(top.map((x) => ({ variable: x.variable, value: x.scaled_importance }))), `variable importance of ${v.model_id}`, 60 + 22 * top.length);
      page.add(
        `<details><summary>table</summary>${table(
          ["variable", "relative_importance", "scaled_importance", "percentage"],
          v.variables.map((x) => [x.variable, x.relative_importance, x.scaled_importance, x.percentage]),
        )}</details>`,
      );
    }
  });
}

/** A heatmap's figure is about as wide as its cells and their labels, so cells stay close. */
const heatmapWidth = (columns: number) => Math.max(360, 220 + 34 * columns);

function heatmapSections(page: Page, data: ExplainData): void {
  const vh = data.varimp_heatmap;
  if (vh && vh.models.length) {
    page.section("varimp_heatmap", "Variable Importance Heatmap", () => {
      page.chart(varimpHeatmap(vh.models, vh.variables, vh.scaled), "variable importance heatmap", heatmapHeight(vh.variables.length), heatmapWidth(vh.models.length));
      page.add(
        `<details><summary>table</summary>${table(
          ["variable", ...vh.models],
          vh.variables.map((v, i) => [v, ...vh.scaled[i]]),
        )}</details>`,
      );
    });
  }
  const mc = data.model_correlation;
  if (mc) {
    page.section("model_correlation_heatmap", "Model Correlation", () => {
      page.chart(modelCorrelationHeatmap(mc.models, mc.correlation), "model correlation heatmap", heatmapHeight(mc.models.length), heatmapWidth(mc.models.length));
      page.add(
        `<details><summary>table</summary>${table(
          ["model", ...mc.models],
          mc.models.map((m, i) => [m, ...mc.correlation[i]]),
        )}</details>`,
      );
    });
  }
}

function leaderboardSection(page: Page, data: ExplainData): void {
  const lb = data.leaderboard;
  if (!lb) return;
  page.section("leaderboard", "Leaderboard", () => {
    page.add(`<p>Sorted by ${escapeHtml(lb.sort_metric)}.</p>`);
    page.add(
      table(
        ["model_id", "algo", ...lb.columns],
        lb.rows.map((r) => [r.model_id, r.algo, ...lb.columns.map((c) => r[c])]),
      ),
    );
  });
}

function shapSection(page: Page, data: ExplainData): void {
  if (!data.shap_summary?.length) return;
  page.section("shap_summary", "SHAP Summary", () => {
    for (const s of data.shap_summary ?? []) {
      page.add(`<h3>${escapeHtml(s.model_id)}</h3>`);
      page.chart(shapBeeswarm({ features: s.features, contributions: s.contributions, normalized: s.normalized }), `SHAP summary of ${s.model_id}`, 80 + 46 * s.features.length);
      page.add(
        `<details><summary>table</summary>${table(
          ["feature", "mean |contribution|"],
          s.features.map((f, i) => [f, s.mean_abs[i]]),
        )}</details>`,
      );
    }
  });
}

/** Local explanations show this many features, the rest summed (H2O's explain_row). */
const LOCAL_FEATURES = 10;

function localSection(page: Page, data: ExplainData): void {
  if (!data.local?.length) return;
  page.section("local", "Local Explanations", () => {
    for (const l of data.local ?? []) {
      if (l.kind === "contributions") {
        const shown = l.contributions.slice(0, LOCAL_FEATURES);
        const rest = l.contributions.slice(LOCAL_FEATURES);
        const steps = rest.length ? [...shown, { variable: `${rest.length} remaining features`, value: null, contribution: rest.reduce((a, c) => a + c.contribution, 0) }] : shown;
        page.add(`<h3>Row ${l.row} · ${escapeHtml(l.model_id)}${l.target === null ? "" : ` · class ${escapeHtml(l.target)}`}</h3>`);
        page.add(`<p>SHAP contributions: bias ${num(l.bias)} + contributions = raw prediction ${num(l.raw_prediction)} (link space).</p>`);
        page.chart(contributionsWaterfall({ bias: l.bias, contributions: steps }), `contributions to row ${l.row} of ${l.model_id}`, 90 + 26 * (steps.length + 2));
      } else {
        page.add(`<h3>Row ${l.row} · ${escapeHtml(l.model_id)} <small>(local surrogate)</small></h3>`);
        page.add(
          `<p>${escapeHtml(`This model has no exact SHAP contributions: a LIME-style linear surrogate fitted on perturbed rows around this one. Prediction ${num(l.prediction)}, surrogate ${num(l.local_prediction)}, local R² ${num(l.r2)}.`)}</p>`,
        );
        const shown = l.weights.slice(0, LOCAL_FEATURES);
        page.chart(
          varimpBars(
            shown.map((w) => ({ variable: `${w.variable} = ${w.value ?? "NA"}`, value: w.weight })),
            "surrogate weight",
          ),
          `local surrogate of row ${l.row} of ${l.model_id}`,
          60 + 24 * shown.length,
        );
      }
    }
  });
}

function dependenceSections(page: Page, data: ExplainData): void {
  const plots = data.pdp ?? [];
  const responseTitle = data.category === "Regression" ? `mean ${data.response}` : "mean probability";
  if (plots.some((p) => p.lines.length)) {
    page.section("pdp", "Partial Dependence Plots", () => {
      for (const p of plots.filter((q) => q.lines.length)) {
        page.add(`<h3>${escapeHtml(p.column)}</h3>`);
        const several = new Set(p.lines.map((l) => l.model_id)).size > 1;
        const series = p.lines.map((l) => ({ label: several || l.target === null ? `${l.model_id}${l.target !== null && several ? ` (${l.target})` : ""}` : l.target, mean: l.mean_response }));
        page.chart(dependenceLines({ column: p.column, grid: p.grid, series, responseTitle }), `partial dependence on ${p.column}`);
      }
    });
  }
  if (plots.some((p) => p.ice)) {
    page.section("ice", "Individual Conditional Expectation", () => {
      for (const p of plots) {
        if (!p.ice) continue;
        const ice = p.ice;
        const pdp = p.lines.find((l) => l.model_id === ice.model_id);
        page.add(`<h3>${escapeHtml(p.column)} <small>(${escapeHtml(ice.model_id)})</small></h3>`);
        page.chart(
          dependenceLines({
            column: p.column,
            grid: p.grid,
            series: pdp ? [{ label: "partial dependence", mean: pdp.mean_response }] : [],
            ice: ice.responses.map((responses, k) => ({ label: ice.labels[k], responses })),
            responseTitle: data.category === "Regression" ? data.response : "probability",
          }),
          `ICE curves of ${p.column}`,
        );
      }
    });
  }
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2329;background:#f6f7f9}
header{background:#1d2a38;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.8}
nav{padding:8px 32px;background:#e9edf1;font-size:13px}nav a{margin-right:14px;color:#1f6fb4;text-decoration:none}
main{max-width:1100px;margin:0 auto;padding:8px 32px 40px}
section{background:#fff;border:1px solid #dde2e7;border-radius:6px;margin:18px 0;padding:4px 20px 16px}
h2{font-size:18px;margin:14px 0 4px}h3{font-size:15px;margin:16px 0 4px}.desc{color:#56606b;margin:0 0 8px}
.note{color:#8a5a00;background:#fff6e0;padding:6px 10px;border-radius:4px}
figure.chart{position:relative;margin:6px 0;width:100%}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{padding:3px 10px;border-bottom:1px solid #e3e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#f0f3f6}details{margin:4px 0}code{background:#eef1f4;padding:0 4px;border-radius:3px}
`;

/** Mounts every chart of the page (runs in the browser, after chart.js). */
const MOUNT = `
(function(){
  var configs = JSON.parse(document.getElementById("floe-charts").textContent);
  var canvases = document.querySelectorAll("canvas[data-chart]");
  for (var i = 0; i < canvases.length; i++) new Chart(canvases[i], configs[Number(canvases[i].getAttribute("data-chart"))]);
})();
`;

const TITLES: [string, string][] = [
  ["summary", "Summary"],
  ["leaderboard", "Leaderboard"],
  ["confusion_matrix", "Confusion matrix"],
  ["residual_analysis", "Residuals"],
  ["varimp", "Variable importance"],
  ["varimp_heatmap", "Importance heatmap"],
  ["model_correlation_heatmap", "Model correlation"],
  ["shap_summary", "SHAP summary"],
  ["pdp", "Partial dependence"],
  ["ice", "ICE"],
  ["local", "Local explanations"],
  ["notes", "Notes"],
];

/** The report as one HTML page that opens offline. */
export function explainReportHtml(data: ExplainData, generator: string): string {
  const page = new Page();
  summarySection(page, data);
  leaderboardSection(page, data);
  confusionSection(page, data);
  residualSection(page, data);
  varimpSection(page, data);
  heatmapSections(page, data);
  shapSection(page, data);
  dependenceSections(page, data);
  localSection(page, data);
  if (data.notes.length) {
    page.section("notes", "Notes", () => page.add(`<ul>${data.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`));
  }
  const body = page.parts.join("\n");
  const present = TITLES.filter(([id]) => body.includes(`<section id="${id}">`));
  const subject = data.models.length === 1 ? `model ${data.models[0].model_id}` : `${data.models.length} models`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Explanation of ${escapeHtml(subject)}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>Explanation of ${escapeHtml(subject)}</h1><p>${escapeHtml(data.category)} of ${escapeHtml(data.response)} · ${escapeHtml(generator)}</p></header>
<nav>${present.map(([id, t]) => `<a href="#${id}">${escapeHtml(t)}</a>`).join("")}</nav>
<main>
${body}
</main>
<script type="application/json" id="floe-charts">${scriptJson(page.charts)}</script>
<script>${chartJs}</script>
<script>${MOUNT}</script>
</body></html>
`;
}
