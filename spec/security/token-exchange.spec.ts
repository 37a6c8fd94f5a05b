import { decodeJwt } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { EXPRESS_MAJORS } from "../support/app.js";
import { bearerHeader } from "../support/bearer-requests.js";
import { CookieJar } from "../support/cookie-jar.js";
import { useEmulator } from "../support/emulator.js";
import { withFlippedSignature } from "../support/id-tokens.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { rawRequest } from "../support/raw-http.js";
import { secretsOf, setsSessionCookie, useApp } from "../support/security.js";
import { inBatches } from "../support/session-requests.js";
import {
  expectExchanged,
  expectRefused,
  headerText,
  newNonce,
  postExchange,
  postExchangeRaw,
  reSigned,
  TOKEN_EXCHANGE_PATH,
  tokenExchangeOptions,
  tokenInfoCalls,
  useAppWith,
} from "../support/token-exchange.js";

/** A user whose id exceeds 2^53 (security-tests TOK-09): the session must keep it exactly. */
const ALICE = { id: "1376016924429759228", nickname: "앨리스", email: "alice@example.com" };
const BOB = { id: "4000000102", nickname: "밥" };
const USERS = [ALICE, BOB];

const INVALID = { status: 401, error: "invalid_token" };

describe.each(EXPRESS_MAJORS)("POST /auth/token/kakao on Express %i", (major) => {
  const emu = useEmulator({ users: USERS });
  const app = useAppWith(emu.get, (e) => ({
    express: major,
    options: tokenExchangeOptions(e, { session: { bearer: true } }),
  }));
  expectNoServerErrorsAfterEach();

  /** Everything a refusal must not show: the app's secrets and the tokens presented. */
  const leaks = (...tokens: (string | undefined)[]): string[] => [
    ...secretsOf(emu.get()),
    ...tokens.filter((t): t is string => !!t),
  ];

  afterEach(() => {
    emu.get().clock.set(Date.now());
  });

  describe("genuine SDK tokens", () => {
    it("exchanges a native SDK id_token with its nonce for 200 with the user's exact id, a session token and its expiry", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { app: "native", nonce });
      const res = await postExchange(app.url, { id_token: idToken!, nonce });
      const body = await expectExchanged(res);
      expect(body.user.id).toBe(ALICE.id);
      expect(body.sessionToken).toMatch(/^[A-Za-z0-9._-]{40,}$/);
      expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    });

    it("exchanges a JavaScript SDK id_token (aud = the JavaScript key) for 200", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { app: "javascript", nonce });
      const body = await expectExchanged(await postExchange(app.url, { id_token: idToken!, nonce }));
      expect(body.user.id).toBe(ALICE.id);
    });

    it("signs the caller in with the session cookie it sets, on the guarded /me", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      const res = await postExchange(app.url, { id_token: idToken!, nonce });
      expect(setsSessionCookie(res)).toBe(true);
      const jar = new CookieJar().take(res);
      const me = await fetch(`${app.url}/me`, { headers: { cookie: jar.header(), accept: "application/json" } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { id: string }).id).toBe(ALICE.id);
    });

    it("hands out a sessionToken that signs the caller in as a bearer token on the guarded /me", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      const { sessionToken } = await expectExchanged(await postExchange(app.url, { id_token: idToken!, nonce }));
      const me = await fetch(`${app.url}/me`, {
        headers: { accept: "application/json", ...bearerHeader(sessionToken) },
      });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { id: string }).id).toBe(ALICE.id);
    });

    it("exchanges a live access token of this app for 200 with the user", async () => {
      const { accessToken } = await emu.get().sdkLogin(ALICE.id, { app: "native" });
      const body = await expectExchanged(await postExchange(app.url, { access_token: accessToken }));
      expect(body.user.id).toBe(ALICE.id);
      expect(body.user.nickname).toBe(ALICE.nickname);
    });

    it("exchanges an access token sent as an urlencoded form", async () => {
      const { accessToken } = await emu.get().sdkLogin(ALICE.id, { app: "javascript" });
      const body = await expectExchanged(await postExchange(app.url, { access_token: accessToken }, { form: true }));
      expect(body.user.id).toBe(ALICE.id);
    });

    it("exchanges an id_token and the access token of the same login together", async () => {
      const nonce = newNonce();
      const { idToken, accessToken } = await emu.get().sdkLogin(BOB.id, { nonce });
      const body = await expectExchanged(
        await postExchange(app.url, { id_token: idToken!, nonce, access_token: accessToken }),
      );
      expect(body.user.id).toBe(BOB.id);
    });

    it("accepts a request whose Origin is the app's own", async () => {
      const { accessToken } = await emu.get().sdkLogin(ALICE.id);
      await expectExchanged(await postExchange(app.url, { access_token: accessToken }, { origin: app.url }));
    });

    it("answers a success with Cache-Control: no-store and without the Kakao tokens or a secret", async () => {
      const nonce = newNonce();
      const { idToken, accessToken, refreshToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      const res = await postExchange(app.url, { id_token: idToken!, nonce, access_token: accessToken });
      expect(res.headers.get("cache-control")).toContain("no-store");
      const text = await res.clone().text();
      const headers = headerText(res);
      for (const leak of [...secretsOf(emu.get()), idToken!, accessToken, refreshToken]) {
        expect(text).not.toContain(leak);
        expect(headers).not.toContain(leak);
      }
      await expectExchanged(res);
    });

    it("accepts the genuine claims re-signed with the emulator's current key (control for the forgeries below)", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      const resigned = await reSigned(emu.get(), idToken!, {});
      await expectExchanged(await postExchange(app.url, { id_token: resigned, nonce }));
    });
  });

  describe("tokens of another app (token substitution)", () => {
    it("refuses an access token issued to another app (token substitution) with 401 and no session", async () => {
      const { accessToken } = await emu.get().sdkLogin(ALICE.id, { app: "other-native" });
      const res = await postExchange(app.url, { access_token: accessToken });
      await expectRefused(res, INVALID, leaks(accessToken));
    });

    it("refuses an id_token whose aud is another app's native key (audience substitution) with 401 and no session", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { app: "other-native", nonce });
      expect(decodeJwt(idToken!).aud).toBe(emu.get().otherApp.nativeAppKey);
      await expectRefused(await postExchange(app.url, { id_token: idToken!, nonce }), INVALID, leaks(idToken));
    });

    it("refuses an id_token whose aud is another app's JavaScript key (audience substitution) with 401", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { app: "other-javascript", nonce });
      await expectRefused(await postExchange(app.url, { id_token: idToken!, nonce }), INVALID, leaks(idToken));
    });
  });

  describe("forged and stale id_tokens", () => {
    it("refuses an expired id_token (exp in the past) with 401 and no session", async () => {
      const nonce = newNonce();
      const past = Math.floor(Date.now() / 1000) - 3600;
      const { idToken } = await emu.get().sdkLogin(ALICE.id, {
        nonce,
        idTokenOverrides: { exp: past, iat: past - 3600, auth_time: past - 3600 },
      });
      await expectRefused(await postExchange(app.url, { id_token: idToken!, nonce }), INVALID, leaks(idToken));
    });

    it("refuses a tampered id_token (one signature character flipped) with 401 and no session", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      const tampered = withFlippedSignature(idToken!);
      await expectRefused(await postExchange(app.url, { id_token: tampered, nonce }), INVALID, leaks(tampered));
    });

    it("refuses an id_token whose payload was changed to another user (tampering) with 401", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(BOB.id, { nonce });
      const [header, , signature] = idToken!.split(".");
      const payload = Buffer.from(JSON.stringify({ ...decodeJwt(idToken!), sub: ALICE.id })).toString("base64url");
      const forged = `${header}.${payload}.${signature}`;
      await expectRefused(await postExchange(app.url, { id_token: forged, nonce }), INVALID, leaks(forged));
    });

    it("refuses an unsigned id_token (alg none) with 401 and no session", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      const unsigned = await reSigned(emu.get(), idToken!, { alg: "none" });
      await expectRefused(await postExchange(app.url, { id_token: unsigned, nonce }), INVALID, leaks(unsigned));
    });

    it("refuses an id_token HS256-signed with Kakao's public key (algorithm confusion) with 401", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      const confused = await reSigned(emu.get(), idToken!, { alg: "HS256" });
      await expectRefused(await postExchange(app.url, { id_token: confused, nonce }), INVALID, leaks(confused));
    });

    it("refuses an id_token signed with a key outside Kakao's JWKS (foreign key) with 401", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      const foreign = await reSigned(emu.get(), idToken!, { key: "unknown" });
      await expectRefused(await postExchange(app.url, { id_token: foreign, nonce }), INVALID, leaks(foreign));
    });

    it("refuses an id_token from another issuer (wrong iss) with 401 and no session", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, {
        nonce,
        idTokenOverrides: { iss: "https://evil.example" },
      });
      await expectRefused(await postExchange(app.url, { id_token: idToken!, nonce }), INVALID, leaks(idToken));
    });

    it("refuses an id_token whose nonce differs from the nonce sent (nonce mismatch) with 401", async () => {
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce: newNonce() });
      const res = await postExchange(app.url, { id_token: idToken!, nonce: newNonce() });
      await expectRefused(res, INVALID, leaks(idToken));
    });

    it("refuses the second exchange of one id_token with its nonce (replay) with 401 and no session", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      await expectExchanged(await postExchange(app.url, { id_token: idToken!, nonce }));
      await expectRefused(await postExchange(app.url, { id_token: idToken!, nonce }), INVALID, leaks(idToken));
    });

    it("refuses a replay of an already exchanged id_token that leaves its nonce out (replay by omission)", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      await expectExchanged(await postExchange(app.url, { id_token: idToken!, nonce }));
      await expectRefused(await postExchange(app.url, { id_token: idToken! }), INVALID, leaks(idToken));
    });

    it("refuses an id_token of one user sent with an access token of another (token mix-up) with 401", async () => {
      const nonce = newNonce();
      const { idToken } = await emu.get().sdkLogin(ALICE.id, { nonce });
      const { accessToken } = await emu.get().sdkLogin(BOB.id);
      const res = await postExchange(app.url, { id_token: idToken!, nonce, access_token: accessToken });
      await expectRefused(res, INVALID, leaks(idToken, accessToken));
    });
  });

  describe("dead access tokens", () => {
    it("refuses an access token that expired at Kakao (clock past expires_in) with 401 and no session", async () => {
      const { accessToken, expiresIn } = await emu.get().sdkLogin(ALICE.id);
      emu.get().clock.advance(expiresIn + 60);
      await expectRefused(await postExchange(app.url, { access_token: accessToken }), INVALID, leaks(accessToken));
    });

    it("refuses an access token logged out at Kakao right after it was exchanged (token-info answers cached)", async () => {
      const { accessToken } = await emu.get().sdkLogin(ALICE.id);
      await expectExchanged(await postExchange(app.url, { access_token: accessToken }));
      const logout = await fetch(`${emu.get().url}/v1/user/logout`, {
        method: "POST",
        headers: bearerHeader(accessToken),
      });
      expect(logout.status).toBe(200);
      await expectRefused(await postExchange(app.url, { access_token: accessToken }), INVALID, leaks(accessToken));
    });

    it("refuses an access token Kakao never issued (garbage) with 401 and no session", async () => {
      const garbage = `garbage-${crypto.randomUUID()}`;
      await expectRefused(await postExchange(app.url, { access_token: garbage }), INVALID, leaks(garbage));
    });
  });

  describe("malformed requests", () => {
    it("answers a body over 16 KB with 413 payload_too_large and no session", async () => {
      const res = await postExchange(app.url, { id_token: "a".repeat(17 * 1024) });
      await expectRefused(res, { status: 413, error: "payload_too_large" }, leaks());
    });

    it("reads a body just under 16 KB (its garbage token is refused with 401, not 413)", async () => {
      const res = await postExchange(app.url, { id_token: "a".repeat(15 * 1024) });
      await expectRefused(res, INVALID, leaks());
    });

    it("answers 413 once 17 KB of a declared 10 MB body have arrived, without reading the rest", async () => {
      const answer = await rawRequest(`${app.url}${TOKEN_EXCHANGE_PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"id_token":"${"a".repeat(17 * 1024)}`,
        declaredLength: 10 * 1024 * 1024,
        timeoutMs: 3_000,
      });
      expect(answer.status).toBe(413);
      expect(answer.headers["set-cookie"] ?? []).toEqual([]);
    });

    it("answers a text/plain body with 415 and no session", async () => {
      const { accessToken } = await emu.get().sdkLogin(ALICE.id);
      const res = await postExchangeRaw(app.url, JSON.stringify({ access_token: accessToken }), "text/plain");
      await expectRefused(res, { status: 415, error: "unsupported_media_type" }, leaks(accessToken));
    });

    it("answers an empty JSON body with 400 invalid_request", async () => {
      await expectRefused(
        await postExchangeRaw(app.url, "", "application/json"),
        { status: 400, error: "invalid_request" },
        leaks(),
      );
    });

    it("answers a JSON object without tokens with 400 invalid_request", async () => {
      await expectRefused(
        await postExchangeRaw(app.url, "{}", "application/json"),
        { status: 400, error: "invalid_request" },
        leaks(),
      );
    });

    it("answers malformed JSON with a clean 400 and no session", async () => {
      const res = await postExchangeRaw(app.url, '{"id_token": "abc', "application/json");
      expect(res.status).toBe(400);
      expect(setsSessionCookie(res)).toBe(false);
      const text = await res.text();
      expect(text).not.toMatch(/\n\s+at\s|node_modules|SyntaxError/);
      expect((JSON.parse(text) as { error?: unknown }).error).toEqual(expect.any(String));
    });

    it("answers a JSON body whose token is not a string with 400 and no session", async () => {
      const res = await postExchangeRaw(app.url, '{"access_token":{"$ne":null}}', "application/json");
      expect(res.status).toBe(400);
      expect(setsSessionCookie(res)).toBe(false);
    });

    it("answers GET with 405 and an Allow header naming POST", async () => {
      const res = await fetch(`${app.url}${TOKEN_EXCHANGE_PATH}`, { redirect: "manual" });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toMatch(/POST/);
      expect(setsSessionCookie(res)).toBe(false);
    });
  });

  describe("cross-site pages (login CSRF)", () => {
    it("refuses a genuine token sent with a cross-site Origin with 403 forbidden_origin and no session", async () => {
      const { accessToken } = await emu.get().sdkLogin(ALICE.id);
      const res = await postExchange(app.url, { access_token: accessToken }, { origin: "http://evil.example" });
      await expectRefused(res, { status: 403, error: "forbidden_origin" }, leaks(accessToken));
    });

    it("refuses a genuine token sent with Origin: null (sandboxed page) with 403 forbidden_origin", async () => {
      const { accessToken } = await emu.get().sdkLogin(ALICE.id);
      const res = await postExchange(app.url, { access_token: accessToken }, { origin: "null" });
      await expectRefused(res, { status: 403, error: "forbidden_origin" }, leaks(accessToken));
    });

    it("refuses a cross-site urlencoded form post (what a plain HTML form sends) with 403", async () => {
      const { accessToken } = await emu.get().sdkLogin(ALICE.id);
      const res = await postExchange(
        app.url,
        { access_token: accessToken },
        { form: true, origin: "https://evil.example" },
      );
      await expectRefused(res, { status: 403, error: "forbidden_origin" }, leaks(accessToken));
    });
  });

  describe("rate bound on Kakao's token-info API", () => {
    it("asks access_token_info at most twice for 20 exchanges of one access token (answers cached)", async () => {
      const { accessToken } = await emu.get().sdkLogin(BOB.id);
      const before = tokenInfoCalls(emu.get());
      const answers = await inBatches(
        20,
        5,
        async () => (await postExchange(app.url, { access_token: accessToken })).status,
      );
      expect(answers.every((s) => s === 200)).toBe(true);
      expect(tokenInfoCalls(emu.get()) - before).toBeLessThanOrEqual(2);
    });

    it("asks access_token_info at most twice for 20 refused exchanges of one other-app access token", async () => {
      const { accessToken } = await emu.get().sdkLogin(BOB.id, { app: "other-javascript" });
      const before = tokenInfoCalls(emu.get());
      const answers = await inBatches(
        20,
        5,
        async () => (await postExchange(app.url, { access_token: accessToken })).status,
      );
      expect(answers.every((s) => s === 401)).toBe(true);
      expect(tokenInfoCalls(emu.get()) - before).toBeLessThanOrEqual(2);
    });

    it("asks access_token_info at most twice for 20 refused exchanges of one garbage token", async () => {
      const garbage = `garbage-${crypto.randomUUID()}`;
      const before = tokenInfoCalls(emu.get());
      const answers = await inBatches(
        20,
        5,
        async () => (await postExchange(app.url, { access_token: garbage })).status,
      );
      expect(answers.every((s) => s === 401)).toBe(true);
      expect(tokenInfoCalls(emu.get()) - before).toBeLessThanOrEqual(2);
    });
  });
});

