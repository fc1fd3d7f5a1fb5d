// The explain charts as plain data (what the report embeds and the web UI mounts) and the
// report's escaping, on hand-made numbers whose charts are known.

import { expect, test } from "bun:test";
import type { ExplainData } from "../../src/ml/explain/report-data.ts";
import {
  contributionsWaterfall,
  dependenceLines,
  type ExplainChart,
  heatmap,
  modelCorrelationHeatmap,
  residualScatter,
  scaleColour,
  shapBeeswarm,
  varimpBars,
} from "../../src/present/explain-charts.ts";
import { escapeHtml, explainReportHtml } from "../../src/present/explain-report.ts";

type Point = { x: number; y: number };
const points = (c: ExplainChart, d = 0) => c.data.datasets[d].data as Point[];
const colours = (c: ExplainChart, d = 0) => c.data.datasets[d].backgroundColor as string[];

test("the colour scale runs blue (low) to red (high), grey for missing", () => {
  expect(scaleColour(0)).toBe("#1f6fb4");
  expect(scaleColour(1)).toBe("#d1495b");
  expect(scaleColour(-3)).toBe("#1f6fb4");
  expect(scaleColour(null)).toBe("#999999");
  expect(scaleColour(Number.NaN)).toBe("#999999");
});

test("a heatmap's cells are sorted along x (chart.js draws unparsed data by binary search on x) and keep their colours", () => {
  const values = [
    [0, 1, 0.5],
    [1, 0, Number.NaN],
  ];
  const chart = heatmap({ rows: ["a", "b"], columns: ["m1", "m2", "m3"], values, min: 0, max: 1 });
  const cells = points(chart);
  expect(cells.length).toBe(6);
  expect(cells.map((p) => p.x)).toEqual([0, 0, 1, 1, 2, 2]);
  cells.forEach((p, i) => expect(colours(chart)[i]).toBe(scaleColour(Number.isNaN(values[p.y][p.x]) ? null : values[p.y][p.x])));
});

test("model correlation spans the off-diagonal range up to 1", () => {
  const chart = modelCorrelationHeatmap(
    ["a", "b"],
    [
      [1, 0.9],
      [0.9, 1],
    ],
  );
  // 0.9 is the low end, 1 the high end.
  expect(new Set(colours(chart))).toEqual(new Set([scaleColour(0), scaleColour(1)]));
});

test("a beeswarm keeps each row's contribution with its value's colour, one line per feature", () => {
  const chart = shapBeeswarm({
    features: ["f", "g"],
    contributions: [
      [0.5, -1, 2],
      [0, 0, 0],
    ],
    normalized: [
      [0, 1, null],
      [0.5, 0.5, 0.5],
    ],
  });
  const pairs = points(chart, 0).map((p, i) => [p.x, colours(chart, 0)[i]]);
  expect(pairs).toEqual([
    [-1, scaleColour(1)],
    [0.5, scaleColour(0)],
    [2, scaleColour(null)],
  ]);
  for (const p of points(chart, 0)) expect(Math.abs(p.y)).toBeLessThan(0.5);
  for (const p of points(chart, 1)) expect(Math.abs(p.y - 1)).toBeLessThan(0.5);
});

test("a waterfall steps from the bias through each contribution to the prediction", () => {
  const chart = contributionsWaterfall({
    bias: 5,
    contributions: [
      { variable: "a", value: 1.5, contribution: 2 },
      { variable: "b", value: "x", contribution: -0.5 },
      { variable: "c", value: null, contribution: 0.25 },
    ],
  });
  expect(chart.data.labels).toEqual(["BiasTerm", "a = 1.5", "b = x", "c = NA", "prediction"]);
  expect(points(chart) as unknown).toEqual([
    [0, 5],
    [5, 7],
    [7, 6.5],
    [6.5, 6.75],
    [0, 6.75],
  ]);
});

test("dependence lines: a numeric grid leaves NA out of the line, an enum grid puts NA among its levels", () => {
  const numeric = dependenceLines({ column: "x", grid: [1, 2, null], series: [{ label: "m", mean: [10, 20, 30] }] });
  expect(points(numeric)).toEqual([
    { x: 1, y: 10 },
    { x: 2, y: 20 },
  ]);
  const levels = dependenceLines({ column: "k", grid: ["a", "b", null], series: [{ label: "m", mean: [1, 2, 3] }], ice: [{ label: "row 0", responses: [4, 5, 6] }] });
  expect((levels.options?.scales?.x as { labels: string[] }).labels).toEqual(["a", "b", "NA"]);
  // ICE first (thin, grey), the partial dependence drawn over them.
  expect(levels.data.datasets.map((d) => d.label)).toEqual(["row 0", "m"]);
  expect(points(levels, 1)).toEqual([
    { x: 0, y: 1 },
    { x: 1, y: 2 },
    { x: 2, y: 3 },
  ]);
});

test("every chart is plain JSON: it survives JSON.stringify unchanged", () => {
  const charts = [
    varimpBars([{ variable: "a", value: 1 }]),
    residualScatter([3, 1, 2], [0.1, -0.2, 0.3]),
    heatmap({ rows: ["r"], columns: ["c"], values: [[1]] }),
    shapBeeswarm({ features: ["f"], contributions: [[1, 2]], normalized: [[0, 1]] }),
    dependenceLines({ column: "x", grid: [1, 2], series: [{ label: "m", mean: [1, 2] }] }),
    contributionsWaterfall({ bias: 1, contributions: [{ variable: "a", value: 1, contribution: 1 }] }),
  ];
  for (const c of charts) expect(JSON.parse(JSON.stringify(c))).toEqual(c);
});

test("the report escapes names in the markup and in the embedded JSON, and requests nothing", () => {
  const bad = `</script><script>alert(1)</script><img src=x onerror=alert(2)>`;
  const data: ExplainData = {
    frame: { rows: 3, columns: 2 },
    response: "y",
    category: "Regression",
    models: [{ model_id: bad, algo: "gbm", category: "Regression", response: "y", domain: null, inputs: [bad], metrics: null, training_metrics: null, notes: [bad] }],
    columns: [bad],
    notes: [bad],
    varimp: [{ model_id: bad, variables: [{ variable: bad, relative_importance: 1, scaled_importance: 1, percentage: 1 }] }],
    pdp: [{ column: bad, grid: [bad, null], lines: [{ model_id: bad, target: null, mean_response: [1, 2], stddev_response: [0, 0], std_error_mean_response: [0, 0] }] }],
  };
  const html = explainReportHtml(data, "floe test");
  expect(html).not.toContain(bad);
  expect(html).not.toContain("<img");
  expect(html).toContain(escapeHtml(bad));
  // Three script elements end: the charts' JSON, chart.js and the mounting script.
  expect(html.match(/<\/script/gi)?.length).toBe(3);
  expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  expect(html).toContain("default-src 'none'");
});
