import { afterEach, describe, expect, it } from "vitest";
import { KakaoOAuthError } from "../../lib/index.js";
import { kakaoOAuthError } from "../../lib/kakao/oauth-errors.js";
import type { Fault } from "../../lib/testing/index.js";
import { captureDebugLogs } from "../support/debug-capture.js";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { expectCleanError, expectNoSession, secretsOf, useApp, whoami } from "../support/security.js";

/** What the error page must tell the site owner to do, per KOE code (kakao-api.md §3.6). */
const KOE_FIXES: [koe: string, fix: RegExp][] = [
  ["KOE006", /Register http:\/\/127\.0\.0\.1:\d+\/auth\/callback\/kakao under Kakao Developers/],
  ["KOE010", /set AUTH_KAKAO_SECRET to the secret under Kakao Login → Security/],
  ["KOE101", /set AUTH_KAKAO_ID to the REST API key/],
  ["KOE205", /Enable it under Kakao Login → Consent Items/],
  ["KOE303", /Set baseURL \(AUTH_URL\).*register http:\/\/127\.0\.0\.1:\d+\/auth\/callback\/kakao/],
  ["KOE320", /already used or expired\. Please sign in again/],
];

/** What the logged `KakaoOAuthError` message must advise, per KOE code. */
const KOE_LOGGED_FIXES: Record<string, RegExp> = {
  KOE006: /Register it exactly under Kakao Developers/,
  KOE010: /AUTH_KAKAO_SECRET/,
  KOE101: /AUTH_KAKAO_ID/,
  KOE205: /Consent Items/,
  KOE303: /Set baseURL \(AUTH_URL\)/,
  KOE320: /Start the sign-in again/,
};