describe.each(EXPRESS_MAJORS)("POST /auth/token/kakao with onSignIn refusing on Express %i", (major) => {
  const emu = useEmulator({ users: USERS });
  const app = useAppWith(emu.get, (e) => ({
    express: major,
    options: tokenExchangeOptions(e, { onSignIn: ({ user }) => user.id !== BOB.id }),
  }));
  expectNoServerErrorsAfterEach();

  it("answers 403 access_denied without a session when onSignIn returns false", async () => {
    const nonce = newNonce();
    const { idToken, accessToken } = await emu.get().sdkLogin(BOB.id, { nonce });
    const res = await postExchange(app.url, { id_token: idToken!, nonce, access_token: accessToken });
    await expectRefused(res, { status: 403, error: "access_denied" }, [...secretsOf(emu.get()), idToken!, accessToken]);
  });

  it("still exchanges the token of a user onSignIn accepts (control)", async () => {
    const { accessToken } = await emu.get().sdkLogin(ALICE.id);
    expect((await expectExchanged(await postExchange(app.url, { access_token: accessToken }))).user.id).toBe(ALICE.id);
  });
});

describe.each(EXPRESS_MAJORS)("POST /auth/token/kakao without tokenExchange on Express %i", (major) => {
  const emu = useEmulator({ users: USERS });
  const app = useApp(emu.get, { express: major, options: { session: { bearer: true } } });
  expectNoServerErrorsAfterEach();

  it("is not served: 404 and no session, even for a genuine token", async () => {
    const { accessToken } = await emu.get().sdkLogin(ALICE.id);
    const res = await postExchange(app.url, { access_token: accessToken });
    expect(res.status).toBe(404);
    expect(setsSessionCookie(res)).toBe(false);
    expect(await res.text()).not.toContain(accessToken);
  });
});
