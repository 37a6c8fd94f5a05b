import type { ConsoleMessage } from "playwright-core";
import { beforeEach } from "vitest";
import type { BrowserHandle } from "./browser.js";

/** One console error or warning of the page, or an uncaught exception in it (`type: "pageerror"`). */
export interface ConsoleEntry {
  type: string;
  text: string;
}

/** What Chromium logs when a CORS check blocks a response (`… has been blocked by CORS policy …`). */
export const CORS_CONSOLE_MESSAGE = /CORS|Access-Control-|cross-origin/i;

/**
 * Records, for each test, the console errors and warnings of `browser.page` and its uncaught
 * exceptions. Call it after `useBrowser()` so that the page exists when the recording starts.
 */
export function useConsoleLog(browser: BrowserHandle): { entries(): ConsoleEntry[] } {
  let entries: ConsoleEntry[] = [];
  beforeEach(() => {
    entries = [];
    const { page } = browser;
    page.on("console", (message: ConsoleMessage) => {
      if (message.type() === "error" || message.type() === "warning")
        entries.push({ type: message.type(), text: message.text() });
    });
    page.on("pageerror", (err) => entries.push({ type: "pageerror", text: `${err.name}: ${err.message}` }));
  });
  return { entries: () => entries };
}