describe("the token exchange and profile request (Express 5)", () => {
  const emu = useEmulator({
    users: [
      { id: "4000000001", nickname: "카카오 사용자", email: "user@example.com" },
      { id: "1376016924429759228", nickname: "큰번호" },
      { id: "9223372036854775807", nickname: "int64 max" },
      { id: "4000000002", email: "unverified@example.com", isEmailVerified: false },
      { id: "4000000003", email: "invalid@example.com", isEmailValid: false },
    ],
  });
  const app = useApp(emu.get, { options: { timeout: 400 } });
  const clean = (res: Response) => expectCleanError(res, app.url, secretsOf(emu.get()));

  /** A full login while `fault` is injected on `route`; returns the browser and the callback answer. */
  async function loginWith(route: string, fault: Fault): Promise<{ flow: LoginFlow; res: Response }> {
    emu.get().fail(route, fault);
    const flow = new LoginFlow(app.url);
    const res = await flow.run();
    return { flow, res };
  }

  afterEach(() => emu.get().clearFaults());
  expectNoServerErrorsAfterEach();

  it("TOK-01: the code is exchanged with client_secret_post: credentials in the form body only", async () => {
    await new LoginFlow(app.url).run();
    const exchange = emu.get().requestsTo("/oauth/token").at(-1)!;
    expect(exchange.method).toBe("POST");
    expect(exchange.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(exchange.headers.authorization).toBeUndefined();
    expect(exchange.query).toEqual({});
    expect(exchange.body).toMatchObject({
      grant_type: ["authorization_code"],
      client_id: [emu.get().clientId],
      client_secret: [emu.get().clientSecret],
    });
  });

  it("TOK-01: the client secret never appears in any URL the browser or Kakao sees", async () => {
    const flow = new LoginFlow(app.url);
    const res = await flow.run();
    const secret = emu.get().clientSecret!;
    expect(flow.authorizeUrl!.href).not.toContain(secret);
    expect(flow.callbackUrl!.href).not.toContain(secret);
    expect(res.headers.get("location")).not.toContain(secret);
    for (const r of emu.get().requests) expect(JSON.stringify(r.query)).not.toContain(secret);
  });

  it("TOK-02: a token endpoint answering 500 shows a clean error page and creates no session", async () => {
    const { flow, res } = await loginWith("token", { status: 500 });
    await clean(res);
    await expectNoSession(flow, res);
  });

  it("TOK-02: a token endpoint that drops the connection shows a clean error page and creates no session", async () => {
    const { flow, res } = await loginWith("token", { destroy: true });
    expect((await clean(res)).code).toBe("kakao_unavailable");
    await expectNoSession(flow, res);
  });

  it("TOK-03: a token endpoint slower than the timeout is abandoned within it, with a clean error", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start();
    await flow.authorize();
    emu.get().fail("token", { delayMs: 5_000 });
    const started = performance.now();
    const res = await flow.callback();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect((await clean(res)).code).toBe("kakao_unavailable");
    await expectNoSession(flow, res);
  });

  it.each<[string, Fault]>([
    ["an HTML page", { body: "<html><body>Bad Gateway</body></html>", contentType: "text/html" }],
    ["truncated JSON", { body: '{"access_token":"abc","token_ty' }],
    ["a JSON array", { body: "[]" }],
    ["JSON null", { body: "null" }],
    ["an empty body", { body: "" }],
  ])("TOK-04: a token answer that is %s gives a clean error and no session", async (_label, fault) => {
    const { flow, res } = await loginWith("token", fault);
    await clean(res);
    await expectNoSession(flow, res);
  });

  describe("TOK-05: KOE errors from the token endpoint", () => {
    const debug = captureDebugLogs();

    it.each(KOE_FIXES)(
      "TOK-05: %s redirects to its error page, which names the fix and no secret",
      async (koe, fix) => {
        const { flow, res } = await loginWith("token", { koe });
        expect(res.status).toBe(302);
        expect(res.headers.get("location")).toBe(`/auth/error?error=${koe}`);
        const shown = await clean(res);
        expect(shown.body).toContain(`(${koe})`);
        expect(shown.body).toMatch(fix);
        await expectNoSession(flow, res);
      },
    );

    it.each(KOE_FIXES)(
      "TOK-05: %s is logged as a KakaoOAuthError naming the code and the fix, without secrets",
      async (koe) => {
        const from = debug.lines.length;
        await loginWith("token", { koe });
        const logged = debug.lines.slice(from);
        const failure = logged.find((line) => line.includes("login failed"));
        expect(failure).toContain(`Kakao token endpoint answered`);
        expect(failure).toContain(koe);
        expect(failure).toMatch(KOE_LOGGED_FIXES[koe]!);
        for (const secret of secretsOf(emu.get())) expect(logged.join("\n")).not.toContain(secret);
      },
    );
  });

  it.each(KOE_FIXES.map(([koe]) => koe))(
    "TOK-05: kakaoOAuthError(%s) carries the code and a fix, and no Kakao-echoed code",
    (koe) => {
      const err = kakaoOAuthError(
        400,
        { error: "invalid_grant", error_code: koe, error_description: "authorization code not found for code=abc123" },
        {
          redirectUri: "https://app.example.com/auth/callback/kakao",
          clientId: "rest-key",
        },
      );
      expect(err).toBeInstanceOf(KakaoOAuthError);
      expect(err.koe).toBe(koe);
      expect(err.code).toBe("ERR_KAKAO_OAUTH");
      expect(err.message).toMatch(KOE_LOGGED_FIXES[koe]!);
      expect(err.message).not.toContain("abc123");
    },
  );

  it.each<[string, object]>([
    ["access_token", { token_type: "bearer", expires_in: 21599 }],
    ["token_type", { access_token: "emulated-access-token", expires_in: 21599 }],
    ["a string access_token", { access_token: 12345, token_type: "bearer" }],
  ])("TOK-06: a success answer without %s gives a clean error and no session", async (_label, body) => {
    const { flow, res } = await loginWith("token", { body });
    await clean(res);
    await expectNoSession(flow, res);
  });

  it("TOK-07: a user-info answer of -401 after the exchange creates no session", async () => {
    const { flow, res } = await loginWith("me", { kapiCode: -401 });
    await clean(res);
    await expectNoSession(flow, res);
  });

  it("TOK-07: a user-info endpoint slower than the timeout creates no session", async () => {
    const { flow, res } = await loginWith("me", { delayMs: 5_000 });
    await clean(res);
    await expectNoSession(flow, res);
  });

  it.each<[string, Fault]>([
    ["without id", { body: { connected_at: "2024-01-01T00:00:00Z", properties: { nickname: "x" } } }],
    ["with a null id", { body: { id: null } }],
    ["with a negative id", { body: { id: -5 } }],
    ["with a non-numeric id", { body: { id: "12a" } }],
    ["with a fractional id", { body: '{"id":1.5}' }],
    ["that is not JSON", { body: "<html>maintenance</html>", contentType: "text/html" }],
  ])("TOK-08: a user-info answer %s creates no session", async (_label, fault) => {
    const { flow, res } = await loginWith("me", fault);
    expect((await clean(res)).code).toBe("profile");
    await expectNoSession(flow, res);
  });

  it.each(["1376016924429759228", "9223372036854775807"])(
    "TOK-09: the id %s reaches req.kakaoUser exactly",
    async (id) => {
      const flow = new LoginFlow(app.url);
      await flow.run({ login_hint: id });
      expect((await whoami(flow))?.id).toBe(id);
      const raw = await (await flow.get("/whoami")).text();
      expect(raw).toContain(`"id":"${id}"`);
    },
  );

  it.each([
    ["not verified", "4000000002"],
    ["no longer valid", "4000000003"],
  ])("TOK-10: an email Kakao marks %s is left out and emailVerified is false", async (_label, id) => {
    const flow = new LoginFlow(app.url);
    await flow.run({ login_hint: id });
    const user = await whoami(flow);
    expect(user?.id).toBe(id);
    expect(user?.email).toBeUndefined();
    expect(user?.emailVerified).toBe(false);
  });

  it("TOK-10: a valid, verified email is kept with emailVerified true (control)", async () => {
    const flow = new LoginFlow(app.url);
    await flow.run({ login_hint: "4000000001" });
    expect(await whoami(flow)).toMatchObject({ id: "4000000001", email: "user@example.com", emailVerified: true });
  });
});
