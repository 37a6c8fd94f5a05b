import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kakaoOAuthError } from "../lib/kakao/oauth-errors.js";
import { KOE_CODES } from "../lib/kakao/koe-codes.js";
import { buildApp, EXPRESS_MAJORS } from "./support/app.js";
import { useEmulator } from "./support/emulator.js";
import { LoginFlow } from "./support/login-flow.js";
import { getWithHeaders } from "./support/raw-request.js";
import { listen, type Listening } from "./support/server.js";

/** Every `?error=` code a failed login can land on (lib/routes/callback.ts, lib/authjs/error-codes.ts). */
const PAGE_CODES = [
  "access_denied",
  "kakao_refused",
  "consent_required",
  "login_required",
  "state",
  "refused",
  "id_token",
  "profile",
  "kakao_unavailable",
  "Configuration",
  "KOE006",
  "KOE010",
  "KOE101",
  "KOE205",
  "KOE303",
  "KOE320",
  "KOE322",
];

const KOREAN = "ko-KR,ko;q=0.9,en;q=0.8";
const GENERIC_EN = "Sign-in failed";
const GENERIC_KO = "로그인 실패";

interface Page {
  res: Response;
  html: string;
  lang: string | undefined;
  title: string | undefined;
}

const heading = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];

/** The error page for `code` (raw query value) as a browser sending `acceptLanguage` sees it. */
async function errorPage(appUrl: string, code: string, acceptLanguage?: string): Promise<Page> {
  const res = await fetch(`${appUrl}/auth/error?error=${encodeURIComponent(code)}`, {
    redirect: "manual",
    headers: acceptLanguage === undefined ? {} : { "accept-language": acceptLanguage },
  });
  const html = await res.text();
  return { res, html, lang: /<html lang="([^"]+)"/.exec(html)?.[1], title: heading(html) };
}

