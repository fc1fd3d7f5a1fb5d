// The charts of model explanations as chart.js configurations, pure functions of the numbers:
// the `floe explain` report embeds them as JSON and the web UI's Explain section mounts them.
// Every configuration is plain data (no callbacks), so it survives JSON.stringify; the caller
// registers the chart.js pieces it uses (the report inlines chart.js's UMD build, which has all).
// Categorical axes take row indexes (parsing off), which is how a beeswarm jitters its points
// around a feature's line and how a heatmap places its cells without a plugin.

import type { ChartConfiguration } from "chart.js";

/** A chart.js configuration of any type, plain JSON. */
export type ExplainChart = ChartConfiguration<"line" | "bar" | "scatter">;

const PALETTE = ["#1f6fb4", "#d1495b", "#2a9d4b", "#8a5cc2", "#e07b00", "#6b4f3a", "#d65fa8", "#5f6b73"];
const POSITIVE = "#d1495b";
const NEGATIVE = "#1f6fb4";
const GREY = "#999999";

/** A colour of the scale low (blue) to high (red) for `t` in [0, 1]; grey for a missing value (H2O's SHAP summary colours). */
export function scaleColour(t: number | null): string {
  if (t === null || !Number.isFinite(t)) return GREY;
  const u = Math.min(1, Math.max(0, t));
  const low = [0x1f, 0x6f, 0xb4];
  const mid = [0xe8, 0xe0, 0xf0];
  const high = [0xd1, 0x49, 0x5b];
  const [a, b, s] = u < 0.5 ? [low, mid, u * 2] : [mid, high, (u - 0.5) * 2];
  const hex = a.map((c, i) =>
    Math.round(c + (b[i] - c) * s)
      .toString(16)
      .padStart(2, "0"),
  );
  return `#${hex.join("")}`;
}

/**
 * Points sorted by x, with their colours in the same order: chart.js takes data given
 * unparsed as sorted along x and skips what a binary search over x does not find.
 */
function byX(points: readonly { x: number; y: number }[], colours?: readonly string[]): { data: { x: number; y: number }[]; colours: string[] } {
  const order = points.map((_, i) => i).sort((a, b) => points[a].x - points[b].x || a - b);
  return { data: order.map((i) => points[i]), colours: colours ? order.map((i) => colours[i]) : [] };
}

const base = { animation: false as const, responsive: true, maintainAspectRatio: false };
const title = (text: string) => ({ display: true, text });

/** Horizontal bars of variable importance, most important on top. */
export function varimpBars(variables: readonly { readonly variable: string; readonly value: number }[], valueTitle = "scaled importance"): ExplainChart {
  return {
    type: "bar",
    data: {
      labels: variables.map((v) => v.variable),
      datasets: [{ label: valueTitle, data: variables.map((v) => v.value), backgroundColor: PALETTE[0] }],
    },
    options: { ...base, indexAxis: "y", scales: { x: { beginAtZero: true, title: title(valueTitle) } }, plugins: { legend: { display: false } } },
  };
}

export interface BeeswarmInput {
  /** Features top to bottom (the most important first). */
  readonly features: readonly string[];
  /** Per feature, each row's contribution. */
  readonly contributions: readonly (readonly number[])[];
  /** Per feature, each row's value scaled to [0, 1] (null: missing, or an enum level), which colours its point. */
  readonly normalized: readonly (readonly (number | null)[])[];
  readonly valueTitle?: string;
}

/** A deterministic jitter in (-0.35, 0.35) for point `i`: the golden-ratio sequence, spread evenly without randomness. */
function jitter(i: number): number {
  return (((i * 0.6180339887498949) % 1) - 0.5) * 0.7;
}

/** H2O's SHAP summary: per feature a line of points, one a row at its contribution, coloured by the feature's value. */
export function shapBeeswarm(input: BeeswarmInput): ExplainChart {
  const n = input.features.length;
  const datasets = input.features.map((feature, f) => {
    const sorted = byX(
      input.contributions[f].map((x, i) => ({ x, y: f + jitter(i) })),
      input.normalized[f].map(scaleColour),
    );
    return { label: feature, data: sorted.data, backgroundColor: sorted.colours, borderWidth: 0, pointRadius: 2.5 };
  });
  return {
    type: "scatter",
    data: { datasets },
    options: {
      ...base,
      parsing: false,
      scales: {
        x: { type: "linear", title: title(input.valueTitle ?? "SHAP contribution") },
        y: { type: "category", labels: [...input.features], min: 0, max: Math.max(0, n - 1), offset: true, reverse: false, grid: { display: false } },
      },
      plugins: { legend: { display: false } },
    },
  };
}

