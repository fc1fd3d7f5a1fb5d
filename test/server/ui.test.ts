// The web UI in a real browser (Debian's Chromium driven by playwright-core) against a
// real server: upload a CSV and see its summaries and histogram, import a binomial frame by
// SQL, train a GBM through the form generated from the parameter metadata, see its ROC
// curve and variable importance drawn, predict and download the predictions; errors are
// shown where they happen. Expected values come from the fixture itself (rows, levels,
// counts) or from the API (what the page must show of it). Screenshots: test-artifacts/ui/.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type RunningServer, startServer } from "../../src/server/serve.ts";
import { FIXTURES } from "../support/node.ts";
import { openBrowser, SHOTS } from "../support/browser.ts";
import { apiOf } from "../support/server.ts";

/** Longest wait for anything on a page (a training job included). */
const WAIT = 20_000;
/** charts.ts draws a chart's first series in #1f6fb4. */
const SERIES_RGB = [0x1f, 0x6f, 0xb4];

const penguinsPath = join(FIXTURES, "penguins.csv");
const penguins = readFileSync(penguinsPath, "utf8").trim().split("\n");
const header = penguins[0].split(",");
const records = penguins.slice(1).map((l) => l.split(","));
/** The binomial subset: rows whose sex is known (the fixture also has "NA" and "."). */
const knownSex = records.filter((r) => r[header.indexOf("sex")] === "MALE" || r[header.indexOf("sex")] === "FEMALE").length;
const binomialSql = `SELECT * FROM read_csv('${penguinsPath}', nullstr='NA') WHERE sex IN ('MALE', 'FEMALE')`;

let server: RunningServer | undefined;
let browser: Browser | undefined;
let page: Page;
let api: ReturnType<typeof apiOf>;
/** What Chromium reported the page's Content-Security-Policy blocked. */
const blocked: string[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1", threads: 2 });
  api = apiOf(server);
  ({ browser, page } = await openBrowser(WAIT, { acceptDownloads: true }));
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const open = (hash: string) => page.goto(`${server?.url}/${hash}`);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** What the pixel count reads of a canvas (this tsconfig has no DOM types). */
interface Canvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/**
 * Pixels of the named chart canvas in the first series' colour: how much of the data chart.js
 * drew (axes and grid are grey; a 2-px curve across the plot is several hundred pixels, bars thousands).
 */
function inkOf(name: RegExp): Promise<number> {
  return page.getByRole("img", { name }).evaluate((el, rgb) => {
    const canvas = el as unknown as Canvas;
    const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 200 && Math.abs(px[i] - rgb[0]) < 30 && Math.abs(px[i + 1] - rgb[1]) < 30 && Math.abs(px[i + 2] - rgb[2]) < 30) n++;
    }
    return n;
  }, SERIES_RGB);
}

/** The row headers (first cells) of the table named by its caption, once it is there (chart data tables sit in closed <details>). */
async function rowHeaders(caption: string): Promise<string[]> {
  const table = page.getByRole("table", { name: caption, includeHidden: true });
  await table.waitFor({ state: "attached" });
  return table.locator("tbody th").allTextContents();
}

/** The text of each body cell of the data table of the chart whose canvas is named `name`, row by row. */
async function chartData(name: RegExp): Promise<string[][]> {
  const figure = page.locator("figure", { has: page.getByRole("img", { name }) });
  await figure.waitFor();
  return figure.locator("tbody tr").evaluateAll((rows) => rows.map((tr) => [...tr.children].map((c) => c.textContent ?? "")));
}

test("upload a CSV: upload progress, the import job, then the frame's summaries and a histogram", async () => {
  await open("#/frames");
  await page.locator("#upload-file").setInputFiles(penguinsPath);
  await page.locator("#upload-id").fill("penguins");
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  const form = page.locator("form[aria-labelledby=upload-title]");
  await form.locator("#upload-progress").waitFor();
  await form.getByRole("link", { name: "penguins" }).click();
  await page.getByRole("heading", { level: 1, name: "Frame penguins" }).waitFor();
  expect(await rowHeaders("Summary of each column of penguins")).toEqual(header);
  // The first plottable column is species: its bars are the fixture's own level counts.
  expect(await inkOf(/^Bar chart of species/)).toBeGreaterThan(10_000);
  const species = header.indexOf("species");
  const levels = [...new Set(records.map((r) => r[species]))].sort();
  expect(await chartData(/^Bar chart of species/)).toEqual(levels.map((l) => [l, String(records.filter((r) => r[species] === l).length)]));
  await page.getByText(`Rows 1–10 of ${records.length}`).waitFor();
  await shot("frame");
}, 40_000);

