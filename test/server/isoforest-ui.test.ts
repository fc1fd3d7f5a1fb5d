// An isolation forest's model page in a real browser (Debian's Chromium driven by
// playwright-core) against a real server: trained through the REST API, its page draws the
// histogram of the training rows' anomaly scores. What the page must show comes from the
// API (the model's score_histogram, whose counts add up to the frame's rows) and the chart
// is checked for drawn bars. Screenshots: test-artifacts/ui/.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type RunningServer, startServer } from "../../src/server/serve.ts";
import { FIXTURES } from "../support/node.ts";
import { openBrowser, SHOTS } from "../support/browser.ts";
import { apiOf } from "../support/server.ts";

const WAIT = 20_000;
/** charts.ts draws a chart's first series in #1f6fb4. */
const SERIES_RGB = [0x1f, 0x6f, 0xb4];

let server: RunningServer | undefined;
let browser: Browser | undefined;
let page: Page;
let api: ReturnType<typeof apiOf>;

beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1", threads: 2 });
  api = apiOf(server);
  ({ browser, page } = await openBrowser(WAIT));
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

test("an isolation forest trained over REST: its page draws the histogram of the training rows' anomaly scores", async () => {
  await api.importPath(join(FIXTURES, "iris.csv"), { frame_id: "iris" });
  const job = await api.train({ algo: "isolationforest", training_frame: "iris", model_id: "iso", x: ["sepal_length", "sepal_width", "petal_length", "petal_width"], params: { seed: 1 } });
  expect(job.status).toBe("done");
  const model = (await api.get("/models/iso")).body;
  expect(model.category).toBe("AnomalyDetection");
  const counts: number[] = model.score_histogram.counts;
  expect(counts.reduce((a, b) => a + b, 0)).toBe(150);

  await page.goto(`${server?.url}/#/models/iso`);
  await page.getByRole("heading", { level: 2, name: "Anomaly scores" }).waitFor();
  const chart = page.getByRole("img", { name: /^Bar chart of 150 training rows over 20 anomaly-score bins/ });
  const ink = await chart.evaluate((el, rgb) => {
    const canvas = el as unknown as Canvas;
    const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 200 && Math.abs(px[i] - rgb[0]) < 30 && Math.abs(px[i + 1] - rgb[1]) < 30 && Math.abs(px[i + 2] - rgb[2]) < 30) n++;
    }
    return n;
  }, SERIES_RGB);
  expect(ink).toBeGreaterThan(1_000);
  const table = page.getByRole("table", { name: "Anomaly scores of iso's training rows", includeHidden: true });
  await table.waitFor({ state: "attached" });
  const cells = await table.locator("tbody tr").evaluateAll((rows) => rows.map((tr) => [...tr.children].map((c) => c.textContent ?? "")));
  expect(cells.map((r) => Number(r[1]))).toEqual(counts);
  expect(cells[0][0]).toBe("0.00–0.05");
  // The metrics table names H2O's anomaly metrics.
  await page.getByRole("table", { name: "Metrics of iso" }).getByText("mean_normalized_score").waitFor();
  await page.screenshot({ path: join(SHOTS, "isoforest-model.png"), fullPage: true });
}, 40_000);