export interface DependenceSeries {
  /** The legend: a model's id, or a class label. */
  readonly label: string;
  /** The mean response at each grid value. */
  readonly mean: readonly number[];
}

export interface DependenceInput {
  readonly column: string;
  /** The grid: numbers for a numeric column, levels for an enum one (null: the missing value). */
  readonly grid: readonly (number | string | null)[];
  /** Partial dependence: one series per model (several models on one plot) or per class. */
  readonly series: readonly DependenceSeries[];
  /** ICE curves: one a row, drawn thin. */
  readonly ice?: readonly { readonly label: string; readonly responses: readonly number[] }[];
  readonly responseTitle?: string;
}

/** Partial dependence (and ICE) over a column's grid: a numeric column on a linear axis, an enum one on its levels. */
export function dependenceLines(input: DependenceInput): ExplainChart {
  const numeric = input.grid.every((g) => g === null || typeof g === "number");
  const at = input.grid.map((g) => (numeric ? g : g === null ? "NA" : String(g)));
  // A missing grid value has no place on a numeric axis: it is left out of the line.
  const points = (ys: readonly number[]) => (numeric ? ys.flatMap((y, i) => (at[i] === null ? [] : [{ x: at[i] as number, y }])) : ys.map((y, i) => ({ x: i, y })));
  const ice = (input.ice ?? []).map((c) => ({
    label: c.label,
    data: points(c.responses),
    borderColor: GREY,
    backgroundColor: GREY,
    borderWidth: 1,
    borderDash: [4, 3],
    pointRadius: 0,
  }));
  const means = input.series.map((s, k) => ({
    label: s.label,
    data: points(s.mean),
    borderColor: PALETTE[k % PALETTE.length],
    backgroundColor: PALETTE[k % PALETTE.length],
    borderWidth: 2,
    pointRadius: input.grid.length > 30 ? 0 : 2.5,
  }));
  const x = numeric
    ? { type: "linear" as const, title: title(input.column) }
    : { type: "category" as const, labels: at.map(String), min: 0, max: Math.max(0, at.length - 1), offset: true, title: title(input.column) };
  return {
    type: "line",
    data: { datasets: [...ice, ...means] },
    options: {
      ...base,
      parsing: false,
      scales: { x, y: { type: "linear", title: title(input.responseTitle ?? "mean response") } },
      plugins: { legend: { display: input.series.length > 1 } },
    },
  };
}

export interface WaterfallInput {
  /** The bias term (the mean raw prediction). */
  readonly bias: number;
  /** Each feature's contribution to this row, with the row's value of the feature; drawn in the order given. */
  readonly contributions: readonly { readonly variable: string; readonly value: number | string | null; readonly contribution: number }[];
  readonly valueTitle?: string;
}

/** One row's contributions as a waterfall: the bias, each feature's step up or down, then the prediction they add up to. */
export function contributionsWaterfall(input: WaterfallInput): ExplainChart {
  const labels = ["BiasTerm"];
  const spans: [number, number][] = [[0, input.bias]];
  const colours = [GREY];
  let at = input.bias;
  for (const c of input.contributions) {
    labels.push(`${c.variable} = ${c.value === null ? "NA" : typeof c.value === "number" ? Number(c.value.toPrecision(4)) : c.value}`);
    spans.push([at, at + c.contribution]);
    colours.push(c.contribution >= 0 ? POSITIVE : NEGATIVE);
    at += c.contribution;
  }
  labels.push("prediction");
  spans.push([0, at]);
  colours.push(PALETTE[3]);
  return {
    type: "bar",
    data: { labels, datasets: [{ label: input.valueTitle ?? "contribution", data: spans, backgroundColor: colours }] },
    options: { ...base, indexAxis: "y", scales: { x: { title: title(input.valueTitle ?? "raw prediction (link space)") } }, plugins: { legend: { display: false } } },
  };
}

