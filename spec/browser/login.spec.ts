import { mkdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import express from "express";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kakaoAuth, kakaoErrorHandler, requireKakaoUser, type KakaoUser } from "../../lib/index.js";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { SECRET } from "../support/app.js";
import { chromiumAvailable, useBrowser } from "../support/browser.js";
import { useEmulator } from "../support/emulator.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { SESSION_COOKIE_NAME } from "../support/security.js";
import { listen, type Listening } from "../support/server.js";

/** A Kakao id past 2^53: as a JavaScript number it would read 1376016924429759200. */
const BIG_ID = "1376016924429759228";
const USERS = [
  { id: "4000000001", nickname: "라이언", email: "ryan@example.com" },
  { id: BIG_ID, nickname: "어피치" },
];
const STACK_TRACE = /\n\s+at\s|node:internal|node_modules|\.[cm]?[jt]s:\d+/;

/** Set BROWSER_SCREENSHOTS=/some/dir to keep screenshots of the consent and profile pages. */
const SCREENSHOT_DIR = process.env.BROWSER_SCREENSHOTS;

async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const html = (title: string, body: string): string =>
  `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`;

const signOutForm = `<form method="post" action="/auth/signout"><button type="submit">Sign out</button></form>`;

interface Observed {
  /** The Origin header of every sign-out POST that reached the app. */
  signOutOrigins: (string | undefined)[];
  /** Errors behind any 5xx the app answered. */
  serverErrors: Error[];
}

/** An app like the demo: a sign-in link on `/`, a guarded `/profile`, a sign-out form. */
function demoLikeApp(emulator: KakaoEmulator, baseURL: string, observed: Observed): express.Express {
  const app = express();
  app.post("/auth/signout", (req, _res, next) => {
    observed.signOutOrigins.push(req.headers.origin);
    next();
  });
  app.use(kakaoAuth({ ...emulator.options, secret: SECRET, baseURL }));
  app.get("/", (req, res) => {
    const user = req.kakaoUser;
    res.send(
      user
        ? html(
            "Home",
            `<h1>안녕하세요, ${esc(user.nickname ?? user.id)}</h1><p><a href="/profile">Profile</a></p>${signOutForm}`,
          )
        : html(
            "Home",
            `<h1>Home</h1><p>You are not signed in.</p><p><a href="/auth/signin/kakao?returnTo=/profile">Sign in with Kakao</a></p>`,
          ),
    );
  });
  app.get("/profile", requireKakaoUser(), (req, res) => {
    res.send(
      html(
        "Profile",
        `<h1>Profile</h1><pre id="user">${esc(JSON.stringify(req.kakaoUser, null, 2))}</pre>${signOutForm}`,
      ),
    );
  });
  app.use(kakaoErrorHandler());
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    observed.serverErrors.push(err);
    res.status(500).send("server error");
  });
  return app;
}

