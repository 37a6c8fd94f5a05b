import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { Page, Response } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSpaExample, type SpaExample } from "../../examples/spa/server.js";
import { chromiumAvailable, useBrowser } from "../support/browser.js";
import { CORS_CONSOLE_MESSAGE, useConsoleLog } from "../support/browser-console.js";
import { useEmulator } from "../support/emulator.js";
import { SESSION_COOKIE_NAME } from "../support/security.js";

const USERS = [
  { id: "4000000001", nickname: "라이언", email: "ryan@example.com" },
  { id: "1376016924429759228", nickname: "어피치" },
];

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What Chromium logs for the anonymous visitor's `GET /me`: the guard's expected 401. */
const EXPECTED_401 = /Failed to load resource: the server responded with a status of 401/;

describe.skipIf(!chromiumAvailable())("examples/spa: an SPA on another origin than its API (Chromium)", () => {
  const emu = useEmulator({ interactive: true, users: USERS });
  const browser = useBrowser();
  const consoleLog = useConsoleLog(browser);
  let example: SpaExample;

  beforeAll(async () => {
    example = await startSpaExample({ emulator: emu.get() });
  });
  afterAll(async () => example?.close());
  afterEach(() => {
    const blocked = consoleLog.entries().filter((e) => CORS_CONSOLE_MESSAGE.test(e.text));
    expect(blocked, "the browser blocked a cross-origin call").toEqual([]);
  });

  /** The SPA's answer from the API's `GET /me`, as the page's script fetched it. */
  const meResponse = (page: Page): Promise<Response> =>
    page.waitForResponse((r) => r.url() === `${example.apiUrl}/me` && r.request().method() === "GET");

  async function openSpa(page: Page): Promise<void> {
    const me = meResponse(page);
    await page.goto(`${example.spaUrl}/`);
    await me;
  }

  /** Clicks 카카오 로그인, agrees on the emulator's consent page, and waits for the SPA's user. */
  async function signIn(page: Page, userId = USERS[0]!.id): Promise<Response> {
    await openSpa(page);
    await page.getByRole("link", { name: "카카오 로그인" }).click();
    await page.waitForURL((url) => url.origin === emu.get().url && url.pathname === "/oauth/authorize");
    await page.getByRole("radio", { name: new RegExp(userId) }).check();
    const me = meResponse(page);
    await page.getByRole("button", { name: "동의하고 계속하기" }).click();
    await page.waitForURL(`${example.spaUrl}/`);
    return me;
  }

  const status = (page: Page): Promise<string | null> => page.getByRole("status").textContent();

  it("shows a visitor as signed out, with 카카오 로그인 linking to the API's sign-in and the SPA as returnTo", async () => {
    const { page } = browser;
    await openSpa(page);
    await expect.poll(() => status(page)).toBe("로그인하지 않았습니다.");
    const href = await page.getByRole("link", { name: "카카오 로그인" }).getAttribute("href");
    expect(href).toBe(`${example.apiUrl}/auth/signin/kakao?returnTo=${encodeURIComponent(`${example.spaUrl}/`)}`);
    expect(await page.getByRole("button", { name: "로그아웃" }).isVisible()).toBe(false);
  });

  it("lands back on the SPA after consent, showing the nickname fetched from the API with the cookie", async () => {
    const { page } = browser;
    const me = await signIn(page, USERS[1]!.id);
    expect(me.status()).toBe(200);
    await expect.poll(() => status(page)).toBe("안녕하세요, 어피치님");
    const shown = JSON.parse((await page.locator("#user").textContent()) ?? "null");
    expect(shown).toMatchObject({ id: USERS[1]!.id, nickname: "어피치" });
  });

  it("answers the SPA's credentialed fetch with CORS headers naming exactly its origin", async () => {
    const { page } = browser;
    const me = await signIn(page);
    const headers = await me.allHeaders();
    expect(headers["access-control-allow-origin"]).toBe(example.spaUrl);
    expect(headers["access-control-allow-credentials"]).toBe("true");
    expect(headers["access-control-expose-headers"]).toBe("Kakao-Session-Token");
    expect(me.request().headers()["origin"]).toBe(example.spaUrl);
  });

  it("sets the API's session cookie HttpOnly and SameSite=Lax, out of the SPA's document.cookie", async () => {
    const { page, context } = browser;
    await signIn(page);
    const cookies = (await context.cookies(example.apiUrl)).filter((c) => c.name.startsWith(SESSION_COOKIE_NAME));
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });
    expect(await page.evaluate(() => document.cookie)).not.toContain(SESSION_COOKIE_NAME);
  });

  it("signs out with the button (a cross-origin POST with credentials) and shows the visitor signed out", async () => {
    const { page, context } = browser;
    await signIn(page);
    await expect.poll(() => status(page)).toBe("안녕하세요, 라이언님");
    const signOut = page.waitForResponse((r) => r.url() === `${example.apiUrl}/auth/signout`);
    const me = meResponse(page);
    await page.getByRole("button", { name: "로그아웃" }).click();
    expect((await signOut).status()).toBe(200);
    expect((await me).status()).toBe(401);
    await expect.poll(() => status(page)).toBe("로그인하지 않았습니다.");
    expect(await page.getByRole("link", { name: "카카오 로그인" }).isVisible()).toBe(true);
    const cookies = (await context.cookies(example.apiUrl)).filter((c) => c.name.startsWith(SESSION_COOKIE_NAME));
    expect(cookies).toEqual([]);
  });

  it("logs no console error from sign-in to sign-out but the signed-out visitor's expected 401", async () => {
    const { page } = browser;
    await signIn(page);
    await expect.poll(() => status(page)).toBe("안녕하세요, 라이언님");
    const me = meResponse(page);
    await page.getByRole("button", { name: "로그아웃" }).click();
    await me;
    await expect.poll(() => status(page)).toBe("로그인하지 않았습니다.");
    const unexpected = consoleLog.entries().filter((e) => !(e.type === "error" && EXPECTED_401.test(e.text)));
    expect(unexpected).toEqual([]);
  });
});

describe("examples/spa/server.ts run directly", () => {
  it("prints the SPA's URL, which serves the page and names the API in config.mjs", async () => {
    // Free ports (0), so a developer's `npm run example:spa` on 5173/3001 does not collide.
    const child = spawn("npx", ["tsx", "examples/spa/server.ts"], {
      cwd: ROOT,
      env: { ...process.env, SPA_PORT: "0", API_PORT: "0", DEBUG: "" },
      stdio: ["ignore", "pipe", "inherit"],
      detached: true, // its own process group: npx → tsx → node all stop with one kill
    });
    const exited = once(child, "exit");
    try {
      let stdout = "";
      const printed = new Promise<string[]>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString("utf8");
          const spa = /SPA example: open (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
          const api = /API \(Express \+ kakaoAuth\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (spa && api) resolve([spa[1]!, api[1]!]);
        });
        child.once("exit", (code) => reject(new Error(`exited with ${code} before printing its URLs: ${stdout}`)));
      });
      const [spaUrl, apiUrl] = await printed;
      const page = await fetch(`${spaUrl}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("카카오 로그인");
      expect(await (await fetch(`${spaUrl}/config.mjs`)).text()).toContain(JSON.stringify(apiUrl));
    } finally {
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    }
  });
});
