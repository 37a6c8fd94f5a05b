import { describe, expect, it } from "vitest";
import { revokeKakaoUser } from "../../lib/index.js";
import { EXPRESS_MAJORS } from "../support/app.js";
import {
  bearerHeader,
  guardedWithBearer,
  signInWithSdk,
  whoamiWithBearer,
  type SdkSession,
  withOneCharChanged,
} from "../support/bearer-requests.js";
import { fetchCsrf, postForm } from "../support/csrf.js";
import { useEmulator } from "../support/emulator.js";
import { freezeDate, restoreRealDateAfterEach } from "../support/frozen-date.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { SESSION_COOKIE_NAME, setsSessionCookie } from "../support/security.js";
import { whoamiWith } from "../support/session-requests.js";
import { newKakaoUser } from "../support/sign-in-user.js";
import { SESSION_TOKEN_HEADER, tokenExchangeOptions, useAppWith } from "../support/token-exchange.js";

/** Idle timeout and renewal interval of the bearer app, in seconds (short, so the clock can pass them). */
const MAX_AGE = 3600;
const UPDATE_AGE = 600;
const OTHER_SECRET = "another-secret-0123456789-abcdefghijklmnop";

describe.each(EXPRESS_MAJORS)("Authorization: Bearer session tokens on Express %i", (major) => {
  const emu = useEmulator();
  const app = useAppWith(emu.get, (e) => ({
    express: major,
    options: tokenExchangeOptions(e, { session: { bearer: true, maxAge: MAX_AGE, updateAge: UPDATE_AGE } }),
  }));
  /** The same app with another AUTH_SECRET: its tokens are forgeries to the first. */
  const otherApp = useAppWith(emu.get, (e) => ({
    express: major,
    options: tokenExchangeOptions(e, { secret: OTHER_SECRET, session: { bearer: true } }),
  }));
  expectNoServerErrorsAfterEach();
  restoreRealDateAfterEach();

  /** A new Kakao user signed in through the SDK token exchange. */
  async function sdkSession(): Promise<SdkSession> {
    return signInWithSdk(app.url, emu.get(), newKakaoUser(emu.get()).id);
  }

  describe("reading the token", () => {
    it("signs a request with a valid session token in: /whoami sees req.kakaoUser", async () => {
      const { userId, sessionToken } = await sdkSession();
      const answer = await whoamiWithBearer(app.url, `Bearer ${sessionToken}`);
      expect(answer.status).toBe(200);
      expect(answer.user?.id).toBe(userId);
    });

    it("accepts the scheme name in any case (RFC 7235 §2.1: bearer, BEARER)", async () => {
      const { userId, sessionToken } = await sdkSession();
      expect((await whoamiWithBearer(app.url, `bearer ${sessionToken}`)).user?.id).toBe(userId);
      expect((await whoamiWithBearer(app.url, `BEARER ${sessionToken}`)).user?.id).toBe(userId);
    });

    it("sets no session cookie on a request signed in by a bearer token", async () => {
      const { sessionToken } = await sdkSession();
      const { res } = await whoamiWithBearer(app.url, `Bearer ${sessionToken}`);
      expect(setsSessionCookie(res)).toBe(false);
    });

    it("treats a garbage bearer token as anonymous, without an error", async () => {
      const answer = await whoamiWithBearer(app.url, "Bearer not-a-session-token");
      expect(answer.status).toBe(200);
      expect(answer.user).toBeNull();
    });

    it("treats a bearer header with characters outside the token alphabet as anonymous", async () => {
      const { sessionToken } = await sdkSession();
      const answer = await whoamiWithBearer(app.url, `Bearer ${sessionToken}"; admin=true`);
      expect(answer.status).toBe(200);
      expect(answer.user).toBeNull();
    });

    it("treats a session token with one character changed (tampered) as anonymous", async () => {
      const { sessionToken } = await sdkSession();
      const answer = await whoamiWithBearer(app.url, `Bearer ${withOneCharChanged(sessionToken)}`);
      expect(answer.status).toBe(200);
      expect(answer.user).toBeNull();
    });

    it("treats a session token encrypted with another AUTH_SECRET (forged) as anonymous", async () => {
      const forged = await signInWithSdk(otherApp.url, emu.get(), newKakaoUser(emu.get()).id);
      expect((await whoamiWithBearer(otherApp.url, `Bearer ${forged.sessionToken}`)).user?.id).toBe(forged.userId);
      const answer = await whoamiWithBearer(app.url, `Bearer ${forged.sessionToken}`);
      expect(answer.status).toBe(200);
      expect(answer.user).toBeNull();
    });

    it("sees the bearer token's user, not the cookie's, when a request carries both", async () => {
      const cookieUser = await sdkSession();
      const bearerUser = await sdkSession();
      const answer = await whoamiWithBearer(app.url, `Bearer ${bearerUser.sessionToken}`, {
        cookie: cookieUser.jar.header(),
      });
      expect(answer.user?.id).toBe(bearerUser.userId);
    });

    it("does not fall back to the cookie's session when the bearer token beside it is refused", async () => {
      const { jar } = await sdkSession();
      const answer = await whoamiWithBearer(app.url, "Bearer not-a-session-token", { cookie: jar.header() });
      expect(answer.status).toBe(200);
      expect(answer.user).toBeNull();
    });

    it("treats the value of a session cookie sent as a bearer token as anonymous (a different key)", async () => {
      const { jar } = await sdkSession();
      const cookieValue = jar.get(SESSION_COOKIE_NAME);
      expect(cookieValue, "the exchange set a session cookie").toBeDefined();
      const answer = await whoamiWithBearer(app.url, `Bearer ${cookieValue}`);
      expect(answer.status).toBe(200);
      expect(answer.user).toBeNull();
    });

    it("treats a session token sent as the session cookie as anonymous (a different key)", async () => {
      const { sessionToken } = await sdkSession();
      const answer = await whoamiWith(app.url, `${SESSION_COOKIE_NAME}=${sessionToken}`);
      expect(answer.status).toBe(200);
      expect(answer.user).toBeNull();
    });
  });

  describe("expiry and renewal", () => {
    it("keeps a session token signed in just before its idle timeout (control)", async () => {
      const clock = freezeDate();
      const { userId, sessionToken } = await sdkSession();
      clock.advance(MAX_AGE - 5);
      expect((await whoamiWithBearer(app.url, `Bearer ${sessionToken}`)).user?.id).toBe(userId);
    });

    it("treats a session token idle past maxAge (expired) as anonymous", async () => {
      const clock = freezeDate();
      const { sessionToken } = await sdkSession();
      clock.advance(MAX_AGE + 1);
      const answer = await whoamiWithBearer(app.url, `Bearer ${sessionToken}`);
      expect(answer.status).toBe(200);
      expect(answer.user).toBeNull();
    });

    it("answers the guarded /me 401 to a session token idle past maxAge", async () => {
      const clock = freezeDate();
      const { sessionToken } = await sdkSession();
      clock.advance(MAX_AGE + 1);
      expect((await guardedWithBearer(app.url, sessionToken)).status).toBe(401);
    });

    it("sends no Kakao-Session-Token header before updateAge has passed", async () => {
      const clock = freezeDate();
      const { sessionToken } = await sdkSession();
      clock.advance(UPDATE_AGE - 60);
      const { res } = await whoamiWithBearer(app.url, `Bearer ${sessionToken}`);
      expect(res.headers.get(SESSION_TOKEN_HEADER)).toBeNull();
    });

    it("renews a session token past updateAge in the Kakao-Session-Token header, not in a cookie", async () => {
      const clock = freezeDate();
      const { userId, sessionToken } = await sdkSession();
      clock.advance(UPDATE_AGE + 1);
      const { res, user } = await whoamiWithBearer(app.url, `Bearer ${sessionToken}`);
      expect(user?.id).toBe(userId);
      const renewed = res.headers.get(SESSION_TOKEN_HEADER);
      expect(renewed).toMatch(/^[A-Za-z0-9._-]{40,}$/);
      expect(renewed).not.toBe(sessionToken);
      expect(setsSessionCookie(res)).toBe(false);
    });

    it("keeps the renewed token signed in after the original one's idle timeout has passed", async () => {
      const clock = freezeDate();
      const { userId, sessionToken } = await sdkSession();
      clock.advance(UPDATE_AGE + 1);
      const renewed = (await whoamiWithBearer(app.url, `Bearer ${sessionToken}`)).res.headers.get(SESSION_TOKEN_HEADER);
      clock.advance(MAX_AGE - UPDATE_AGE);
      expect((await whoamiWithBearer(app.url, `Bearer ${sessionToken}`)).user, "the original expired").toBeNull();
      expect((await whoamiWithBearer(app.url, `Bearer ${renewed}`)).user?.id).toBe(userId);
    });
  });

  describe("guards", () => {
    it("answers a page request (Accept: text/html) with a refused bearer token 401 JSON, not a redirect", async () => {
      const res = await guardedWithBearer(app.url, "not-a-session-token", "text/html,application/xhtml+xml,*/*;q=0.8");
      expect(res.status).toBe(401);
      expect(res.headers.get("location")).toBeNull();
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await res.json()).toMatchObject({ error: expect.any(String) as unknown });
    });

    it("lets a page request (Accept: text/html) with a valid bearer token through to the handler", async () => {
      const { userId, sessionToken } = await sdkSession();
      const res = await guardedWithBearer(app.url, sessionToken, "text/html,application/xhtml+xml,*/*;q=0.8");
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(userId);
    });
  });

  describe("ending the session", () => {
    /** `POST /auth/signout` carrying the bearer token, with extra headers, form fields and Cookie. */
    function signOutWithBearer(
      sessionToken: string,
      { origin, cookie, fields = {} }: { origin?: string; cookie?: string; fields?: Record<string, string> } = {},
    ): Promise<Response> {
      return postForm(`${app.url}/auth/signout`, fields, {
        ...(cookie ? { cookie } : {}),
        headers: { ...bearerHeader(sessionToken), ...(origin ? { origin } : {}) },
      });
    }

    it("refuses the token on the guarded /me with 401 after sign-out with it (same-origin Origin)", async () => {
      const { sessionToken } = await sdkSession();
      const signOut = await signOutWithBearer(sessionToken, { origin: app.url });
      expect(signOut.status).toBe(200);
      expect((await guardedWithBearer(app.url, sessionToken)).status).toBe(401);
    });

    it("refuses the token after sign-out with it and a CSRF token (no Origin header)", async () => {
      const { sessionToken } = await sdkSession();
      const { csrfToken, cookie } = await fetchCsrf(app.url);
      const signOut = await signOutWithBearer(sessionToken, { cookie, fields: { csrfToken } });
      expect(signOut.status).toBe(200);
      expect((await guardedWithBearer(app.url, sessionToken)).status).toBe(401);
    });

    it("accepts a sign-out carrying only the bearer token (a native app: no Origin, no CSRF) and refuses the token after", async () => {
      const { sessionToken } = await sdkSession();
      const signOut = await signOutWithBearer(sessionToken);
      expect(signOut.status).toBe(200);
      expect((await guardedWithBearer(app.url, sessionToken)).status).toBe(401);
    });

    it("accepts a bearer sign-out whatever its Origin (no other site can make a browser attach the token)", async () => {
      const { sessionToken } = await sdkSession();
      const signOut = await signOutWithBearer(sessionToken, { origin: "http://evil.example" });
      expect(signOut.status).toBe(200);
      expect((await guardedWithBearer(app.url, sessionToken)).status).toBe(401);
    });

    it("still refuses a cross-site cookie sign-out without a CSRF token with 403 (SES-13) and keeps the session", async () => {
      const { userId, jar } = await sdkSession();
      const signOut = await postForm(
        `${app.url}/auth/signout`,
        {},
        {
          cookie: jar.header(),
          headers: { origin: "http://evil.example" },
        },
      );
      expect(signOut.status).toBe(403);
      expect((await whoamiWith(app.url, jar.header())).user?.id).toBe(userId);
    });

    it("keeps the cookie session when a cross-site sign-out adds a refused bearer header to skip the CSRF check", async () => {
      const { userId, jar } = await sdkSession();
      const signOut = await postForm(
        `${app.url}/auth/signout`,
        {},
        {
          cookie: jar.header(),
          headers: { origin: "http://evil.example", ...bearerHeader("not-a-session-token") },
        },
      );
      jar.take(signOut);
      expect((await whoamiWith(app.url, jar.header())).user?.id).toBe(userId);
    });

    it("also ends the cookie session the same exchange set when signing out with the bearer token", async () => {
      const { sessionToken, jar } = await sdkSession();
      await signOutWithBearer(sessionToken, { origin: app.url });
      expect((await whoamiWith(app.url, jar.header())).user).toBeNull();
    });

    it("leaves the user's other bearer session signed in when one signs out", async () => {
      const { userId, sessionToken } = await sdkSession();
      const other = await signInWithSdk(app.url, emu.get(), userId);
      await signOutWithBearer(sessionToken, { origin: app.url });
      expect((await whoamiWithBearer(app.url, `Bearer ${other.sessionToken}`)).user?.id).toBe(userId);
    });

    it("refuses the bearer token of a user revoked with revokeKakaoUser(id)", async () => {
      const { userId, sessionToken } = await sdkSession();
      await revokeKakaoUser(userId);
      expect((await whoamiWithBearer(app.url, `Bearer ${sessionToken}`)).user).toBeNull();
      expect((await guardedWithBearer(app.url, sessionToken)).status).toBe(401);
    });
  });
});

describe.each(EXPRESS_MAJORS)("Authorization: Bearer with session.bearer off on Express %i", (major) => {
  const emu = useEmulator();
  const app = useAppWith(emu.get, (e) => ({ express: major, options: tokenExchangeOptions(e) }));
  expectNoServerErrorsAfterEach();

  it("ignores the header: a session token from the exchange leaves the request anonymous", async () => {
    const { sessionToken, jar, userId } = await signInWithSdk(app.url, emu.get(), newKakaoUser(emu.get()).id);
    expect((await whoamiWith(app.url, jar.header())).user?.id, "the exchange itself worked").toBe(userId);
    const answer = await whoamiWithBearer(app.url, `Bearer ${sessionToken}`);
    expect(answer.status).toBe(200);
    expect(answer.user).toBeNull();
  });

  it("answers the guarded /me 401 to an API request carrying only the session token", async () => {
    const { sessionToken } = await signInWithSdk(app.url, emu.get(), newKakaoUser(emu.get()).id);
    expect((await guardedWithBearer(app.url, sessionToken)).status).toBe(401);
  });
});
