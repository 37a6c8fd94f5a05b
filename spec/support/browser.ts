import { existsSync } from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's `chromium` package; the specs never download a browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Every wait in a browser spec is bounded by this (navigation, clicks, launch). */
export const BROWSER_TIMEOUT_MS = 10_000;

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Whether Debian's chromium is on this machine; under CI=true its absence is a failure, not a skip. */
export function chromiumAvailable(): boolean {
  const found = existsSync(CHROMIUM_PATH);
  if (!found && process.env.CI === "true") {
    throw new Error(`${CHROMIUM_PATH} is missing in CI: .ci/run must \`apt-get install -y chromium\``);
  }
  if (!found) console.warn(`Skipping browser specs: ${CHROMIUM_PATH} is not installed (apt-get install -y chromium).`);
  return found;
}

/** Only loopback traffic: anything else the page asks for is aborted. */
function isLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === "data:" || protocol === "about:" || protocol === "blob:") return true;
  return hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
}

export interface BrowserHandle {
  /** This test's browser context: a fresh cookie jar for every test. */
  readonly context: BrowserContext;
  /** This test's page. */
  readonly page: Page;
}

/**
 * One headless Chromium for the file (launched in a fresh temporary profile, which Playwright
 * deletes on close) and a fresh context + page for every test. Closed in afterAll.
 */
export function useBrowser(): BrowserHandle {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 15_000 });
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    if (!browser) throw new Error("chromium did not start");
    context = await browser.newContext({ locale: "ko-KR", viewport: { width: 900, height: 700 } });
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
    await context.route("**/*", (route) => (isLoopback(route.request().url()) ? route.continue() : route.abort()));
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    page = undefined;
  });

  return {
    get context() {
      if (!context) throw new Error("no browser context: use it inside a test");
      return context;
    },
    get page() {
      if (!page) throw new Error("no browser page: use it inside a test");
      return page;
    },
  };
}
