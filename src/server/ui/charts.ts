// Every chart of the web UI goes through here: chart.js configurations for the two kinds
// the UI draws (lines over a numeric x axis; bars over labels, upright or horizontal) and
// mounting one on a canvas. Only the chart.js pieces these use are registered, which keeps
// the bundle small. Animation is off: charts appear complete at once (and for reduced-motion users).

import { BarController, BarElement, CategoryScale, Chart, type ChartConfiguration, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip } from "chart.js";

// Scatter: the Explain section's SHAP beeswarm (src/present/explain-charts.ts).
Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Legend, Tooltip);

export type ChartConfig = ChartConfiguration<"line" | "bar", unknown[], string>;

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Series {
  readonly label: string;
  readonly points: readonly Point[];
  /** A reference line (e.g. the ROC diagonal): dashed and grey. */
  readonly reference?: boolean;
}

const PALETTE = ["#1f6fb4", "#d1495b", "#2a9d4b", "#8a5cc2", "#e07b00", "#6b4f3a", "#d65fa8", "#5f6b73"];

const axis = (title: string, bounds?: { min?: number; max?: number }) => ({
  type: "linear" as const,
  title: { display: true, text: title },
  ...bounds,
});

/** Lines over a numeric x axis; `unit` pins both axes to [0, 1] (ROC and PR curves). */
export function lineChart(series: readonly Series[], x: string, y: string, unit = false): ChartConfig {
  const bounds = unit ? { min: 0, max: 1 } : undefined;
  return {
    type: "line",
    data: {
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.points.map((p) => ({ x: p.x, y: p.y })),
        borderColor: s.reference ? "#999" : PALETTE[i % PALETTE.length],
        backgroundColor: s.reference ? "#999" : PALETTE[i % PALETTE.length],
        borderDash: s.reference ? [6, 4] : [],
        borderWidth: s.reference ? 1 : 2,
        pointRadius: s.points.length > 40 ? 0 : 2,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      scales: { x: axis(x, bounds), y: axis(y, bounds) },
      // Reference lines explain themselves; a legend only tells several data series apart.
      plugins: { legend: { display: series.filter((s) => !s.reference).length > 1 } },
    },
  };
}

/** Bars of `values` over `labels`; `horizontal` lays them along the x axis (variable importance). */
export function barChart(labels: readonly string[], values: readonly number[], valueTitle: string, horizontal = false): ChartConfig {
  return {
    type: "bar",
    data: {
      labels: [...labels],
      datasets: [{ label: valueTitle, data: [...values], backgroundColor: PALETTE[0] }],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      scales: { [horizontal ? "x" : "y"]: { beginAtZero: true, title: { display: true, text: valueTitle } } },
      plugins: { legend: { display: false } },
    },
  };
}

/** Draws `config` on `canvas`; returns the function that releases it. */
export function mountChart(canvas: HTMLCanvasElement, config: ChartConfig): () => void {
  const chart = new Chart(canvas, config);
  return () => chart.destroy();
}
