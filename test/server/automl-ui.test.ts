// The AutoML page in a real browser (Debian's Chromium driven by playwright-core) against a
// real server: start a run on an imported frame through the form, see the leaderboard fill
// in and the run finish, its models linked to their pages. What the page must show comes
// from the API (the run's leaderboard) and from H2O's plan (two base models, then the two
// stacked ensembles). Screenshots: test-artifacts/ui/.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type RunningServer, startServer } from "../../src/server/serve.ts";
import { FIXTURES } from "../support/node.ts";
import { openBrowser, SHOTS } from "../support/browser.ts";
import { apiOf } from "../support/server.ts";

/** Longest wait for anything on a page (a whole AutoML run included). */
const WAIT = 30_000;

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

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

test("start a run with max_models 2: the leaderboard fills in, the run finishes, its models link to their pages", async () => {
  await api.importPath(join(FIXTURES, "iris.csv"), { frame_id: "iris" });
  await page.goto(`${server?.url}/#/frames`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "AutoML" }).click();
  await page.getByRole("heading", { level: 1, name: "AutoML" }).waitFor();
  await page.getByText("No runs yet.").waitFor();

  await page.locator("#automl-frame").selectOption("iris");
  await page.locator("#automl-response").selectOption("species");
  // The inputs carry the server's defaults (H2O's: max_models 0, nfolds -1, sort_metric AUTO).
  expect(await page.getByLabel("max_models", { exact: true }).inputValue()).toBe("0");
  expect(await page.getByLabel("nfolds", { exact: true }).inputValue()).toBe("-1");
  expect(await page.getByLabel("sort_metric", { exact: true }).inputValue()).toBe("AUTO");
  await page.getByLabel("max_models", { exact: true }).fill("2");
  await page.getByLabel("seed", { exact: true }).fill("1");
  await page.getByLabel("XGBoost", { exact: true }).check();
  await shot("automl-form");
  await page.getByRole("button", { name: "Start AutoML" }).click();

  await page.getByRole("heading", { level: 1, name: /^AutoML AutoML_\d+$/ }).waitFor();
  const id = (await page.getByRole("heading", { level: 1 }).textContent())?.replace("AutoML ", "") ?? "";
  const leaderboard = page.getByRole("table", { name: /^Leaderboard of / });
  await leaderboard.locator("tbody tr").first().waitFor();
  await page.locator("#run-status", { hasText: /^\s*done/ }).waitFor();

  const run = (await api.get(`/automl/${id}`)).body;
  expect(run.params).toMatchObject({ max_models: 2, seed: 1, exclude_algos: "XGBoost" });
  expect(run.leaderboard.filter((r: { algo: string }) => r.algo !== "stackedensemble").length).toBe(2);
  expect(run.leaderboard.length).toBe(4);
  // The page lists the API's leaderboard, best first, under H2O's multinomial columns.
  expect(await leaderboard.locator("tbody th").allTextContents()).toEqual(run.leaderboard.map((r: { model_id: string }) => r.model_id));
  expect(await leaderboard.locator("thead th").allTextContents()).toEqual(["Model", "Algorithm", "mean_per_class_error", "logloss", "rmse", "mse", "training_time_ms"]);
  expect(
    await page
      .getByRole("table", { name: `Events of ${id}` })
      .locator("tbody tr")
      .count(),
  ).toBe(run.events.length);
  expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(0);
  await shot("automl-run");

  await leaderboard.getByRole("link", { name: run.leader }).click();
  await page.getByRole("heading", { level: 1, name: `Model ${run.leader}` }).waitFor();

  await page.goto(`${server?.url}/#/automl`);
  const row = page.getByRole("row", { name: new RegExp(`^${id} `) });
  await row.waitFor();
  expect(await row.locator("td").first().textContent()).toBe("done");
}, 60_000);
