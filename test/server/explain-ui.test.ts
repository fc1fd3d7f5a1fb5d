// The model page's Explain section in a real browser (Debian's Chromium driven by
// playwright-core) against a real server: for a gaussian GLM of iris it draws the SHAP
// beeswarm, a row's contributions waterfall, partial dependence with ICE and permutation
// importance, without console errors; the waterfall's numbers are the contributions row the
// REST API gives for the same request, and the partial dependence table is its REST table.
// Screenshots: test-artifacts/ui/.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type RunningServer, startServer } from "../../src/server/serve.ts";
import { FIXTURES } from "../support/node.ts";
import { openBrowser, SHOTS } from "../support/browser.ts";
import { apiOf } from "../support/server.ts";

const WAIT = 30_000;
const X = ["sepal_width", "petal_length", "petal_width", "species"];

let server: RunningServer | undefined;
let browser: Browser | undefined;
let page: Page;
let api: ReturnType<typeof apiOf>;
const consoleErrors: string[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1", threads: 2 });
  api = apiOf(server);
  ({ browser, page } = await openBrowser(WAIT));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** What the pixel count reads of a canvas (this tsconfig has no DOM types). */
interface Canvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** Pixels of a chart's canvas that are drawn (opaque and not white). */
async function ink(name: RegExp): Promise<number> {
  return page.getByRole("img", { name }).evaluate((el) => {
    const canvas = el as unknown as Canvas;
    const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 200 && px[i] + px[i + 1] + px[i + 2] < 600) n++;
    return n;
  });
}

/** A data table's body cells, by its caption. */
async function tableCells(name: string): Promise<string[][]> {
  const table = page.getByRole("table", { name, includeHidden: true });
  await table.waitFor({ state: "attached" });
  return table.locator("tbody tr").evaluateAll((rows) => rows.map((tr) => [...tr.children].map((c) => c.textContent ?? "")));
}

/** The REST API's result of an explain request. */
async function explained(model: string, kind: string, body: Record<string, unknown>): Promise<any> {
  const r = await api.post(`/models/${model}/${kind}`, body);
  expect(r.status).toBe(202);
  const job = await api.waitJob(r.body.job.job_id, 60_000);
  expect(job.error).toBeNull();
  return (await api.get(`/explanations/${job.job_id}`)).body.result;
}

