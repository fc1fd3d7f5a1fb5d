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
async function explained(kind: string, body: Record<string, unknown>): Promise<any> {
  const r = await api.post(`/models/glm_iris/${kind}`, body);
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
  const contribs = await explained("contributions", { frame: "iris", max_rows: 500, destination_frame: "contribs_rest" });
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
  const [table] = (await explained("partial-dependence", { frame: "iris", cols: [column] })).tables;
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