test("train a GBM through the generated form; the model page draws its ROC curve and variable importance", async () => {
  await open("#/frames");
  await page.getByLabel("a SQL query (DuckDB)").check();
  await page.locator("#import-source").fill(binomialSql);
  await page.locator("#import-id").fill("penguins_mf");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.locator("form[aria-labelledby=import-title]").getByRole("link", { name: "penguins_mf" }).click();
  await page.getByRole("main").getByRole("link", { name: "Build a model" }).click();
  await page.getByRole("heading", { level: 1, name: "Build a model" }).waitFor();

  await page.locator("#algo").selectOption("gbm");
  expect(await page.locator("#training-frame").inputValue()).toBe("penguins_mf");
  await page.locator("#response").selectOption("sex");
  await page.getByLabel("ntrees", { exact: true }).fill("5");
  await page.getByLabel("max_depth", { exact: true }).fill("3");
  await page.getByLabel("seed", { exact: true }).fill("42");
  await page.locator("#model-id").fill("gbm_ui");
  await shot("builder");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.locator("form.builder").getByRole("link", { name: "gbm_ui" }).click();
  await page.getByRole("heading", { level: 1, name: "Model gbm_ui" }).waitFor();

  const model = (await api.get("/models/gbm_ui")).body;
  expect(model.params).toMatchObject({ ntrees: 5, max_depth: 3, seed: 42 });
  const thresholds = model.metrics.training.thresholds_and_metric_scores;
  expect(thresholds.length).toBeGreaterThan(10);
  // The ROC curve: drawn, and its data (one point per threshold of the API's table) listed.
  expect(await inkOf(/^ROC curve/)).toBeGreaterThan(400);
  expect((await chartData(/^ROC curve/)).length).toBe(thresholds.length);
  expect(await inkOf(/^Precision-recall curve/)).toBeGreaterThan(400);
  // Variable importance: bars drawn for the model's variables, listed in the API's order.
  expect(await inkOf(/^Horizontal bars of scaled variable importance/)).toBeGreaterThan(5_000);
  const variables = await rowHeaders("Variable importance of gbm_ui");
  expect(variables).toEqual(model.varimp.map((v: { variable: string }) => v.variable));
  expect([...variables].sort()).toEqual(header.filter((h) => h !== "sex").sort());
  await page.getByRole("img", { name: /^Line chart of .* against number_of_trees/ }).waitFor();
  await page.getByRole("table", { name: /^Confusion matrix \(training\)/ }).waitFor();
  await shot("model");
}, 40_000);

test("predict on a frame: a preview of the predictions and their CSV download", async () => {
  await page.locator("#predict-frame").selectOption("penguins_mf");
  await page.getByRole("button", { name: "Predict", exact: true }).click();
  const save = page.getByRole("button", { name: "Download predictions CSV" });
  await save.waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), save.click()]);
  const csv = readFileSync(await download.path(), "utf8")
    .trim()
    .split("\n");
  expect(csv[0]).toBe("predict,FEMALE,MALE");
  expect(csv.length - 1).toBe(knownSex);
  const preview = page.getByRole("table", { name: /^Rows of predictions_/ });
  expect(await preview.locator("tbody tr").count()).toBe(10);
  await shot("predict");
}, 30_000);

test("a bad parameter value: the server's error, naming the parameter, is shown at the form", async () => {
  await open("#/build?frame=penguins_mf");
  await page.locator("#algo").selectOption("gbm");
  await page.locator("#response").selectOption("sex");
  await page.getByLabel("ntrees", { exact: true }).fill("-3");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  const alert = page.locator("form.builder").getByRole("alert");
  await alert.waitFor();
  expect(await alert.textContent()).toContain("ntrees=-3");
  // The input at fault is marked and focused, so a keyboard user lands on it.
  const ntrees = page.getByLabel("ntrees", { exact: true });
  expect(await ntrees.getAttribute("aria-invalid")).toBe("true");
  expect(await ntrees.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).toBe(true);
  await shot("builder-error");
}, 20_000);

test("jobs with their progress, and the cluster's node", async () => {
  await open("#/jobs");
  const row = page.getByRole("row", { name: /train gbm_ui/ });
  await row.waitFor();
  expect(await row.textContent()).toContain("done");
  expect(await row.locator("progress").evaluate((p) => (p as unknown as { value: number }).value)).toBe(1);
  await shot("jobs");
  await open("#/cluster");
  const nodes = page.getByRole("table", { name: "Nodes" }).locator("tbody tr");
  await nodes.first().waitFor();
  expect(await nodes.count()).toBe(1);
  expect(await nodes.first().textContent()).toContain(String((await api.get("/cluster")).body.nodes[0].pid));
  await shot("cluster");
}, 20_000);

test("a server with a token: a 401 shows the token form; the token from #token= is used and hidden from the URL", async () => {
  const token = "ui-test-token-0123";
  const guarded = await startServer({ port: 0, host: "127.0.0.1", threads: 1, authToken: token });
  try {
    const tab = await (browser as Browser).newPage();
    await tab.goto(`${guarded.url}/#/cluster`);
    await tab.getByLabel("Access token").waitFor();
    await tab.goto(`${guarded.url}/#token=${token}`);
    await tab.reload();
    await tab.getByRole("heading", { level: 1, name: "Frames" }).waitFor();
    await tab.getByText("No frames yet").waitFor();
    expect(new URL(tab.url()).hash).toBe("#/frames");
    expect(await tab.getByLabel("Access token").count()).toBe(0);
    await tab.close();
  } finally {
    await guarded.stop();
  }
}, 20_000);

test("the UI works under its Content-Security-Policy: nothing the pages did was blocked", () => {
  expect(blocked).toEqual([]);
});
