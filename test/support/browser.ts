// The web UI's browser tests share this: Debian's Chromium driven by playwright-core
// (headless, no network of its own), a page at 1280 x 900, and where screenshots go.

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
/** Screenshots of the pages tested, for a person to look at. */
export const SHOTS = join(import.meta.dir, "..", "..", "test-artifacts", "ui");

/** Chromium and a page that waits up to `wait` ms for anything; refuses clearly when Chromium is missing. */
export async function openBrowser(wait: number, opts: { acceptDownloads?: boolean } = {}): Promise<{ browser: Browser; page: Page }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium; .ci/run installs it)`);
  }
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-default-apps",
      "--disable-sync",
      "--no-first-run",
      "--metric-recording-only",
    ],
    timeout: wait,
  });
  const page = await (await browser.newContext({ acceptDownloads: opts.acceptDownloads ?? false, viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(wait);
  return { browser, page };
}
