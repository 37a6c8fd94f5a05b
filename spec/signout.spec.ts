import { parseSetCookie } from "cookie";
import express5 from "express";
import express4 from "express4";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KakaoUser } from "../lib/index.js";
import { signInAs } from "../lib/testing/index.js";
import { buildApp, EXPRESS_MAJORS, SECRET, serverErrors } from "./support/app.js";
import { fetchCsrf, postForm } from "./support/csrf.js";
import { useEmulator } from "./support/emulator.js";
import { listen, type Listening } from "./support/server.js";
import { applySetCookies, setCookieNamed, whoamiWith } from "./support/session-requests.js";

const NAME = "authjs.session-token";
const NEW_SECRET = "signout-spec-new-secret-0123456789abcd";

/** The Cookie header after a response's Set-Cookie lines, as a browser keeps it. */
const after = (cookie: string, res: Response) =>
  applySetCookies(
    cookie,
    res.headers.getSetCookie().map((l) => parseSetCookie(l)),
  );

describe.each(EXPRESS_MAJORS)("POST /auth/signout on Express %i", (major) => {
  const emu = useEmulator();
  const signedOut: Array<KakaoUser | undefined> = [];
  let bare: Listening;
  let parsed: Listening;
  let bareApp: ReturnType<typeof buildApp>;
  let userSeq = 0;
  const newUserId = () => `530000${major}${String(++userSeq).padStart(3, "0")}`;

  beforeAll(async () => {
    const options = { onSignOut: ({ user }: { user: KakaoUser | undefined }) => void signedOut.push(user) };
    bareApp = buildApp({ express: major, emulator: emu.get(), options });
    bare = await listen(bareApp);
    // The app with body parsers mounted before kakaoAuth(): the sign-out route sees req.body already parsed.
    const create = (major === 4 ? express4 : express5) as unknown as typeof express5;
    const outer = create();
    outer.use(create.urlencoded({ extended: false }), create.json());
    outer.use(buildApp({ express: major, emulator: emu.get(), options }));
    parsed = await listen(outer);
  });
  afterAll(async () => {
    await Promise.all([bare?.close(), parsed?.close()]);
  });
  afterEach(() => {
    expect(serverErrors).toEqual([]);
  });

  /** A signed-in browser on `app` (any app sharing the secret reads the cookie). */
  const signedIn = async () => {
    const id = newUserId();
    return { id, cookie: await signInAs(bareApp, id) };
  };

  it("GET /auth/csrf answers the Auth.js csrfToken and sets the CSRF cookie", async () => {
    const res = await fetch(`${bare.url}/auth/csrf`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ csrfToken: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
    expect(setCookieNamed(res, "authjs.csrf-token")).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
  });

  it("signs out with the csrfToken in a form body when no body parser is mounted", async () => {
    const { cookie } = await signedIn();
    const csrf = await fetchCsrf(bare.url, cookie);
    const res = await postForm(`${bare.url}/auth/signout`, { csrfToken: csrf.csrfToken }, { cookie: csrf.cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ signedOut: true, url: "/" });
    expect((await whoamiWith(bare.url, after(csrf.cookie, res))).user).toBeNull();
  });

  it("signs out with the csrfToken when express.urlencoded is mounted before kakaoAuth()", async () => {
    const { cookie } = await signedIn();
    const csrf = await fetchCsrf(parsed.url, cookie);
    const res = await postForm(`${parsed.url}/auth/signout`, { csrfToken: csrf.csrfToken }, { cookie: csrf.cookie });
    expect(res.status).toBe(200);
    expect((await whoamiWith(parsed.url, after(csrf.cookie, res))).user).toBeNull();
  });

  it("signs out with the csrfToken in a JSON body, with or without express.json", async () => {
    for (const app of [bare, parsed]) {
      const { cookie } = await signedIn();
      const csrf = await fetchCsrf(app.url, cookie);
      const res = await postForm(
        `${app.url}/auth/signout`,
        { csrfToken: csrf.csrfToken },
        { cookie: csrf.cookie, json: true },
      );
      expect(res.status, app.url).toBe(200);
    }
  });

  it("signs out with the csrfToken while secrets rotate, including a CSRF cookie issued before the rotation", async () => {
    const rotated = await listen(
      buildApp({ express: major, emulator: emu.get(), options: { secret: [NEW_SECRET, SECRET] } }),
    );
    try {
      for (const issuer of [rotated, bare]) {
        const { cookie } = await signedIn();
        const csrf = await fetchCsrf(issuer.url, cookie);
        const res = await postForm(
          `${rotated.url}/auth/signout`,
          { csrfToken: csrf.csrfToken },
          { cookie: csrf.cookie },
        );
        expect(res.status, `CSRF cookie from ${issuer === bare ? "before" : "after"} the rotation`).toBe(200);
      }
    } finally {
      await rotated.close();
    }
  });

  it("clears the session cookie on sign-out (empty value, Max-Age=0, Path=/)", async () => {
    const { cookie } = await signedIn();
    const csrf = await fetchCsrf(bare.url, cookie);
    const res = await postForm(`${bare.url}/auth/signout`, { csrfToken: csrf.csrfToken }, { cookie: csrf.cookie });
    expect(setCookieNamed(res, NAME)).toMatchObject({ value: "", maxAge: 0, path: "/", httpOnly: true });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("signs out a same-origin request without a csrfToken", async () => {
    const { cookie } = await signedIn();
    const res = await postForm(`${bare.url}/auth/signout`, {}, { cookie, headers: { origin: bare.url } });
    expect(res.status).toBe(200);
    expect((await whoamiWith(bare.url, after(cookie, res))).user).toBeNull();
  });

  it("redirects an HTML sign-out with 303 to a same-origin callbackUrl", async () => {
    const { cookie } = await signedIn();
    const res = await postForm(
      `${bare.url}/auth/signout`,
      { callbackUrl: "/bye?x=1" },
      { cookie, headers: { origin: bare.url, accept: "text/html" } },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/bye?x=1");
  });

  it("ignores a callbackUrl on another origin and returns to /", async () => {
    const { cookie } = await signedIn();
    const res = await postForm(
      `${bare.url}/auth/signout`,
      { callbackUrl: "https://evil.example/" },
      { cookie, headers: { origin: bare.url, accept: "text/html" } },
    );
    expect(res.headers.get("location")).toBe("/");
  });

  it("with kakaoLogout=true also logs the token out at Kakao", async () => {
    const { cookie } = await signedIn();
    const before = emu.get().requestsTo("/v1/user/logout").length;
    const res = await postForm(
      `${bare.url}/auth/signout`,
      { kakaoLogout: "true" },
      { cookie, headers: { origin: bare.url } },
    );
    expect(res.status).toBe(200);
    expect(emu.get().requestsTo("/v1/user/logout")).toHaveLength(before + 1);
  });

  it("without kakaoLogout leaves the Kakao token alone", async () => {
    const { cookie } = await signedIn();
    const before = emu.get().requestsTo("/v1/user/logout").length;
    await postForm(`${bare.url}/auth/signout`, {}, { cookie, headers: { origin: bare.url } });
    expect(emu.get().requestsTo("/v1/user/logout")).toHaveLength(before);
  });

  it("clears the session even when the same request renewed it first", async () => {
    const renewing = await listen(
      buildApp({ express: major, emulator: emu.get(), options: { session: { updateAge: 0 } } }),
    );
    try {
      const { cookie } = await signedIn();
      const res = await postForm(`${renewing.url}/auth/signout`, {}, { cookie, headers: { origin: renewing.url } });
      expect(res.status).toBe(200);
      expect((await whoamiWith(renewing.url, after(cookie, res))).user).toBeNull();
    } finally {
      await renewing.close();
    }
  });

  it("calls onSignOut with the user who signed out", async () => {
    const { id, cookie } = await signedIn();
    signedOut.length = 0;
    await postForm(`${bare.url}/auth/signout`, {}, { cookie, headers: { origin: bare.url } });
    expect(signedOut.map((u) => u?.id)).toEqual([id]);
  });

  it("SES-13: refuses a sign-out without a csrfToken from a cross-site Origin with 403 and keeps the session", async () => {
    const { id, cookie } = await signedIn();
    const res = await postForm(`${bare.url}/auth/signout`, {}, { cookie, headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "csrf" });
    expect(setCookieNamed(res, NAME)).toBeUndefined();
    expect((await whoamiWith(bare.url, after(cookie, res))).user?.id).toBe(id);
  });

  it("SES-13: refuses a sign-out with neither a csrfToken nor an Origin header", async () => {
    const { id, cookie } = await signedIn();
    const res = await postForm(`${bare.url}/auth/signout`, {}, { cookie });
    expect(res.status).toBe(403);
    expect((await whoamiWith(bare.url, cookie)).user?.id).toBe(id);
  });

  it("SES-13: refuses a csrfToken that does not match this browser's CSRF cookie", async () => {
    const { id, cookie } = await signedIn();
    const mine = await fetchCsrf(bare.url, cookie);
    const theirs = await fetchCsrf(bare.url);
    const res = await postForm(
      `${bare.url}/auth/signout`,
      { csrfToken: theirs.csrfToken },
      { cookie: mine.cookie, headers: { origin: "https://evil.example" } },
    );
    expect(res.status).toBe(403);
    expect((await whoamiWith(bare.url, cookie)).user?.id).toBe(id);
  });

  it("SES-13: refuses a csrfToken sent without the CSRF cookie", async () => {
    const { cookie } = await signedIn();
    const { csrfToken } = await fetchCsrf(bare.url);
    const res = await postForm(`${bare.url}/auth/signout`, { csrfToken }, { cookie });
    expect(res.status).toBe(403);
  });

  it("SES-13: refuses a CSRF cookie forged without the secret", async () => {
    const { cookie } = await signedIn();
    const token = "a".repeat(64);
    const forged = `${cookie}; authjs.csrf-token=${token}|${"0".repeat(64)}`;
    const res = await postForm(`${bare.url}/auth/signout`, { csrfToken: token }, { cookie: forged });
    expect(res.status).toBe(403);
  });

  it("SES-13: does not take a csrfToken from the query string", async () => {
    const { cookie } = await signedIn();
    const csrf = await fetchCsrf(bare.url, cookie);
    const res = await postForm(`${bare.url}/auth/signout?csrfToken=${csrf.csrfToken}`, {}, { cookie: csrf.cookie });
    expect(res.status).toBe(403);
  });

  it("SES-13: refuses an Origin of null", async () => {
    const { cookie } = await signedIn();
    const res = await postForm(`${bare.url}/auth/signout`, {}, { cookie, headers: { origin: "null" } });
    expect(res.status).toBe(403);
  });

  it.each(["GET", "HEAD", "PUT", "DELETE"])(
    "answers %s /auth/signout with 405 and Allow: POST, keeping the session",
    async (method) => {
      const { id, cookie } = await signedIn();
      const res = await fetch(`${bare.url}/auth/signout`, { method, headers: { cookie, origin: bare.url } });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      expect(setCookieNamed(res, NAME)).toBeUndefined();
      expect((await whoamiWith(bare.url, cookie)).user?.id).toBe(id);
    },
  );

  it("a signed-out browser is anonymous on /whoami and redirected by guards again", async () => {
    const { cookie } = await signedIn();
    const res = await postForm(`${bare.url}/auth/signout`, {}, { cookie, headers: { origin: bare.url } });
    const jar = after(cookie, res);
    expect(await whoamiWith(bare.url, jar)).toMatchObject({ status: 200, user: null });
    const me = await fetch(`${bare.url}/me`, { headers: { cookie: jar, accept: "text/html" }, redirect: "manual" });
    expect(me.status).toBe(302);
  });
});

describe.each(EXPRESS_MAJORS)("GET /auth/session on Express %i", (major) => {
  const emu = useEmulator();
  let app: Listening;
  let built: ReturnType<typeof buildApp>;

  beforeAll(async () => {
    built = buildApp({ express: major, emulator: emu.get() });
    app = await listen(built);
  });
  afterAll(async () => app?.close());

  it("answers null for an anonymous browser, not cached", async () => {
    const res = await fetch(`${app.url}/auth/session`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toBeNull();
  });

  it("answers the Auth.js session shape plus kakaoUser for a signed-in browser", async () => {
    const id = `5310000${major}01`;
    const cookie = await signInAs(built, {
      id,
      nickname: "세션",
      email: "s@example.com",
      profileImage: "http://img.example/p.png",
    });
    const res = await fetch(`${app.url}/auth/session`, { headers: { cookie } });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      // The provider asks Kakao for secure_resource=true, so images come back as https.
      user: { name: "세션", email: "s@example.com", image: "https://img.example/p.png" },
      kakaoUser: { id, nickname: "세션", email: "s@example.com", emailVerified: true },
    });
    expect(new Date(body.expires as string).getTime()).toBeGreaterThan(Date.now());
  });

  it("never puts Kakao tokens in the session JSON", async () => {
    const id = `5310000${major}02`;
    const cookie = await signInAs(built, id);
    const text = await (await fetch(`${app.url}/auth/session`, { headers: { cookie } })).text();
    const { accessTokens, refreshTokens } = emu.get().tokensOf(id);
    for (const token of [...accessTokens, ...refreshTokens]) expect(text).not.toContain(token);
    expect(text).not.toMatch(/accessToken|refreshToken|access_token/);
  });

  it("answers null for a tampered cookie", async () => {
    const res = await fetch(`${app.url}/auth/session`, { headers: { cookie: `${NAME}=x.y.z` } });
    expect(await res.json()).toBeNull();
  });
});

describe("Kakao Account logout", () => {
  const emu = useEmulator();
  let app: Listening;

  beforeAll(async () => {
    app = await listen(buildApp({ emulator: emu.get() }));
  });
  afterAll(async () => app.close());

  it("sends the browser through Kakao's /oauth/logout and back to returnTo, signed out", async () => {
    const cookie = await signInAs(app.server.listeners("request")[0] as never, { id: "8100000001" });
    const out = await fetch(`${app.url}/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: app.url, accept: "text/html", "content-type": "application/x-www-form-urlencoded" },
      body: "kakaoAccountLogout=true&callbackUrl=%2Fbye",
    });
    expect(out.status).toBe(303);
    const kakao = new URL(out.headers.get("location")!);
    expect(`${kakao.origin}${kakao.pathname}`).toBe(`${emu.get().url}/oauth/logout`);
    expect(kakao.searchParams.get("logout_redirect_uri")).toBe(`${app.url}/auth/signout/kakao`);
    expect(out.headers.getSetCookie().some((c) => /^authjs\.session-token=;/.test(c))).toBe(true);
    const back = await fetch(kakao, { redirect: "manual" });
    expect(back.status).toBe(302);
    const landing = await fetch(back.headers.get("location")!, { redirect: "manual" });
    expect(landing.status).toBe(302);
    expect(landing.headers.get("location")).toBe("/bye");
  });

  it("ignores an off-site state on the way back from Kakao", async () => {
    const res = await fetch(`${app.url}/auth/signout/kakao?state=${encodeURIComponent("https://evil.example/")}`, {
      redirect: "manual",
    });
    expect(res.headers.get("location")).toBe("/");
  });
});