test("a GLM's Explain section draws its charts with the REST API's numbers", async () => {
  await api.importPath(join(FIXTURES, "iris.csv"), { frame_id: "iris" });
  const job = await api.train({ algo: "glm", training_frame: "iris", response_column: "sepal_length", x: X, model_id: "glm_iris", params: { lambda: 0 } });
  expect(job.status).toBe("done");

  await page.goto(`${server?.url}/#/models/glm_iris`);
  await page.getByRole("heading", { level: 2, name: "Explain" }).waitFor();
  await page.getByLabel("Frame to explain").selectOption("iris");
  await page.getByRole("button", { name: "Explain" }).click();

  // The waterfall of row 5 holds REST's contributions of row 5.
  await page.getByRole("spinbutton", { name: "Row of the waterfall" }).fill("5");
  const cells = await tableCells("Contributions of row 5 to glm_iris");
  const contribs = await explained("glm_iris", "contributions", { frame: "iris", max_rows: 500, destination_frame: "contribs_rest" });
  const rest = (await api.get("/frames/contribs_rest/rows?offset=5&limit=1")).body;
  const byName = Object.fromEntries(cells.map((r) => [r[0], Number(r[2])]));
  expect(Object.keys(byName).sort()).toEqual([...contribs.columns].sort());
  rest.columns.forEach((c: string, k: number) => expect(byName[c]).toBe(rest.rows[0][k]));
  // Sorted by absolute contribution, the bias last.
  const steps = cells.slice(0, -1).map((r) => Math.abs(Number(r[2])));
  expect(steps).toEqual([...steps].sort((a, b) => b - a));

  // Partial dependence of the column chosen by default (the largest mean |contribution|), as REST gives it.
  const mean = await tableCells("Mean absolute contributions of glm_iris");
  const column = mean[0][0];
  const pdpCells = await tableCells(`Partial dependence on ${column}`);
  const [table] = (await explained("glm_iris", "partial-dependence", { frame: "iris", cols: [column] })).tables;
  expect(pdpCells.map((r) => Number(r[1]))).toEqual(table.mean_response.map((v: number) => Number(v.toPrecision(6))));

  const perm = await tableCells("Permutation importance of glm_iris");
  expect(perm.map((r) => r[0]).sort()).toEqual([...X].sort());

  expect(await ink(/^Beeswarm of the SHAP contributions of 150 rows over 4 features/)).toBeGreaterThan(300);
  expect(await ink(/^Waterfall of row 5's contributions/)).toBeGreaterThan(300);
  expect(await ink(/^Lines of the mean response over/)).toBeGreaterThan(300);
  expect(await ink(/^Bars of the permutation importance of 4 features/)).toBeGreaterThan(300);
  expect(consoleErrors).toEqual([]);
  await page.screenshot({ path: join(SHOTS, "explain-model.png"), fullPage: true });
}, 90_000);

test("a multinomial GBM's Explain section shows one class's block of contributions at a time", async () => {
  const job = await api.train({
    algo: "gbm",
    training_frame: "iris",
    response_column: "species",
    x: ["sepal_length", "sepal_width", "petal_length", "petal_width"],
    model_id: "gbm_iris",
    params: { ntrees: 5, max_depth: 3, seed: 1 },
  });
  expect(job.status).toBe("done");
  await page.goto(`${server?.url}/#/models/gbm_iris`);
  await page.getByRole("heading", { level: 2, name: "Explain" }).waitFor();
  await page.getByLabel("Frame to explain").selectOption("iris");
  await page.getByRole("button", { name: "Explain" }).click();
  await page.getByRole("combobox", { name: "Class explained" }).selectOption("Iris-virginica");
  await page.getByRole("spinbutton", { name: "Row of the waterfall" }).fill("120");
  const cells = await tableCells("Contributions of row 120 to gbm_iris");
  const r = await api.post("/models/gbm_iris/contributions", { frame: "iris", destination_frame: "contribs_gbm" });
  expect((await api.waitJob(r.body.job.job_id)).error).toBeNull();
  const rest = (await api.get("/frames/contribs_gbm/rows?offset=120&limit=1")).body;
  const suffix = ".Iris-virginica";
  const expected = Object.fromEntries(rest.columns.flatMap((c: string, k: number) => (c.endsWith(suffix) ? [[c.slice(0, -suffix.length), rest.rows[0][k]]] : [])));
  expect(Object.keys(expected).length).toBe(5);
  expect(Object.fromEntries(cells.map((row) => [row[0], Number(row[2])]))).toEqual(expected);
  // Partial dependence of the class shown, as REST gives it for that target.
  const caption = page.locator("figcaption", { hasText: /^Partial dependence of gbm_iris on .* \(class Iris-virginica\)$/ });
  const column = /on (\S+) \(class/.exec((await caption.textContent()) ?? "")?.[1] as string;
  const pdpCells = await tableCells(`Partial dependence on ${column}`);
  const [table] = (await explained("gbm_iris", "partial-dependence", { frame: "iris", cols: [column], targets: ["Iris-virginica"] })).tables;
  expect(table.target).toBe("Iris-virginica");
  expect(pdpCells.map((row) => Number(row[1]))).toEqual(table.mean_response.map((v: number) => Number(v.toPrecision(6))));
  expect(await ink(/^Beeswarm of the SHAP contributions of 150 rows over 4 features/)).toBeGreaterThan(300);
  expect(consoleErrors).toEqual([]);
  await page.screenshot({ path: join(SHOTS, "explain-multinomial.png"), fullPage: true });
}, 90_000);