/** Residuals against fitted values (regression), with the zero line. */
export function residualScatter(fitted: readonly number[], residuals: readonly number[]): ExplainChart {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const f of fitted) {
    lo = Math.min(lo, f);
    hi = Math.max(hi, f);
  }
  const zero = Number.isFinite(lo)
    ? [
        { x: lo, y: 0 },
        { x: hi, y: 0 },
      ]
    : [];
  return {
    type: "scatter",
    data: {
      datasets: [
        { label: "residual", data: byX(fitted.map((x, i) => ({ x, y: residuals[i] }))).data, backgroundColor: `${PALETTE[0]}99`, pointRadius: 2, borderWidth: 0 },
        { type: "line", label: "zero", data: zero, borderColor: GREY, borderDash: [6, 4], borderWidth: 1, pointRadius: 0 } as never,
      ],
    },
    options: {
      ...base,
      parsing: false,
      scales: { x: { type: "linear", title: title("fitted") }, y: { type: "linear", title: title("residual") } },
      plugins: { legend: { display: false } },
    },
  };
}

export interface HeatmapInput {
  /** Top to bottom. */
  readonly rows: readonly string[];
  /** Left to right. */
  readonly columns: readonly string[];
  /** rows × columns; NaN: no value (drawn grey). */
  readonly values: readonly (readonly number[])[];
  /** The values the colour scale spans (default: their min and max). */
  readonly min?: number;
  readonly max?: number;
  /** A cell's size in pixels; the caller makes the chart rows × cell high (see heatmapHeight). */
  readonly cell?: number;
}

const HEATMAP_CELL = 28;

/** The height a heatmap of `rows` rows needs (cells plus axes), for the caller's chart box. */
export function heatmapHeight(rows: number, cell = HEATMAP_CELL): number {
  return rows * cell + 110;
}

/** A heatmap: a square cell a value, coloured low (blue) to high (red). */
export function heatmap(input: HeatmapInput): ExplainChart {
  const finite = input.values.flat().filter(Number.isFinite);
  const lo = input.min ?? (finite.length ? Math.min(...finite) : 0);
  const hi = input.max ?? (finite.length ? Math.max(...finite) : 1);
  const cell = input.cell ?? HEATMAP_CELL;
  const cells: { x: number; y: number }[] = [];
  const shades: string[] = [];
  input.values.forEach((row, r) =>
    row.forEach((v, c) => {
      cells.push({ x: c, y: r });
      shades.push(scaleColour(Number.isFinite(v) ? (hi > lo ? (v - lo) / (hi - lo) : 0.5) : null));
    }),
  );
  const { data, colours } = byX(cells, shades);
  return {
    type: "scatter",
    data: { datasets: [{ label: "value", data, backgroundColor: colours, pointStyle: "rect", pointRadius: cell / 2 - 1, pointHoverRadius: cell / 2 - 1, borderWidth: 0 }] },
    options: {
      ...base,
      parsing: false,
      scales: {
        x: { type: "category", labels: [...input.columns], min: 0, max: Math.max(0, input.columns.length - 1), offset: true, grid: { display: false }, ticks: { autoSkip: false, maxRotation: 60 } },
        y: { type: "category", labels: [...input.rows], min: 0, max: Math.max(0, input.rows.length - 1), offset: true, grid: { display: false }, ticks: { autoSkip: false } },
      },
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
    },
  };
}

/** Variable importance of several models (rows: variables, columns: models), scaled importances in [0, 1]. */
export function varimpHeatmap(models: readonly string[], variables: readonly string[], scaled: readonly (readonly number[])[]): ExplainChart {
  return heatmap({ rows: variables, columns: models, values: scaled, min: 0, max: 1 });
}

/** Correlation of the models' predictions (models × models). */
export function modelCorrelationHeatmap(models: readonly string[], correlation: readonly (readonly number[])[]): ExplainChart {
  const off = correlation.flatMap((row, i) => row.filter((v, j) => i !== j && Number.isFinite(v)));
  return heatmap({ rows: models, columns: models, values: correlation, min: off.length ? Math.min(...off, 1) : 0, max: 1 });
}