describe.each(EXPRESS_MAJORS)("the error page on Express %i", (major) => {
  const emu = useEmulator();
  let app: Listening;

  beforeAll(async () => {
    app = await listen(buildApp({ express: major, emulator: emu.get() }));
  });
  afterAll(async () => app.close());

  it("answers 400 text/html, not cached, without a referrer", async () => {
    const { res } = await errorPage(app.url, "access_denied", "en-US");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it(`speaks Korean to Accept-Language: ${KOREAN}`, async () => {
    const page = await errorPage(app.url, "access_denied", KOREAN);
    expect(page.lang).toBe("ko");
    expect(page.title).toBe("로그인 취소");
    expect(page.html).toContain("카카오로 다시 로그인");
    expect(page.html).toContain(">홈</a>");
  });

  it("speaks English to Accept-Language: en-US", async () => {
    const page = await errorPage(app.url, "access_denied", "en-US");
    expect(page.lang).toBe("en");
    expect(page.title).toBe("Sign-in cancelled");
    expect(page.html).toContain("Sign in with Kakao again");
    expect(page.html).toContain(">Home</a>");
  });

  it("speaks English when no Accept-Language header is sent", async () => {
    // fetch() adds `accept-language: *`; a raw request sends no header at all.
    const res = await getWithHeaders(`${app.url}/auth/error?error=access_denied`, {});
    expect(res.status).toBe(400);
    expect(res.body).toContain('<html lang="en">');
    expect(heading(res.body)).toBe("Sign-in cancelled");
  });

  it("follows q-values: en;q=0.5, ko;q=0.9 is Korean", async () => {
    const page = await errorPage(app.url, "access_denied", "en;q=0.5, ko;q=0.9");
    expect(page.lang).toBe("ko");
    expect(page.title).toBe("로그인 취소");
  });

  it("follows q-values: ko;q=0.4, en is English", async () => {
    const page = await errorPage(app.url, "access_denied", "ko;q=0.4, en");
    expect(page.lang).toBe("en");
  });

  it("speaks English to a language it does not have (fr-FR)", async () => {
    const page = await errorPage(app.url, "access_denied", "fr-FR,fr;q=0.9");
    expect(page.lang).toBe("en");
  });

  it.each(PAGE_CODES)("explains %s in both Korean and English and names the code", async (code) => {
    const en = await errorPage(app.url, code, "en");
    const ko = await errorPage(app.url, code, "ko");
    expect(en.title).toBeTruthy();
    expect(en.title).not.toBe(GENERIC_EN);
    expect(ko.title).not.toBe(GENERIC_KO);
    expect(ko.title).not.toBe(en.title);
    expect(ko.html).toMatch(/[가-힣]/);
    for (const page of [en, ko]) expect(page.html).toContain(`<code>${code}</code>`);
  });

  it("names the redirect URI to register on the KOE006 page in both languages", async () => {
    for (const lang of ["en", "ko"]) {
      const page = await errorPage(app.url, "KOE006", lang);
      expect(page.html).toContain(`${app.url}/auth/callback/kakao`);
    }
  });

  it.each(["NOT_A_CODE", "<script>alert(1)</script>", "KOE319", "toString"])(
    "shows the generic text for the unknown code %s and does not echo it",
    async (code) => {
      const en = await errorPage(app.url, code, "en");
      const ko = await errorPage(app.url, code, KOREAN);
      expect(en.title).toBe(GENERIC_EN);
      expect(ko.title).toBe(GENERIC_KO);
      for (const page of [en, ko]) {
        expect(page.res.status).toBe(400);
        expect(page.html).not.toContain(code);
        expect(page.html).not.toContain(escapeForHtml(code));
        expect(page.html).not.toContain("<code>");
      }
    },
  );

  it("does not blame the user on the kakao_refused page", async () => {
    const en = await errorPage(app.url, "kakao_refused", "en");
    const ko = await errorPage(app.url, "kakao_refused", KOREAN);
    expect(en.title).toBe("Kakao refused the sign-in");
    expect(en.html).toContain("server logs");
    expect(en.html).not.toMatch(/cancel/i);
    expect(ko.html).toContain("서버 로그");
    expect(ko.html).not.toContain("취소");
  });
});

describe("a failed login's landing", () => {
  const emu = useEmulator();
  let app: Listening;
  let ownPage: Listening;

  beforeAll(async () => {
    app = await listen(buildApp({ emulator: emu.get() }));
    ownPage = await listen(
      buildApp({
        emulator: emu.get(),
        options: { authjs: { pages: { error: "/login-failed" } } },
        routes: (a) => a.get("/login-failed", (_req, res) => res.status(400).send("the app's own page")),
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    await ownPage.close();
  });

  /** A real start, Kakao redirecting back with `error` (and `error_description`), then the callback. */
  async function cancelledAt(appUrl: string, error: string, errorDescription?: string): Promise<Response> {
    const flow = new LoginFlow(appUrl);
    await flow.start();
    emu.get().nextAuthorize({ error, ...(errorDescription === undefined ? {} : { errorDescription }) });
    await flow.authorize();
    expect(flow.callbackUrl?.searchParams.get("error")).toBe(error);
    return flow.callback();
  }

  const landing = (res: Response, appUrl: string): string => {
    const url = new URL(res.headers.get("location") ?? "", appUrl);
    return `${url.pathname}${url.search}`;
  };

  it("goes to the app's own authjs.pages.error page: /login-failed?error=access_denied", async () => {
    const res = await cancelledAt(ownPage.url, "access_denied", "User denied access");
    expect(res.status).toBe(302);
    expect(landing(res, ownPage.url)).toBe("/login-failed?error=access_denied");
    const page = await fetch(new URL(res.headers.get("location")!, ownPage.url));
    expect(await page.text()).toBe("the app's own page");
  });

  it("lands on error=access_denied when the user pressed Cancel (User denied access)", async () => {
    const res = await cancelledAt(app.url, "access_denied", "User denied access");
    expect(landing(res, app.url)).toBe("/auth/error?error=access_denied");
  });

  it("lands on error=kakao_refused for access_denied with another description, and does not say cancelled", async () => {
    const res = await cancelledAt(app.url, "access_denied", "Some other reason");
    expect(landing(res, app.url)).toBe("/auth/error?error=kakao_refused");
    const page = await fetch(new URL(res.headers.get("location")!, app.url), { headers: { "accept-language": "en" } });
    const html = await page.text();
    expect(heading(html)).toBe("Kakao refused the sign-in");
    expect(html).not.toMatch(/cancel/i);
    expect(html).not.toContain("Some other reason");
  });

  it("lands on error=kakao_refused for error=invalid_scope", async () => {
    const res = await cancelledAt(app.url, "invalid_scope", "invalid scope: talk_message");
    expect(landing(res, app.url)).toBe("/auth/error?error=kakao_refused");
  });
});

describe("the KOE table", () => {
  it.each(Object.keys(KOE_CODES))("%s: kakaoOAuthError's message carries the table's developer fix", (koe) => {
    const ctx = { redirectUri: "https://app.example.com/auth/callback/kakao", clientId: "rest-key" };
    const err = kakaoOAuthError(400, { error: "invalid_grant", error_code: koe }, ctx);
    expect(err.message).toContain(KOE_CODES[koe]!.fix(ctx));
  });
});

function escapeForHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