describe.skipIf(!chromiumAvailable())("Kakao login in a real browser (Chromium)", () => {
  const emu = useEmulator({ interactive: true, users: USERS });
  const browser = useBrowser();
  const observed: Observed = { signOutOrigins: [], serverErrors: [] };
  let server: Listening;

  beforeAll(async () => {
    // baseURL is the listening URL, so the app is built once the port is known.
    const late: { app?: express.Express } = {};
    server = await listen((req: IncomingMessage, res: ServerResponse) => late.app!(req, res));
    late.app = demoLikeApp(emu.get(), server.url, observed);
  });
  afterAll(async () => server?.close());
  expectNoServerErrorsAfterEach(observed.serverErrors);

  /** The emulator's authorize endpoint, where the interactive consent page is served. */
  const consentUrl = (): ((url: URL) => boolean) => (url) =>
    url.origin === emu.get().url && url.pathname === "/oauth/authorize";

  /** Every main-frame navigation of the page from now on, in order. */
  function navigations(page: Page): string[] {
    const urls: string[] = [];
    page.on("request", (r) => {
      if (r.isNavigationRequest() && r.frame() === page.mainFrame()) urls.push(r.url());
    });
    return urls;
  }

  async function openConsentFromHome(page: Page): Promise<void> {
    await page.goto(`${server.url}/`);
    await page.getByRole("link", { name: "Sign in with Kakao" }).click();
    await page.waitForURL(consentUrl());
  }

  async function agreeAs(page: Page, userId: string): Promise<void> {
    await page.getByRole("radio", { name: new RegExp(userId) }).check();
    await page.getByRole("button", { name: "동의하고 계속하기" }).click();
  }

  async function signIn(page: Page, userId = BIG_ID): Promise<void> {
    await openConsentFromHome(page);
    await agreeAs(page, userId);
    await page.waitForURL(`${server.url}/profile`);
  }

  async function shownUser(page: Page): Promise<KakaoUser> {
    return JSON.parse((await page.locator("#user").textContent()) ?? "null") as KakaoUser;
  }

  async function sessionCookies(context: BrowserContext): Promise<Awaited<ReturnType<BrowserContext["cookies"]>>> {
    return (await context.cookies(server.url)).filter((c) => c.name.startsWith(SESSION_COOKIE_NAME));
  }

  it("shows the emulator's consent page when the sign-in link is clicked", async () => {
    const { page } = browser;
    await openConsentFromHome(page);
    await expect.poll(() => page.title()).toBe("카카오계정으로 로그인 (emulator)");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("카카오계정으로 로그인");
    expect(await page.getByRole("radio").count()).toBe(USERS.length);
    expect(await page.getByRole("radio", { name: /라이언/ }).isChecked()).toBe(true);
    expect(await page.getByRole("button", { name: "동의하고 계속하기" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "취소" }).isVisible()).toBe(true);
    await screenshot(page, "consent");
  });

  it("lands on /profile showing the chosen user's nickname and exact big id after agreeing", async () => {
    const { page } = browser;
    await signIn(page, BIG_ID);
    expect(page.url()).toBe(`${server.url}/profile`);
    const text = (await page.locator("#user").textContent()) ?? "";
    expect(text).toContain(`"id": "${BIG_ID}"`);
    expect(await shownUser(page)).toMatchObject({ id: BIG_ID, nickname: "어피치" });
    await screenshot(page, "profile");
  });

  it("keeps the session cookie out of document.cookie (HttpOnly)", async () => {
    const { page, context } = browser;
    await signIn(page);
    const cookies = await sessionCookies(context);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie.httpOnly).toBe(true);
    expect(await page.evaluate(() => document.cookie)).not.toContain(SESSION_COOKIE_NAME);
  });

  it("sets the session cookie SameSite=Lax", async () => {
    const { page, context } = browser;
    const callback = page.waitForResponse((r) => new URL(r.url()).pathname === "/auth/callback/kakao");
    await signIn(page);
    const cookies = await sessionCookies(context);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie.sameSite).toBe("Lax");
    // Explicitly on the wire, not just Chromium's default for a cookie without the attribute.
    const setCookie = ((await (await callback).headerValue("set-cookie")) ?? "").split("\n");
    const sessionLines = setCookie.filter((line) => line.startsWith(SESSION_COOKIE_NAME));
    expect(sessionLines.length).toBeGreaterThan(0);
    for (const line of sessionLines) expect(line).toMatch(/;\s*SameSite=Lax/i);
  });

  it("lands on the readable error page with status 400 and no stack trace when consent is cancelled", async () => {
    const { page, context } = browser;
    await openConsentFromHome(page);
    const errorPage = page.waitForResponse((r) => new URL(r.url()).pathname === "/auth/error");
    await page.getByRole("button", { name: "취소" }).click();
    const res = await errorPage;
    await page.waitForURL(`${server.url}/auth/error?error=access_denied`);
    expect(res.status()).toBe(400);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("로그인 취소"); // a ko-KR browser gets the Korean page
    expect(await page.locator("body").innerText()).not.toMatch(STACK_TRACE);
    expect(await res.text()).not.toMatch(STACK_TRACE);
    expect(await sessionCookies(context)).toEqual([]);
  });

  it("sends a signed-out visit to /profile through login and back to /profile", async () => {
    const { page } = browser;
    const visited = navigations(page);
    await page.goto(`${server.url}/profile`);
    await page.waitForURL(consentUrl());
    expect(visited).toContain(`${server.url}/auth/signin/kakao?returnTo=%2Fprofile`);
    await agreeAs(page, USERS[0]!.id);
    await page.waitForURL(`${server.url}/profile`);
    expect(await shownUser(page)).toMatchObject({ id: USERS[0]!.id, nickname: "라이언", email: "ryan@example.com" });
  });

  it("ends the session with the sign-out button, passing the CSRF check through the Origin header", async () => {
    const { page, context } = browser;
    await signIn(page);
    observed.signOutOrigins.length = 0;
    const signOut = page.waitForResponse((r) => new URL(r.url()).pathname === "/auth/signout");
    await page.getByRole("button", { name: "Sign out" }).click();
    expect((await signOut).status()).toBe(303);
    await page.waitForURL(`${server.url}/`);
    expect(observed.signOutOrigins).toEqual([server.url]);
    expect(await sessionCookies(context)).toEqual([]);
    expect(await page.getByRole("link", { name: "Sign in with Kakao" }).isVisible()).toBe(true);
  });

  it("redirects /profile to login again after signing out", async () => {
    const { page } = browser;
    await signIn(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${server.url}/`);
    const visited = navigations(page);
    await page.goto(`${server.url}/profile`);
    await page.waitForURL(consentUrl());
    expect(visited).toContain(`${server.url}/auth/signin/kakao?returnTo=%2Fprofile`);
  });
});
